/**
 * JSON over HTTPS for the service clients: one keep-alive connection pool per
 * process (Terraform runs many RPCs per launch, transport.ts), a per-request timeout
 * that covers the whole answer, a size limit per endpoint (limits.ts), response
 * validation with zod, and errors that say which service and what it answered —
 * never what we sent (request bodies carry secrets).
 */
import type { Dispatcher } from 'undici';
import type { z } from 'zod';
import { ProviderError } from '../../runtime/diagnostics';
import { log } from '../../runtime/log';
import { checkServiceUrl as serviceUrlProblem, isLoopbackIp, parseDurationMs, shown } from '../rules';
import { PROVIDER_DEFAULTS } from '../defaults';
import { readLimited, RESPONSE_LIMITS, responseLimit, ResponseTimeout, ResponseTooLarge } from './limits';
import { dispatcher, errorCode, poolFetch, tlsProblem } from './transport';

const undici = () => require('undici') as typeof import('undici');

export const isLoopbackHost = isLoopbackIp;

/**
 * Plain http is only allowed to loopback addresses (the emulator, local tests);
 * anything that leaves the machine must be https. User-info is refused, never shown.
 */
export function checkServiceUrl(raw: string, field: string): URL {
  const problem = serviceUrlProblem(raw);
  if (problem) {
    const summary = problem.startsWith('expected https') ? 'Insecure service URL' : 'Invalid URL';
    throw new ProviderError(summary, `${field}: ${problem}; got ${shown(raw)}`, [field]);
  }
  return new URL(raw);
}

/**
 * Text the service sent, fit for a terminal: control characters (ANSI escapes could
 * rewrite what the user sees) shown as escapes, and at most 300 characters.
 */
export function fromService(text: string): string {
  const clean = text.replace(/\p{Cc}/gu, (c) => (c === '\n' ? ' ' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
  return clean.length > 300 ? `${clean.slice(0, 297)}...` : clean;
}

export interface ServiceErrorBody {
  error?: { code?: string; message?: string; field?: string };
}

/** How a client retries; from the provider block (max_retries, retry_max_wait, operation_timeout). */
export interface RetryPolicy {
  maxRetries: number;
  /** First backoff; doubles per attempt, with full jitter. */
  baseDelayMs: number;
  /** Cap of one wait, including a Retry-After the service asks for. */
  maxDelayMs: number;
  /** The whole operation, all attempts included, ends by then. */
  deadlineMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxRetries: PROVIDER_DEFAULTS.max_retries,
  baseDelayMs: 250,
  maxDelayMs: parseDurationMs(PROVIDER_DEFAULTS.retry_max_wait)!,
  deadlineMs: parseDurationMs(PROVIDER_DEFAULTS.operation_timeout)!,
};

export interface JsonRequest<T> {
  service: string;
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: URL;
  /** A function when headers depend on the attempt (signatures carry a timestamp). */
  headers?: Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);
  /**
   * Whether a retry after an uncertain outcome (connection lost after sending, 500,
   * 502, 504, timeout) is safe: GET, PUT and DELETE are; a POST only with an
   * Idempotency-Key the service honours. 429 and 503 mean "not processed" and are
   * always retried.
   */
  idempotent?: boolean;
  retry?: RetryPolicy;
  body?: unknown;
  /** The exact body text, when a signature covers it. */
  rawBody?: string;
  /** Validates the response body; undefined for responses without one. */
  schema?: z.ZodType<T>;
  timeoutMs: number;
  /**
   * Terraform's stop (Ctrl-C): ends the waits between retries, never a request in
   * flight — that one finishes (bounded by timeoutMs), so a write the service has made
   * reaches Terraform's state instead of becoming an orphan.
   */
  signal?: AbortSignal;
  /** Statuses that are answers, not failures (e.g. 404 on read). */
  accept?: number[];
  /** The most this endpoint may answer; default RESPONSE_LIMITS.object. */
  maxResponseBytes?: number;
}

export interface JsonResponse<T> {
  status: number;
  body: T | undefined;
}

export class ServiceError extends ProviderError {
  constructor(
    summary: string,
    detail: string,
    readonly status: number,
    readonly code: string | undefined,
    readonly field: string | undefined,
  ) {
    super(summary, detail);
  }
}

class RetryableError extends ProviderError {
  constructor(
    summary: string,
    detail: string,
    /** The request may have been processed: only idempotent requests retry. */
    readonly uncertain: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(summary, detail);
  }
}

/** Retry-After as seconds or an HTTP date. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  if (/^\d+$/.test(text.trim())) return Number(text.trim()) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function backoffMs(attempt: number, policy: RetryPolicy, random = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(random() * ceiling);
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new ProviderError('Stopped', 'Terraform asked the provider to stop while it was waiting to retry'));
    }, { once: true });
  });

export async function requestJson<T>(request: JsonRequest<T>): Promise<JsonResponse<T>> {
  const policy = request.retry ?? DEFAULT_RETRY;
  const idempotent = request.idempotent ?? (request.method === 'GET' || request.method === 'PUT' || request.method === 'DELETE');
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await attemptJson(request);
    } catch (error) {
      if (!(error instanceof RetryableError)) throw error;
      const retryable = !error.uncertain || idempotent;
      const wait = Math.min(policy.maxDelayMs, Math.max(error.retryAfterMs ?? 0, backoffMs(attempt, policy)));
      const elapsed = Date.now() - started;
      if (!retryable || attempt >= policy.maxRetries || elapsed + wait > policy.deadlineMs) {
        const why = !retryable
          ? 'not retried: the request may have been processed and is not idempotent'
          : attempt >= policy.maxRetries
            ? `gave up after ${attempt + 1} attempt${attempt === 0 ? '' : 's'} (max_retries = ${policy.maxRetries})`
            : `gave up after ${Math.round(elapsed / 1000)} s (operation_timeout)`;
        throw new ProviderError(error.summary, `${error.detail}; ${why}`);
      }
      log('warn', 'retrying', { service: request.service, method: request.method, path: request.url.pathname, attempt: attempt + 1, waitMs: wait, reason: error.detail });
      await sleep(wait, request.signal);
    }
  }
}

/**
 * Statuses retried, and whether the request may have been processed (then only
 * idempotent requests retry). 500 is usually transient too (a crashed worker, a failed
 * dependency); failing a whole plan on one would be worse than a bounded retry.
 */
const RETRY_STATUS: Record<number, boolean> = { 429: false, 503: false, 500: true, 502: true, 504: true };

/**
 * A fetch with requestJson's retry rules, for libraries that take one (openid-client's
 * discovery): 429/503 always, 500/502/504, lost connections and timeouts only for
 * GET/HEAD; each attempt, body included, bounded by `timeoutMs` and `maxBytes`; all of
 * them by the policy's deadline. It goes through the provider's own pool, so
 * certificates are verified as for every other call. When retries run out, the last
 * answer is handed back (the library reports it) or the last error thrown; a TLS
 * failure or an answer over the limit is a ProviderError at once.
 */
export function retryingFetch(
  service: string,
  policy: RetryPolicy,
  timeoutMs: number,
  maxBytes: number = RESPONSE_LIMITS.discovery,
): (url: string, init: { method: string; headers: Record<string, string>; body?: unknown; redirect?: 'manual'; signal?: AbortSignal }) => Promise<Response> {
  return async (url, init) => {
    const method = init.method.toUpperCase();
    const idempotent = method === 'GET' || method === 'HEAD';
    const target = new URL(url);
    const where = `${method} ${target.origin}${target.pathname}`;
    const limit = responseLimit(maxBytes);
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      let reason: string;
      let uncertain = true;
      let retryAfterMs: number | undefined;
      let answer: Response | undefined;
      let failure: unknown;
      const sent = Date.now();
      const deadline = sent + timeoutMs;
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(new ResponseTimeout(timeoutMs)), timeoutMs);
      const onStop = () => controller.abort(init.signal?.reason);
      init.signal?.addEventListener('abort', onStop, { once: true });
      try {
        const res = await poolFetch(url, { ...init, signal: controller.signal });
        const body = res.body ? await readLimited(res.body as never, limit, deadline, () => new ResponseTooLarge(service, where, limit), timeoutMs) : Buffer.alloc(0);
        answer = new Response(res.status === 204 || res.status === 304 ? null : body, { status: res.status, statusText: res.statusText, headers: res.headers as unknown as Headers });
        log('debug', 'http', { service, method, path: target.pathname, status: answer.status, ms: Date.now() - sent });
        if (!(answer.status in RETRY_STATUS)) return answer;
        reason = `${method} ${target.pathname} → HTTP ${answer.status}`;
        uncertain = RETRY_STATUS[answer.status];
        retryAfterMs = parseRetryAfter(answer.headers.get('retry-after') ?? undefined);
      } catch (error) {
        if (init.signal?.aborted) throw error;
        if (error instanceof ProviderError) throw error;
        const tls = tlsProblem(error, where);
        if (tls) throw new ProviderError(`${service}: untrusted certificate`, tls);
        const timedOut = error instanceof ResponseTimeout || controller.signal.reason instanceof ResponseTimeout || Date.now() >= deadline - 5;
        reason = `${where}: ${timedOut ? `no complete answer within ${timeoutMs} ms (request_timeout)` : errorCode(error) || (error as Error).message}`;
        failure = timedOut ? new ProviderError(`${service} request timed out`, reason) : error;
      } finally {
        clearTimeout(timer);
        init.signal?.removeEventListener('abort', onStop);
      }
      const wait = Math.min(policy.maxDelayMs, Math.max(retryAfterMs ?? 0, backoffMs(attempt, policy)));
      if ((uncertain && !idempotent) || attempt >= policy.maxRetries || Date.now() - started + wait > policy.deadlineMs) {
        if (answer) return answer;
        if (failure instanceof ProviderError) throw new ProviderError(failure.summary, `${failure.detail}; gave up after ${attempt + 1} attempt${attempt === 0 ? '' : 's'}`);
        throw failure;
      }
      log('warn', 'retrying', { service, method, path: target.pathname, attempt: attempt + 1, waitMs: wait, reason });
      await sleep(wait, init.signal);
    }
  };
}

async function attemptJson<T>(request: JsonRequest<T>): Promise<JsonResponse<T>> {
  const { request: send } = undici();
  const started = Date.now();
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const extraHeaders = typeof request.headers === 'function' ? await request.headers() : request.headers;
  const where = `${request.method} ${request.url.origin}${request.url.pathname}`;
  let response: Dispatcher.ResponseData;
  try {
    response = await send(request.url, {
      method: request.method,
      dispatcher: dispatcher(),
      headers: {
        accept: 'application/json',
        ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...extraHeaders,
      },
      body: request.rawBody !== undefined ? request.rawBody || undefined : request.body !== undefined ? JSON.stringify(request.body) : undefined,
      signal: timeout,
    });
  } catch (error) {
    const tls = tlsProblem(error, where);
    if (tls) throw new ProviderError(`${request.service}: untrusted certificate`, tls);
    const e = error as Error;
    const code = errorCode(error);
    const timedOut = Date.now() - started >= request.timeoutMs - 5;
    // Refused: nothing reached the service, so any request may be retried.
    const neverSent = code === 'ECONNREFUSED' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ENOTFOUND';
    throw new RetryableError(
      `${request.service} request failed`,
      timedOut ? `${where}: no answer within ${request.timeoutMs} ms (request_timeout)` : `${where}: ${code || e.message}`,
      !neverSent,
    );
  }
  const limit = responseLimit(request.maxResponseBytes ?? RESPONSE_LIMITS.object);
  const announced = Number(response.headers['content-length']);
  if (Number.isFinite(announced) && announced > limit) {
    response.body.destroy();
    throw new ResponseTooLarge(request.service, where, limit, announced);
  }
  let text: string;
  try {
    const body = await readLimited(response.body, limit, started + request.timeoutMs, () => new ResponseTooLarge(request.service, where, limit), request.timeoutMs);
    text = body.toString('utf8');
  } catch (error) {
    if (error instanceof ProviderError) throw error;
    if (error instanceof ResponseTimeout || Date.now() - started >= request.timeoutMs - 5) {
      throw new RetryableError(`${request.service} request timed out`, `${where}: no complete answer within ${request.timeoutMs} ms (request_timeout)`, true);
    }
    throw new RetryableError(`${request.service} request failed`, `${where}: connection lost while reading the answer (${errorCode(error) || (error as Error).message})`, true);
  }
  log('debug', 'http', {
    service: request.service,
    method: request.method,
    path: request.url.pathname,
    status: response.statusCode,
    ms: Date.now() - started,
  });
  const status = response.statusCode;
  let parsed: unknown;
  if (text.length > 0) {
    try {
      parsed = JSON.parse(text);
    } catch {
      if (status in RETRY_STATUS) parsed = undefined;
      else throw new ProviderError(
        `${request.service} answered with something that is not JSON`,
        `${request.method} ${request.url.pathname} → HTTP ${status}, ${text.length} bytes starting ${JSON.stringify(fromService(text.slice(0, 60)))}`,
      );
    }
  }
  if (status in RETRY_STATUS) {
    const err = (parsed as ServiceErrorBody | undefined)?.error;
    throw new RetryableError(
      status === 429 ? `${request.service} is rate limiting` : status === 500 ? `${request.service} failed with a server error` : `${request.service} is unavailable`,
      `${request.method} ${request.url.pathname} → HTTP ${status}${typeof err?.message === 'string' ? `: ${fromService(err.message)}` : ''}`,
      RETRY_STATUS[status],
      parseRetryAfter(response.headers['retry-after']),
    );
  }
  const ok = (status >= 200 && status < 300) || request.accept?.includes(status);
  if (!ok) {
    const raw = (parsed as ServiceErrorBody | undefined)?.error;
    const err = {
      code: typeof raw?.code === 'string' ? fromService(raw.code) : undefined,
      field: typeof raw?.field === 'string' ? fromService(raw.field) : undefined,
      message: typeof raw?.message === 'string' ? fromService(raw.message) : undefined,
    };
    throw new ServiceError(
      `${request.service} refused the request`,
      `${request.method} ${request.url.pathname} → HTTP ${status}${err.code ? ` ${err.code}` : ''}${err.field ? ` (field ${err.field})` : ''}: ${err.message ?? 'no error message'}`,
      status,
      err.code,
      err.field,
    );
  }
  if (!request.schema || status < 200 || status >= 300 || parsed === undefined) return { status, body: parsed as T | undefined };
  const result = request.schema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ProviderError(
      `${request.service} answered with an unexpected shape`,
      `${request.method} ${request.url.pathname}: at ${fromService(issue.path.join('.')) || '(root)'}: ${issue.message}`,
    );
  }
  return { status, body: result.data };
}
