// The injector: for each request, which fault (if any) its service's rules give it. The
// fractions are drawn from a seeded stream per service, so the same seed and the same
// order of requests give the same faults; a token-bucket rate limit depends on timing.
import { seededRandom } from './random';
import { DEFAULT_ERROR_STATUSES, READ_METHODS, WRITE_METHODS, type FaultService, type FaultSpec, type ServiceFaults } from './spec';

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
   * its service's stream (jitter, kind, status), so with the same seed the n-th matched
   * request of a service gets the same fault — the same *request* only when requests
   * arrive in the same order, and a rule's token bucket depends on timing besides.
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
