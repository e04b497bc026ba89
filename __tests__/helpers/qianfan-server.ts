/**
 * The qianfan provider served by the real provider server, configured with stub
 * clients (qianfan-fakes.ts), and driven RPC by RPC through the protobuf wire form the
 * way Terraform drives it: validate, plan, apply (create, update, delete), read, import,
 * upgrade, data sources and ephemeral resources. Values in and out are cty objects.
 */
import { create } from '@bufbuild/protobuf';
import { CtyNumber, isUnknown, unknown, type CtyType, type CtyValue } from '../../providers/runtime/cty';
import type { AttributePath } from '../../providers/runtime/diagnostics';
import * as pb from '../../providers/runtime/gen/tfplugin6_pb';
import type { ObjectValue, PrivateData, ProviderDefinition } from '../../providers/runtime/interfaces';
import { blockType, type BlockSchema } from '../../providers/runtime/schema';
import { createProviderServer, type ProviderServer } from '../../providers/runtime/server';
import type { QianfanClients } from '../../providers/qianfan/config';
import { qianfanProvider } from '../../providers/qianfan/provider';
import { dv, pathOf, privateBytes, privateData, rpc, val } from './provider-rpc';

export interface Diag {
  severity: 'error' | 'warning';
  summary: string;
  detail: string;
  path: AttributePath;
}

export type Private = PrivateData | null;

function diags(list: pb.Diagnostic[]): Diag[] {
  return list.map((d) => ({
    severity: d.severity === pb.Diagnostic_Severity.ERROR ? 'error' : 'warning',
    summary: d.summary,
    detail: d.detail,
    path: pathOf(d),
  }));
}

export const errorsOf = (d: Diag[]) => d.filter((x) => x.severity === 'error');
export const warningsOf = (d: Diag[]) => d.filter((x) => x.severity === 'warning');

const ALL_CAPS = create(pb.ClientCapabilitiesSchema, { writeOnlyAttributesAllowed: true });
const bytes = (p: Private) => (p === null ? new Uint8Array(0) : privateBytes(p));
const decoded = (b: Uint8Array | undefined) => privateData(b) as Private;

function block(kind: 'resource' | 'data' | 'ephemeral' | 'provider', typeName: string): BlockSchema {
  const list =
    kind === 'resource' ? qianfanProvider.resources : kind === 'data' ? qianfanProvider.dataSources : kind === 'ephemeral' ? (qianfanProvider.ephemeralResources ?? []) : [];
  const found = kind === 'provider' ? qianfanProvider.schema : list.find((d) => d.typeName === typeName)?.schema;
  if (!found) throw new Error(`no ${kind} ${typeName}`);
  return found.block;
}

/** Input as tests write it: plain JS numbers become cty numbers. */
export type Input = Record<string, CtyValue | number | (string | number)[]>;

const ctyOf = (v: Input[string]): CtyValue => (typeof v === 'number' ? CtyNumber.of(v) : Array.isArray(v) ? v.map((x) => ctyOf(x)) : v);

/** An object of `block`'s type with every attribute present: the given ones, the rest null. */
function full(b: BlockSchema, values: Input): ObjectValue {
  for (const name of Object.keys(values)) if (!(name in b.attributes)) throw new Error(`no attribute ${name}`);
  return Object.fromEntries(Object.keys(b.attributes).map((name) => [name, ctyOf(values[name] ?? null)]));
}

/** A cty value as plain JS, for assertions: numbers as numbers, unknown as '(unknown)'. */
export function plain(v: CtyValue | undefined): unknown {
  if (v instanceof CtyNumber) return v.toNumber();
  if (isUnknown(v)) return '(unknown)';
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object' && v.constructor === Object) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x as CtyValue)]));
  return v;
}

export interface Planned {
  planned: ObjectValue;
  requiresReplace: string[][];
  private: Private;
  diagnostics: Diag[];
}

export interface Applied {
  state: ObjectValue | null;
  private: Private;
  diagnostics: Diag[];
}

export class QianfanServer {
  /** How often the provider's configure ran. */
  configured = 0;

  private constructor(readonly server: ProviderServer) {}

  /**
   * A server whose configure answers `clients`; with 'unknown', Terraform sends a
   * provider configuration it cannot know until apply, so resources see no client.
   */
  static async start(clients: QianfanClients | 'unknown'): Promise<QianfanServer> {
    const holder: { s?: QianfanServer } = {};
    const definition: ProviderDefinition<QianfanClients> = {
      ...qianfanProvider,
      configure: async () => {
        holder.s!.configured++;
        return clients === 'unknown' ? undefined : clients;
      },
    };
    const s = new QianfanServer(createProviderServer(definition));
    holder.s = s;
    const provider = blockType(block('provider', ''));
    const config = full(block('provider', ''), clients === 'unknown' ? { yufu_admin_url: unknown() } : {});
    const answer = await rpc(s.server, 'configureProvider', { config: dv(provider, config) });
    if (answer.diagnostics.length > 0) throw new Error(`configure: ${JSON.stringify(diags(answer.diagnostics))}`);
    return s;
  }

  type(typeName: string, kind: 'resource' | 'data' | 'ephemeral' = 'resource'): CtyType {
    return blockType(block(kind, typeName));
  }

  /** `values` with every other attribute of the resource null. */
  object(typeName: string, values: Input, kind: 'resource' | 'data' | 'ephemeral' = 'resource'): ObjectValue {
    return full(block(kind, typeName), values);
  }

  async validate(typeName: string, config: Input, capabilities = ALL_CAPS): Promise<Diag[]> {
    const answer = await rpc(this.server, 'validateResourceConfig', { typeName, config: dv(this.type(typeName), this.object(typeName, config)), clientCapabilities: capabilities });
    return diags(answer.diagnostics);
  }

  /** PlanResourceChange with Terraform's proposed new state (config over prior, unknown computed on create). */
  async plan(typeName: string, args: { prior?: ObjectValue | null; config: Input; priorPrivate?: Private }): Promise<Planned> {
    const type = this.type(typeName);
    const b = block('resource', typeName);
    const prior = args.prior ?? null;
    const config = this.object(typeName, args.config);
    const proposed = Object.fromEntries(
      Object.entries(b.attributes).map(([name, a]): [string, CtyValue] => {
        if (config[name] !== null || a.writeOnly) return [name, a.writeOnly ? null : config[name]];
        if (!a.computed) return [name, null];
        return [name, prior ? prior[name] : unknown()];
      }),
    );
    const answer = await rpc(this.server, 'planResourceChange', {
      typeName,
      priorState: dv(type, prior),
      config: dv(type, config),
      proposedNewState: dv(type, proposed),
      priorPrivate: bytes(args.priorPrivate ?? null),
      clientCapabilities: ALL_CAPS,
    });
    return {
      planned: (answer.plannedState ? val(type, answer.plannedState) : null) as ObjectValue,
      requiresReplace: answer.requiresReplace.map((p) => p.steps.map((step) => String(step.selector.value))),
      private: decoded(answer.plannedPrivate),
      diagnostics: diags(answer.diagnostics),
    };
  }

  async apply(typeName: string, args: { prior: ObjectValue | null; planned: ObjectValue | null; config: Input | null; plannedPrivate: Private }): Promise<Applied> {
    const type = this.type(typeName);
    const answer = await rpc(this.server, 'applyResourceChange', {
      typeName,
      priorState: dv(type, args.prior),
      plannedState: dv(type, args.planned),
      config: dv(type, args.config === null ? null : this.object(typeName, args.config)),
      plannedPrivate: bytes(args.plannedPrivate),
    });
    return { state: (answer.newState ? val(type, answer.newState) : null) as ObjectValue | null, private: decoded(answer.private), diagnostics: diags(answer.diagnostics) };
  }

  /** Plan and apply a create, as `terraform apply` does; a plan with errors stops there. */
  async create(typeName: string, config: Input, priorPrivate: Private = null): Promise<Applied & { plan: Planned }> {
    const plan = await this.plan(typeName, { config, priorPrivate });
    if (plan.diagnostics.some((d) => d.severity === 'error')) return { state: null, private: null, diagnostics: plan.diagnostics, plan };
    const applied = await this.apply(typeName, { prior: null, planned: plan.planned, config, plannedPrivate: plan.private });
    return { ...applied, plan };
  }

  /** Plan and apply an update of an existing object. */
  async update(typeName: string, prior: ObjectValue, priorPrivate: Private, config: Input): Promise<Applied & { plan: Planned }> {
    const plan = await this.plan(typeName, { prior, config, priorPrivate });
    if (plan.diagnostics.some((d) => d.severity === 'error')) return { state: prior, private: priorPrivate, diagnostics: plan.diagnostics, plan };
    if (plan.requiresReplace.length > 0) throw new Error(`update of ${typeName} plans a replacement: ${JSON.stringify(plan.requiresReplace)}`);
    const applied = await this.apply(typeName, { prior, planned: plan.planned, config, plannedPrivate: plan.private });
    return { ...applied, plan };
  }

  /**
   * A create_before_destroy replacement as Terraform runs it: the plan of the change;
   * at apply, the create planned again with no prior state and no private data (the
   * object is deposed by then) and applied; then, if the create succeeded, the deposed
   * object's delete with the private data stored with it (else it stays current).
   */
  async replaceCreateBeforeDestroy(typeName: string, prior: ObjectValue, priorPrivate: Private, config: Input) {
    const change = await this.plan(typeName, { prior, config, priorPrivate });
    const createPlan = await this.plan(typeName, { config });
    const created = await this.apply(typeName, { prior: null, planned: createPlan.planned, config, plannedPrivate: createPlan.private });
    const failed = created.diagnostics.some((d) => d.severity === 'error');
    const deleted = failed ? null : await this.delete(typeName, prior, priorPrivate);
    return { change, createPlan, created, deleted };
  }

  delete(typeName: string, prior: ObjectValue, priorPrivate: Private): Promise<Applied> {
    return this.apply(typeName, { prior, planned: null, config: null, plannedPrivate: priorPrivate });
  }

  async read(typeName: string, state: ObjectValue, priv: Private): Promise<Applied> {
    const type = this.type(typeName);
    const answer = await rpc(this.server, 'readResource', { typeName, currentState: dv(type, state), private: bytes(priv) });
    return { state: (answer.newState ? val(type, answer.newState) : null) as ObjectValue | null, private: decoded(answer.private), diagnostics: diags(answer.diagnostics) };
  }

  async importState(typeName: string, id: string): Promise<Applied> {
    const answer = await rpc(this.server, 'importResourceState', { typeName, id });
    const [imported] = answer.importedResources;
    return {
      state: imported ? (val(this.type(typeName), imported.state) as ObjectValue) : null,
      private: imported ? decoded(imported.private) : null,
      diagnostics: diags(answer.diagnostics),
    };
  }

  /** UpgradeResourceState from the stored JSON of schema `version`. */
  async upgrade(typeName: string, version: number, stored: Record<string, unknown>): Promise<{ state: ObjectValue | null; diagnostics: Diag[] }> {
    const answer = await rpc(this.server, 'upgradeResourceState', { typeName, version: BigInt(version), rawState: { json: new TextEncoder().encode(JSON.stringify(stored)) } });
    return { state: answer.upgradedState ? (val(this.type(typeName), answer.upgradedState) as ObjectValue) : null, diagnostics: diags(answer.diagnostics) };
  }

  async validateData(typeName: string, config: Input): Promise<Diag[]> {
    const answer = await rpc(this.server, 'validateDataResourceConfig', { typeName, config: dv(this.type(typeName, 'data'), this.object(typeName, config, 'data')) });
    return diags(answer.diagnostics);
  }

  async readData(typeName: string, config: Input): Promise<{ state: ObjectValue | null; diagnostics: Diag[] }> {
    const type = this.type(typeName, 'data');
    const answer = await rpc(this.server, 'readDataSource', { typeName, config: dv(type, this.object(typeName, config, 'data')) });
    return { state: answer.state ? (val(type, answer.state) as ObjectValue) : null, diagnostics: diags(answer.diagnostics) };
  }

  async validateEphemeral(typeName: string, config: Input): Promise<Diag[]> {
    const type = this.type(typeName, 'ephemeral');
    const answer = await rpc(this.server, 'validateEphemeralResourceConfig', { typeName, config: dv(type, this.object(typeName, config, 'ephemeral')) });
    return diags(answer.diagnostics);
  }

  async openEphemeral(typeName: string, config: Input): Promise<{ result: ObjectValue | null; diagnostics: Diag[] }> {
    const type = this.type(typeName, 'ephemeral');
    const answer = await rpc(this.server, 'openEphemeralResource', { typeName, config: dv(type, this.object(typeName, config, 'ephemeral')) });
    return { result: answer.result ? (val(type, answer.result) as ObjectValue) : null, diagnostics: diags(answer.diagnostics) };
  }
}

/** ValidateProviderConfig of the real qianfan provider (no configure involved). */
export async function validateProviderConfig(values: Input): Promise<Diag[]> {
  const server = createProviderServer(qianfanProvider);
  const b = block('provider', '');
  const answer = await rpc(server, 'validateProviderConfig', { config: dv(blockType(b), full(b, values)) });
  return diags(answer.diagnostics);
}

/** ConfigureProvider of the real qianfan provider: resolves the real clients (no request is sent). */
export async function configureProvider(values: Input): Promise<Diag[]> {
  const server = createProviderServer(qianfanProvider);
  const b = block('provider', '');
  const answer = await rpc(server, 'configureProvider', { config: dv(blockType(b), full(b, values)) });
  return diags(answer.diagnostics);
}
