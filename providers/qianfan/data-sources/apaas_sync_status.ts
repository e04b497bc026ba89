/**
 * qianfan_apaas_sync_status — how the organisation sync of an aPaaS tenant is doing:
 * the latest run, the synced totals and the next scheduled run. Read on every plan and
 * never stored with the resources, so a sync run changes no resource and no output;
 * use it in a `check` block to turn a failed sync into a warning.
 */
import type { DataSourceDefinition, ObjectValue } from '../../runtime/interfaces';
import type { Schema } from '../../runtime/schema';
import type { QianfanClients } from '../config';
import { stringRule } from '../validators';
import { attr, number } from '../values';

export const TYPE_NAME = 'qianfan_apaas_sync_status';

const FIGURES = [
  ['user_source', 'string', 'The tenant\'s user-data source (`hr_assistant`, `yufu`, `wecom`, `self_registration`), or null while unset.'],
  ['connector_status', 'string', 'The HR connector\'s status, or null when the tenant has no connector.'],
  ['last_run_id', 'string', 'The latest sync run, or null.'],
  ['last_run_trigger', 'string', '`initial`, `schedule` or `manual`.'],
  ['last_run_status', 'string', '`queued`, `running`, `succeeded` or `failed`.'],
  ['last_run_finished_at', 'string', 'When the latest run finished (RFC 3339), or null.'],
  ['last_run_error', 'string', 'Why the latest run failed, or null.'],
  ['departments_synced', 'number', 'Departments in the tenant after the latest run.'],
  ['employees_synced', 'number', 'Active users in the tenant after the latest run.'],
  ['next_run_at', 'string', 'The next scheduled run (RFC 3339), or null without an enabled schedule.'],
] as const;

export const schema: Schema = {
  version: 0,
  block: {
    description: 'The organisation sync status of an aPaaS tenant: latest run, synced totals and next scheduled run. For `check` blocks and dashboards; nothing here is stored with the resources.',
    attributes: {
      tenant_id: attr.required('string', 'The aPaaS tenant id.', {
        validate: [stringRule('tenant_id', (v) => (/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(v) ? null : 'expected 1–64 letters, digits, "-" or "_"'), 'Invalid tenant id')],
      }),
      ...Object.fromEntries(FIGURES.map(([name, type, description]) => [name, attr.computed(type, description)])),
    },
  },
};

const empty = (tenantId: string): ObjectValue => ({ tenant_id: tenantId, ...Object.fromEntries(FIGURES.map(([name]) => [name, null])) });

export const apaasSyncStatusDataSource: DataSourceDefinition<QianfanClients> = {
  typeName: TYPE_NAME,
  schema,

  async read(ctx, config) {
    const tenantId = config.tenant_id as string;
    if (!ctx.client) {
      ctx.diagnostics.warning('Sync status not read yet', `the provider configuration is not known until apply, so the sync status of tenant "${tenantId}" is not available in this plan`);
      return empty(tenantId);
    }
    const apaas = await ctx.client.apaas();
    const [tenant, connector, schedule] = await Promise.all([
      apaas.getTenant(tenantId, ctx.signal),
      apaas.getConnector(tenantId, ctx.signal),
      apaas.getSchedule(tenantId, ctx.signal),
    ]);
    const state = empty(tenantId);
    if (tenant === null) {
      ctx.diagnostics.warning('Unknown aPaaS tenant', `tenant_id: no aPaaS tenant "${tenantId}" exists for these API credentials; its sync status is empty`, ['tenant_id']);
      return state;
    }
    state.user_source = tenant.user_source;
    if (!connector) return state;
    const run = connector.last_run ?? null;
    state.connector_status = connector.status;
    if (run) {
      state.last_run_id = run.id;
      state.last_run_trigger = run.trigger;
      state.last_run_status = run.status;
      state.last_run_finished_at = run.finished_at;
      state.last_run_error = run.error;
      state.departments_synced = number(run.counts.departments_total);
      state.employees_synced = number(run.counts.users_active);
    }
    state.next_run_at = schedule?.next_run_at ?? null;
    return state;
  },
};
