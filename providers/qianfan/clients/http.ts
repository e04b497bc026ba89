/**
 * JSON over HTTPS for the service clients: one keep-alive connection pool per
 * process (Terraform runs many RPCs per launch), a per-request timeout, response
 * validation with zod, and errors that say which service and what it answered —
 * never what we sent (request bodies carry secrets).
 */
import type { Dispatcher } from 'undici';
import type { z } from 'zod';
import { ProviderError } from '../../runtime/diagnostics';
import { log } from '../../runtime/log';
import { isLoopbackIp } from '../rules';

let agent: Promise<Dispatcher> | undefined;
const undici = () => require('undici') as typeof import('undici');

/** undici is loaded on first use: schema and validate calls never need it. */
function dispatcher(): Promise<Dispatcher> {
  agent ??= Promise.resolve(new (undici().Agent)({ keepAliveTimeout: 10_000, connections: 16, connect: { timeout: 10_000 } }));
  return agent;
}

export const isLoopbackHost = isLoopbackIp;

/**
 * Plain http is only allowed to loopback addresses (the emulator, local tests);
 * anything that leaves the machine must be https.
 */
export function checkServiceUrl(raw: string, field: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ProviderError('Invalid URL', `${field}: expected an absolute https URL, got ${JSON.stringify(raw)}`, [field]);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    throw new ProviderError(
      'Insecure service URL',
      `${field}: expected an https URL (plain http is only accepted for loopback addresses such as 127.0.0.1), got ${JSON.stringify(raw)}`,
      [field],
    );
  }
  return url;
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

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 5, baseDelayMs: 250, maxDelayMs: 30_000, deadlineMs: 10 * 60_000 };

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
  signal?: AbortSignal;
  /** Statuses that are answers, not failures (e.g. 404 on read). */
  accept?: number[];
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
            ? `gave up after ${attempt + 1} attempts (max_retries = ${policy.maxRetries})`
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
 * discovery): 429/503 always, 500/502/504 and lost connections only for GET/HEAD, each
 * attempt bounded by `timeoutMs`, all of them by the policy's deadline. When retries run
 * out, the last answer is handed back (the library reports it) or the last error thrown.
 */
export function retryingFetch(
  service: string,
  policy: RetryPolicy,
  timeoutMs: number,
): (url: string, init: { method: string; headers: Record<string, string>; body?: unknown; redirect?: 'manual'; signal?: AbortSignal }) => Promise<Response> {
  return async (url, init) => {
    const method = init.method.toUpperCase();
    const idempotent = method === 'GET' || method === 'HEAD';
    const path = new URL(url).pathname;
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      let reason: string;
      let uncertain = true;
      let retryAfterMs: number | undefined;
      let answer: Response | undefined;
      let failure: unknown;
      try {
        const signal = AbortSignal.any([AbortSignal.timeout(timeoutMs), ...(init.signal ? [init.signal] : [])]);
        const sent = Date.now();
        answer = await fetch(url, { ...(init as RequestInit), signal });
        log('debug', 'http', { service, method, path, status: answer.status, ms: Date.now() - sent });
        if (!(answer.status in RETRY_STATUS)) return answer;
        reason = `${method} ${path} → HTTP ${answer.status}`;
        uncertain = RETRY_STATUS[answer.status];
        retryAfterMs = parseRetryAfter(answer.headers.get('retry-after') ?? undefined);
      } catch (error) {
        if (init.signal?.aborted) throw error;
        failure = error;
        const cause = (error as { cause?: { code?: string } }).cause;
        reason = `${method} ${path}: ${(error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms (request_timeout)` : (cause?.code ?? (error as Error).message)}`;
      }
      const wait = Math.min(policy.maxDelayMs, Math.max(retryAfterMs ?? 0, backoffMs(attempt, policy)));
      if ((uncertain && !idempotent) || attempt >= policy.maxRetries || Date.now() - started + wait > policy.deadlineMs) {
        if (answer) return answer;
        throw failure;
      }
      await answer?.body?.cancel();
      log('warn', 'retrying', { service, method, path, attempt: attempt + 1, waitMs: wait, reason });
      await sleep(wait, init.signal);
    }
  };
}

async function attemptJson<T>(request: JsonRequest<T>): Promise<JsonResponse<T>> {
  const { request: send } = undici();
  const started = Date.now();
  const signals = [AbortSignal.timeout(request.timeoutMs), ...(request.signal ? [request.signal] : [])];
  const extraHeaders = typeof request.headers === 'function' ? await request.headers() : request.headers;
  let response: Dispatcher.ResponseData;
  try {
    response = await send(request.url, {
      method: request.method,
      dispatcher: await dispatcher(),
      headers: {
        accept: 'application/json',
        ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...extraHeaders,
      },
      body: request.rawBody !== undefined ? request.rawBody || undefined : request.body !== undefined ? JSON.stringify(request.body) : undefined,
      signal: AbortSignal.any(signals),
    });
  } catch (error) {
    if (request.signal?.aborted) throw new ProviderError('Stopped', 'Terraform asked the provider to stop');
    const e = error as Error & { code?: string; cause?: { code?: string } };
    const code = e.code ?? e.cause?.code ?? '';
    const timedOut = Date.now() - started >= request.timeoutMs - 5;
    const where = `${request.method} ${request.url.origin}${request.url.pathname}`;
    // Refused: nothing reached the service, so any request may be retried.
    const neverSent = code === 'ECONNREFUSED' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ENOTFOUND';
    throw new RetryableError(
      `${request.service} request failed`,
      timedOut ? `${where}: no answer within ${request.timeoutMs} ms (request_timeout)` : `${where}: ${code || e.message}`,
      !neverSent,
    );
  }
  let text: string;
  try {
    text = await response.body.text();
  } catch (error) {
    throw new RetryableError(`${request.service} request failed`, `${request.method} ${request.url.pathname}: connection lost while reading the answer (${(error as Error).message})`, true);
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
        `${request.method} ${request.url.pathname} → HTTP ${status}, ${text.length} bytes starting ${JSON.stringify(text.slice(0, 60))}`,
      );
    }
  }
  if (status in RETRY_STATUS) {
    const err = (parsed as ServiceErrorBody | undefined)?.error;
    throw new RetryableError(
      status === 429 ? `${request.service} is rate limiting` : status === 500 ? `${request.service} failed with a server error` : `${request.service} is unavailable`,
      `${request.method} ${request.url.pathname} → HTTP ${status}${err?.message ? `: ${err.message}` : ''}`,
      RETRY_STATUS[status],
      parseRetryAfter(response.headers['retry-after']),
    );
  }
  const ok = (status >= 200 && status < 300) || request.accept?.includes(status);
  if (!ok) {
    const err = (parsed as ServiceErrorBody | undefined)?.error;
    throw new ServiceError(
      `${request.service} refused the request`,
      `${request.method} ${request.url.pathname} → HTTP ${status}${err?.code ? ` ${err.code}` : ''}${err?.field ? ` (field ${err.field})` : ''}: ${err?.message ?? 'no error message'}`,
      status,
      err?.code,
      err?.field,
    );
  }
  if (!request.schema || status < 200 || status >= 300 || parsed === undefined) return { status, body: parsed as T | undefined };
  const result = request.schema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ProviderError(
      `${request.service} answered with an unexpected shape`,
      `${request.method} ${request.url.pathname}: at ${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
  }
  return { status, body: result.data };
}
