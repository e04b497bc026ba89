// Sync schedules: one croner job per enabled schedule, in the schedule's IANA time zone.
// Jobs are (re)built on start from the DB and whenever a schedule is written or deleted.
import { Cron } from 'croner';
import { checkCron, checkTimeZone, CRON_OPTIONS, describeProblem, isSyncMode, oneOfRule, SYNC_MODES, type SyncMode } from '../../providers/qianfan/rules';
import { ApiError, describeJsonType } from '../http';
import type { Schedule } from './store';

const invalid = (field: string, message: string): ApiError => new ApiError(400, 'invalid_argument', message, field);

export interface ScheduleInput {
  cron: string;
  time_zone: string;
  mode: SyncMode;
  enabled: boolean;
}

/**
 * The schedule body (docs/api/apaas-admin.md §5): JSON types here, the values by the
 * shared rules — a 5- or 6-field cron that fires, an IANA zone, and no more often than
 * the floor of its mode. Values are stored as sent: nothing is trimmed or rewritten.
 */
export function validateSchedule(body: Record<string, unknown>): ScheduleInput {
  for (const key of Object.keys(body)) {
    if (!['cron', 'time_zone', 'mode', 'enabled'].includes(key)) {
      throw new ApiError(400, 'unknown_field', `${key}: unknown field; expected only: cron, time_zone, mode, enabled`, key);
    }
  }
  const text = (field: 'cron' | 'time_zone', expected: string): string => {
    const v = body[field];
    if (v === undefined) throw invalid(field, `${field}: missing; expected ${expected}`);
    if (typeof v !== 'string') throw invalid(field, `${field}: got ${describeJsonType(v)}; expected ${expected}`);
    return v;
  };
  const cron = text('cron', 'a cron expression of 5 fields (minute hour day month weekday) or 6 with seconds first');
  const timeZone = text('time_zone', 'an IANA time zone name such as "Asia/Shanghai"');
  const mode = body.mode ?? 'incremental';
  if (!isSyncMode(mode)) throw invalid('mode', describeProblem('mode', oneOfRule(SYNC_MODES)(String(mode))!, mode));
  const enabled = body.enabled ?? true;
  if (typeof enabled !== 'boolean') throw invalid('enabled', `enabled: got ${describeJsonType(enabled)}; expected true or false`);
  const cronProblem = checkCron(cron);
  if (cronProblem) throw invalid('cron', describeProblem('cron', cronProblem, cron));
  const zoneProblem = checkTimeZone(timeZone);
  if (zoneProblem) throw invalid('time_zone', describeProblem('time_zone', zoneProblem, timeZone));
  const inZone = checkCron(cron, timeZone, mode);
  if (inZone) throw invalid('cron', describeProblem('cron', inZone, cron));
  return { cron, time_zone: timeZone, mode, enabled };
}

export class Scheduler {
  private readonly jobs = new Map<string, Cron>();

  constructor(
    private readonly onTick: (tenantId: string) => void,
    private readonly log: (line: string) => void,
  ) {}

  /** Replaces the tenant's job to match the schedule (none when disabled). */
  set(schedule: Schedule): void {
    this.remove(schedule.tenant_id);
    if (!schedule.enabled) return;
    const tenantId = schedule.tenant_id;
    const job = new Cron(
      schedule.cron,
      {
        ...CRON_OPTIONS,
        timezone: schedule.time_zone,
        catch: (err: unknown) => this.log(`apaas schedule for tenant ${tenantId}: ${err instanceof Error ? err.message : String(err)}`),
      },
      () => this.onTick(tenantId),
    );
    this.jobs.set(tenantId, job);
  }

  /** Runs the tenant's job now, as if its time had come (the control hook of §7); false without one. */
  fire(tenantId: string): boolean {
    if (!this.jobs.has(tenantId)) return false;
    this.onTick(tenantId);
    return true;
  }

  remove(tenantId: string): void {
    this.jobs.get(tenantId)?.stop();
    this.jobs.delete(tenantId);
  }

  nextRunAt(tenantId: string): string | null {
    return this.jobs.get(tenantId)?.nextRun()?.toISOString() ?? null;
  }

  stopAll(): void {
    for (const job of this.jobs.values()) job.stop();
    this.jobs.clear();
  }
}
