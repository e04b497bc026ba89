/**
 * qianfan_apaas_sync_schedule — when aPaaS pulls the organisation from 腾讯 HR 助手
 * after the initial sync: a cron expression in an IANA time zone, full or
 * incremental, enabled or paused. Needs the tenant's connector (depend on it).
 */
import type { ObjectValue, ResourceDefinition } from '../../runtime/interfaces';
import type { Schema } from '../../runtime/schema';
import type { Schedule, ScheduleInput } from '../clients/apaas';
import type { QianfanClients } from '../config';
import { checkCron, checkTimeZone, SYNC_MODES } from '../rules';
import { oneOf, stringRule } from '../validators';
import { attr, bool, number, str } from '../values';

export const TYPE_NAME = 'qianfan_apaas_sync_schedule';

export const schema: Schema = {
  version: 0,
  block: {
    description: 'The organisation sync schedule of an aPaaS tenant whose user source is 腾讯 HR 助手.',
    attributes: {
      id: attr.computed('string', 'The aPaaS tenant id (one schedule per tenant). Use it with `terraform import`.'),
      tenant_id: attr.required('string', 'The aPaaS tenant id.', { forceNew: true }),
      cron: attr.required('string', 'When to sync: 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds first. E.g. `0 2 * * *` for 02:00 daily.', {
        validate: [stringRule('cron', (v) => checkCron(v), 'Invalid cron expression')],
      }),
      time_zone: attr.optional('string', 'IANA time zone the cron expression is read in. Default `Asia/Shanghai`.', {
        default: 'Asia/Shanghai',
        validate: [stringRule('time_zone', checkTimeZone, 'Invalid time zone')],
      }),
      mode: attr.optional('string', '`incremental` (changes since the last successful run) or `full` (also disables users that vanished from the directory). Default `incremental`.', {
        default: 'incremental',
        validate: [oneOf('mode', SYNC_MODES)],
      }),
      enabled: attr.optional('bool', 'Whether scheduled runs happen. Default `true`.', { default: true }),
      next_run_at: attr.computed('string', 'The next scheduled run (RFC 3339), or null when disabled.', { changesOnUpdate: true }),
      last_run_status: attr.computed('string', 'Status of the latest sync run of the tenant, or null.', { changesOnUpdate: true }),
      last_run_finished_at: attr.computed('string', 'When the latest sync run finished, or null.', { changesOnUpdate: true }),
      last_run_employees_synced: attr.computed('number', 'Active users after the latest sync run, or null.', { changesOnUpdate: true }),
      last_run_departments_synced: attr.computed('number', 'Departments after the latest sync run, or null.', { changesOnUpdate: true }),
    },
  },
};

function input(planned: ObjectValue): ScheduleInput {
  return {
    cron: str(planned.cron)!,
    time_zone: str(planned.time_zone) ?? 'Asia/Shanghai',
    mode: (str(planned.mode) ?? 'incremental') as ScheduleInput['mode'],
    enabled: bool(planned.enabled) ?? true,
  };
}

function toState(schedule: Schedule): ObjectValue {
  const run = schedule.last_run ?? null;
  return {
    id: schedule.tenant_id,
    tenant_id: schedule.tenant_id,
    cron: schedule.cron,
    time_zone: schedule.time_zone,
    mode: schedule.mode,
    enabled: schedule.enabled,
    next_run_at: schedule.next_run_at,
    last_run_status: run?.status ?? null,
    last_run_finished_at: run?.finished_at ?? null,
    last_run_employees_synced: run ? number(run.counts.users_active) : null,
    last_run_departments_synced: run ? number(run.counts.departments_total) : null,
  };
}

export const apaasSyncScheduleResource: ResourceDefinition<QianfanClients> = {
  typeName: TYPE_NAME,
  schema,

  validate(config, diagnostics) {
    const cron = config.cron;
    const tz = config.time_zone;
    if (typeof cron === 'string' && typeof tz === 'string' && !checkCron(cron) && !checkTimeZone(tz)) {
      const problem = checkCron(cron, tz);
      if (problem) diagnostics.error('Invalid cron expression', `cron: ${problem} in time zone ${tz}`, ['cron']);
    }
  },

  async read(ctx, state) {
    const schedule = await (await ctx.client.apaas()).getSchedule(str(state.tenant_id) ?? str(state.id)!, ctx.signal);
    return schedule ? toState(schedule) : null;
  },

  async create(ctx, planned) {
    return toState(await (await ctx.client.apaas()).putSchedule(str(planned.tenant_id)!, input(planned), ctx.signal));
  },

  async update(ctx, _prior, planned) {
    return toState(await (await ctx.client.apaas()).putSchedule(str(planned.tenant_id)!, input(planned), ctx.signal));
  },

  async delete(ctx, prior) {
    await (await ctx.client.apaas()).deleteSchedule(str(prior.tenant_id)!, ctx.signal);
  },

  async importState(ctx, id) {
    const schedule = await (await ctx.client.apaas()).getSchedule(id.trim(), ctx.signal);
    return schedule ? toState(schedule) : null;
  },
};
