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

let agent: Promise<Dispatcher> | undefined;

/** undici is loaded on first use: schema and validate calls never need it. */
function dispatcher(): Promise<Dispatcher> {
  agent ??= import('undici').then(
    ({ Agent }) => new Agent({ keepAliveTimeout: 10_000, connections: 16, connect: { timeout: 10_000 } }),
  );
  return agent;
}

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  return host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

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

export interface JsonRequest<T> {
  service: string;
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: URL;
  headers?: Record<string, string>;
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

export async function requestJson<T>(request: JsonRequest<T>): Promise<JsonResponse<T>> {
  const { request: send } = await import('undici');
  const started = Date.now();
  const signals = [AbortSignal.timeout(request.timeoutMs), ...(request.signal ? [request.signal] : [])];
  let response: Dispatcher.ResponseData;
  try {
    response = await send(request.url, {
      method: request.method,
      dispatcher: await dispatcher(),
      headers: {
        accept: 'application/json',
        ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...request.headers,
      },
      body: request.rawBody !== undefined ? request.rawBody || undefined : request.body !== undefined ? JSON.stringify(request.body) : undefined,
      signal: AbortSignal.any(signals),
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const timedOut = Date.now() - started >= request.timeoutMs - 5;
    throw new ProviderError(
      `${request.service} request failed`,
      timedOut
        ? `${request.method} ${request.url.origin}${request.url.pathname}: no answer within ${request.timeoutMs} ms (request_timeout)`
        : `${request.method} ${request.url.origin}${request.url.pathname}: ${reason}`,
    );
  }
  const text = await response.body.text();
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
      throw new ProviderError(
        `${request.service} answered with something that is not JSON`,
        `${request.method} ${request.url.pathname} → HTTP ${status}, ${text.length} bytes starting ${JSON.stringify(text.slice(0, 60))}`,
      );
    }
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
