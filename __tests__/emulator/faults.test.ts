// Fault injection (docs/api/emulator-faults.md): the seeded injector in-process, then
// black-box on a real emulator process — CLI flags, the control endpoint on every
// listener, each fault kind on the wire, and what never gets faulted or logged.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FaultInjector, parseFaultSpec, seededRandom, specFromFlags, type FaultSpec } from '../../emulator/faults';
import { readServiceAccount, signServiceAccountJwt } from '../helpers/yufu-jwt';
import { startEmulator, type RunningEmulator } from '../../scripts/lib/emulator';
import { ROOT as PROJECT_ROOT } from '../../scripts/lib/paths';

jest.setTimeout(60_000);

const spec = (services: Record<string, unknown>, seed: string | number = 's1'): FaultSpec => parseFaultSpec({ seed, services });

describe('the injector (in-process)', () => {
  test('the PRNG is a pure function of its seed', () => {
    const a = seededRandom('x');
    const b = seededRandom('x');
    const c = seededRandom('y');
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(xs);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });

  test('the same seed and request sequence give the same faults; rates are honoured', () => {
    const mix = { rate_limited: 0.1, errors: 0.2, drop_before: 0.1, drop_after: 0.1, latency_ms: 5, jitter_ms: 10 };
    const run = (seed: string) => {
      const f = new FaultInjector();
      f.set(spec({ apaas: mix }, seed));
      return Array.from({ length: 4000 }, (_, i) => f.decide('apaas', i % 2 ? 'GET' : 'PUT', '/api/v1/x'));
    };
    const one = run('repeat');
    expect(run('repeat')).toEqual(one);
    expect(run('other')).not.toEqual(one);
    const share = (pred: (d: (typeof one)[number]) => boolean) => one.filter(pred).length / one.length;
    expect(share((d) => d.action === 'rate_limited')).toBeCloseTo(0.1, 1);
    expect(share((d) => d.action === 'error')).toBeCloseTo(0.2, 1);
    expect(share((d) => d.action === 'drop_before')).toBeCloseTo(0.1, 1);
    expect(share((d) => d.action === 'drop_after')).toBeCloseTo(0.1, 1);
    expect(new Set(one.filter((d) => d.action === 'error').map((d) => d.status))).toEqual(new Set([500, 502, 503, 504]));
    expect(one.every((d) => d.latencyMs >= 5 && d.latencyMs <= 15)).toBe(true);
    expect(one.filter((d) => d.action === 'rate_limited').every((d) => d.status === 429 && d.retryAfterS === 1)).toBe(true);
  });

  test('only matching methods and paths; rules in order; "*" for the others; /healthz and /__control never', () => {
    const f = new FaultInjector();
    f.set(spec({ 'yufu-admin': [{ methods: 'writes', paths: ['/api/'], errors: 1, error_statuses: [503] }, { methods: ['GET'], rate_limited: 1 }], '*': { drop_before: 1 } }));
    expect(f.decide('yufu-admin', 'POST', '/api/v1/oidc-apps')).toMatchObject({ action: 'error', status: 503 });
    expect(f.decide('yufu-admin', 'POST', '/other')).toMatchObject({ action: 'pass' });
    expect(f.decide('yufu-admin', 'GET', '/api/v1/oidc-apps')).toMatchObject({ action: 'rate_limited', status: 429 });
    expect(f.decide('ehr', 'GET', '/c/x/api/data/v1/corp')).toMatchObject({ action: 'drop_before' });
    for (const p of ['/healthz', '/__control/faults', '/__control/corps']) expect(f.decide('ehr', 'GET', p)).toMatchObject({ action: 'pass', latencyMs: 0 });
    expect(f.snapshot().counters.services).toEqual({
      'yufu-admin': { requests: 3, matched: 2, error_503: 1, rate_limited: 1 },
      ehr: { requests: 1, matched: 1, drop_before: 1 },
    });
    f.clear();
    expect(f.decide('ehr', 'GET', '/c/x')).toMatchObject({ action: 'pass' });
    expect(f.snapshot()).toMatchObject({ active: false, spec: null, counters: { total: { requests: 4, matched: 3 } } });
  });

  test('a token bucket: requests_per_second with a burst, 429 with the honest Retry-After', () => {
    let now = 1_000_000;
    const f = new FaultInjector(() => now);
    f.set(spec({ apaas: { requests_per_second: 0.5, burst: 2 } }));
    expect(f.decide('apaas', 'GET', '/a').action).toBe('pass');
    expect(f.decide('apaas', 'GET', '/a').action).toBe('pass');
    expect(f.decide('apaas', 'GET', '/a')).toMatchObject({ action: 'rate_limited', retryAfterS: 2 });
    now += 2000;
    expect(f.decide('apaas', 'GET', '/a').action).toBe('pass');
  });

  test('a bad spec is refused naming the field', () => {
    const bad: Array<[unknown, RegExp]> = [
      [{ services: { nope: {} } }, /^services\.nope: unknown service "nope"; expected one of yufu-admin, yufu-idp, apaas, ehr or "\*"/],
      [{ services: { apaas: { errors: 1.5 } } }, /^services\.apaas\.errors: expected the fraction of requests answered 5xx from 0 to 1/],
      [{ services: { apaas: { errors: 0.6, drop_after: 0.6 } } }, /^services\.apaas: expected rate_limited \+ errors \+ drop_before \+ drop_after to be at most 1/],
      [{ services: { apaas: { error_statuses: [404] } } }, /^services\.apaas\.error_statuses\.0: expected a 5xx status/],
      [{ services: { apaas: { methods: 'sometimes' } } }, /^services\.apaas\.methods: expected "writes", "reads", "all" or a list/],
      [{ services: { apaas: { paths: ['api'] } } }, /^services\.apaas\.paths\.0: expected a path prefix starting with "\/"/],
      [{ services: { apaas: { burst: 3 } } }, /^services\.apaas\.burst: expected requests_per_second as well/],
      [{ services: { apaas: { drop: 1 } } }, /^services\.apaas: .*drop/],
      [{ services: {}, colour: 'red' }, /colour/],
    ];
    for (const [input, message] of bad) expect(() => parseFaultSpec(input)).toThrow(message);
    expect(parseFaultSpec({ services: {} }).seed).toMatch(/^[0-9a-f]{8}$/);
  });

  test('CLI shorthands build the same spec; none given means no faults', () => {
    expect(specFromFlags({}, () => '')).toBeNull();
    const s = specFromFlags(
      { 'fault-seed': '9', 'fault-services': 'apaas,ehr', 'fault-methods': 'writes', 'fault-latency': '50+100', 'fault-429': '0.1', 'fault-5xx': '0.2', 'fault-5xx-statuses': '502,504', 'fault-drop-before': '0.05', 'fault-drop-after': '0.05', 'fault-rps': '20/40' },
      () => '',
    )!;
    const rule = { methods: 'writes', latency_ms: 50, jitter_ms: 100, rate_limited: 0.1, errors: 0.2, error_statuses: [502, 504], drop_before: 0.05, drop_after: 0.05, requests_per_second: 20, burst: 40 };
    expect(s).toEqual({ seed: '9', services: { apaas: [rule], ehr: [rule] } });
    expect(specFromFlags({ faults: '@spec.json', 'fault-latency': '7' }, (f) => (f === 'spec.json' ? '{"seed":"f","services":{"apaas":[{"errors":0.5},{"drop_before":0.1}]}}' : ''))).toEqual({
      seed: 'f',
      services: {
        apaas: [{ errors: 0.5, latency_ms: 7 }, { drop_before: 0.1, latency_ms: 7 }],
        'yufu-admin': [{ latency_ms: 7 }],
        'yufu-idp': [{ latency_ms: 7 }],
        ehr: [{ latency_ms: 7 }],
      },
    });
    expect(() => specFromFlags({ 'fault-429': 'lots' }, () => '')).toThrow(/--fault-429: got "lots"; expected a fraction from 0 to 1/);
    expect(() => specFromFlags({ 'fault-services': 'yufu' }, () => '')).toThrow(/--fault-services: got "yufu"/);
    expect(() => specFromFlags({ 'fault-latency': '5ms' }, () => '')).toThrow(/--fault-latency: got "5ms"; expected MS or MS\+JITTER/);
    expect(() => specFromFlags({ faults: '{nope' }, () => '')).toThrow(/--faults: not valid JSON/);
    expect(() => specFromFlags({ 'fault-429': '0.7', 'fault-5xx': '0.7' }, () => '')).toThrow(/^fault flags: services\.yufu-admin: expected rate_limited \+ errors/);
  });
});

describe('on the wire (emulator process)', () => {
  let dataDir: string;
  let emu: RunningEmulator;
  let token: string;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'faults-emu-'));
    // Switched on by flags for this run: every yufu-admin GET answers 429 with Retry-After 2.
    emu = await startEmulator(dataDir, { args: ['--fault-seed', 'wire', '--fault-services', 'yufu-admin', '--fault-methods', 'GET', '--fault-429', '1', '--fault-retry-after', '2'] });
    token = signServiceAccountJwt(readServiceAccount(emu.info.service_account_file), { audience: emu.info.admin_url, exp: Math.floor(Date.now() / 1000) + 600 });
  });

  afterAll(async () => {
    await emu?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const control = async (base: string, method: string, body?: unknown) => {
    const res = await fetch(`${base}/__control/faults`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
    return { status: res.status, body: (await res.json()) as { active: boolean; spec: FaultSpec | null; counters: { total: Record<string, number>; services: Record<string, Record<string, number>> }; error?: { field?: string; message: string } } };
  };
  const admin = (method: string, p: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${emu.info.admin_url}${p}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body ? JSON.stringify(body) : undefined,
    });
  const appsNamed = async (name: string) => {
    await control(emu.info.admin_url, 'DELETE');
    const res = await admin('GET', `/api/v1/oidc-apps?name=${encodeURIComponent(name)}`);
    return ((await res.json()) as { items: { id: string }[] }).items;
  };
  const appBody = (name: string) => ({ name, redirect_uris: ['https://apaas.weworkpro.tencent-cloud.com/t/'] });

  test('flags at start: 429 with Retry-After on the chosen service only; /healthz and control never faulted; the banner says so', async () => {
    const r = await admin('GET', '/api/v1/oidc-apps');
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('2');
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    expect((await fetch(`${emu.info.admin_url}/healthz`)).status).toBe(200);
    expect((await fetch(`${emu.info.apaas_url}/healthz`)).status).toBe(200);
    const snap = await control(emu.info.admin_url, 'GET');
    expect(snap.body.spec).toEqual({ seed: 'wire', services: { 'yufu-admin': [{ methods: ['GET'], rate_limited: 1, retry_after_s: 2 }] } });
    expect(snap.body.counters.services['yufu-admin']).toMatchObject({ requests: 1, matched: 1, rate_limited: 1 });
    expect(emu.stdout()).toMatch(/faults on \(seed wire\) — yufu-admin: 429 1, methods GET/);
  });

  test('every listener answers /__control/faults, with one shared state; loopback JSON only; bad specs name the field', async () => {
    const spec = { seed: 7, services: { ehr: { latency_ms: 1 } } };
    expect((await control(emu.info.idp_url, 'PUT', spec)).status).toBe(200);
    for (const base of [emu.info.admin_url, emu.info.idp_url, emu.info.ehr_url, emu.info.apaas_url]) {
      const snap = await control(base, 'GET');
      expect(snap.body).toMatchObject({ active: true, spec: { seed: '7', services: { ehr: [{ latency_ms: 1 }] } } });
    }
    const bad = await control(emu.info.ehr_url, 'PUT', { services: { apaas: { drop_after: 2 } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ field: 'services.apaas.drop_after' });
    expect((await fetch(`${emu.info.apaas_url}/__control/faults`, { method: 'POST' })).status).toBe(405);
    const del = await control(emu.info.apaas_url, 'DELETE');
    expect(del.body.active).toBe(false);
  });

  test('5xx of the chosen statuses, and latency', async () => {
    await control(emu.info.apaas_url, 'PUT', { services: { 'yufu-admin': { errors: 1, error_statuses: [504] } } });
    const r = await admin('GET', '/api/v1/oidc-apps');
    expect(r.status).toBe(504);
    await control(emu.info.apaas_url, 'PUT', { services: { 'yufu-admin': { latency_ms: 300 } } });
    const t0 = Date.now();
    expect((await admin('GET', '/api/v1/oidc-apps')).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    await control(emu.info.apaas_url, 'DELETE');
  });

  test('drop before: the connection closes and the handler never ran (no app)', async () => {
    await control(emu.info.admin_url, 'PUT', { services: { 'yufu-admin': { methods: ['POST'], drop_before: 1 } } });
    await expect(admin('POST', '/api/v1/oidc-apps', appBody('dropped before'))).rejects.toThrow();
    expect(await appsNamed('dropped before')).toHaveLength(0);
  });

  test('drop after: the handler ran and committed, the answer is lost; a retry with the Idempotency-Key gets the same app', async () => {
    await control(emu.info.admin_url, 'PUT', { services: { 'yufu-admin': { methods: ['POST'], drop_after: 1 } } });
    const key = { 'idempotency-key': 'faults-test-1' };
    await expect(admin('POST', '/api/v1/oidc-apps', appBody('dropped after'), key)).rejects.toThrow();
    const [created] = await appsNamed('dropped after');
    expect(created).toBeDefined();
    const again = await admin('POST', '/api/v1/oidc-apps', appBody('dropped after'), key);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(((await again.json()) as { id: string }).id).toBe(created.id);
    expect(await appsNamed('dropped after')).toHaveLength(1);
  });

  test('answers held after commit (response_delay_ms): the app exists before its answer arrives', async () => {
    await control(emu.info.admin_url, 'PUT', { services: { 'yufu-admin': { methods: ['POST'], response_delay_ms: 800 } } });
    const t0 = Date.now();
    const pending = admin('POST', '/api/v1/oidc-apps', appBody('held answer'));
    await new Promise((r) => setTimeout(r, 300));
    const res = await fetch(`${emu.info.admin_url}/api/v1/oidc-apps?name=held%20answer`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await res.json()) as { items: unknown[] }).items).toHaveLength(1);
    const answer = await pending;
    expect(answer.status).toBe(201);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(780);
    await control(emu.info.admin_url, 'DELETE');
  });

  test('the request log names each fault and carries no bearer token or secret', async () => {
    await new Promise((r) => setTimeout(r, 50));
    const log = emu.stderr();
    for (const kind of ['fault=rate_limited', 'fault=error_504', 'fault=drop_before', 'fault=drop_after', 'fault=response_delayed+800ms']) expect(log).toContain(kind);
    expect(log).toMatch(/yufu-admin POST \/api\/v1\/oidc-apps 201 [\d.]+ms fault=drop_after/);
    expect(log).not.toContain(token);
    expect(log).not.toContain(token.split('.')[2]);
  });

  test('bad fault flags stop the emulator at start with the flag named', () => {
    const tsx = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');
    const run = (...args: string[]) => spawnSync(tsx, ['emulator/main.ts', '--data-dir', path.join(dataDir, 'never'), ...args], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    const bad = run('--fault-5xx', '2');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--fault-5xx: got "2"; expected a fraction from 0 to 1/);
    const missing = run('--faults', '@/nonexistent/spec.json');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/--faults: ENOENT/);
    expect(run('--help').stdout).toContain('--fault-drop-after RATE');
  });
});
