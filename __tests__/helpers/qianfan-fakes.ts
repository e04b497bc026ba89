/**
 * In-memory stand-ins for the provider's two service clients (YufuAdminClient,
 * ApaasClient), for unit tests that drive the resources through the provider server.
 * They keep the contract of docs/api/yufu-admin.md, apaas-admin.md and ownership.md
 * that the resources rely on: creation keys, claims as compare-and-set, create-only
 * PUTs that answer null when the object exists, conditional deletes answering
 * 'not-ours', 409 name conflicts, labelled rotation, locked user sources. Every call is
 * recorded, so a test can say "nothing was written".
 */
import { randomBytes } from 'node:crypto';
import { secretSha256, type ApaasClient, type Connector, type ConnectorInput, type Schedule, type ScheduleInput, type SyncRun, type Tenant } from '../../providers/qianfan/clients/apaas';
import { DEFAULT_RETRY, ServiceError } from '../../providers/qianfan/clients/http';
import type { ClaimRequest, Owned } from '../../providers/qianfan/clients/ownership';
import type { AppInput, YufuAdminClient, YufuApp } from '../../providers/qianfan/clients/yufu';
import type { QianfanClients } from '../../providers/qianfan/config';
import { ProviderError } from '../../providers/runtime/diagnostics';

export interface Call {
  method: string;
  args: unknown[];
  /** False when the call threw. */
  ok: boolean;
  /** Whether it changed anything the service stores. */
  wrote: boolean;
}

/** The call log and fault hooks both fakes share. */
class Recorder {
  readonly calls: Call[] = [];
  private readonly hooks = new Map<string, (() => void | Promise<void>)[]>();
  private readonly lost = new Set<string>();
  private current: Call | undefined;

  constructor(private readonly service: string) {}

  /** The names of the methods called, in order. */
  methods(): string[] {
    return this.calls.map((c) => c.method);
  }

  /** The calls that changed something the service stores. */
  writes(): Call[] {
    return this.calls.filter((c) => c.wrote);
  }

  /** Called by a fake's method when it changes what the service stores. */
  changed(): void {
    if (this.current) this.current.wrote = true;
  }

  callsOf(method: string): Call[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Runs `hook` once, just before the next call of `method` is served (e.g. a racing client). */
  before(method: string, hook: () => void | Promise<void>): void {
    this.hooks.set(method, [...(this.hooks.get(method) ?? []), hook]);
  }

  /**
   * The next answer of `method` is lost on the way back and the client retries the same
   * request, as the HTTP client does for idempotent requests: the service serves it twice
   * and the caller sees the second answer.
   */
  loseAnswer(method: string): void {
    this.lost.add(method);
  }

  async serve<T>(method: string, args: unknown[], body: () => T): Promise<T> {
    const hook = this.hooks.get(method)?.shift();
    if (hook) await hook();
    const once = (): T => {
      const call: Call = { method, args: structuredClone(args), ok: false, wrote: false };
      this.calls.push(call);
      this.current = call;
      try {
        const result = body();
        call.ok = true;
        return structuredClone(result);
      } finally {
        this.current = undefined;
      }
    };
    if (this.lost.delete(method)) once();
    return once();
  }

  error(status: number, code: string, message: string, field?: string): ServiceError {
    return new ServiceError(`${this.service} refused the request`, `HTTP ${status} ${code}${field ? ` (field ${field})` : ''}: ${message}`, status, code, field);
  }
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const now = () => new Date().toISOString();

/** The claim rule of ownership.md §3, on any owned object. */
function claim(recorder: Recorder, object: Owned | undefined, request: ClaimRequest, what: string): void {
  if (!object) throw recorder.error(404, 'not_found', `${what} does not exist`);
  if (object.claimed_by === request.claimant) return;
  if (object.claimed_by !== request.previousClaimant) throw recorder.error(409, 'claim_conflict', `${what} was claimed at ${object.claimed_at}`);
  object.claimed_by = request.claimant;
  object.claimed_at = now();
  recorder.changed();
}

const deletable = (object: Owned, claimant: string | null) => object.claimed_by === claimant;

export const APP_DEFAULTS: Omit<AppInput, 'name'> = {
  description: '',
  application_type: 'web',
  redirect_uris: ['https://apaas.weworkpro.tencent-cloud.com/t-1/'],
  post_logout_redirect_uris: [],
  grant_types: ['authorization_code'],
  scopes: ['openid', 'profile', 'email'],
  require_pkce: true,
  access_token_lifetime: 7200,
  id_token_lifetime: 3600,
  refresh_token_lifetime: 2_592_000,
};

type YufuMethods = Pick<YufuAdminClient, keyof YufuAdminClient>;

export class FakeYufu extends Recorder implements YufuMethods {
  readonly apps = new Map<string, YufuApp>();
  private readonly keys = new Map<string, string>();

  constructor() {
    super('Yufu admin API');
  }

  /** An app that already exists (made in the console unless creation_key / claimed_by say otherwise). */
  seed(app: Partial<YufuApp> & { name: string }): YufuApp {
    const made = this.make({ ...APP_DEFAULTS, ...app }, app.creation_key ?? null, app.client_secret_version ?? null);
    Object.assign(made, app);
    this.apps.set(made.id, made);
    return structuredClone(made);
  }

  app(id: string): YufuApp {
    const app = this.apps.get(id);
    if (!app) throw new Error(`fake: no app ${id}`);
    return app;
  }

  private make(input: AppInput, key: string | null, version: number | null): YufuApp {
    const clientId = `ai-${hex(16)}`;
    const issuer = `https://demo-idp.cig.tencentcs.com/sso/tn-${'0'.repeat(32)}/${clientId}/oidc`;
    const at = now();
    return {
      ...structuredClone(input),
      id: `app_${hex(12)}`,
      client_id: clientId,
      client_secret: randomBytes(32).toString('base64url'),
      issuer,
      well_known_url: `${issuer}/.well-known/openid-configuration`,
      client_secret_version: version,
      creation_key: key,
      claimed_by: null,
      claimed_at: null,
      created_at: at,
      updated_at: at,
    };
  }

  private nameTaken(name: string, except?: string): boolean {
    return [...this.apps.values()].some((a) => a.name === name && a.id !== except);
  }

  createApp(input: AppInput, options: { key?: string; secretVersion?: number | null } = {}): Promise<YufuApp> {
    return this.serve('createApp', [input, options], () => {
      const replayed = options.key === undefined ? undefined : this.keys.get(options.key);
      if (replayed !== undefined) {
        const app = this.apps.get(replayed);
        if (!app) throw this.error(404, 'not_found', 'the app created under this Idempotency-Key was deleted');
        return app;
      }
      if (this.nameTaken(input.name)) throw this.error(409, 'already_exists', `an app named "${input.name}" exists`, 'name');
      const app = this.make(input, options.key ?? null, options.secretVersion ?? null);
      this.apps.set(app.id, app);
      this.changed();
      if (options.key !== undefined) this.keys.set(options.key, app.id);
      return app;
    });
  }

  claimApp(id: string, request: ClaimRequest): Promise<YufuApp> {
    return this.serve('claimApp', [id, request], () => {
      claim(this, this.apps.get(id), request, `app ${id}`);
      return this.app(id);
    });
  }

  appsByClientId(clientIds: string[]): Promise<YufuApp[]> {
    return this.serve('appsByClientId', [clientIds], () => [...this.apps.values()].filter((a) => clientIds.includes(a.client_id)));
  }

  getApp(id: string): Promise<YufuApp | null> {
    return this.serve('getApp', [id], () => this.apps.get(id) ?? null);
  }

  findAppsByName(name: string): Promise<YufuApp[]> {
    return this.serve('findAppsByName', [name], () => [...this.apps.values()].filter((a) => a.name === name));
  }

  updateApp(id: string, patch: Partial<AppInput>): Promise<YufuApp> {
    return this.serve('updateApp', [id, patch], () => {
      const app = this.apps.get(id);
      if (!app) throw this.error(404, 'not_found', `app ${id} does not exist`);
      if (patch.application_type !== undefined && patch.application_type !== app.application_type) {
        throw this.error(400, 'immutable_field', 'application_type cannot change', 'application_type');
      }
      if (patch.name !== undefined && this.nameTaken(patch.name, id)) throw this.error(409, 'already_exists', `an app named "${patch.name}" exists`, 'name');
      Object.assign(app, structuredClone(patch), { updated_at: now() });
      this.changed();
      return app;
    });
  }

  rotateSecret(id: string, version: number): Promise<YufuApp> {
    return this.serve('rotateSecret', [id, version], () => {
      const app = this.apps.get(id);
      if (!app) throw this.error(404, 'not_found', `app ${id} does not exist`);
      if (app.client_secret_version !== version) {
        app.client_secret = randomBytes(32).toString('base64url');
        app.client_secret_version = version;
        app.updated_at = now();
        this.changed();
      }
      return app;
    });
  }

  deleteApp(id: string, claimant: string | null): Promise<'deleted' | 'gone' | 'not-ours'> {
    return this.serve('deleteApp', [id, claimant], () => {
      const app = this.apps.get(id);
      if (!app) return 'gone';
      if (!deletable(app, claimant)) return 'not-ours';
      this.apps.delete(id);
      this.changed();
      return 'deleted';
    });
  }
}

type ApaasMethods = Pick<ApaasClient, keyof ApaasClient>;
type StoredConnector = Omit<Connector, 'last_run'>;
type StoredSchedule = Omit<Schedule, 'last_run'>;
type RunOutcome = Pick<SyncRun, 'status' | 'error'>;

const COUNTS = { departments_added: 3, departments_updated: 0, departments_disabled: 0, users_added: 12, users_updated: 0, users_disabled: 1, departments_total: 3, users_total: 12, users_active: 11 };

export class FakeApaas extends Recorder implements ApaasMethods {
  readonly tenants = new Map<string, Tenant>();
  readonly connectors = new Map<string, StoredConnector>();
  readonly schedules = new Map<string, StoredSchedule>();
  readonly runs = new Map<string, SyncRun>();
  /** The secret aPaaS holds, by tenant (the API only ever shows its SHA-256). */
  readonly secrets = new Map<string, string>();
  /** The HR organisation a tenant was initialised from; survives a connector delete. */
  private readonly corpKeys = new Map<string, string>();
  /** How the runs queued from now on end. */
  runOutcome: RunOutcome = { status: 'succeeded', error: null };

  constructor() {
    super('aPaaS admin API');
  }

  addTenant(tenantId: string, source: Tenant['user_source'] = null, corpKey?: string): Tenant {
    const tenant: Tenant = {
      tenant_id: tenantId,
      user_source: source,
      initialized_at: source === null ? null : '2026-01-05T08:00:00.000Z',
      source_switches_left: source === 'self_registration' ? 1 : 0,
    };
    this.tenants.set(tenantId, tenant);
    if (corpKey) this.corpKeys.set(tenantId, corpKey);
    return tenant;
  }

  /** A connector that already exists, e.g. one an interrupted apply or the console left. */
  seedConnector(tenantId: string, input: ConnectorInput, owned: Partial<Owned> = {}): Connector {
    const tenant = this.tenants.get(tenantId) ?? this.addTenant(tenantId);
    this.save(tenant, input, owned.creation_key ?? null);
    Object.assign(this.connectors.get(tenantId)!, owned);
    return this.connector(tenantId)!;
  }

  seedSchedule(tenantId: string, input: ScheduleInput, owned: Partial<Owned> = {}): Schedule {
    this.saveSchedule(tenantId, input, owned.creation_key ?? null);
    Object.assign(this.schedules.get(tenantId)!, owned);
    return this.schedule(tenantId)!;
  }

  private queueRun(tenantId: string, trigger: SyncRun['trigger']): SyncRun {
    const done = this.runOutcome.status === 'succeeded' || this.runOutcome.status === 'failed';
    const run: SyncRun = {
      id: `run_${hex(8)}`,
      tenant_id: tenantId,
      trigger,
      mode: 'full',
      ...this.runOutcome,
      queued_at: now(),
      started_at: now(),
      finished_at: done ? now() : null,
      counts: { ...COUNTS },
    };
    this.runs.set(run.id, run);
    this.changed();
    return run;
  }

  private lastRun(tenantId: string, trigger?: SyncRun['trigger']): SyncRun | null {
    const runs = [...this.runs.values()].filter((r) => r.tenant_id === tenantId && (trigger === undefined || r.trigger === trigger));
    return runs[runs.length - 1] ?? null;
  }

  connector(tenantId: string): Connector | null {
    const c = this.connectors.get(tenantId);
    return c ? { ...c, last_run: this.lastRun(tenantId) } : null;
  }

  schedule(tenantId: string): Schedule | null {
    const s = this.schedules.get(tenantId);
    return s ? { ...s, last_run: this.lastRun(tenantId, 'schedule') } : null;
  }

  /** apaas-admin.md §2–§3: the source rules, then the save; an initial run when the directory changed. */
  private save(tenant: Tenant, input: ConnectorInput, creationKey: string | null): void {
    const { tenant_id: tenantId } = tenant;
    const locked = tenant.user_source !== null && tenant.user_source !== 'hr_assistant' && !(tenant.user_source === 'self_registration' && tenant.source_switches_left > 0);
    if (locked) throw this.error(409, 'source_locked', `tenant ${tenantId} was initialised from ${tenant.user_source}`);
    const lockedKey = this.corpKeys.get(tenantId);
    if (tenant.user_source === 'hr_assistant' && lockedKey !== undefined && lockedKey !== input.corp_key) {
      throw this.error(409, 'corp_key_locked', `tenant ${tenantId} syncs from organisation ${lockedKey}`, 'corp_key');
    }
    if (tenant.user_source !== 'hr_assistant') {
      if (tenant.user_source === 'self_registration') tenant.source_switches_left = 0;
      tenant.user_source = 'hr_assistant';
      tenant.initialized_at = now();
    }
    this.corpKeys.set(tenantId, input.corp_key);
    const before = this.connectors.get(tenantId);
    const directoryChanged = !before || before.corp_key !== input.corp_key || before.well_known_url !== input.well_known_url || before.client_id !== input.client_id;
    const at = now();
    this.connectors.set(tenantId, {
      tenant_id: tenantId,
      user_source: tenant.user_source,
      initialized_at: tenant.initialized_at,
      corp_key: input.corp_key,
      well_known_url: input.well_known_url,
      client_id: input.client_id,
      client_secret_sha256: secretSha256(input.client_secret),
      status: 'active',
      created_at: before?.created_at ?? at,
      updated_at: at,
      creation_key: before ? before.creation_key : creationKey,
      claimed_by: before?.claimed_by ?? null,
      claimed_at: before?.claimed_at ?? null,
      initial_run_id: directoryChanged ? this.queueRun(tenantId, 'initial').id : (before?.initial_run_id ?? null),
    });
    this.secrets.set(tenantId, input.client_secret);
    this.changed();
  }

  private saveSchedule(tenantId: string, input: ScheduleInput, creationKey: string | null): void {
    if (!this.connectors.has(tenantId)) throw this.error(409, 'no_connector', `tenant ${tenantId} has no HR connector`);
    const before = this.schedules.get(tenantId);
    const at = now();
    this.schedules.set(tenantId, {
      tenant_id: tenantId,
      ...structuredClone(input),
      next_run_at: input.enabled ? '2030-01-01T18:00:00.000Z' : null,
      created_at: before?.created_at ?? at,
      updated_at: at,
      creation_key: before ? before.creation_key : creationKey,
      claimed_by: before?.claimed_by ?? null,
      claimed_at: before?.claimed_at ?? null,
    });
    this.changed();
  }

  getTenant(tenantId: string): Promise<Tenant | null> {
    return this.serve('getTenant', [tenantId], () => this.tenants.get(tenantId) ?? null);
  }

  putConnector(tenantId: string, input: ConnectorInput, _signal?: AbortSignal, createKey?: string): Promise<Connector | null> {
    return this.serve('putConnector', [tenantId, input, createKey], () => {
      const tenant = this.tenants.get(tenantId);
      if (!tenant) throw this.error(404, 'not_found', `no tenant ${tenantId}`);
      if (createKey !== undefined && this.connectors.has(tenantId)) return null;
      this.save(tenant, input, createKey ?? null);
      return this.connector(tenantId);
    });
  }

  claimConnector(tenantId: string, request: ClaimRequest): Promise<Connector> {
    return this.serve('claimConnector', [tenantId, request], () => {
      claim(this, this.connectors.get(tenantId), request, `the connector of ${tenantId}`);
      return this.connector(tenantId)!;
    });
  }

  getConnector(tenantId: string): Promise<Connector | null> {
    return this.serve('getConnector', [tenantId], () => this.connector(tenantId));
  }

  deleteConnector(tenantId: string, claimant: string | null): Promise<{ deleted: boolean; user_source: string | null; retained: string[] } | 'gone' | 'not-ours'> {
    return this.serve('deleteConnector', [tenantId, claimant], () => {
      const connector = this.connectors.get(tenantId);
      if (!connector) return 'gone' as const;
      if (!deletable(connector, claimant)) return 'not-ours' as const;
      this.connectors.delete(tenantId);
      this.schedules.delete(tenantId);
      this.secrets.delete(tenantId);
      this.changed();
      return { deleted: true, user_source: connector.user_source, retained: ['user_source', 'users', 'departments'] };
    });
  }

  getRun(tenantId: string, runId: string): Promise<SyncRun> {
    return this.serve('getRun', [tenantId, runId], () => {
      const run = this.runs.get(runId);
      if (!run || run.tenant_id !== tenantId) throw this.error(404, 'not_found', `no run ${runId}`);
      return run;
    });
  }

  startRun(tenantId: string, mode: 'full' | 'incremental'): Promise<SyncRun> {
    return this.serve('startRun', [tenantId, mode], () => {
      if (!this.connectors.has(tenantId)) throw this.error(409, 'no_connector', `tenant ${tenantId} has no HR connector`);
      return { ...this.queueRun(tenantId, 'manual'), mode };
    });
  }

  putSchedule(tenantId: string, input: ScheduleInput, _signal?: AbortSignal, createKey?: string): Promise<Schedule | null> {
    return this.serve('putSchedule', [tenantId, input, createKey], () => {
      if (createKey !== undefined && this.schedules.has(tenantId)) return null;
      this.saveSchedule(tenantId, input, createKey ?? null);
      return this.schedule(tenantId);
    });
  }

  claimSchedule(tenantId: string, request: ClaimRequest): Promise<Schedule> {
    return this.serve('claimSchedule', [tenantId, request], () => {
      claim(this, this.schedules.get(tenantId), request, `the schedule of ${tenantId}`);
      return this.schedule(tenantId)!;
    });
  }

  getSchedule(tenantId: string): Promise<Schedule | null> {
    return this.serve('getSchedule', [tenantId], () => this.schedule(tenantId));
  }

  deleteSchedule(tenantId: string, claimant: string | null): Promise<'deleted' | 'gone' | 'not-ours'> {
    return this.serve('deleteSchedule', [tenantId, claimant], () => {
      const schedule = this.schedules.get(tenantId);
      if (!schedule) return 'gone';
      if (!deletable(schedule, claimant)) return 'not-ours';
      this.schedules.delete(tenantId);
      this.changed();
      return 'deleted';
    });
  }
}

/**
 * QianfanClients over the fakes. A service left out is "not configured": its client
 * fails the way config.ts fails without an endpoint.
 */
export function stubClients(fakes: { yufu?: FakeYufu; apaas?: FakeApaas }): QianfanClients {
  const missing = (what: string) => Promise.reject(new ProviderError(`Missing ${what} endpoint`, `set it in the provider block (stub: ${what} not configured)`));
  return {
    retry: { ...DEFAULT_RETRY, maxRetries: 0, deadlineMs: 5_000 },
    timeoutMs: 2_000,
    yufu: () => (fakes.yufu ? Promise.resolve(fakes.yufu as unknown as YufuAdminClient) : missing('Yufu admin')),
    apaas: () => (fakes.apaas ? Promise.resolve(fakes.apaas as unknown as ApaasClient) : missing('aPaaS')),
  };
}
