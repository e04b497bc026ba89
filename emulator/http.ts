// Small HTTP helpers shared by the emulated services. Plain node:http on purpose: the
// emulator must behave like a remote service (real sockets, real status codes) without
// pulling a web framework into the project.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isLoopbackIp } from '../providers/qianfan/rules';
import { emulatorFaults, FaultSpecError, parseFaultSpec, type FaultInjector } from './faults';

export interface ApiErrorBody {
  error: { code: string; message: string; field?: string };
}

/** An error that maps to one `{"error":{code,message,field?}}` response. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toBody(): ApiErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.field !== undefined ? { field: this.field } : {}) } };
  }
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

export function sendNoContent(res: http.ServerResponse): void {
  res.writeHead(204, { 'cache-control': 'no-store' });
  res.end();
}

export function sendApiError(res: http.ServerResponse, err: ApiError): void {
  sendJson(res, err.status, err.toBody(), err.headers);
}

/** Escapes text for HTML element content and attribute values. */
export const htmlEscape = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function sendHtml(res: http.ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    'cache-control': 'no-store',
  });
  res.end(html);
}

export async function readBody(req: http.IncomingMessage, limitBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limitBytes) {
      // The rest of the body is not read: the connection cannot carry another request.
      throw new ApiError(413, 'payload_too_large', `request body: got more than ${limitBytes} bytes; expected at most ${limitBytes}`, undefined, { connection: 'close' });
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/**
 * Reads an optional JSON object body. An empty body yields undefined so endpoints
 * without input (e.g. rotate) accept both "no body" and "{}".
 */
export async function readJsonObject(req: http.IncomingMessage, limitBytes = 1 << 20): Promise<Record<string, unknown> | undefined> {
  return parseJsonObject(await readBody(req, limitBytes), req.headers['content-type']);
}

/**
 * The parsing half of readJsonObject, for services that must see the raw bytes first
 * (e.g. to check a signature over the body).
 */
export function parseJsonObject(raw: Buffer, contentType: string | undefined): Record<string, unknown> | undefined {
  if (raw.length === 0) return undefined;
  if (contentType !== undefined && !/^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i.test(contentType)) {
    throw new ApiError(415, 'unsupported_media_type', `content-type: got ${JSON.stringify(contentType)}; expected application/json`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new ApiError(400, 'invalid_json', `request body: not valid JSON (${(err as Error).message.toLowerCase()}); expected a JSON object`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ApiError(400, 'invalid_json', `request body: got ${describeJsonType(parsed)}; expected a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

export function describeJsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;

/** Where every listener answers the fault-injection control endpoint (docs/api/emulator-faults.md). */
export const FAULTS_PATH = '/__control/faults';

/**
 * Wraps a handler with the one-line request log (method, path without query, status,
 * duration, injected fault). Never headers or bodies: they carry bearer tokens and
 * client secrets. Also where faults are injected, for every listener alike, and where
 * `/__control/faults` is served.
 */
export function withRequestLog(
  component: string,
  handler: Handler,
  log: (line: string) => void = defaultLog,
  faults: FaultInjector = emulatorFaults,
): http.RequestListener {
  return (req, res) => {
    const started = process.hrtime.bigint();
    const pathOnly = (req.url ?? '/').split('?')[0];
    const method = req.method ?? '-';
    let note = '';
    res.on('close', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const status = res.headersSent ? res.statusCode : 0;
      const gone = !res.writableFinished && note === '' ? ' client closed the connection' : '';
      log(`${component} ${method} ${pathOnly} ${status} ${ms.toFixed(1)}ms${note}${gone}`);
    });
    const decision = pathOnly === FAULTS_PATH ? undefined : faults.decide(component, method, pathOnly);
    Promise.resolve()
      .then(async () => {
        if (pathOnly === FAULTS_PATH) return faultsControl(req, res, faults);
        if (decision === undefined || (decision.action === 'pass' && decision.latencyMs === 0 && !decision.responseDelayMs)) return handler(req, res);
        if (decision.latencyMs > 0) {
          note = ` +${decision.latencyMs}ms`;
          await new Promise((resolve) => setTimeout(resolve, decision.latencyMs));
        }
        switch (decision.action) {
          case 'drop_before':
            note += ' fault=drop_before';
            req.socket.destroy();
            return;
          case 'rate_limited':
            note += ' fault=rate_limited';
            sendApiError(
              res,
              new ApiError(429, 'rate_limited', `too many requests; retry after ${decision.retryAfterS} s (injected fault)`, undefined, { 'retry-after': String(decision.retryAfterS) }),
            );
            return;
          case 'error':
            note += ` fault=error_${decision.status}`;
            sendApiError(res, new ApiError(decision.status!, decision.status === 503 ? 'unavailable' : 'internal', `service error ${decision.status} (injected fault)`));
            return;
          case 'drop_after':
            // The handler runs to the end (its writes commit); whatever it answers is
            // thrown away and the connection closed, as if the network lost the reply.
            note += ' fault=drop_after';
            dropResponse(req, res);
            return handler(req, res);
          default:
            if (decision.responseDelayMs) {
              note += ` fault=response_delayed+${decision.responseDelayMs}ms`;
              holdResponse(res, decision.responseDelayMs);
            }
            return handler(req, res);
        }
      })
      .catch((err: unknown) => {
        if (err instanceof ApiError) {
          if (!res.headersSent) sendApiError(res, err);
          else res.destroy();
          return;
        }
        if (clientAborted(req, err)) {
          // The request line above says so ("client closed the connection"); no stack trace.
          res.destroy();
          return;
        }
        log(`${component} internal error on ${method} ${pathOnly}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        if (!res.headersSent) sendApiError(res, new ApiError(500, 'internal', 'internal emulator error; see the emulator log'));
        else res.destroy();
      });
  };
}

/** Makes the first byte of the response close the connection instead. */
function dropResponse(req: http.IncomingMessage, res: http.ServerResponse): void {
  const drop = () => {
    req.socket.destroy();
    return false;
  };
  res.write = drop as unknown as typeof res.write;
  res.end = ((..._args: unknown[]) => {
    drop();
    return res;
  }) as unknown as typeof res.end;
  res.flushHeaders = () => undefined;
}

/** Holds what the handler writes for `ms` from its first write, then sends it all in order. */
function holdResponse(res: http.ServerResponse, ms: number): void {
  const { write, end } = res;
  const queued: Array<() => void> = [];
  let timer: NodeJS.Timeout | undefined;
  const release = () => {
    res.write = write;
    res.end = end;
    for (const send of queued.splice(0)) send();
  };
  const hold = (send: () => void) => {
    queued.push(send);
    timer ??= setTimeout(release, ms);
  };
  res.write = ((...args: unknown[]) => {
    hold(() => (write as (...a: unknown[]) => boolean).apply(res, args));
    return true;
  }) as unknown as typeof res.write;
  res.end = ((...args: unknown[]) => {
    hold(() => (end as (...a: unknown[]) => unknown).apply(res, args));
    return res;
  }) as unknown as typeof res.end;
}

/** GET / PUT / DELETE /__control/faults on any listener; loopback callers only. */
async function faultsControl(req: http.IncomingMessage, res: http.ServerResponse, faults: FaultInjector): Promise<void> {
  assertLoopbackCaller(req);
  switch (req.method) {
    case 'GET':
      return sendJson(res, 200, faults.snapshot());
    case 'PUT': {
      const body = await readJsonObject(req, 64 * 1024);
      let spec;
      try {
        spec = parseFaultSpec(body ?? {});
      } catch (err) {
        if (err instanceof FaultSpecError) throw new ApiError(400, 'invalid_argument', err.message, err.field);
        throw err;
      }
      faults.set(spec);
      return sendJson(res, 200, faults.snapshot());
    }
    case 'DELETE':
      faults.clear();
      return sendJson(res, 200, faults.snapshot());
    default:
      throw methodNotAllowed(req.method, FAULTS_PATH, 'GET, PUT, DELETE');
  }
}

function defaultLog(line: string): void {
  process.stderr.write(`${line}\n`);
}

export interface Listening {
  server: http.Server;
  port: number;
  close(): Promise<void>;
}

export function listen(listener: http.RequestListener, host: string, port: number): Promise<Listening> {
  const server = http.createServer(listener);
  // Tests and the provider open many short connections; keep-alive sockets must not
  // hold close() open.
  server.keepAliveTimeout = 5000;
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (err.code === 'EADDRINUSE') {
        reject(new Error(`listen on ${host}:${port}: address already in use; pick another port or pass 0 for a free one`));
      } else {
        reject(err);
      }
    };
    const onListening = () => {
      server.off('error', onError);
      const addr = server.address() as AddressInfo;
      resolve({
        server,
        port: addr.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/** Base URL for a bound socket, bracketing IPv6 literals. */
export function baseUrl(host: string, port: number): string {
  const h = host.includes(':') ? `[${host}]` : host;
  return `http://${h}:${port}`;
}

/**
 * listen() on the port recorded in the data dir, so URLs stay stable across restarts:
 * `requested` (a flag) wins; 0 means any free port; without a record a free one is taken.
 */
export async function listenRecorded(
  what: string,
  listener: http.RequestListener,
  host: string,
  requested: number | undefined,
  recorded: string | undefined,
  flag: string,
): Promise<Listening> {
  if (requested !== undefined || recorded === undefined) return listen(listener, host, requested ?? 0);
  try {
    return await listen(listener, host, Number(recorded));
  } catch (err) {
    throw new Error(
      `${what} port ${recorded} recorded in the data dir is not available (${(err as Error).message}); stop the other process or pass ${flag} 0 to pick a new port`,
    );
  }
}

/** True for addresses that can only mean this machine (127.0.0.0/8, ::1): the shared rule. */
export const isLoopbackHost = isLoopbackIp;

export function methodNotAllowed(method: string | undefined, path: string, allowed: string): ApiError {
  return new ApiError(405, 'method_not_allowed', `method ${method ?? '-'} on ${path}: not supported; expected one of ${allowed}`, undefined, {
    allow: allowed,
  });
}

/** Parses an optional 1-based integer query parameter; 400 invalid_argument naming it otherwise. */
export function parseIntParam(field: string, raw: string | null, dflt: number, min: number, max: number): number {
  if (raw === null || raw === '') return dflt;
  if (!/^[0-9]+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ApiError(400, 'invalid_argument', `${field}: got ${JSON.stringify(raw)}; expected an integer from ${min} to ${max}`, field);
  }
  return Number(raw);
}

export const nowIso = (): string => new Date().toISOString();

let control: { on: boolean; host: string } = { on: true, host: '127.0.0.1' };

/** main.ts turns the control endpoints off when the emulator listens on a non-loopback address. */
export function setControlEndpoints(on: boolean, host: string): void {
  control = { on, host };
}

/**
 * The gate of every `/__control/` endpoint (unauthenticated test hooks): on only when
 * the emulator listens on loopback, for callers on this machine, and for requests
 * addressed to a loopback host — a web page whose name was rebound to 127.0.0.1
 * (DNS rebinding) sends its own name as Host and is refused.
 */
export function assertLoopbackCaller(req: http.IncomingMessage): void {
  if (!control.on) {
    throw new ApiError(404, 'not_found', `emulator control endpoints are off: the emulator listens on ${control.host}, not a loopback address`);
  }
  const remote = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  if (!isLoopbackHost(remote)) {
    throw new ApiError(403, 'forbidden', 'emulator control endpoints answer loopback callers only');
  }
  const host = (req.headers.host ?? '').replace(/:\d+$/, '');
  if (host !== 'localhost' && !isLoopbackHost(host)) {
    throw new ApiError(403, 'forbidden', `emulator control endpoints answer requests addressed to a loopback host only; got Host ${JSON.stringify(host.slice(0, 80))}`);
  }
}

/** A client that went away mid-request: its business, not an emulator failure. */
function clientAborted(req: http.IncomingMessage, err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return req.destroyed && (e.code === 'ECONNRESET' || e.code === 'ERR_STREAM_PREMATURE_CLOSE' || e.message === 'aborted');
}
