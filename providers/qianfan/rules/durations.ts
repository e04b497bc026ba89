/** Durations in provider settings and resource arguments: "500ms", "30s", "2m", "1h". */
const DURATION = /^(\d{1,9})(ms|s|m|h)$/;

export function parseDurationMs(value: string): number | null {
  const match = DURATION.exec(value.trim());
  if (!match) return null;
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[match[2] as 'ms' | 's' | 'm' | 'h'];
  return Number(match[1]) * unit;
}
