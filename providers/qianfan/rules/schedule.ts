/**
 * Sync-schedule rules (docs/api/apaas-admin.md §5): the cron expression, the time
 * zone it is read in, the sync mode, and the floor on how often a sync may run.
 * Checked with croner, the library the service's scheduler uses, with the same options.
 */
import type { CronOptions } from 'croner';

export const SYNC_MODES = ['full', 'incremental'] as const;
export type SyncMode = (typeof SYNC_MODES)[number];

/**
 * The shortest time between two runs of one schedule. A full run pages through the
 * whole HR directory (about 1,000 requests for 100,000 employees) and disables users
 * that vanished, so at most one an hour; an incremental run only asks for changes, so
 * at most one every five minutes.
 */
export const MIN_SYNC_INTERVAL_MINUTES: Record<SyncMode, number> = { full: 60, incremental: 5 };

/** The options every cron of the service is built with: 5 fields, or 6 with seconds first. */
export const CRON_OPTIONS = { mode: '5-or-6-parts' } as const satisfies CronOptions;

const croner = () => require('croner') as typeof import('croner');

/** Validation runs once per resource per Terraform phase; the answers never change. */
function memo<A extends unknown[]>(fn: (...args: A) => string | null): (...args: A) => string | null {
  const cache = new Map<string, string | null>();
  return (...args: A) => {
    const key = JSON.stringify(args);
    if (!cache.has(key)) {
      if (cache.size > 10_000) cache.clear();
      cache.set(key, fn(...args));
    }
    return cache.get(key)!;
  };
}

const TIME_ZONE_AREAS = 'Africa|America|Antarctica|Arctic|Asia|Atlantic|Australia|Europe|Indian|Pacific|Etc';
const TIME_ZONE_SHAPE = new RegExp(`^(${TIME_ZONE_AREAS})(/[A-Z][A-Za-z0-9_+-]*){1,2}$`);
const TIME_ZONE_EXPECTED = 'expected an IANA time zone name such as "Asia/Shanghai" or "UTC"';

/**
 * "UTC", or an IANA Area/Location name that this Node.js's time-zone data knows, spelled
 * with the database's capitalisation. Abbreviations and legacy names are refused: "CST"
 * is China Standard Time to a reader in Shanghai and US Central time to the time-zone
 * library, and a schedule must not depend on which one the service picks.
 */
export const checkTimeZone = memo(function checkTimeZone(value: string): string | null {
  if (value === 'UTC') return null;
  if (!TIME_ZONE_SHAPE.test(value)) {
    const spelled = spellingOf(value);
    if (spelled) return `${TIME_ZONE_EXPECTED}, spelled "${spelled}"`;
    if (/^[A-Za-z]{2,5}([+-]?\d{1,2}([A-Za-z]{3,4})?)?$/.test(value)) return `${TIME_ZONE_EXPECTED}; abbreviations and legacy names such as CST, EST or PRC are ambiguous`;
    if (/^(UTC|GMT)?[+-]\d/.test(value)) return `${TIME_ZONE_EXPECTED}; offsets change with daylight saving, name the place instead (e.g. "Etc/GMT-8" for a fixed UTC+8)`;
    return TIME_ZONE_EXPECTED;
  }
  let resolved: string | undefined;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    return `${TIME_ZONE_EXPECTED}; this one is not in the time-zone database`;
  }
  if (resolved !== value && resolved.toLowerCase() === value.toLowerCase()) return `${TIME_ZONE_EXPECTED}, spelled "${resolved}"`;
  return null;
});

/** The database's spelling of a mis-cased Area/Location name, e.g. asia/shanghai → Asia/Shanghai. */
function spellingOf(value: string): string | null {
  if (!value.includes('/')) return null;
  try {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
    return resolved.toLowerCase() === value.toLowerCase() && TIME_ZONE_SHAPE.test(resolved) ? resolved : null;
  } catch {
    return null;
  }
}

/** Seconds between two instants, in words. */
function gap(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.round(seconds / 6) / 10} min`;
  return `${Math.round(seconds / 360) / 10} h`;
}

const DAY = 86_400_000;
const ORIGIN = Date.UTC(2000, 0, 1); // a leap year that starts on a Saturday

/**
 * The shortest interval between two runs, or the first one shorter than `floorMs`.
 * Times of day come from the seconds/minutes/hours fields over one day; a gap across
 * midnight counts only if the day fields allow two consecutive days (checked over
 * eight years, a whole leap cycle).
 */
function shortestInterval(fields: string[], floorMs: number): number {
  const { Cron } = croner();
  const [sec, min, hour, dom, month, dow] = fields.length === 6 ? fields : ['0', ...fields];
  const times = new Cron(`${sec} ${min} ${hour} * * *`, { ...CRON_OPTIONS, timezone: 'UTC', paused: true });
  let shortest = Number.POSITIVE_INFINITY;
  let first: number | undefined;
  let last: number | undefined;
  for (let run = times.nextRun(new Date(ORIGIN - 1000)); run && run.getTime() < ORIGIN + DAY; run = times.nextRun(run)) {
    const t = run.getTime();
    if (last !== undefined) shortest = Math.min(shortest, t - last);
    if (shortest < floorMs) return shortest;
    first ??= t;
    last = t;
  }
  if (first === undefined || last === undefined) return shortest;
  const acrossMidnight = first + DAY - last;
  if (acrossMidnight >= shortest || acrossMidnight >= floorMs) return Math.min(shortest, acrossMidnight);
  const days = new Cron(`0 0 0 ${dom} ${month} ${dow}`, { ...CRON_OPTIONS, timezone: 'UTC', paused: true });
  let previous: number | undefined;
  for (let run = days.nextRun(new Date(ORIGIN - 1000)); run && run.getTime() < ORIGIN + 8 * 366 * DAY; run = days.nextRun(run)) {
    if (previous !== undefined && run.getTime() - previous === DAY) return acrossMidnight;
    previous = run.getTime();
  }
  return shortest;
}

/**
 * A cron expression of 5 fields (minute hour day month weekday) or 6 with seconds
 * first, that fires at least once in the future, read in `timeZone`, and no more often
 * than the floor of `mode`.
 */
export const checkCron = memo(function checkCron(expression: string, timeZone: string = 'UTC', mode: SyncMode = 'incremental'): string | null {
  if (expression !== expression.trim()) return 'expected no leading or trailing spaces';
  if (expression.length > 200) return `expected at most 200 characters, got ${expression.length}`;
  const fields = expression.split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) {
    return `expected 5 fields (minute hour day month weekday) or 6 with seconds first, got ${fields.length}`;
  }
  const { Cron } = croner();
  try {
    const job = new Cron(expression, { ...CRON_OPTIONS, timezone: timeZone, paused: true });
    if (job.nextRun() === null) return 'expected a cron expression that fires at least once in the future';
  } catch (error) {
    return `expected a valid cron expression (${(error as Error).message.replace(/^CronPattern: /, '')})`;
  }
  const floorMs = MIN_SYNC_INTERVAL_MINUTES[mode] * 60_000;
  const shortest = shortestInterval(fields, floorMs);
  if (shortest < floorMs) {
    return `expected at most one ${mode} sync every ${MIN_SYNC_INTERVAL_MINUTES[mode]} minutes (the service's floor for ${mode} syncs), but this schedule runs ${gap(shortest / 1000)} apart`;
  }
  return null;
});

export function isSyncMode(value: unknown): value is SyncMode {
  return (SYNC_MODES as readonly unknown[]).includes(value);
}
