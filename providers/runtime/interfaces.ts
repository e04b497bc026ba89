/**
 * What a provider built on this runtime implements. The runtime owns the protocol
 * (wire codec, plan rules, diagnostics); a provider owns schemas and API calls.
 *
 * Values reach provider code as cty objects (attribute name -> CtyValue). Nothing
 * here may keep state between RPCs beyond the configured client: Terraform starts
 * a fresh process for each phase and may call RPCs concurrently.
 */
import type { CtyType, CtyValue } from './cty';
import type { Diagnostics } from './diagnostics';
import type { Schema } from './schema';

export type ObjectValue = Record<string, CtyValue>;

export interface ClientCapabilities {
  deferralAllowed: boolean;
  writeOnlyAttributesAllowed: boolean;
}

export interface CallContext<Client> {
  /** The configured provider: only present after ConfigureProvider. */
  client: Client;
  /** Aborted when Terraform sends StopProvider (the user pressed Ctrl-C). */
  signal: AbortSignal;
  diagnostics: Diagnostics;
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
  /** Adjust the runtime's generic plan (e.g. refuse changes the service forbids). */
  modifyPlan?(ctx: CallContext<Client>, args: PlanArgs): Promise<void> | void;
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
  read(ctx: CallContext<Client>, config: ObjectValue): Promise<ObjectValue>;
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
  configure(config: ObjectValue, diagnostics: Diagnostics): Promise<Client | undefined>;
  resources: ResourceDefinition<Client>[];
  dataSources: DataSourceDefinition<Client>[];
  functions: FunctionDefinition[];
}
