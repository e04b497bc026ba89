// CLI flags (emulator/main.ts): a full spec, and shorthands applied to chosen services.
import { FAULT_SERVICES, FaultSpecError, parseFaultSpec, type FaultSpec, type ServiceFaults } from './spec';

export const FAULT_FLAGS = {
  faults: { type: 'string' },
  'fault-seed': { type: 'string' },
  'fault-services': { type: 'string' },
  'fault-methods': { type: 'string' },
  'fault-paths': { type: 'string' },
  'fault-latency': { type: 'string' },
  'fault-response-delay': { type: 'string' },
  'fault-429': { type: 'string' },
  'fault-retry-after': { type: 'string' },
  'fault-rps': { type: 'string' },
  'fault-5xx': { type: 'string' },
  'fault-5xx-statuses': { type: 'string' },
  'fault-drop-before': { type: 'string' },
  'fault-drop-after': { type: 'string' },
} as const;

export const FAULT_USAGE = `fault injection (docs/api/emulator-faults.md); off unless one of these is given:
  --faults SPEC             the whole spec as JSON, or @FILE (same body as PUT /__control/faults)
  --fault-seed S            seed of the fault streams (default: random, shown by GET /__control/faults)
  --fault-services LIST     services the flags below apply to: yufu-admin,yufu-idp,apaas,ehr (default all)
  --fault-methods LIST      only these methods, e.g. POST,PUT or "writes" / "reads" (default all)
  --fault-paths LIST        only paths starting with one of these prefixes, e.g. /api/ (default all)
  --fault-latency MS[+J]    added latency before the handler: MS fixed plus 0..J ms jitter, e.g. 50+100
  --fault-response-delay MS answers held MS ms after the handler ran (its write committed)
  --fault-429 RATE          fraction answered 429 with Retry-After (0..1)
  --fault-retry-after S     the Retry-After seconds of those 429s (default 1)
  --fault-rps N[/BURST]     a token-bucket rate limit: N requests per second, bursts of BURST
  --fault-5xx RATE          fraction answered 5xx (0..1)
  --fault-5xx-statuses LIST which 5xx statuses (default 500,502,503,504)
  --fault-drop-before RATE  fraction of connections closed before the handler runs
  --fault-drop-after RATE   fraction of connections closed after the handler ran (its write committed)
  /healthz and /__control/* are never faulted.`;

export type FaultFlagValues = Partial<Record<keyof typeof FAULT_FLAGS, string>>;

const list = (raw: string) =>
  raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function number(flag: string, raw: string, check: (n: number) => boolean, expected: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || !check(n)) throw new FaultSpecError(`--${flag}: got ${JSON.stringify(raw)}; expected ${expected}`, flag);
  return n;
}

/**
 * The spec the flags describe, or null when no fault flag was given. `readFile` resolves
 * `--faults @FILE`. Throws FaultSpecError naming the flag.
 */
export function specFromFlags(values: FaultFlagValues, readFile: (file: string) => string): FaultSpec | null {
  const given = Object.entries(values).filter(([, v]) => v !== undefined);
  if (given.length === 0) return null;
  let base: Record<string, unknown> = { services: {} };
  if (values.faults !== undefined) {
    const text = values.faults.startsWith('@') ? readFile(values.faults.slice(1)) : values.faults;
    try {
      base = JSON.parse(text) as Record<string, unknown>;
    } catch (err) {
      throw new FaultSpecError(`--faults: not valid JSON (${(err as Error).message}); expected a fault spec object or @FILE`, 'faults');
    }
    if (base === null || typeof base !== 'object' || Array.isArray(base)) throw new FaultSpecError('--faults: expected a JSON object', 'faults');
    base.services ??= {};
  }
  if (values['fault-seed'] !== undefined) base.seed = values['fault-seed'];

  const shorthand: ServiceFaults = {};
  if (values['fault-methods'] !== undefined) {
    const m = list(values['fault-methods']);
    shorthand.methods = m.length === 1 && ['writes', 'reads', 'all'].includes(m[0]!.toLowerCase()) ? (m[0]!.toLowerCase() as 'writes') : m.map((x) => x.toUpperCase());
  }
  if (values['fault-paths'] !== undefined) shorthand.paths = list(values['fault-paths']);
  if (values['fault-latency'] !== undefined) {
    const m = /^(\d+)(?:\+(\d+))?$/.exec(values['fault-latency'].trim());
    if (!m) throw new FaultSpecError(`--fault-latency: got ${JSON.stringify(values['fault-latency'])}; expected MS or MS+JITTER, e.g. 50+100`, 'fault-latency');
    shorthand.latency_ms = Number(m[1]);
    if (m[2] !== undefined) shorthand.jitter_ms = Number(m[2]);
  }
  if (values['fault-response-delay'] !== undefined) {
    shorthand.response_delay_ms = number('fault-response-delay', values['fault-response-delay'], (n) => Number.isInteger(n) && n >= 0, 'whole milliseconds');
  }
  const fraction = (flag: keyof FaultFlagValues) => number(flag, values[flag]!, (n) => n >= 0 && n <= 1, 'a fraction from 0 to 1');
  if (values['fault-429'] !== undefined) shorthand.rate_limited = fraction('fault-429');
  if (values['fault-retry-after'] !== undefined) shorthand.retry_after_s = number('fault-retry-after', values['fault-retry-after'], (n) => Number.isInteger(n) && n >= 0, 'whole seconds');
  if (values['fault-rps'] !== undefined) {
    const [rps, burst] = values['fault-rps'].split('/');
    shorthand.requests_per_second = number('fault-rps', rps!, (n) => n > 0, 'N or N/BURST with N > 0');
    if (burst !== undefined) shorthand.burst = number('fault-rps', burst, (n) => Number.isInteger(n) && n >= 1, 'N/BURST with a whole BURST ≥ 1');
  }
  if (values['fault-5xx'] !== undefined) shorthand.errors = fraction('fault-5xx');
  if (values['fault-5xx-statuses'] !== undefined) {
    shorthand.error_statuses = list(values['fault-5xx-statuses']).map((s) => number('fault-5xx-statuses', s, (n) => Number.isInteger(n) && n >= 500 && n <= 599, 'a list of 5xx statuses'));
  }
  if (values['fault-drop-before'] !== undefined) shorthand.drop_before = fraction('fault-drop-before');
  if (values['fault-drop-after'] !== undefined) shorthand.drop_after = fraction('fault-drop-after');

  const targets = values['fault-services'] !== undefined ? list(values['fault-services']) : [...FAULT_SERVICES];
  if (Object.keys(shorthand).length > 0 || values['fault-services'] !== undefined) {
    const services = base.services as Record<string, unknown>;
    for (const t of targets) {
      if (!(FAULT_SERVICES as readonly string[]).includes(t)) {
        throw new FaultSpecError(`--fault-services: got ${JSON.stringify(t)}; expected a comma-separated list of ${FAULT_SERVICES.join(', ')}`, 'fault-services');
      }
      const existing = services[t] as object | object[] | undefined;
      services[t] = Array.isArray(existing) ? existing.map((r) => ({ ...r, ...shorthand })) : { ...(existing ?? {}), ...shorthand };
    }
  }
  try {
    return parseFaultSpec(base);
  } catch (err) {
    if (err instanceof FaultSpecError) throw new FaultSpecError(`fault flags: ${err.message}`, err.field);
    throw err;
  }
}

/** One line for the startup banner. */
export function describeSpec(spec: FaultSpec): string {
  const parts = Object.entries(spec.services).flatMap(([service, list]) => list.map((r) => {
    const bits: string[] = [];
    if (r.latency_ms || r.jitter_ms) bits.push(`latency ${r.latency_ms ?? 0}+${r.jitter_ms ?? 0}ms`);
    if (r.response_delay_ms) bits.push(`answers held ${r.response_delay_ms}ms`);
    if (r.rate_limited) bits.push(`429 ${r.rate_limited}`);
    if (r.requests_per_second) bits.push(`${r.requests_per_second} rps`);
    if (r.errors) bits.push(`5xx ${r.errors}`);
    if (r.drop_before) bits.push(`drop-before ${r.drop_before}`);
    if (r.drop_after) bits.push(`drop-after ${r.drop_after}`);
    if (r.methods) bits.push(`methods ${Array.isArray(r.methods) ? r.methods.join(',') : r.methods}`);
    if (r.paths) bits.push(`paths ${r.paths.join(',')}`);
    return `${service}: ${bits.join(', ') || 'none'}`;
  }));
  return `faults on (seed ${spec.seed}) — ${parts.join('; ') || 'no services'}`;
}
