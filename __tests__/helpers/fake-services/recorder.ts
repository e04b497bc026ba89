/**
 * What both service fakes share: the call log ("nothing was written"), fault hooks
 * (a racing client, an answer lost and retried) and the ownership rules of
 * docs/api/ownership.md §3–§4 (claims as compare-and-set, conditional deletes).
 */
import { randomBytes } from 'node:crypto';
import { ServiceError } from '../../../providers/qianfan/clients/http';
import type { ClaimRequest, Owned } from '../../../providers/qianfan/clients/ownership';

export interface Call {
  method: string;
  args: unknown[];
  /** False when the call threw. */
  ok: boolean;
  /** Whether it changed anything the service stores. */
  wrote: boolean;
}

/** The call log and fault hooks both fakes share. */
export class Recorder {
  readonly calls: Call[] = [];
  private readonly hooks = new Map<string, (() => void | Promise<void>)[]>();
  private readonly lost = new Set<string>();
  private current: Call | undefined;

  constructor(private readonly service: string) {}

  /** The names of the methods called, in order. */
  methods(): string[] {
    return this.calls.map((c) => c.method);
  }

  /** The calls that changed something the service stores. */
  writes(): Call[] {
    return this.calls.filter((c) => c.wrote);
  }

  /** Called by a fake's method when it changes what the service stores. */
  changed(): void {
    if (this.current) this.current.wrote = true;
  }

  callsOf(method: string): Call[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Runs `hook` once, just before the next call of `method` is served (e.g. a racing client). */
  before(method: string, hook: () => void | Promise<void>): void {
    this.hooks.set(method, [...(this.hooks.get(method) ?? []), hook]);
  }

  /**
   * The next answer of `method` is lost on the way back and the client retries the same
   * request, as the HTTP client does for idempotent requests: the service serves it twice
   * and the caller sees the second answer.
   */
  loseAnswer(method: string): void {
    this.lost.add(method);
  }

  async serve<T>(method: string, args: unknown[], body: () => T): Promise<T> {
    const hook = this.hooks.get(method)?.shift();
    if (hook) await hook();
    const once = (): T => {
      const call: Call = { method, args: structuredClone(args), ok: false, wrote: false };
      this.calls.push(call);
      this.current = call;
      try {
        const result = body();
        call.ok = true;
        return structuredClone(result);
      } finally {
        this.current = undefined;
      }
    };
    if (this.lost.delete(method)) once();
    return once();
  }

  error(status: number, code: string, message: string, field?: string): ServiceError {
    return new ServiceError(`${this.service} refused the request`, `HTTP ${status} ${code}${field ? ` (field ${field})` : ''}: ${message}`, status, code, field);
  }
}

export const hex = (bytes: number) => randomBytes(bytes).toString('hex');
export const now = () => new Date().toISOString();

/** The claim rule of ownership.md §3, on any owned object. */
export function claim(recorder: Recorder, object: Owned | undefined, request: ClaimRequest, what: string): void {
  if (!object) throw recorder.error(404, 'not_found', `${what} does not exist`);
  if (object.claimed_by === request.claimant) return;
  if (object.claimed_by !== request.previousClaimant) throw recorder.error(409, 'claim_conflict', `${what} was claimed at ${object.claimed_at}`);
  object.claimed_by = request.claimant;
  object.claimed_at = now();
  recorder.changed();
}

export const deletable = (object: Owned, claimant: string | null) => object.claimed_by === claimant;
