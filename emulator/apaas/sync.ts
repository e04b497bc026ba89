// Sync runs (docs/api/apaas-admin.md §4): pull the connector's E-HR directory page by
// page over the signed data API and apply each page in one SQLite transaction, by stable
// E-HR id. Nothing is deleted: leavers, dissolved departments and, in full runs, records
// gone from the directory are disabled. Runs of one tenant execute one after another.
import type { Statement } from 'better-sqlite3';
import { type ApaasStore, newId, type Run, type RunCounts, type RunMode, type RunTrigger, zeroCounts } from './store';
import type { EhrClient, EhrDepartmentItem, EhrEmployeeItem } from './ehr-client';

export const PAGE_SIZE = 1000;

class RunCancelled extends Error {}

interface ActiveRun {
  cancel?: string;
  abort: AbortController;
}

interface DeptRow {
  id: string;
  name: string;
  parent_external_id: string | null;
  ord: number;
  status: string;
}

interface UserRow {
  id: string;
  username: string;
  name: string;
  email: string;
  department_external_id: string | null;
  title: string;
  status: string;
}

export class SyncEngine {
  private readonly chains = new Map<string, Promise<void>>();
  private readonly active = new Map<string, ActiveRun>();
  private stopping = false;
  private readonly sql: Record<string, Statement>;

  constructor(
    private readonly store: ApaasStore,
    private readonly ehr: EhrClient,
    private readonly log: (line: string) => void,
  ) {
    const db = store.db;
    this.sql = {
      getDept: db.prepare('SELECT id, name, parent_external_id, ord, status FROM apaas_departments WHERE tenant_id = ? AND external_id = ?'),
      insertDept: db.prepare(
        `INSERT INTO apaas_departments (id, tenant_id, external_id, name, parent_external_id, ord, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      updateDept: db.prepare('UPDATE apaas_departments SET name = ?, parent_external_id = ?, ord = ?, status = ?, updated_at = ? WHERE id = ?'),
      getUser: db.prepare(
        'SELECT id, username, name, email, department_external_id, title, status FROM apaas_users WHERE tenant_id = ? AND external_id = ?',
      ),
      insertUser: db.prepare(
        `INSERT INTO apaas_users (id, tenant_id, external_id, username, name, email, department_external_id, title, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      updateUser: db.prepare(
        'UPDATE apaas_users SET username = ?, name = ?, email = ?, department_external_id = ?, title = ?, status = ?, updated_at = ? WHERE id = ?',
      ),
      activeDepts: db.prepare("SELECT id, external_id FROM apaas_departments WHERE tenant_id = ? AND status = 'active'"),
      activeUsers: db.prepare("SELECT id, external_id FROM apaas_users WHERE tenant_id = ? AND status = 'active'"),
      disableDept: db.prepare("UPDATE apaas_departments SET status = 'disabled', updated_at = ? WHERE id = ?"),
      disableUser: db.prepare("UPDATE apaas_users SET status = 'disabled', updated_at = ? WHERE id = ?"),
    };
  }

  /** Records a queued run and schedules it behind the tenant's earlier runs. */
  enqueue(tenantId: string, corpKey: string, trigger: RunTrigger, mode: RunMode): Run {
    const run = this.store.insertRun(tenantId, corpKey, trigger, mode);
    this.start(run);
    return run;
  }

  /** On start: runs cut off by a stop are failed; queued ones run now. */
  recover(): void {
    for (const run of this.store.runsWithStatus('running')) {
      this.store.finishRun(run.id, 'failed', run.counts, 'interrupted: the emulator stopped during the run; pages applied before that are kept');
    }
    for (const run of this.store.runsWithStatus('queued')) this.start(run);
  }

  /** Fails the tenant's queued runs and stops its running one after the current page. */
  cancelTenant(tenantId: string, reason: string): void {
    for (const [runId, active] of this.active) {
      const run = this.store.run(runId);
      if (run?.tenant_id === tenantId) active.cancel = reason;
    }
    for (const run of this.store.runsWithStatus('queued')) {
      if (run.tenant_id === tenantId) this.store.finishRun(run.id, 'failed', run.counts, reason);
    }
  }

  async close(): Promise<void> {
    this.stopping = true;
    for (const active of this.active.values()) {
      active.cancel = 'interrupted: the emulator shut down during the run; pages applied before that are kept';
      active.abort.abort();
    }
    await Promise.allSettled([...this.chains.values()]);
  }

  /** Executes an already recorded queued run after the tenant's earlier runs. */
  start(run: Run): void {
    const previous = this.chains.get(run.tenant_id) ?? Promise.resolve();
    const next = previous.then(() => this.execute(run.id));
    this.chains.set(run.tenant_id, next);
    void next.finally(() => {
      if (this.chains.get(run.tenant_id) === next) this.chains.delete(run.tenant_id);
    });
  }

  private async execute(runId: string): Promise<void> {
    const queued = this.store.run(runId);
    if (!queued || queued.status !== 'queued' || this.stopping) return;
    const run = this.store.markRunning(runId);
    const active: ActiveRun = { abort: new AbortController() };
    this.active.set(runId, active);
    const counts = zeroCounts();
    const started = Date.now();
    try {
      const connector = this.store.connector(run.tenant_id);
      if (!connector) throw new RunCancelled('the tenant has no HR connector (deleted before the run started)');
      const since = run.mode === 'incremental' ? this.store.lastSucceededStart(run.tenant_id, run.id) : undefined;
      const full = since === undefined;
      const seenDepts = full ? new Set<string>() : undefined;
      const seenUsers = full ? new Set<string>() : undefined;

      const pulledDepts = await this.pull(run, active, 'departments', since, (items) =>
        this.applyDepartments(run, items as EhrDepartmentItem[], counts, seenDepts),
      );
      const pulledUsers = await this.pull(run, active, 'employees', since, (items) =>
        this.applyEmployees(run, items as EhrEmployeeItem[], counts, seenUsers),
      );
      if (full) this.disableVanished(run, counts, seenDepts!, seenUsers!);

      Object.assign(counts, this.store.totals(run.tenant_id));
      this.store.finishRun(run.id, 'succeeded', counts, null);
      this.log(
        `apaas sync ${run.id} tenant ${run.tenant_id} ${run.mode}${full && run.mode === 'incremental' ? ' (as full: no earlier succeeded run)' : ''}` +
          `${since ? ` since ${since}` : ''} succeeded in ${Date.now() - started} ms, pulled ${pulledDepts} departments and ${pulledUsers} employees: ` +
          `users +${counts.users_added} ~${counts.users_updated} -${counts.users_disabled}, departments +${counts.departments_added} ~${counts.departments_updated} -${counts.departments_disabled}`,
      );
    } catch (err) {
      const message = active.cancel ?? (err instanceof Error ? err.message : String(err));
      Object.assign(counts, this.store.totals(run.tenant_id));
      this.store.finishRun(run.id, 'failed', counts, message);
      this.log(`apaas sync ${run.id} tenant ${run.tenant_id} failed after ${Date.now() - started} ms: ${message}`);
    } finally {
      this.active.delete(runId);
    }
  }

  private async pull(
    run: Run,
    active: ActiveRun,
    kind: 'departments' | 'employees',
    since: string | undefined,
    apply: (items: Array<EhrDepartmentItem | EhrEmployeeItem>) => void,
  ): Promise<number> {
    let pulled = 0;
    for (let pageIndex = 1; ; pageIndex++) {
      if (active.cancel) throw new RunCancelled(active.cancel);
      const q = { pageIndex, pageSize: PAGE_SIZE, modifiedSince: since };
      const page =
        kind === 'departments'
          ? await this.ehr.departments(run.corp_key, q, active.abort.signal)
          : await this.ehr.employees(run.corp_key, q, active.abort.signal);
      if (active.cancel) throw new RunCancelled(active.cancel);
      apply(page.items);
      pulled += page.items.length;
      if (page.items.length < PAGE_SIZE || pageIndex * PAGE_SIZE >= page.total) return pulled;
    }
  }

  private applyDepartments(run: Run, items: EhrDepartmentItem[], counts: RunCounts, seen: Set<string> | undefined): void {
    const now = new Date().toISOString();
    this.store.transaction(() => {
      for (const d of items) {
        seen?.add(d.id);
        const status = d.status === 'active' ? 'active' : 'disabled';
        const cur = this.sql.getDept!.get(run.tenant_id, d.id) as DeptRow | undefined;
        if (!cur) {
          this.sql.insertDept!.run(newId('dept'), run.tenant_id, d.id, d.name, d.parent_id, d.order, status, now, now);
          counts.departments_added++;
          if (status === 'disabled') counts.departments_disabled++;
          continue;
        }
        if (cur.name === d.name && cur.parent_external_id === d.parent_id && cur.ord === d.order && cur.status === status) continue;
        this.sql.updateDept!.run(d.name, d.parent_id, d.order, status, now, cur.id);
        if (cur.status === 'active' && status === 'disabled') counts.departments_disabled++;
        else counts.departments_updated++;
      }
      this.store.saveCounts(run.id, counts);
    });
  }

  private applyEmployees(run: Run, items: EhrEmployeeItem[], counts: RunCounts, seen: Set<string> | undefined): void {
    const now = new Date().toISOString();
    this.store.transaction(() => {
      for (const e of items) {
        seen?.add(e.id);
        const status = e.status === 'active' ? 'active' : 'disabled';
        const cur = this.sql.getUser!.get(run.tenant_id, e.id) as UserRow | undefined;
        if (!cur) {
          this.sql.insertUser!.run(newId('u'), run.tenant_id, e.id, e.username, e.name, e.email, e.department_id, e.title, status, now, now);
          counts.users_added++;
          if (status === 'disabled') counts.users_disabled++;
          continue;
        }
        if (
          cur.username === e.username &&
          cur.name === e.name &&
          cur.email === e.email &&
          cur.department_external_id === e.department_id &&
          cur.title === e.title &&
          cur.status === status
        ) {
          continue;
        }
        this.sql.updateUser!.run(e.username, e.name, e.email, e.department_id, e.title, status, now, cur.id);
        if (cur.status === 'active' && status === 'disabled') counts.users_disabled++;
        else counts.users_updated++;
      }
      this.store.saveCounts(run.id, counts);
    });
  }

  /** Full runs only: whatever is active here but was not in the directory is disabled. */
  private disableVanished(run: Run, counts: RunCounts, seenDepts: Set<string>, seenUsers: Set<string>): void {
    const now = new Date().toISOString();
    this.store.transaction(() => {
      for (const d of this.sql.activeDepts!.all(run.tenant_id) as Array<{ id: string; external_id: string }>) {
        if (seenDepts.has(d.external_id)) continue;
        this.sql.disableDept!.run(now, d.id);
        counts.departments_disabled++;
      }
      for (const u of this.sql.activeUsers!.all(run.tenant_id) as Array<{ id: string; external_id: string }>) {
        if (seenUsers.has(u.external_id)) continue;
        this.sql.disableUser!.run(now, u.id);
        counts.users_disabled++;
      }
      this.store.saveCounts(run.id, counts);
    });
  }
}
