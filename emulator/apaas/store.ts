// aPaaS user-management persistence: API credentials, tenants and their user source,
// the HR connector, its schedule, sync runs and the synced directory.
import * as crypto from 'node:crypto';
import { type Db, migrate } from '../db';
import { APAAS_MIGRATIONS } from './migrations';

export const USER_SOURCES = ['hr_assistant', 'yufu', 'wecom', 'self_registration'] as const;
export type UserSource = (typeof USER_SOURCES)[number];
export type RunTrigger = 'initial' | 'schedule' | 'manual';
export type RunMode = 'full' | 'incremental';
export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed';

export const SOURCE_LABELS: Record<UserSource, string> = {
  hr_assistant: '腾讯 HR 助手 (hr_assistant)',
  yufu: '千帆玉符 (yufu)',
  wecom: '企业微信 (wecom)',
  self_registration: '自行注册 (self_registration)',
};

export interface Tenant {
  tenant_id: string;
  name: string;
  user_source: UserSource | null;
  initialized_at: string | null;
  source_switches_left: number;
  hr_corp_key: string | null;
  created_at: string;
}

export interface Connector {
  tenant_id: string;
  corp_key: string;
  well_known_url: string;
  client_id: string;
  client_secret: string;
  initial_run_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface Schedule {
  tenant_id: string;
  cron: string;
  time_zone: string;
  mode: RunMode;
  enabled: boolean;
  created_at: string;
  updated_at: string;
}

export interface RunCounts {
  departments_added: number;
  departments_updated: number;
  departments_disabled: number;
  users_added: number;
  users_updated: number;
  users_disabled: number;
  departments_total: number;
  users_total: number;
  users_active: number;
}

export const zeroCounts = (): RunCounts => ({
  departments_added: 0,
  departments_updated: 0,
  departments_disabled: 0,
  users_added: 0,
  users_updated: 0,
  users_disabled: 0,
  departments_total: 0,
  users_total: 0,
  users_active: 0,
});

export interface Run {
  id: string;
  tenant_id: string;
  corp_key: string;
  trigger: RunTrigger;
  mode: RunMode;
  status: RunStatus;
  queued_at: string;
  started_at: string | null;
  finished_at: string | null;
  counts: RunCounts;
  error: string | null;
}

interface RunRow extends Omit<Run, 'counts'> {
  counts: string;
}

const toRun = (r: RunRow): Run => ({ ...r, counts: JSON.parse(r.counts) as RunCounts });
const RUN_COLUMNS = 'id, tenant_id, corp_key, trigger, mode, status, queued_at, started_at, finished_at, counts, error';

/** A user as synced from the HR directory, with the fields the sign-in page shows. */
export interface SyncedUser {
  id: string;
  external_id: string;
  username: string;
  name: string;
  email: string;
  department_external_id: string | null;
  title: string;
  status: 'active' | 'disabled';
  updated_at: string;
}

const SYNCED_USER_COLUMNS = 'id, external_id, username, name, email, department_external_id, title, status, updated_at';

let idCounter = 0;

/**
 * `{prefix}_` + 20 hex: milliseconds, a per-process counter and randomness. Ids made
 * later sort later, so a sync's inserts append to the primary-key B-tree instead of
 * landing at random places (a large share of a 100k-user sync's cost otherwise).
 */
export function newId(prefix: string): string {
  idCounter = (idCounter + 1) & 0xffff;
  return `${prefix}_${Date.now().toString(16).padStart(12, '0')}${idCounter.toString(16).padStart(4, '0')}${crypto.randomBytes(2).toString('hex')}`;
}

export class ApaasStore {
  constructor(readonly db: Db) {
    migrate(db, 'apaas', APAAS_MIGRATIONS);
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  // --- credentials -----------------------------------------------------------------

  firstCredential(): { secret_id: string; secret_key: string } | undefined {
    return this.db.prepare('SELECT secret_id, secret_key FROM apaas_credentials ORDER BY created_at LIMIT 1').get() as
      | { secret_id: string; secret_key: string }
      | undefined;
  }

  secretKey(secretId: string): string | undefined {
    const row = this.db.prepare('SELECT secret_key FROM apaas_credentials WHERE secret_id = ?').get(secretId) as { secret_key: string } | undefined;
    return row?.secret_key;
  }

  addCredential(secretId: string, secretKey: string): void {
    this.db.prepare('INSERT INTO apaas_credentials (secret_id, secret_key, created_at) VALUES (?, ?, ?)').run(secretId, secretKey, new Date().toISOString());
  }

  // --- tenants ---------------------------------------------------------------------

  tenant(tenantId: string): Tenant | undefined {
    return this.db.prepare('SELECT * FROM apaas_tenants WHERE tenant_id = ?').get(tenantId) as Tenant | undefined;
  }

  /** One page of tenants, ordered by id (the read-only list of docs/api/apaas-admin.md §2). */
  listTenants(offset: number, limit: number): { items: Tenant[]; total: number } {
    const total = (this.db.prepare('SELECT COUNT(*) AS n FROM apaas_tenants').get() as { n: number }).n;
    const items = this.db.prepare('SELECT * FROM apaas_tenants ORDER BY tenant_id LIMIT ? OFFSET ?').all(limit, offset) as Tenant[];
    return { items, total };
  }

  createTenant(tenantId: string, name: string, source: UserSource | null): Tenant {
    const now = new Date().toISOString();
    this.db
      .prepare(
        'INSERT INTO apaas_tenants (tenant_id, name, user_source, initialized_at, source_switches_left, hr_corp_key, created_at) VALUES (?, ?, ?, ?, ?, NULL, ?)',
      )
      .run(tenantId, name, source, source === null ? null : now, source === 'self_registration' ? 1 : 0, now);
    return this.tenant(tenantId)!;
  }

  /** The connector's save: source initialised (or switched once), Corp Key pinned. */
  initialiseHrSource(tenantId: string, corpKey: string): void {
    const t = this.tenant(tenantId)!;
    if (t.user_source === 'hr_assistant') {
      if (t.hr_corp_key === null) this.db.prepare('UPDATE apaas_tenants SET hr_corp_key = ? WHERE tenant_id = ?').run(corpKey, tenantId);
      return;
    }
    const switches = t.user_source === 'self_registration' ? t.source_switches_left - 1 : 0;
    this.db
      .prepare("UPDATE apaas_tenants SET user_source = 'hr_assistant', initialized_at = ?, source_switches_left = ?, hr_corp_key = ? WHERE tenant_id = ?")
      .run(new Date().toISOString(), Math.max(0, switches), corpKey, tenantId);
  }

  // --- connector -------------------------------------------------------------------

  connector(tenantId: string): Connector | undefined {
    return this.db.prepare('SELECT * FROM apaas_connectors WHERE tenant_id = ?').get(tenantId) as Connector | undefined;
  }

  putConnector(c: Omit<Connector, 'created_at' | 'updated_at'>, changed: boolean): Connector {
    const now = new Date().toISOString();
    this.db
      .prepare(
        `INSERT INTO apaas_connectors (tenant_id, corp_key, well_known_url, client_id, client_secret, initial_run_id, created_at, updated_at)
         VALUES (@tenant_id, @corp_key, @well_known_url, @client_id, @client_secret, @initial_run_id, @now, @now)
         ON CONFLICT(tenant_id) DO UPDATE SET corp_key = excluded.corp_key, well_known_url = excluded.well_known_url,
           client_id = excluded.client_id, client_secret = excluded.client_secret, initial_run_id = excluded.initial_run_id,
           updated_at = CASE WHEN @changed = 1 THEN excluded.updated_at ELSE apaas_connectors.updated_at END`,
      )
      .run({ ...c, now, changed: changed ? 1 : 0 });
    return this.connector(c.tenant_id)!;
  }

  deleteConnector(tenantId: string): boolean {
    return this.db.prepare('DELETE FROM apaas_connectors WHERE tenant_id = ?').run(tenantId).changes > 0;
  }

  // --- schedule --------------------------------------------------------------------

  schedule(tenantId: string): Schedule | undefined {
    const row = this.db.prepare('SELECT * FROM apaas_schedules WHERE tenant_id = ?').get(tenantId) as
      | (Omit<Schedule, 'enabled'> & { enabled: number })
      | undefined;
    return row && { ...row, enabled: row.enabled === 1 };
  }

  schedules(): Schedule[] {
    const rows = this.db.prepare('SELECT * FROM apaas_schedules').all() as Array<Omit<Schedule, 'enabled'> & { enabled: number }>;
    return rows.map((row) => ({ ...row, enabled: row.enabled === 1 }));
  }

  putSchedule(s: Pick<Schedule, 'tenant_id' | 'cron' | 'time_zone' | 'mode' | 'enabled'>): Schedule {
    const current = this.schedule(s.tenant_id);
    const same = current && current.cron === s.cron && current.time_zone === s.time_zone && current.mode === s.mode && current.enabled === s.enabled;
    if (!same) {
      const now = new Date().toISOString();
      this.db
        .prepare(
          `INSERT INTO apaas_schedules (tenant_id, cron, time_zone, mode, enabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(tenant_id) DO UPDATE SET cron = excluded.cron, time_zone = excluded.time_zone, mode = excluded.mode,
             enabled = excluded.enabled, updated_at = excluded.updated_at`,
        )
        .run(s.tenant_id, s.cron, s.time_zone, s.mode, s.enabled ? 1 : 0, now, now);
    }
    return this.schedule(s.tenant_id)!;
  }

  deleteSchedule(tenantId: string): boolean {
    return this.db.prepare('DELETE FROM apaas_schedules WHERE tenant_id = ?').run(tenantId).changes > 0;
  }

  // --- runs ------------------------------------------------------------------------

  insertRun(tenantId: string, corpKey: string, trigger: RunTrigger, mode: RunMode): Run {
    const id = newId('run');
    this.db
      .prepare(
        `INSERT INTO apaas_runs (id, tenant_id, corp_key, trigger, mode, status, queued_at, counts) VALUES (?, ?, ?, ?, ?, 'queued', ?, ?)`,
      )
      .run(id, tenantId, corpKey, trigger, mode, new Date().toISOString(), JSON.stringify(zeroCounts()));
    return this.run(id)!;
  }

  run(id: string): Run | undefined {
    const row = this.db.prepare(`SELECT ${RUN_COLUMNS} FROM apaas_runs WHERE id = ?`).get(id) as RunRow | undefined;
    return row && toRun(row);
  }

  tenantRun(tenantId: string, id: string): Run | undefined {
    const run = this.run(id);
    return run && run.tenant_id === tenantId ? run : undefined;
  }

  listRuns(tenantId: string, offset: number, limit: number): { items: Run[]; total: number } {
    const total = (this.db.prepare('SELECT COUNT(*) AS n FROM apaas_runs WHERE tenant_id = ?').get(tenantId) as { n: number }).n;
    const rows = this.db
      .prepare(`SELECT ${RUN_COLUMNS} FROM apaas_runs WHERE tenant_id = ? ORDER BY seq DESC LIMIT ? OFFSET ?`)
      .all(tenantId, limit, offset) as RunRow[];
    return { items: rows.map(toRun), total };
  }

  lastRun(tenantId: string, trigger?: RunTrigger): Run | undefined {
    const row = (
      trigger === undefined
        ? this.db.prepare(`SELECT ${RUN_COLUMNS} FROM apaas_runs WHERE tenant_id = ? ORDER BY seq DESC LIMIT 1`).get(tenantId)
        : this.db.prepare(`SELECT ${RUN_COLUMNS} FROM apaas_runs WHERE tenant_id = ? AND trigger = ? ORDER BY seq DESC LIMIT 1`).get(tenantId, trigger)
    ) as RunRow | undefined;
    return row && toRun(row);
  }

  lastSucceededStart(tenantId: string, exceptRunId: string): string | undefined {
    const row = this.db
      .prepare(
        "SELECT started_at FROM apaas_runs WHERE tenant_id = ? AND status = 'succeeded' AND id != ? ORDER BY seq DESC LIMIT 1",
      )
      .get(tenantId, exceptRunId) as { started_at: string } | undefined;
    return row?.started_at;
  }

  hasPendingRun(tenantId: string): boolean {
    return (
      this.db.prepare("SELECT 1 FROM apaas_runs WHERE tenant_id = ? AND status IN ('queued', 'running') LIMIT 1").get(tenantId) !== undefined
    );
  }

  runsWithStatus(status: RunStatus): Run[] {
    const rows = this.db.prepare(`SELECT ${RUN_COLUMNS} FROM apaas_runs WHERE status = ? ORDER BY seq`).all(status) as RunRow[];
    return rows.map(toRun);
  }

  markRunning(id: string): Run {
    this.db.prepare("UPDATE apaas_runs SET status = 'running', started_at = ? WHERE id = ?").run(new Date().toISOString(), id);
    return this.run(id)!;
  }

  saveCounts(id: string, counts: RunCounts): void {
    this.db.prepare('UPDATE apaas_runs SET counts = ? WHERE id = ?').run(JSON.stringify(counts), id);
  }

  finishRun(id: string, status: 'succeeded' | 'failed', counts: RunCounts, error: string | null): void {
    this.db
      .prepare('UPDATE apaas_runs SET status = ?, finished_at = ?, counts = ?, error = ? WHERE id = ?')
      .run(status, new Date().toISOString(), JSON.stringify(counts), error, id);
  }

  // --- synced directory ------------------------------------------------------------

  totals(tenantId: string): Pick<RunCounts, 'departments_total' | 'users_total' | 'users_active'> {
    const d = this.db.prepare('SELECT COUNT(*) AS n FROM apaas_departments WHERE tenant_id = ?').get(tenantId) as { n: number };
    const u = this.db
      .prepare("SELECT COUNT(*) AS n, COALESCE(SUM(status = 'active'), 0) AS a FROM apaas_users WHERE tenant_id = ?")
      .get(tenantId) as { n: number; a: number };
    return { departments_total: d.n, users_total: u.n, users_active: u.a };
  }

  listUsers(tenantId: string, status: 'active' | 'disabled' | undefined, offset: number, limit: number) {
    const where = status === undefined ? 'u.tenant_id = ?' : 'u.tenant_id = ? AND u.status = ?';
    const params: unknown[] = status === undefined ? [tenantId] : [tenantId, status];
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM apaas_users u WHERE ${where}`).get(...params) as { n: number }).n;
    const rows = this.db
      .prepare(
        `SELECT u.id, u.external_id, u.username, u.name, u.email, d.id AS department_id, u.status
         FROM apaas_users u LEFT JOIN apaas_departments d ON d.tenant_id = u.tenant_id AND d.external_id = u.department_external_id
         WHERE ${where} ORDER BY u.external_id LIMIT ? OFFSET ?`,
      )
      .all(...params, limit, offset) as Array<{
      id: string;
      external_id: string;
      username: string;
      name: string;
      email: string;
      department_id: string | null;
      status: string;
    }>;
    const items = rows.map(({ department_id, ...u }) => ({
      id: u.id,
      external_id: u.external_id,
      username: u.username,
      name: u.name,
      email: u.email,
      department_ids: department_id === null ? [] : [department_id],
      status: u.status,
    }));
    return { items, total };
  }

  /** Synced users of the tenant with this username (E-HR usernames are unique per corp, so normally 0 or 1). */
  usersByUsername(tenantId: string, username: string): SyncedUser[] {
    return this.db
      .prepare(`SELECT ${SYNCED_USER_COLUMNS} FROM apaas_users WHERE tenant_id = ? AND username = ? ORDER BY status = 'active' DESC, updated_at DESC`)
      .all(tenantId, username) as SyncedUser[];
  }

  syncedUser(tenantId: string, id: string): SyncedUser | undefined {
    return this.db.prepare(`SELECT ${SYNCED_USER_COLUMNS} FROM apaas_users WHERE tenant_id = ? AND id = ?`).get(tenantId, id) as SyncedUser | undefined;
  }

  /** The department and its ancestors, root first; [] when it was never synced. */
  departmentPath(tenantId: string, externalId: string | null): Array<{ name: string; status: string }> {
    const path: Array<{ name: string; status: string }> = [];
    const get = this.db.prepare('SELECT name, status, parent_external_id FROM apaas_departments WHERE tenant_id = ? AND external_id = ?');
    const seen = new Set<string>();
    for (let id = externalId; id !== null && !seen.has(id) && path.length < 32; ) {
      seen.add(id);
      const row = get.get(tenantId, id) as { name: string; status: string; parent_external_id: string | null } | undefined;
      if (!row) break;
      path.unshift({ name: row.name, status: row.status });
      id = row.parent_external_id;
    }
    return path;
  }

  listDepartments(tenantId: string, offset: number, limit: number) {
    const total = (this.db.prepare('SELECT COUNT(*) AS n FROM apaas_departments WHERE tenant_id = ?').get(tenantId) as { n: number }).n;
    const items = this.db
      .prepare(
        `SELECT d.id, d.external_id, d.name, p.id AS parent_id, d.status
         FROM apaas_departments d LEFT JOIN apaas_departments p ON p.tenant_id = d.tenant_id AND p.external_id = d.parent_external_id
         WHERE d.tenant_id = ? ORDER BY d.external_id LIMIT ? OFFSET ?`,
      )
      .all(tenantId, limit, offset) as Array<{ id: string; external_id: string; name: string; parent_id: string | null; status: string }>;
    return { items, total };
  }
}
