/**
 * Response limits and whole-answer timeouts of the service clients, against a real
 * loopback server; and the limit setting that can only raise them.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { fromService, requestJson, retryingFetch, type RetryPolicy } from '../../../../providers/qianfan/clients/http';
import { RESPONSE_LIMIT_ENV, RESPONSE_LIMITS, responseLimit } from '../../../../providers/qianfan/clients/limits';
import { tlsEnvironmentNotes } from '../../../../providers/qianfan/clients/transport';

let server: Server;
let base: string;
let answer: (res: ServerResponse) => void = (res) => res.end();
let requests = 0;
beforeAll(async () => {
  server = createServer((req, res) => {
    requests++;
    req.resume();
    answer(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => {
  server.closeAllConnections();
  server.close(() => resolve());
}));
beforeEach(() => {
  requests = 0;
  delete process.env[RESPONSE_LIMIT_ENV];
});

const policy: RetryPolicy = { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 10, deadlineMs: 10_000 };
const get = (path = '/thing') => requestJson({ service: 'Test API', method: 'GET', url: new URL(`${base}${path}`), timeoutMs: 1_000, retry: policy, schema: z.object({ pad: z.string() }) });
const jsonOf = (bytes: number, announce = true) => (res: ServerResponse) => {
  const body = JSON.stringify({ pad: 'x'.repeat(bytes - 10) });
  res.writeHead(200, { 'content-type': 'application/json', ...(announce ? { 'content-length': String(Buffer.byteLength(body)) } : {}) }).end(body);
};

describe('the limit setting', () => {
  test('defaults per endpoint; QIANFAN_MAX_RESPONSE_BYTES raises, never lowers', () => {
    expect(responseLimit(RESPONSE_LIMITS.object, {})).toBe(1024 * 1024);
    expect(responseLimit(RESPONSE_LIMITS.appList, { [RESPONSE_LIMIT_ENV]: String(4 * 1024 * 1024) })).toBe(16 * 1024 * 1024);
    expect(responseLimit(RESPONSE_LIMITS.object, { [RESPONSE_LIMIT_ENV]: String(4 * 1024 * 1024) })).toBe(4 * 1024 * 1024);
    expect(() => responseLimit(RESPONSE_LIMITS.object, { [RESPONSE_LIMIT_ENV]: '1000' })).toThrow(/can only raise the response limits, never lower or disable them/);
    expect(() => responseLimit(RESPONSE_LIMITS.object, { [RESPONSE_LIMIT_ENV]: '0' })).toThrow(/expected at least 1048576/);
    expect(() => responseLimit(RESPONSE_LIMITS.object, { [RESPONSE_LIMIT_ENV]: 'unlimited' })).toThrow(/expected a whole number of bytes, got "unlimited"/);
  });
});

describe('answers past the limit', () => {
  test('an announced 2 MiB answer is refused without reading it, and not retried', async () => {
    answer = jsonOf(2 * 1024 * 1024);
    await expect(get()).rejects.toThrow(/Test API answer too large[\s\S]*GET http:\/\/127\.0\.0\.1:\d+\/thing: the answer announces 2 MiB; the limit for this endpoint is 1 MiB/);
    expect(requests).toBe(1);
  });

  test('an unannounced one stops at the limit', async () => {
    answer = jsonOf(2 * 1024 * 1024, false);
    await expect(get()).rejects.toThrow(/the answer goes on past 1 MiB/);
  });

  test('with the limit raised, the same answer is read', async () => {
    process.env[RESPONSE_LIMIT_ENV] = String(4 * 1024 * 1024);
    answer = jsonOf(2 * 1024 * 1024, false);
    await expect(get()).resolves.toMatchObject({ status: 200 });
  });

  test('OIDC discovery through retryingFetch has the same limit', async () => {
    answer = jsonOf(2 * 1024 * 1024, false);
    const fetch = retryingFetch('OIDC discovery', policy, 1_000);
    await expect(fetch(`${base}/.well-known/openid-configuration`, { method: 'GET', headers: {} })).rejects.toThrow(/OIDC discovery answer too large/);
  });
});

describe('slow answers', () => {
  const trickle = (res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"pad":"');
    const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write('x')), 100);
    res.on('close', () => clearInterval(timer));
  };

  test('a body slower than request_timeout is a timeout, retried as the policy says, then reported as one', async () => {
    answer = trickle;
    const started = Date.now();
    await expect(get()).rejects.toThrow(/Test API request timed out[\s\S]*no complete answer within 1000 ms \(request_timeout\); gave up after 3 attempts \(max_retries = 2\)/);
    expect(requests).toBe(3);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  test('the same for discovery: a timeout, not a "parsing error"', async () => {
    answer = trickle;
    const fetch = retryingFetch('OIDC discovery', { ...policy, maxRetries: 0 }, 1_000);
    const started = Date.now();
    await expect(fetch(`${base}/.well-known/openid-configuration`, { method: 'GET', headers: {} })).rejects.toThrow(/OIDC discovery request timed out[\s\S]*no complete answer within 1000 ms \(request_timeout\)/);
    expect(Date.now() - started).toBeLessThan(2_500);
  });
});

test('text from a service is fit for a terminal: escapes shown, 300 characters at most', () => {
  expect(fromService('\u001b[2J\u001b[31mred\u0007')).toBe('\\u001b[2J\\u001b[31mred\\u0007');
  expect(fromService('x'.repeat(1000))).toHaveLength(300);
});

test('the TLS notes: NODE_TLS_REJECT_UNAUTHORIZED is reported as ignored, NODE_EXTRA_CA_CERTS as trusted', () => {
  expect(tlsEnvironmentNotes({ NODE_TLS_REJECT_UNAUTHORIZED: '0' }).warnings[0]).toMatch(/NODE_TLS_REJECT_UNAUTHORIZED="0" is ignored/);
  expect(tlsEnvironmentNotes({ NODE_TLS_REJECT_UNAUTHORIZED: '1' }).warnings).toEqual([]);
  expect(tlsEnvironmentNotes({ NODE_EXTRA_CA_CERTS: '/etc/ca.pem' }).info[0]).toMatch(/trusting the system CA certificates plus those in NODE_EXTRA_CA_CERTS=\/etc\/ca\.pem/);
});
