/**
 * What a provider built on this runtime implements. The runtime owns the protocol
 * (wire codec, plan rules, diagnostics, private state, unknown provider configuration);
 * a provider owns schemas and API calls.
 *
 * Values reach provider code as cty objects (attribute name -> CtyValue). Nothing
 * here may keep state between RPCs beyond the configured client: Terraform starts
 * a fresh process for each phase and may call RPCs concurrently. What must survive
 * from one call to a later one travels in the resource state or in its private data
 * (`ctx.private` / `ctx.setPrivate`).
 */
import type { CtyType, CtyValue } from './cty';
import type { Diagnostics } from './diagnostics';
import type { Schema } from './schema';

export type ObjectValue = Record<string, CtyValue>;

/** Private data as the provider sees it: a JSON object (UTF-8 JSON on the wire), or null for none. */
export type PrivateData = Record<string, unknown>;

export interface ClientCapabilities {
  /** Terraform accepts a deferred answer (the runtime defers when the provider configuration is not known yet). */
  deferralAllowed: boolean;
  writeOnlyAttributesAllowed: boolean;
}

/** What every call into provider code gets. */
export interface BaseContext {
  /** Aborted when Terraform sends StopProvider (the user pressed Ctrl-C). */
  signal: AbortSignal;
  diagnostics: Diagnostics;
  /**
   * Whether Terraform (the process that started the provider) is still there, asked now:
   * false once it was killed, when nobody will record what this call answers.
   */
  callerPresent(): boolean;
}

/**
 * The resource instance's private data: opaque to Terraform, kept next to the state,
 * never shown in a plan. Incoming: prior_private (plan), planned_private (apply:
 * create, update, delete), private (read); null on import. Outgoing: planned_private
 * (plan), the new private (apply, read), the imported object's private (import).
 * Unless setPrivate is called, the outgoing data is the incoming data.
 *
 * Where it flows: what plan sets reaches that object's apply (for a replace, Terraform
 * plans the create part a second time with prior_private = the first call's
 * planned_private, so data set while planning the replacement reaches the create).
 * A deposed object (create_before_destroy) is destroyed with the private data stored
 * with that object when it was deposed, never with its replacement's: Terraform plans
 * that destroy itself (this runtime does not ask to plan destroys), copying the stored
 * private into planned_private.
 */
export interface PrivateState {
  readonly private: PrivateData | null;
  /** Sets the outgoing private data; null clears it. */
  setPrivate(data: PrivateData | null): void;
}

/** Create, read, update, delete and import: the provider is configured, so the client is there. */
export interface CallContext<Client> extends BaseContext, PrivateState {
  client: Client;
}

/**
 * Planning may run before the provider's configuration is known (an argument that
 * comes from another resource's output): then `client` is undefined, and a plan check
 * that needs the service cannot run yet.
 */
export interface PlanContext<Client> extends BaseContext, PrivateState {
  client: Client | undefined;
}

/** A data source may be read while the provider's configuration is not known yet (client undefined). */
export interface DataSourceContext<Client> extends BaseContext {
  client: Client | undefined;
}

/** Opening, renewing and closing an ephemeral resource need the configured provider. */
export interface EphemeralContext<Client> extends BaseContext {
  client: Client;
}

export interface PlanArgs {
  prior: ObjectValue | null;
  config: ObjectValue;
  planned: ObjectValue;
  requiresReplace: string[][];
  capabilities: ClientCapabilities;
}

export interface ResourceDefinition<Client> {
  typeName: string;
  schema: Schema;
  /** Config may contain unknown values; validate what is known. */
  validate?(config: ObjectValue, diagnostics: Diagnostics, capabilities: ClientCapabilities): void;
  /**
   * Rewrites a state stored under an older schema version (`fromVersion` < schema.version)
   * into the current schema's shape. `raw` is the stored JSON with lossless numbers
   * (CtyNumber). The runtime then drops attributes the schema no longer has, nulls the
   * missing ones and nulls write-only ones. Without it, only that generic step runs.
   */
  upgradeState?(fromVersion: number, raw: Record<string, unknown>): Record<string, unknown>;
  /** Adjust the runtime's generic plan (e.g. refuse changes the service forbids). */
  modifyPlan?(ctx: PlanContext<Client>, args: PlanArgs): Promise<void> | void;
  /** Current remote state, or null when the object is gone. */
  read(ctx: CallContext<Client>, state: ObjectValue): Promise<ObjectValue | null>;
  create(ctx: CallContext<Client>, planned: ObjectValue, config: ObjectValue): Promise<ObjectValue>;
  update(ctx: CallContext<Client>, prior: ObjectValue, planned: ObjectValue, config: ObjectValue): Promise<ObjectValue>;
  delete(ctx: CallContext<Client>, prior: ObjectValue): Promise<void>;
  /** State for `terraform import`; Terraform reads and plans afterwards. */
  importState?(ctx: CallContext<Client>, id: string): Promise<ObjectValue | null>;
}

export interface DataSourceDefinition<Client> {
  typeName: string;
  schema: Schema;
  validate?(config: ObjectValue, diagnostics: Diagnostics): void;
  read(ctx: DataSourceContext<Client>, config: ObjectValue): Promise<ObjectValue>;
}

export interface EphemeralOpenResult {
  /** The value Terraform uses (never stored in state or plan; the runtime never logs it). Must be wholly known. */
  result: ObjectValue;
  /** When Terraform should call renew (requires `renew`). */
  renewAt?: Date;
  /** Handed back to renew and close. */
  private?: PrivateData | null;
}

export interface EphemeralRenewResult {
  renewAt?: Date;
  /** Replaces the private data; left out, the incoming data is kept. */
  private?: PrivateData | null;
}

/** An ephemeral resource (Terraform ≥ 1.10): opened anew in every phase, never persisted. */
export interface EphemeralResourceDefinition<Client> {
  typeName: string;
  schema: Schema;
  /** Config may contain unknown values; validate what is known. */
  validate?(config: ObjectValue, diagnostics: Diagnostics): void;
  /** Called with a wholly known config. */
  open(ctx: EphemeralContext<Client>, config: ObjectValue): Promise<EphemeralOpenResult>;
  renew?(ctx: EphemeralContext<Client>, data: PrivateData | null): Promise<EphemeralRenewResult>;
  close?(ctx: EphemeralContext<Client>, data: PrivateData | null): Promise<void>;
}

export interface FunctionParameter {
  name: string;
  type: CtyType;
  description: string;
  allowNull?: boolean;
}

export interface FunctionDefinition {
  name: string;
  summary: string;
  description: string;
  parameters: FunctionParameter[];
  returnType: CtyType;
  /** Throw FunctionCallError to report a bad argument. Pure: no client. */
  call(args: CtyValue[]): CtyValue;
}

export class FunctionCallError extends Error {
  constructor(
    message: string,
    readonly argumentIndex?: number,
  ) {
    super(message);
  }
}

export interface ProviderDefinition<Client> {
  /** The provider's type name, e.g. "qianfan". */
  name: string;
  version: string;
  schema: Schema;
  validateConfig?(config: ObjectValue, diagnostics: Diagnostics): void;
  /**
   * Called with a wholly known configuration only: while any argument is unknown
   * (Terraform cannot know it until apply), the runtime does not configure, and
   * resources, data sources and ephemeral resources see that (see PlanContext).
   */
  configure(config: ObjectValue, diagnostics: Diagnostics): Promise<Client | undefined>;
  resources: ResourceDefinition<Client>[];
  dataSources: DataSourceDefinition<Client>[];
  ephemeralResources?: EphemeralResourceDefinition<Client>[];
  functions: FunctionDefinition[];
}
