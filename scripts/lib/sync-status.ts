/**
 * The live sync status of tenants, read with the provider's own aPaaS client from the
 * same environment the provider uses (QIANFAN_APAAS_*): what `npm start` prints after
 * an apply. Kept out of Terraform outputs on purpose: it changes with every sync run.
 */
import { resolveClients } from '../../providers/qianfan/config';

export interface TenantSyncStatus {
  tenantId: string;
  userSource: string | null;
  lastRun: { status: string; finishedAt: string | null; departments: number; employees: number; error: string | null } | null;
  nextRunAt: string | null;
}

export async function readSyncStatus(tenantIds: string[], env: Record<string, string>): Promise<TenantSyncStatus[]> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const apaas = await resolveClients({}).apaas();
    return await Promise.all(
      tenantIds.map(async (tenantId) => {
        const [connector, schedule] = await Promise.all([apaas.getConnector(tenantId), apaas.getSchedule(tenantId)]);
        const run = connector?.last_run ?? null;
        return {
          tenantId,
          userSource: connector?.user_source ?? null,
          lastRun: run && { status: run.status, finishedAt: run.finished_at, departments: run.counts.departments_total, employees: run.counts.users_active, error: run.error },
          nextRunAt: schedule?.next_run_at ?? null,
        };
      }),
    );
  } finally {
    process.env = saved;
  }
}

export function formatSyncStatus(s: TenantSyncStatus): string {
  const run = s.lastRun
    ? `last sync ${s.lastRun.status}${s.lastRun.finishedAt ? ` at ${s.lastRun.finishedAt}` : ''}: ${s.lastRun.departments} departments, ${s.lastRun.employees} employees${s.lastRun.error ? ` (${s.lastRun.error})` : ''}`
    : 'no sync run yet';
  return `${s.tenantId}: ${run}; next scheduled sync ${s.nextRunAt ?? 'none'}`;
}
