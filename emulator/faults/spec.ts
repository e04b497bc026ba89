// The fault spec of docs/api/emulator-faults.md §2: its schema, parsing with messages that
// name the field, and its one-line description for the start-up banner.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';

export const FAULT_SERVICES = ['yufu-admin', 'yufu-idp', 'apaas', 'ehr'] as const;
export type FaultService = (typeof FAULT_SERVICES)[number];

export const DEFAULT_ERROR_STATUSES = [500, 502, 503, 504] as const;
export const WRITE_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'];
export const READ_METHODS = ['GET', 'HEAD', 'OPTIONS'];

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
