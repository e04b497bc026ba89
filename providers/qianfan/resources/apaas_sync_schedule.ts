/**
 * qianfan_apaas_sync_schedule — when aPaaS pulls the organisation from 腾讯 HR 助手
 * after the initial sync: a cron expression in an IANA time zone, full or
 * incremental, enabled or paused. Needs the tenant's connector (depend on it).
 *
 * Only the declared schedule lives in state: when the next run is due and how the last
 * one went change with every run, and are read by the qianfan_apaas_sync_status data
 * source instead (so a plan after a sync run shows no changes).
 */
import type { ObjectValue, ResourceDefinition } from '../../runtime/interfaces';
import type { Schema } from '../../runtime/schema';
import type { Schedule, ScheduleInput } from '../clients/apaas';
import type { QianfanClients } from '../config';
import { claimantOf, importOwnership, recordOwnership } from '../ownership';
import { checkCron, checkTenantId, checkTimeZone, describeProblem, isSyncMode, SYNC_MODES } from '../rules';
import { createSingleton } from '../singleton';
import { oneOf, stringRule } from '../validators';
import { attr, bool, str } from '../values';

export const TYPE_NAME = 'qianfan_apaas_sync_schedule';

export const schema: Schema = {
  version: 1,
  block: {
    description:
      'The organisation sync schedule of an aPaaS tenant whose user source is 腾讯 HR 助手. It needs the tenant\'s connector to be created, and survives the connector\'s deletion (it then runs nothing until a connector is saved again).',
    attributes: {
      id: attr.computed('string', 'The aPaaS tenant id (one schedule per tenant). Use it with `terraform import`.'),
      tenant_id: attr.required('string', 'The aPaaS tenant id.', { forceNew: true, validate: [stringRule('tenant_id', checkTenantId, 'Invalid tenant id')] }),
      cron: attr.required('string', 'When to sync: 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds first. E.g. `0 2 * * *` for 02:00 daily.', {
        validate: [stringRule('cron', (v) => checkCron(v), 'Invalid cron expression')],
      }),
      time_zone: attr.optional('string', 'IANA time zone the cron expression is read in.', {
        default: 'Asia/Shanghai',
        validate: [stringRule('time_zone', checkTimeZone, 'Invalid time zone')],
      }),
      mode: attr.optional('string', '`incremental` (changes since the last successful run) or `full` (also disables users that vanished from the directory).', {
        default: 'incremental',
        validate: [oneOf('mode', SYNC_MODES)],
      }),
      enabled: attr.optional('bool', 'Whether scheduled runs happen.', { default: true }),
    },
  },
};

function input(planned: ObjectValue): ScheduleInput {
  return {
    cron: str(planned.cron)!,
    time_zone: str(planned.time_zone)!,
    mode: str(planned.mode)! as ScheduleInput['mode'],
    enabled: bool(planned.enabled)!,
  };
}

function toState(schedule: Schedule): ObjectValue {
  return {
    id: schedule.tenant_id,
    tenant_id: schedule.tenant_id,
    cron: schedule.cron,
    time_zone: schedule.time_zone,
    mode: schedule.mode,
    enabled: schedule.enabled,
  };
}

export const apaasSyncScheduleResource: ResourceDefinition<QianfanClients> = {
  typeName: TYPE_NAME,
  schema,

  // Version 0 also stored next_run_at and the last run's figures; the runtime drops them.
  upgradeState: (_fromVersion, raw) => raw,

  validate(config, diagnostics) {
    const cron = config.cron;
    // Unset arguments take their schema defaults; unknown ones are checked at their weakest.
    const tz = config.time_zone === null ? schema.block.attributes.time_zone!.default : config.time_zone;
    const mode = config.mode === null ? schema.block.attributes.mode!.default : isSyncMode(config.mode) ? config.mode : 'incremental';
    if (typeof cron === 'string' && typeof tz === 'string' && isSyncMode(mode) && !checkCron(cron) && !checkTimeZone(tz)) {
      const problem = checkCron(cron, tz, mode);
      if (problem) diagnostics.error('Invalid cron expression', describeProblem('cron', problem, cron), ['cron']);
    }
  },

  async read(ctx, state) {
    const schedule = await (await ctx.client.apaas()).getSchedule(str(state.tenant_id) ?? str(state.id)!, ctx.signal);
    return schedule ? toState(schedule) : null;
  },

  async create(ctx, planned) {
    const apaas = await ctx.client.apaas();
    const tenantId = str(planned.tenant_id)!;
    const body = input(planned);
    const saved = await createSingleton<Schedule>(ctx, {
      what: `The sync schedule of tenant "${tenantId}"`,
      tenantId,
      create: (key) => apaas.putSchedule(tenantId, body, ctx.signal, key),
      get: () => apaas.getSchedule(tenantId, ctx.signal),
      save: async () => (await apaas.putSchedule(tenantId, body, ctx.signal))!,
      claim: (request, options) => apaas.claimSchedule(tenantId, request, options?.final ? undefined : ctx.signal),
    });
    return toState(saved);
  },

  async update(ctx, _prior, planned) {
    recordOwnership(ctx, claimantOf(ctx));
    return toState((await (await ctx.client.apaas()).putSchedule(str(planned.tenant_id)!, input(planned), ctx.signal))!);
  },

  async delete(ctx, prior) {
    const tenantId = str(prior.tenant_id)!;
    const outcome = await (await ctx.client.apaas()).deleteSchedule(tenantId, claimantOf(ctx), ctx.signal);
    if (outcome === 'not-ours') {
      ctx.diagnostics.warning(
        'Sync schedule left in place',
        `the sync schedule of tenant "${tenantId}" is now held by another owner (for example this resource's own replacement), so it was not deleted.`,
      );
    }
  },

  async importState(ctx, id) {
    const schedule = await (await ctx.client.apaas()).getSchedule(id.trim(), ctx.signal);
    if (!schedule) return null;
    importOwnership(ctx, `the sync schedule of tenant "${schedule.tenant_id}"`, schedule);
    return toState(schedule);
  },
};
