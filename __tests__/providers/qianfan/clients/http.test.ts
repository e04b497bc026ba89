/**
 * The retry rules of the service clients, against a real HTTP server on loopback
 * that misbehaves on purpose, one scripted answer per request.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { backoffMs, checkServiceUrl, parseRetryAfter, requestJson, retryingFetch, type RetryPolicy } from '../../../../providers/qianfan/clients/http';

type Script = (req: IncomingMessage, res: ServerResponse) => void;
let server: Server;
let base: string;
let script: Script[] = [];
let seen: { method: string; key?: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', key: req.headers['idempotency-key'] as string | undefined });
    req.resume();
    req.on('end', () => (script.shift() ?? ((_q, r) => r.writeHead(500).end()))(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  script = [];
  seen = [];
});

const fast: RetryPolicy = { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 50, deadlineMs: 5_000 };
const json = (status: number, body: unknown, headers: Record<string, string> = {}): Script => (_req, res) =>
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
const drop: Script = (req) => req.socket.destroy();
const call = (method: 'GET' | 'POST' | 'PUT', extra: Partial<Parameters<typeof requestJson>[0]> = {}) =>
  requestJson({ service: 'Test API', method, url: new URL(`${base}/thing`), timeoutMs: 2_000, retry: fast, schema: z.object({ ok: z.boolean() }), ...extra });

test('429 with Retry-After is waited out and retried', async () => {
  script = [json(429, { error: { message: 'slow down' } }, { 'retry-after': '1' }), json(200, { ok: true })];
  const started = Date.now();
  const r = await call('POST', { retry: { ...fast, maxDelayMs: 2_000 } });
  expect(r.body).toEqual({ ok: true });
  expect(seen).toHaveLength(2);
  expect(Date.now() - started).toBeGreaterThanOrEqual(950);
});

test('503 and 502 and 504 are retried for idempotent requests', async () => {
  script = [json(503, {}), (_q, r) => r.writeHead(502, { 'content-type': 'text/html' }).end('<h1>bad gateway</h1>'), json(504, {}), json(200, { ok: true })];
  await expect(call('GET')).resolves.toMatchObject({ status: 200 });
  expect(seen).toHaveLength(4);
});

test('a 500 is retried for idempotent requests only: the request may have been processed', async () => {
  script = [json(500, { error: { code: 'internal', message: 'worker crashed' } }), json(200, { ok: true })];
  await expect(call('GET')).resolves.toMatchObject({ status: 200 });
  expect(seen).toHaveLength(2);
  script = [json(500, { error: { code: 'internal', message: 'worker crashed' } }), json(200, { ok: true })];
  seen = [];
  await expect(call('POST')).rejects.toThrow(/server error[\s\S]*HTTP 500: worker crashed; not retried: the request may have been processed and is not idempotent/);
  expect(seen).toHaveLength(1);
});

test('a dropped connection is retried for GET but not for a plain POST', async () => {
  script = [drop, json(200, { ok: true })];
  await expect(call('GET')).resolves.toMatchObject({ status: 200 });
  script = [drop, json(200, { ok: true })];
  seen = [];
  await expect(call('POST')).rejects.toThrow(/may have been processed and is not idempotent/);
  expect(seen).toHaveLength(1);
});

test('a POST with an idempotency key is retried with the same key', async () => {
  script = [drop, json(201, { ok: true })];
  await expect(call('POST', { idempotent: true, headers: { 'idempotency-key': 'k-1' } })).resolves.toMatchObject({ status: 201 });
  expect(seen.map((s) => s.key)).toEqual(['k-1', 'k-1']);
});

test('retries stop at max_retries and the error says so', async () => {
  script = Array.from({ length: 10 }, () => json(503, { error: { message: 'maintenance' } }));
  await expect(call('GET')).rejects.toThrow(/unavailable[\s\S]*maintenance[\s\S]*gave up after 4 attempts \(max_retries = 3\)/);
  expect(seen).toHaveLength(4);
});

test('the operation deadline bounds all attempts together', async () => {
  script = Array.from({ length: 10 }, () => json(429, {}, { 'retry-after': '1' }));
  await expect(call('GET', { retry: { ...fast, maxRetries: 10, maxDelayMs: 5_000, deadlineMs: 1_500 } })).rejects.toThrow(/operation_timeout/);
  expect(seen.length).toBeLessThanOrEqual(3);
});

test('a 4xx is not retried and carries the service error code and field', async () => {
  script = [json(400, { error: { code: 'invalid_argument', field: 'name', message: 'name is empty' } })];
  await expect(call('POST')).rejects.toThrow(/HTTP 400 invalid_argument \(field name\): name is empty/);
  expect(seen).toHaveLength(1);
});

test('an answer of the wrong shape is a clear error naming the path', async () => {
  script = [json(200, { ok: 'yes' })];
  await expect(call('GET')).rejects.toThrow(/unexpected shape[\s\S]*at ok:/);
});

test('a non-JSON success is a clear error', async () => {
  script = [(_q, r) => r.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>')];
  await expect(call('GET')).rejects.toThrow(/not JSON[\s\S]*HTTP 200/);
});

test('a request that gets no answer times out with the setting named', async () => {
  script = [() => undefined, () => undefined];
  await expect(call('GET', { timeoutMs: 200, retry: { ...fast, maxRetries: 1 } })).rejects.toThrow(/no answer within 200 ms \(request_timeout\)/);
});

test('Retry-After as seconds and as an HTTP date', () => {
  expect(parseRetryAfter('7')).toBe(7000);
  expect(parseRetryAfter(new Date(1_000_000 + 3000).toUTCString(), 1_000_000)).toBe(3000);
  expect(parseRetryAfter('soon')).toBeUndefined();
  expect(parseRetryAfter(undefined)).toBeUndefined();
});

test('backoff doubles per attempt up to the cap, with full jitter', () => {
  const policy = { maxRetries: 9, baseDelayMs: 100, maxDelayMs: 1000, deadlineMs: 1e9 };
  expect([0, 1, 2, 3, 4].map((a) => backoffMs(a, policy, () => 1))).toEqual([100, 200, 400, 800, 1000]);
  expect(backoffMs(3, policy, () => 0)).toBe(0);
});

test('plain http is refused for hosts that are not loopback', () => {
  expect(() => checkServiceUrl('http://api.example.com', 'apaas_url')).toThrow(/apaas_url: expected https \(http is only allowed for loopback/);
  expect(() => checkServiceUrl('not a url', 'apaas_url')).toThrow(/apaas_url: expected an absolute URL such as https:\/\/\{domain\}-admin\.cig\.tencentcs\.com; got "not a url"/);
  expect(checkServiceUrl('http://127.0.0.1:8080', 'x').port).toBe('8080');
  expect(checkServiceUrl('http://[::1]:8080', 'x').hostname).toBe('[::1]');
  expect(checkServiceUrl('https://api.example.com', 'x').protocol).toBe('https:');
});

test('retryingFetch (OIDC discovery): 429, 5xx and a dropped connection are retried for GET; the last answer is handed back', async () => {
  const fetchRetrying = retryingFetch('Test API', fast, 2_000);
  const init = { method: 'GET', headers: {}, redirect: 'manual' as const };
  script = [json(429, {}, { 'retry-after': '0' }), json(500, {}), drop, json(503, {}), json(200, { ok: true })];
  const ok = await retryingFetch('Test API', { ...fast, maxRetries: 4 }, 2_000)(`${base}/thing`, init);
  expect(ok.status).toBe(200);
  expect(await ok.json()).toEqual({ ok: true });
  expect(seen).toHaveLength(5);
  seen = [];
  script = Array.from({ length: 5 }, () => json(502, {}));
  expect((await fetchRetrying(`${base}/thing`, init)).status).toBe(502);
  expect(seen).toHaveLength(4); // max_retries = 3
  seen = [];
  script = [json(502, {}), json(200, { ok: true })];
  expect((await fetchRetrying(`${base}/thing`, { ...init, method: 'POST', body: '{}' })).status).toBe(502);
  expect(seen).toHaveLength(1);
});
