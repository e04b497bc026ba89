// Fault injection for the emulated services (docs/api/emulator-faults.md): latency, 429
// with Retry-After, 5xx, and connections dropped before the handler runs or after it
// committed. One injector per process, shared by every listener through the request
// wrapper in ./http.ts; switched by CLI flags or PUT /__control/faults. Seeded, so a
// run with the same seed and the same request sequence injects the same faults.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/** The listeners, by the component name each passes to withRequestLog. */
export const FAULT_SERVICES = ['yufu-admin', 'yufu-idp', 'apaas', 'ehr'] as const;
export type FaultService = (typeof FAULT_SERVICES)[number];

export const DEFAULT_ERROR_STATUSES = [500, 502, 503, 504] as const;
const WRITE_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'];
const READ_METHODS = ['GET', 'HEAD', 'OPTIONS'];

// ---------------------------------------------------------------------------------------
// Seeded PRNG: xmur3 string hash → mulberry32. Small, fast, and the same on every Node.

/** 32-bit hash of a string (xmur3's mix), used to seed one stream per service. */
export function hashSeed(text: string): number {
  let h = 1779033703 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  h = Math.imul(h ^ (h >>> 16), 2246822507);
  h = Math.imul(h ^ (h >>> 13), 3266489909);
  return (h ^= h >>> 16) >>> 0;
}

/** mulberry32: a uniform float in [0, 1) per call, fully determined by the seed. */
export function seededRandom(seed: string): () => number {
  let a = hashSeed(seed);
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------------------------------
// The spec.

const rate = (what: string) =>
  z.number({ error: `expected ${what} as a number from 0 to 1` }).min(0, `expected ${what} from 0 to 1`).max(1, `expected ${what} from 0 to 1`);

const serviceSchema = z
  .object({
    methods: z
      .union([
        z.enum(['writes', 'reads', 'all']),
        z.array(z.string().regex(/^[A-Za-z]{1,16}$/, 'expected an HTTP method such as "POST"')).min(1, 'expected at least one method'),
      ], { error: 'expected "writes", "reads", "all" or a list of HTTP methods such as ["POST", "PUT"]' })
      .optional(),
    paths: z.array(z.string().startsWith('/', 'expected a path prefix starting with "/"')).min(1, 'expected at least one path prefix').optional(),
    latency_ms: z.number().int('expected whole milliseconds').min(0).max(60_000, 'expected at most 60000 ms').optional(),
    jitter_ms: z.number().int('expected whole milliseconds').min(0).max(60_000, 'expected at most 60000 ms').optional(),
    rate_limited: rate('the fraction of requests answered 429').optional(),
    retry_after_s: z.number().int('expected whole seconds').min(0).max(3600).optional(),
    requests_per_second: z.number().positive('expected a positive number of requests per second').max(100_000).optional(),
    burst: z.number().int().min(1, 'expected a burst of at least 1').max(100_000).optional(),
    errors: rate('the fraction of requests answered 5xx').optional(),
    error_statuses: z
      .array(z.number().int().min(500, 'expected a 5xx status').max(599, 'expected a 5xx status'))
      .min(1, 'expected at least one 5xx status')
      .optional(),
    response_delay_ms: z.number().int('expected whole milliseconds').min(0).max(60_000, 'expected at most 60000 ms').optional(),
    drop_before: rate('the fraction of connections dropped before the handler runs').optional(),
    drop_after: rate('the fraction of connections dropped after the handler ran').optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    const sum = (s.rate_limited ?? 0) + (s.errors ?? 0) + (s.drop_before ?? 0) + (s.drop_after ?? 0);
    if (sum > 1 + 1e-9) {
      ctx.addIssue({ code: 'custom', path: [], message: `expected rate_limited + errors + drop_before + drop_after to be at most 1 (each request gets at most one fault), got ${sum}` });
    }
    if (s.burst !== undefined && s.requests_per_second === undefined) {
      ctx.addIssue({ code: 'custom', path: ['burst'], message: 'expected requests_per_second as well' });
    }
  });

const specSchema = z
  .object({
    seed: z.union([z.string().min(1).max(128), z.number().int()], { error: 'expected a string of 1 to 128 characters or a whole number' }).optional(),
    services: z
      .record(
        z.string(),
        z.union([serviceSchema, z.array(serviceSchema).min(1, 'expected at least one rule').max(16, 'expected at most 16 rules')], {
          error: 'expected a rule object or a list of rule objects',
        }),
      )
      .superRefine((services, ctx) => {
        for (const name of Object.keys(services)) {
          if (name !== '*' && !(FAULT_SERVICES as readonly string[]).includes(name)) {
            ctx.addIssue({ code: 'custom', path: [name], message: `unknown service ${JSON.stringify(name)}; expected one of ${FAULT_SERVICES.join(', ')} or "*"` });
          }
        }
      }),
  })
  .strict();

export type ServiceFaults = z.infer<typeof serviceSchema>;
export interface FaultSpec {
  seed: string;
  /** Per service, rules tried in order: the first whose methods and paths match applies. */
  services: Partial<Record<FaultService | '*', ServiceFaults[]>>;
}

/** A spec problem, said with the field it is about (the control endpoint answers 400 with it). */
export class FaultSpecError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'FaultSpecError';
  }
}

interface Issue {
  path: PropertyKey[];
  message: string;
  code?: string;
  errors?: Issue[][];
}

/**
 * "Invalid input" from a union says nothing; the deepest issue among its branches
 * (e.g. the rule object's field, rather than "not an array") says what is wrong.
 */
function specificIssue(issue: Issue): { path: PropertyKey[]; message: string } {
  if (issue.code !== 'invalid_union' || !issue.errors?.length) return issue;
  let best: { path: PropertyKey[]; message: string } | undefined;
  for (const branch of issue.errors) {
    if (!branch[0]) continue;
    const inner = specificIssue(branch[0]);
    if (!best || inner.path.length > best.path.length) best = inner;
  }
  return best && best.path.length > 0 ? { path: [...issue.path, ...best.path], message: best.message } : issue;
}

/** Validates a spec as sent to PUT /__control/faults or --faults; a seed is chosen when none is given. */
export function parseFaultSpec(input: unknown): FaultSpec {
  const result = specSchema.safeParse(input);
  if (!result.success) {
    const { path, message } = specificIssue(result.error.issues[0]!);
    const field = path.map(String).join('.') || '(root)';
    throw new FaultSpecError(`${field}: ${message}`, field);
  }
  const seed = result.data.seed === undefined ? randomBytes(4).toString('hex') : String(result.data.seed);
  const services: FaultSpec['services'] = {};
  for (const [name, rules] of Object.entries(result.data.services)) services[name as FaultService] = Array.isArray(rules) ? rules : [rules];
  return { seed, services };
}

// ---------------------------------------------------------------------------------------
// Decisions and counters.

export type FaultAction = 'pass' | 'rate_limited' | 'error' | 'drop_before' | 'drop_after';

export interface FaultDecision {
  /** Wait this long before anything else (0 = none). */
  latencyMs: number;
  action: FaultAction;
  /** For 'error': the 5xx status; for 'rate_limited': 429. */
  status?: number;
  /** For 'rate_limited': the Retry-After to send, in seconds. */
  retryAfterS?: number;
  /** For 'pass': hold the handler's answer this long after it ran (its write committed). */
  responseDelayMs?: number;
}

export type FaultCounters = Record<string, number>;

const PASS: FaultDecision = Object.freeze({ latencyMs: 0, action: 'pass' }) as FaultDecision;

/** Never faulted: the control plane and health checks must stay usable under any spec. */
export function isExemptPath(path: string): boolean {
  return path === '/healthz' || path === '/__control' || path.startsWith('/__control/');
}

interface Bucket {
  tokens: number;
  refilledAt: number;
}

export class FaultInjector {
  private spec: FaultSpec | null = null;
  private streams = new Map<string, () => number>();
  private buckets = new Map<string, Bucket>();
  private counters = new Map<string, FaultCounters>();
  private since = new Date().toISOString();

  constructor(private readonly now: () => number = () => Date.now()) {}

  get active(): boolean {
    return this.spec !== null;
  }

  /** Replaces the spec and restarts the seeded streams and the counters. */
  set(spec: FaultSpec): void {
    this.spec = spec;
    this.streams.clear();
    this.buckets.clear();
    this.counters.clear();
    this.since = new Date(this.now()).toISOString();
  }

  /** No more faults from now on; the counters stay readable until the next set(). */
  clear(): void {
    this.spec = null;
    this.streams.clear();
    this.buckets.clear();
  }

  /** The spec and what was injected, by service and in total (GET /__control/faults). */
  snapshot(): { active: boolean; spec: FaultSpec | null; since: string; counters: { total: FaultCounters; services: Record<string, FaultCounters> } } {
    const total: FaultCounters = {};
    const services: Record<string, FaultCounters> = {};
    for (const [service, c] of [...this.counters.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      services[service] = { ...c };
      for (const [k, v] of Object.entries(c)) total[k] = (total[k] ?? 0) + v;
    }
    return { active: this.active, spec: this.spec, since: this.since, counters: { total, services } };
  }

  private count(service: string, kind: string): void {
    let c = this.counters.get(service);
    if (!c) this.counters.set(service, (c = {}));
    c[kind] = (c[kind] ?? 0) + 1;
  }

  private random(service: string): () => number {
    let r = this.streams.get(service);
    if (!r) this.streams.set(service, (r = seededRandom(`${this.spec!.seed}/${service}`)));
    return r;
  }

  /** true when the rule's token bucket has a token for this request (and takes it). */
  private takeToken(key: string, rps: number, burst: number): { ok: true } | { ok: false; waitS: number } {
    const t = this.now();
    let b = this.buckets.get(key);
    if (!b) this.buckets.set(key, (b = { tokens: burst, refilledAt: t }));
    b.tokens = Math.min(burst, b.tokens + ((t - b.refilledAt) / 1000) * rps);
    b.refilledAt = t;
    if (b.tokens < 1) return { ok: false, waitS: Math.max(1, Math.ceil((1 - b.tokens) / rps)) };
    b.tokens -= 1;
    return { ok: true };
  }

  /**
   * What to do with one request. Every matched request draws exactly three numbers from
   * its service's stream (jitter, kind, status), so the n-th matched request of a
   * service gets the same fault in every run with the same seed.
   */
  decide(service: string, method: string, path: string): FaultDecision {
    if (isExemptPath(path)) return PASS;
    if (this.spec === null) return PASS;
    this.count(service, 'requests');
    const list = this.spec.services[service as FaultService] ?? this.spec.services['*'] ?? [];
    const index = list.findIndex((r) => matches(r, method, path));
    if (index < 0) return PASS;
    const rules = list[index]!;
    this.count(service, 'matched');
    const random = this.random(service);
    const [rJitter, rKind, rStatus] = [random(), random(), random()];

    const latencyMs = (rules.latency_ms ?? 0) + Math.floor(rJitter * ((rules.jitter_ms ?? 0) + 1));
    if (latencyMs > 0) this.count(service, 'delayed');

    if (rules.requests_per_second !== undefined) {
      const token = this.takeToken(`${service}#${index}`, rules.requests_per_second, rules.burst ?? Math.max(1, Math.ceil(rules.requests_per_second)));
      if (!token.ok) return this.hit(service, { latencyMs, action: 'rate_limited', status: 429, retryAfterS: rules.retry_after_s ?? token.waitS });
    }

    // One draw partitions [0, 1) so each request gets at most one fault, at the configured rates.
    let edge = rules.drop_before ?? 0;
    if (rKind < edge) return this.hit(service, { latencyMs, action: 'drop_before' });
    edge += rules.rate_limited ?? 0;
    if (rKind < edge) return this.hit(service, { latencyMs, action: 'rate_limited', status: 429, retryAfterS: rules.retry_after_s ?? 1 });
    edge += rules.errors ?? 0;
    if (rKind < edge) {
      const statuses = rules.error_statuses ?? DEFAULT_ERROR_STATUSES;
      return this.hit(service, { latencyMs, action: 'error', status: statuses[Math.floor(rStatus * statuses.length)]! });
    }
    edge += rules.drop_after ?? 0;
    if (rKind < edge) return this.hit(service, { latencyMs, action: 'drop_after' });
    if (rules.response_delay_ms) {
      this.count(service, 'response_delayed');
      return { latencyMs, action: 'pass', responseDelayMs: rules.response_delay_ms };
    }
    return latencyMs > 0 ? { latencyMs, action: 'pass' } : PASS;
  }

  private hit(service: string, d: FaultDecision): FaultDecision {
    this.count(service, d.action === 'error' ? `error_${d.status}` : d.action);
    return d;
  }
}

function matches(rules: ServiceFaults, method: string, path: string): boolean {
  const m = method.toUpperCase();
  const methods = rules.methods;
  if (methods === 'writes' && !WRITE_METHODS.includes(m)) return false;
  if (methods === 'reads' && !READ_METHODS.includes(m)) return false;
  if (Array.isArray(methods) && !methods.some((x) => x.toUpperCase() === m)) return false;
  if (rules.paths && !rules.paths.some((p) => path.startsWith(p))) return false;
  return true;
}

/** The one injector of this process: every listener's request wrapper consults it. */
export const emulatorFaults = new FaultInjector();

// ---------------------------------------------------------------------------------------
// CLI flags (emulator/main.ts): a full spec, and shorthands applied to chosen services.

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
