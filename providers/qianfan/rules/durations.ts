/** Durations in provider settings and resource arguments: "500ms", "30s", "2m", "1h". */
const DURATION = /^(\d{1,9})(ms|s|m|h)$/;

export function parseDurationMs(value: string): number | null {
  const match = DURATION.exec(value.trim());
  if (!match) return null;
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[match[2] as 'ms' | 's' | 'm' | 'h'];
  return Number(match[1]) * unit;
}

/** Timers past 24 days overflow (Node.js sets them to 1 ms); no wait of the provider needs more than a day. */
export const DURATION_MAX_MS = 24 * 3_600_000;

export function checkDuration(value: string): string | null {
  const ms = parseDurationMs(value);
  if (ms === null) return 'expected a duration such as 30s, 500ms, 2m or 1h';
  if (ms <= 0) return 'expected a positive duration such as 30s, 500ms, 2m or 1h';
  if (ms > DURATION_MAX_MS) return 'expected a duration of at most 24h';
  return null;
}
