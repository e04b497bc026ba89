// Sync schedules: one croner job per enabled schedule, in the schedule's IANA time zone.
// Jobs are (re)built on start from the DB and whenever a schedule is written or deleted.
import { Cron } from 'croner';
import { ApiError } from '../http';
import type { Schedule } from './store';

const CRON_MODE = '5-or-6-parts' as const;

/** 5 fields (minute hour day month weekday) or 6 with seconds first; 400 naming `cron` otherwise. */
export function validateCron(expr: string): void {
  const fields = expr.trim().split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) {
    throw new ApiError(
      400,
      'invalid_argument',
      `cron: got ${JSON.stringify(expr)} (${fields.length} fields); expected 5 fields "minute hour day month weekday" or 6 with seconds first`,
      'cron',
    );
  }
  try {
    new Cron(expr, { paused: true, mode: CRON_MODE });
  } catch (err) {
    throw new ApiError(400, 'invalid_argument', `cron: got ${JSON.stringify(expr)}: ${(err as Error).message}`, 'cron');
  }
}

/** An IANA zone name (Area/Location, or UTC); offsets and abbreviations are refused. */
export function validateTimeZone(tz: string): void {
  const shaped = /^(UTC|Etc\/[A-Za-z0-9+-]+|[A-Z][A-Za-z_-]+(\/[A-Za-z0-9_+-]+){1,2})$/.test(tz);
  let known = false;
  if (shaped) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      known = true;
    } catch {
      known = false;
    }
  }
  if (!known) {
    throw new ApiError(400, 'invalid_argument', `time_zone: got ${JSON.stringify(tz)}; expected an IANA time zone name such as "Asia/Shanghai" or "UTC"`, 'time_zone');
  }
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
        timezone: schedule.time_zone,
        mode: CRON_MODE,
        catch: (err: unknown) => this.log(`apaas schedule for tenant ${tenantId}: ${err instanceof Error ? err.message : String(err)}`),
      },
      () => this.onTick(tenantId),
    );
    this.jobs.set(tenantId, job);
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
