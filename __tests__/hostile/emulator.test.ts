/**
 * The emulator under hostile use: its data dir stays private, its unauthenticated
 * control hooks stay on this machine, a TC3 signature only counts for the host it
 * serves, a client that walks away mid-request is not an "internal error", and its
 * own outbound checks are bounded like the provider's.
 */
import { cpSync, chmodSync, readdirSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Scheduler } from '../../emulator/apaas/schedules';
import { startEmulator, type RunningEmulator } from '../../scripts/lib/emulator';
import { readApaasCredentials, signTc3, ApaasApi } from '../helpers/tc3';
import { tempDir } from '../helpers/workdir';
import { endless, hostileServer, printReport, type CaseReport, type HostileServer } from './helpers';

let emu: RunningEmulator;
let api: ApaasApi;
let hostile: HostileServer;
const report: CaseReport[] = [];

beforeAll(async () => {
  emu = await startEmulator(tempDir('emulator-hostile'));
  api = new ApaasApi(emu.info.apaas_url, readApaasCredentials(emu.info.apaas_credentials_file));
  hostile = await hostileServer({ endless });
});
afterAll(async () => {
  await emu?.stop();
  await hostile?.close();
  printReport('the emulator under hostile use', report);
});

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8).padStart(4, '0');

/** One raw request, with whatever Host header the caller wants (fetch would set its own). */
function raw(url: string, method: string, path: string, headers: Record<string, string>, body = ''): Promise<{ status: number; body: { error?: { code: string; message: string } } }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: u.hostname, port: u.port, method, path, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : {} }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the data dir is private to the user', () => {
  test('a new data dir is 0700 and every file in it 0600 (the SQLite file holds the aPaaS SecretKey, client secrets and IdP keys)', () => {
    expect(mode(emu.info.data_dir)).toBe('0700');
    const files = readdirSync(emu.info.data_dir);
    expect(files).toEqual(expect.arrayContaining(['emulator.sqlite', 'emulator.sqlite-wal', 'service-account.json', 'apaas-credentials.json', 'emulator.json']));
    for (const f of files) expect(`${f} ${mode(join(emu.info.data_dir, f))}`).toBe(`${f} 0600`);
    report.push({ category: 'emulator', what: 'new data dir', message: `dir 0700; ${files.join(', ')}: 0600`, ms: 0 });
  });

  test('a data dir written by an older emulator (0755 / 0644) is tightened at start', async () => {
    const old = tempDir('emulator-old-modes');
    cpSync(join(__dirname, '..', 'fixtures', 'state-0.1.0', 'emulator'), old, { recursive: true });
    chmodSync(old, 0o755);
    for (const f of readdirSync(old)) chmodSync(join(old, f), 0o644);
    const second = await startEmulator(old);
    try {
      expect(mode(old)).toBe('0700');
      for (const f of readdirSync(old)) expect(`${f} ${mode(join(old, f))}`).toBe(`${f} 0600`);
    } finally {
      await second.stop();
    }
  });
});

describe('the /__control/ test hooks stay on this machine', () => {
  test('a request addressed to another host name (a DNS-rebinding page) is refused', async () => {
    const r = await raw(emu.info.apaas_url, 'POST', '/__control/tenants', { host: 'attacker.example:80', 'content-type': 'application/json' }, JSON.stringify({ tenant_id: 'rebound' }));
    expect(r.status).toBe(403);
    expect(r.body.error?.message).toMatch(/answer requests addressed to a loopback host only; got Host "attacker\.example"/);
    expect((await api.call('GET', '/api/v1/tenants/rebound')).status).toBe(404);
    report.push({ category: 'emulator', what: 'control hook, Host: attacker.example', message: `403 ${r.body.error!.message}`, ms: 0 });
  });

  test('on a non-loopback --host the hooks are off, for everyone, and the emulator says so', async () => {
    const wide = await startEmulator(tempDir('emulator-wide'), { args: ['--host', '0.0.0.0', '--admin-port', '0', '--idp-port', '0', '--ehr-port', '0', '--apaas-port', '0'] });
    try {
      expect(wide.stdout()).toMatch(/notice: control endpoints \(\/__control\/\) are off: --host 0\.0\.0\.0 is not a loopback address/);
      for (const url of [`${wide.info.apaas_url}/__control/tenants`, `${wide.info.admin_url}/__control/users/bob`, `${wide.info.ehr_url}/__control/corps`, `${wide.info.apaas_url}/__control/faults`]) {
        const r = await fetch(url, { method: url.endsWith('faults') ? 'GET' : 'POST', headers: { 'content-type': 'application/json' }, body: url.endsWith('faults') ? undefined : '{}' });
        expect(`${url} ${r.status}`).toBe(`${url} 404`);
        expect(((await r.json()) as { error: { message: string } }).error.message).toMatch(/control endpoints are off: the emulator listens on 0\.0\.0\.0, not a loopback address/);
      }
      // The signed API still works.
      const wideApi = new ApaasApi(wide.info.apaas_url, readApaasCredentials(wide.info.apaas_credentials_file));
      expect((await wideApi.call('GET', `/api/v1/tenants/${wide.info.apaas_tenant_id}`)).status).toBe(200);
      report.push({ category: 'emulator', what: '--host 0.0.0.0', message: '404 "emulator control endpoints are off: the emulator listens on 0.0.0.0, not a loopback address" on all four listeners', ms: 0 });
    } finally {
      await wide.stop();
    }
  });
});

describe('TC3 signatures count only for the host the emulator serves', () => {
  test('a request signed for, and sent with, another Host is refused naming the served host', async () => {
    const creds = readApaasCredentials(emu.info.apaas_credentials_file);
    const path = `/api/v1/tenants/${emu.info.apaas_tenant_id}`;
    const forged = signTc3(creds, { method: 'GET', url: `http://apaas.other-region.example${path}`, host: 'apaas.other-region.example' });
    const r = await raw(emu.info.apaas_url, 'GET', path, { ...forged, host: 'apaas.other-region.example' });
    expect(r.status).toBe(401);
    expect(r.body.error?.code).toBe('AuthFailure.InvalidAuthorization');
    expect(r.body.error?.message).toMatch(new RegExp(`Host: got "apaas\\.other-region\\.example"; this service is ${new URL(emu.info.apaas_url).host.replace(/\./g, '\\.')} and accepts only requests signed for its own host`));
    const right = signTc3(creds, { method: 'GET', url: `${emu.info.apaas_url}${path}` });
    expect((await raw(emu.info.apaas_url, 'GET', path, { ...right, host: new URL(emu.info.apaas_url).host })).status).toBe(200);
    report.push({ category: 'emulator', what: 'TC3 signed for another Host', message: `401 ${r.body.error!.code}: ${r.body.error!.message.slice(0, 120)}`, ms: 0 });
  });
});

describe('clients that misbehave', () => {
  test('a client that aborts mid-body is logged as gone, not as an internal error with a stack trace; nothing is written', async () => {
    const u = new URL(emu.info.apaas_url);
    const path = `/api/v1/tenants/${emu.info.apaas_tenant_id}/hr-connector`;
    await new Promise<void>((resolve) => {
      const socket = connect(Number(u.port), u.hostname, () => {
        socket.write(`PUT ${path} HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"corp_key":`);
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 100);
      });
    });
    const deadline = Date.now() + 5000;
    const line = new RegExp(`apaas PUT ${path.replace(/\//g, '\\/')} 0 [\\d.]+ms client closed the connection`);
    while (!line.test(emu.logs()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(emu.logs()).toMatch(line);
    expect(emu.logs()).not.toMatch(/internal error|aborted\n\s+at /);
    expect((await api.call('GET', path)).status).toBe(404);
    report.push({ category: 'emulator', what: 'client aborts mid-body', message: line.exec(emu.logs())![0], ms: 0 });
  });

  test('a 2 MB request body is refused with 413 before it is parsed', async () => {
    const r = await api.call<{ error: { code: string; message: string } }>('PUT', `/api/v1/tenants/${emu.info.apaas_tenant_id}/hr-connector`, { pad: 'x'.repeat(2 * 1024 * 1024) });
    expect(r.status).toBe(413);
    expect(r.body.error.message).toMatch(/request body: got more than 1048576 bytes; expected at most 1048576/);
  });

  test("the connector check reads a hostile discovery document only up to 1 MiB, and saves nothing", async () => {
    const started = Date.now();
    const r = await api.call<{ error: { code: string; field: string; message: string } }>('PUT', `/api/v1/tenants/${emu.info.apaas_tenant_id}/hr-connector`, {
      corp_key: 'apaas',
      well_known_url: `${hostile.url}/endless/.well-known/openid-configuration`,
      client_id: 'ai-00000000000000000000000000000000',
      client_secret: 'whatever-secret',
    });
    const ms = Date.now() - started;
    expect(r.status).toBe(422);
    expect(r.body.error).toMatchObject({ code: 'discovery_failed', field: 'well_known_url' });
    expect(r.body.error.message).toMatch(/failed \(the answer is larger than 1048576 bytes\)/);
    expect(ms).toBeLessThan(10_000);
    const hwmKb = Number(/VmHWM:\s+(\d+)/.exec(require('node:fs').readFileSync(`/proc/${emu.info.pid}/status`, 'utf8'))?.[1]);
    expect(hwmKb / 1024).toBeLessThan(400);
    expect((await api.call('GET', `/api/v1/tenants/${emu.info.apaas_tenant_id}/hr-connector`)).status).toBe(404);
    report.push({ category: 'emulator', what: 'endless discovery document behind a connector', message: `422 ${r.body.error.message.slice(0, 150)}`, ms, peakMb: Math.round(hwmKb / 1024) });
  });
});

test('the scheduler itself still fires croner jobs on time (the API floor keeps such crons out of schedules)', async () => {
  const ticks: string[] = [];
  const scheduler = new Scheduler((tenantId) => ticks.push(tenantId), () => undefined);
  try {
    scheduler.set({ tenant_id: 't1', cron: '* * * * * *', time_zone: 'UTC', mode: 'incremental', enabled: true } as never);
    const deadline = Date.now() + 3000;
    while (ticks.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(ticks).toContain('t1');
    expect(scheduler.fire('t1')).toBe(true);
    expect(scheduler.fire('nobody')).toBe(false);
  } finally {
    scheduler.stopAll();
  }
});
