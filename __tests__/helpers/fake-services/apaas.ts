/**
 * An in-memory aPaaS user-management API (docs/api/apaas-admin.md) with the methods of
 * ApaasClient: tenants and their locked user source, the connector and schedule as
 * singletons with create-only PUTs, claims and conditional deletes, and sync runs that
 * end as `runOutcome` says.
 */
import { secretSha256, type ApaasClient, type Connector, type ConnectorInput, type Schedule, type ScheduleInput, type SyncRun, type Tenant } from '../../../providers/qianfan/clients/apaas';
import type { ClaimRequest, Owned } from '../../../providers/qianfan/clients/ownership';
import { claim, deletable, hex, now, Recorder } from './recorder';

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

  listTenants(pageIndex: number, pageSize: number): Promise<{ items: Tenant[]; total: number }> {
    return this.serve('listTenants', [pageIndex, pageSize], () => {
      const all = [...this.tenants.values()].sort((a, b) => a.tenant_id.localeCompare(b.tenant_id));
      return { items: all.slice((pageIndex - 1) * pageSize, pageIndex * pageSize), total: all.length };
    });
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

