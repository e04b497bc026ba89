// aPaaS user-management emulator, black-box: a real child process, TC3-signed requests
// (docs/api/apaas-admin.md), real Yufu apps behind the connector, real E-HR syncs.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { ApaasApi, readApaasCredentials, signTc3, type ApiErrorBody, type Tc3Credentials } from '../helpers/tc3';
import { YufuAdmin, type AdminApp } from '../helpers/yufu-admin';
import { EhrControl, EhrData, type Department, type EhrAppKey, type Employee } from './ehr-helpers';
import { startEmulator, type RunningEmulator } from '../../scripts/lib/emulator';

jest.setTimeout(90_000);

interface Tenant {
  tenant_id: string;
  name: string;
  user_source: string | null;
  initialized_at: string | null;
  source_switches_left: number;
}

interface Counts {
  departments_added: number;
  departments_updated: number;
  departments_disabled: number;
  users_added: number;
  users_updated: number;
  users_disabled: number;
  departments_total: number;
  users_total: number;
  users_active: number;
}

interface Run {
  id: string;
  tenant_id: string;
  trigger: 'initial' | 'schedule' | 'manual';
  mode: 'full' | 'incremental';
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  queued_at: string;
  started_at: string | null;
  finished_at: string | null;
  counts: Counts;
  error: string | null;
}

interface Connector {
  tenant_id: string;
  corp_key: string;
  well_known_url: string;
  client_id: string;
  client_secret_sha256: string;
  status: string;
  created_at: string;
  updated_at: string;
  initial_run_id: string | null;
  last_run: Run | null;
}

interface Schedule {
  tenant_id: string;
  cron: string;
  time_zone: string;
  mode: string;
  enabled: boolean;
  next_run_at: string | null;
  created_at: string;
  updated_at: string;
  last_run: Run | null;
}

interface User {
  id: string;
  external_id: string;
  username: string;
  name: string;
  email: string;
  department_ids: string[];
  status: 'active' | 'disabled';
}

interface ApaasDepartment {
  id: string;
  external_id: string;
  name: string;
  parent_id: string | null;
  status: 'active' | 'disabled';
}

interface List<T> {
  items: T[];
  total: number;
  page_index: number;
  page_size: number;
}

let dataDir: string;
let emu: RunningEmulator;
let creds: Tc3Credentials;
let api: ApaasApi;
let yufu: YufuAdmin;
let ehr: EhrControl;
let ehrApp: EhrAppKey;
let ehrData: EhrData;
let counter = 0;
const secretsSeen: string[] = [];
/** Output of emulator processes already stopped (restarts). */
let pastLogs = '';

const unique = (prefix: string) => `${prefix}${++counter}${crypto.randomBytes(2).toString('hex')}`;
const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

async function newTenant(userSource: string | null = null): Promise<string> {
  const tenantId = unique('t-');
  const res = await fetch(`${emu.info.apaas_url}/__control/tenants`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant_id: tenantId, name: `测试租户 ${tenantId}`, user_source: userSource }),
  });
  expect(res.status).toBe(201);
  return tenantId;
}

/** Fires the tenant's armed sync schedule now (docs/api/apaas-admin.md §7). */
const fireSchedule = (tenantId: string) =>
  fetch(`${emu.info.apaas_url}/__control/tenants/${encodeURIComponent(tenantId)}/sync-schedule:fire`, { method: 'POST' });

async function newYufuApp(grantTypes = ['authorization_code', 'client_credentials']): Promise<AdminApp> {
  const r = await yufu.call<AdminApp>('POST', '/api/v1/oidc-apps', {
    name: unique('apaas-hr-'),
    redirect_uris: ['https://apaas.weworkpro.tencent-cloud.com/demo-tenant-001/'],
    grant_types: grantTypes,
  });
  expect(r.status).toBe(201);
  secretsSeen.push(r.body.client_secret);
  return r.body;
}

async function newCorp(employees: number): Promise<string> {
  const corpKey = unique('corp').replace(/-/g, '');
  await ehr.createCorp(corpKey, employees, corpKey);
  return corpKey;
}

const connectorBody = (app: AdminApp, corpKey: string) => ({
  corp_key: corpKey,
  well_known_url: app.well_known_url,
  client_id: app.client_id,
  client_secret: app.client_secret,
});

async function waitRun(tenantId: string, runId: string, timeoutMs = 30_000): Promise<Run> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await api.call<Run>('GET', `/api/v1/tenants/${tenantId}/sync-runs/${runId}`);
    expect(r.status).toBe(200);
    if (r.body.status === 'succeeded' || r.body.status === 'failed') return r.body;
    if (Date.now() > deadline) throw new Error(`run ${runId} still ${r.body.status} after ${timeoutMs} ms`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

async function manualRun(tenantId: string, mode: 'full' | 'incremental'): Promise<Run> {
  const r = await api.call<Run>('POST', `/api/v1/tenants/${tenantId}/sync-runs`, { mode });
  expect(r.status).toBe(202);
  expect(r.body).toMatchObject({ trigger: 'manual', mode, status: 'queued', started_at: null });
  const done = await waitRun(tenantId, r.body.id);
  expect(done.error).toBeNull();
  expect(done.status).toBe('succeeded');
  return done;
}

/** A tenant with a saved connector over a fresh corp, after its initial run. */
async function connected(employees = 40): Promise<{ tenantId: string; corpKey: string; app: AdminApp; connector: Connector; initial: Run }> {
  const tenantId = await newTenant();
  const corpKey = await newCorp(employees);
  const app = await newYufuApp();
  const put = await api.call<Connector>('PUT', `/api/v1/tenants/${tenantId}/hr-connector`, connectorBody(app, corpKey));
  expect(put.status).toBe(200);
  const initial = await waitRun(tenantId, put.body.initial_run_id!);
  expect(initial.status).toBe('succeeded');
  return { tenantId, corpKey, app, connector: put.body, initial };
}

async function allUsers(tenantId: string, status?: 'active' | 'disabled'): Promise<User[]> {
  const out: User[] = [];
  for (let page = 1; ; page++) {
    const r = await api.call<List<User>>('GET', `/api/v1/tenants/${tenantId}/users?page_index=${page}&page_size=1000${status ? `&status=${status}` : ''}`);
    expect(r.status).toBe(200);
    out.push(...r.body.items);
    if (r.body.items.length < 1000) return out;
  }
}

async function allDepartments(tenantId: string): Promise<ApaasDepartment[]> {
  const r = await api.call<List<ApaasDepartment>>('GET', `/api/v1/tenants/${tenantId}/departments?page_size=1000`);
  expect(r.status).toBe(200);
  return r.body.items;
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'apaas-emu-'));
  emu = await startEmulator(dataDir);
  creds = readApaasCredentials(emu.info.apaas_credentials_file);
  api = new ApaasApi(emu.info.apaas_url, creds);
  yufu = new YufuAdmin(emu.info);
  ehr = new EhrControl(emu.info.ehr_url);
  ehrApp = await ehr.createApp('*');
  ehrData = new EhrData(emu.info.ehr_url, ehrApp);
});

afterAll(async () => {
  await emu?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('TC3-HMAC-SHA256 authentication', () => {
  test('a signed request reads the seeded tenant', async () => {
    const r = await api.call<Tenant>('GET', '/api/v1/tenants/demo-tenant-001');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      tenant_id: 'demo-tenant-001',
      name: expect.any(String),
      user_source: null,
      initialized_at: null,
      source_switches_left: 0,
    });
    expect((await api.call<ApiErrorBody>('GET', '/api/v1/tenants/no-such-tenant')).body.error.code).toBe('not_found');
  });

  test('wrong SecretKey, unknown SecretId, 10 minutes of clock skew and a missing header → 401 with the documented codes', async () => {
    const url = '/api/v1/tenants/demo-tenant-001';
    const wrongKey = await new ApaasApi(emu.info.apaas_url, { ...creds, secretKey: `${creds.secretKey}x` }).call<ApiErrorBody>('GET', url);
    expect(wrongKey.status).toBe(401);
    expect(wrongKey.body.error.code).toBe('AuthFailure.SignatureFailure');
    const unknownId = await new ApaasApi(emu.info.apaas_url, { ...creds, secretId: 'AKIDnosuchsecretidnosuchsecretid00' }).call<ApiErrorBody>('GET', url);
    expect(unknownId.status).toBe(401);
    expect(unknownId.body.error.code).toBe('AuthFailure.SecretIdNotFound');
    for (const skew of [-600, 600]) {
      const r = await api.call<ApiErrorBody>('GET', url, undefined, { timestamp: Math.floor(Date.now() / 1000) + skew });
      expect(r.status).toBe(401);
      expect(r.body.error.code).toBe('AuthFailure.SignatureExpire');
    }
    const none = await fetch(`${emu.info.apaas_url}${url}`, { headers: { 'content-type': 'application/json' } });
    expect(none.status).toBe(401);
    expect(((await none.json()) as ApiErrorBody).error.code).toBe('AuthFailure.InvalidAuthorization');
    const malformed = await fetch(`${emu.info.apaas_url}${url}`, { headers: { authorization: 'TC3-HMAC-SHA256 nonsense', 'x-tc-timestamp': '1' } });
    expect(((await malformed.json()) as ApiErrorBody).error.code).toBe('AuthFailure.InvalidAuthorization');
    for (const r of [wrongKey, unknownId]) expect(JSON.stringify(r.body)).not.toContain(creds.secretKey);
  });

  test('the body and the query string are covered by the signature', async () => {
    const tenantId = await newTenant();
    const target = `${emu.info.apaas_url}/api/v1/tenants/${tenantId}/sync-schedule`;
    const body = JSON.stringify({ cron: '0 2 * * *', time_zone: 'Asia/Shanghai' });
    const headers = signTc3(creds, { method: 'PUT', url: target, body });
    const altered = await fetch(target, { method: 'PUT', headers: { ...headers }, body: body.replace('0 2', '0 3') });
    expect(altered.status).toBe(401);
    expect(((await altered.json()) as ApiErrorBody).error.code).toBe('AuthFailure.SignatureFailure');

    const listUrl = `${emu.info.apaas_url}/api/v1/tenants/${tenantId}/users?status=active&page_size=5&page_index=1`;
    const signed = signTc3(creds, { method: 'GET', url: listUrl });
    const ok = await fetch(listUrl, { headers: { ...signed } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ items: [], total: 0, page_index: 1, page_size: 5 });
    const otherQuery = await fetch(listUrl.replace('page_size=5', 'page_size=6'), { headers: { ...signed } });
    expect(otherQuery.status).toBe(401);
  });

  test('the control endpoint creates tenants and validates them', async () => {
    const control = (body: unknown) =>
      fetch(`${emu.info.apaas_url}/__control/tenants`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const created = await control({ tenant_id: 'ctl-tenant-1', user_source: 'self_registration' });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ tenant_id: 'ctl-tenant-1', user_source: 'self_registration', source_switches_left: 1, initialized_at: expect.any(String) });
    expect((await control({ tenant_id: 'ctl-tenant-1' })).status).toBe(409);
    const bad = await control({ tenant_id: 'ctl-tenant-2', user_source: 'ldap' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as ApiErrorBody).error.field).toBe('user_source');
  });
});

describe('HR connector validation', () => {
  let tenantId: string;
  let app: AdminApp;

  beforeAll(async () => {
    tenantId = await newTenant();
    app = await newYufuApp();
  });

  const put = (body: Record<string, unknown>) => api.call<ApiErrorBody & Connector>('PUT', `/api/v1/tenants/${tenantId}/hr-connector`, body);

  test('malformed values → 400 naming the field', async () => {
    const good = connectorBody(app, 'apaas');
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ ...good, corp_key: 'Bad_Key' }, 'invalid_argument', 'corp_key'],
      [{ ...good, corp_key: '' }, 'invalid_argument', 'corp_key'],
      [{ ...good, well_known_url: 'http://idp.example.com/sso/x/oidc/.well-known/openid-configuration' }, 'invalid_argument', 'well_known_url'],
      [{ ...good, well_known_url: app.well_known_url.replace('/.well-known/openid-configuration', '') }, 'invalid_argument', 'well_known_url'],
      [{ ...good, client_id: '' }, 'invalid_argument', 'client_id'],
      [{ ...good, client_secret: 'a\nb' }, 'invalid_argument', 'client_secret'],
      [{ ...good, client_secret: 'x'.repeat(257) }, 'invalid_argument', 'client_secret'],
      [{ corp_key: 'apaas', well_known_url: app.well_known_url, client_id: app.client_id }, 'invalid_argument', 'client_secret'],
      [{ ...good, sync_now: true }, 'unknown_field', 'sync_now'],
    ];
    for (const [body, code, field] of cases) {
      const r = await put(body);
      expect([field, r.status]).toEqual([field, 400]);
      expect(r.body.error).toMatchObject({ code, field });
    }
  });

  test('discovery 404 → 422 discovery_failed; wrong secret → client_authentication_failed; unknown corp → corp_key_not_found', async () => {
    const missingApp = app.well_known_url.replace(app.client_id, `ai-${'0'.repeat(32)}`);
    const disc = await put({ ...connectorBody(app, 'apaas'), well_known_url: missingApp });
    expect(disc.status).toBe(422);
    expect(disc.body.error).toMatchObject({ code: 'discovery_failed', field: 'well_known_url' });
    expect(disc.body.error.message).toMatch(/404/);

    const wrongSecret = 'definitely-not-the-secret-123';
    const auth = await put({ ...connectorBody(app, 'apaas'), client_secret: wrongSecret });
    expect(auth.status).toBe(422);
    expect(auth.body.error).toMatchObject({ code: 'client_authentication_failed', field: 'client_secret' });
    expect(auth.body.error.message).not.toContain(wrongSecret);

    const corp = await put(connectorBody(app, 'nosuchcorp'));
    expect(corp.status).toBe(422);
    expect(corp.body.error).toMatchObject({ code: 'corp_key_not_found', field: 'corp_key' });

    // Nothing was saved by the failed attempts.
    expect((await api.call('GET', `/api/v1/tenants/${tenantId}/hr-connector`)).status).toBe(404);
    expect((await api.call<Tenant>('GET', `/api/v1/tenants/${tenantId}`)).body.user_source).toBeNull();
    await new Promise((r) => setTimeout(r, 50));
    expect(emu.stderr()).not.toContain(wrongSecret);
  });

  test('an app without the client_credentials grant passes with its secret (the IdP authenticated it) and fails with a wrong one', async () => {
    const codeOnly = await newYufuApp(['authorization_code']);
    const tenant = await newTenant();
    const wrong = await api.call<ApiErrorBody>('PUT', `/api/v1/tenants/${tenant}/hr-connector`, { ...connectorBody(codeOnly, 'apaas'), client_secret: 'wrong' });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.code).toBe('client_authentication_failed');
    const ok = await api.call<Connector>('PUT', `/api/v1/tenants/${tenant}/hr-connector`, connectorBody(codeOnly, 'apaas'));
    expect(ok.status).toBe(200);
    expect(ok.body.corp_key).toBe('apaas');
  });

  test('a Yufu secret rotated after save fails the next save', async () => {
    const tenant = await newTenant();
    const rotating = await newYufuApp();
    const first = await api.call<Connector>('PUT', `/api/v1/tenants/${tenant}/hr-connector`, connectorBody(rotating, 'apaas'));
    expect(first.status).toBe(200);
    const runsBefore = (await api.call<List<Run>>('GET', `/api/v1/tenants/${tenant}/sync-runs?page_size=100`)).body.total;
    const rotated = await yufu.call<AdminApp>('POST', `/api/v1/oidc-apps/${rotating.id}/client-secret:rotate`);
    expect(rotated.status).toBe(200);
    secretsSeen.push(rotated.body.client_secret);
    const stale = await api.call<ApiErrorBody>('PUT', `/api/v1/tenants/${tenant}/hr-connector`, connectorBody(rotating, 'apaas'));
    expect(stale.body.error.code).toBe('client_authentication_failed');
    const fresh = await api.call<Connector>('PUT', `/api/v1/tenants/${tenant}/hr-connector`, { ...connectorBody(rotating, 'apaas'), client_secret: rotated.body.client_secret });
    expect(fresh.status).toBe(200);
    expect(fresh.body.client_secret_sha256).toBe(sha256(rotated.body.client_secret));
    // Only the secret changed: no new initial run (the old one is still named, no run queued).
    expect(fresh.body.initial_run_id).toBe(first.body.initial_run_id);
    expect((await api.call<List<Run>>('GET', `/api/v1/tenants/${tenant}/sync-runs?page_size=100`)).body.total).toBe(runsBefore);
  });
});

describe('user source rules', () => {
  test('an uninitialised tenant becomes hr_assistant on the first connector save', async () => {
    const { tenantId, connector } = await connected(10);
    const t = await api.call<Tenant>('GET', `/api/v1/tenants/${tenantId}`);
    expect(t.body.user_source).toBe('hr_assistant');
    expect(t.body.source_switches_left).toBe(0);
    expect(Date.parse(t.body.initialized_at!)).toBeLessThanOrEqual(Date.parse(connector.created_at) + 1000);
  });

  test('a tenant initialised from Yufu or WeCom → 409 source_locked naming the source', async () => {
    const app = await newYufuApp();
    for (const [source, label] of [
      ['yufu', '千帆玉符'],
      ['wecom', '企业微信'],
    ] as const) {
      const tenantId = await newTenant(source);
      const r = await api.call<ApiErrorBody>('PUT', `/api/v1/tenants/${tenantId}/hr-connector`, connectorBody(app, 'apaas'));
      expect(r.status).toBe(409);
      expect(r.body.error.code).toBe('source_locked');
      expect(r.body.error.message).toContain(label);
      expect(r.body.error.message).toContain(source);
      expect(r.body.error.message).toMatch(/cannot be changed/);
      expect((await api.call<Tenant>('GET', `/api/v1/tenants/${tenantId}`)).body.user_source).toBe(source);
    }
  });

  test('a self-registration tenant switches once, then is locked to hr_assistant', async () => {
    const tenantId = await newTenant('self_registration');
    expect((await api.call<Tenant>('GET', `/api/v1/tenants/${tenantId}`)).body.source_switches_left).toBe(1);
    const app = await newYufuApp();
    const r = await api.call<Connector>('PUT', `/api/v1/tenants/${tenantId}/hr-connector`, connectorBody(app, 'apaas'));
    expect(r.status).toBe(200);
    const t = (await api.call<Tenant>('GET', `/api/v1/tenants/${tenantId}`)).body;
    expect(t).toMatchObject({ user_source: 'hr_assistant', source_switches_left: 0 });
    const other = await newCorp(3);
    const locked = await api.call<ApiErrorBody>('PUT', `/api/v1/tenants/${tenantId}/hr-connector`, connectorBody(app, other));
    expect(locked.status).toBe(409);
    expect(locked.body.error).toMatchObject({ code: 'corp_key_locked', field: 'corp_key' });
  });

  test('changing corp_key after initialisation → 409 corp_key_locked', async () => {
    const { tenantId, app } = await connected(5);
    const other = await newCorp(5);
    const r = await api.call<ApiErrorBody>('PUT', `/api/v1/tenants/${tenantId}/hr-connector`, connectorBody(app, other));
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('corp_key_locked');
  });
});

describe('sync runs', () => {
  test('connector save triggers an initial run whose counts equal the directory', async () => {
    const { tenantId, corpKey, app, connector, initial } = await connected(150);
    const emps = await ehrData.all<Employee>(corpKey, 'employees');
    const depts = await ehrData.all<Department>(corpKey, 'departments');
    const leavers = emps.filter((e) => e.status === 'left').length;
    const dissolved = depts.filter((d) => d.status === 'dissolved').length;
    expect(leavers).toBeGreaterThan(0);
    expect(initial).toMatchObject({ trigger: 'initial', mode: 'full', status: 'succeeded', error: null });
    expect(initial.counts).toEqual({
      departments_added: depts.length,
      departments_updated: 0,
      departments_disabled: dissolved,
      users_added: emps.length,
      users_updated: 0,
      users_disabled: leavers,
      departments_total: depts.length,
      users_total: emps.length,
      users_active: emps.length - leavers,
    });
    expect(Date.parse(initial.started_at!)).toBeGreaterThanOrEqual(Date.parse(initial.queued_at));
    expect(Date.parse(initial.finished_at!)).toBeGreaterThanOrEqual(Date.parse(initial.started_at!));

    expect(connector).toMatchObject({
      tenant_id: tenantId,
      corp_key: corpKey,
      well_known_url: app.well_known_url,
      client_id: app.client_id,
      client_secret_sha256: sha256(app.client_secret),
      status: 'active',
      initial_run_id: initial.id,
    });
    const got = await api.call<Connector>('GET', `/api/v1/tenants/${tenantId}/hr-connector`);
    expect(got.body.last_run).toEqual(initial);
    expect(JSON.stringify(got.body)).not.toContain(app.client_secret);
    expect(got.body).not.toHaveProperty('client_secret');

    // The synced directory: E-HR ids as external ids, references as aPaaS ids.
    const users = await allUsers(tenantId);
    const departments = await allDepartments(tenantId);
    expect(users).toHaveLength(emps.length);
    expect((await allUsers(tenantId, 'disabled')).map((u) => u.external_id).sort()).toEqual(emps.filter((e) => e.status === 'left').map((e) => e.id).sort());
    const deptByApaasId = new Map(departments.map((d) => [d.id, d]));
    const deptByExternal = new Map(departments.map((d) => [d.external_id, d]));
    for (const e of emps) {
      const u = users.find((x) => x.external_id === e.id)!;
      expect(u).toMatchObject({ username: e.username, name: e.name, email: e.email, status: e.status === 'left' ? 'disabled' : 'active' });
      expect(u.id).not.toBe(e.id);
      expect(u.department_ids.map((id) => deptByApaasId.get(id)!.external_id)).toEqual([e.department_id]);
    }
    for (const d of depts) {
      const a = deptByExternal.get(d.id)!;
      expect(a.name).toBe(d.name);
      expect(a.parent_id === null ? null : deptByApaasId.get(a.parent_id)!.external_id).toBe(d.parent_id);
      expect(a.status).toBe(d.status === 'active' ? 'active' : 'disabled');
    }

    // Saving the same values again is a no-op: no new run, same timestamps.
    const again = await api.call<Connector>('PUT', `/api/v1/tenants/${tenantId}/hr-connector`, connectorBody(app, corpKey));
    expect(again.status).toBe(200);
    expect(again.body.initial_run_id).toBe(initial.id);
    expect(again.body.updated_at).toBe(connector.updated_at);
    expect((await api.call<List<Run>>('GET', `/api/v1/tenants/${tenantId}/sync-runs`)).body.total).toBe(1);
  });

  test('hires, leavers and department moves between runs are reflected by the next run', async () => {
    const { tenantId, corpKey } = await connected(60);
    const emps = await ehrData.all<Employee>(corpKey, 'employees');
    const active = emps.filter((e) => e.status === 'active');
    const newDept = await ehr.addDepartment(corpKey, '新零售事业部', 'd0002');
    const hired = await ehr.hire(corpKey, { name: '司马新', department_id: newDept.id, username: 'sima.xin' });
    await ehr.patchEmployee(corpKey, active[5]!.id, { status: 'left' });
    await ehr.patchEmployee(corpKey, active[6]!.id, { department_id: newDept.id });

    const run = await manualRun(tenantId, 'incremental');
    expect(run.counts).toMatchObject({
      departments_added: 1,
      departments_updated: 0,
      departments_disabled: 0,
      users_added: 1,
      users_updated: 1,
      users_disabled: 1,
      users_total: emps.length + 1,
    });
    const users = await allUsers(tenantId);
    const depts = await allDepartments(tenantId);
    const apaasDept = depts.find((d) => d.external_id === newDept.id)!;
    expect(apaasDept).toMatchObject({ name: '新零售事业部', status: 'active' });
    expect(depts.find((d) => d.id === apaasDept.parent_id)!.external_id).toBe('d0002');
    expect(users.find((u) => u.external_id === hired.id)).toMatchObject({ username: 'sima.xin', status: 'active', department_ids: [apaasDept.id] });
    expect(users.find((u) => u.external_id === active[5]!.id)!.status).toBe('disabled');
    expect(users.find((u) => u.external_id === active[6]!.id)!.department_ids).toEqual([apaasDept.id]);

    // Nothing changed since: an incremental run finds nothing to do.
    const idle = await manualRun(tenantId, 'incremental');
    expect(idle.counts).toMatchObject({ users_added: 0, users_updated: 0, users_disabled: 0, departments_added: 0, departments_updated: 0 });
    const runs = await api.call<List<Run>>('GET', `/api/v1/tenants/${tenantId}/sync-runs?page_size=2`);
    expect(runs.body.total).toBe(3);
    expect(runs.body.items.map((r) => r.id)).toEqual([idle.id, run.id]);
  });

  test('a full run disables records that vanished from the directory; nothing is deleted', async () => {
    const { tenantId, corpKey, initial } = await connected(40);
    const emps = await ehrData.all<Employee>(corpKey, 'employees');
    const victim = emps.filter((e) => e.status === 'active')[10]!;
    const temp = await ehr.addDepartment(corpKey, '临时专项组', 'd0002');
    await manualRun(tenantId, 'incremental');
    await ehr.purgeEmployee(corpKey, victim.id);
    await ehr.purgeDepartment(corpKey, temp.id);

    const incremental = await manualRun(tenantId, 'incremental');
    expect(incremental.counts).toMatchObject({ users_disabled: 0, departments_disabled: 0 });
    const full = await manualRun(tenantId, 'full');
    expect(full.counts).toMatchObject({
      users_added: 0,
      users_updated: 0,
      users_disabled: 1,
      departments_disabled: 1,
      users_total: initial.counts.users_total,
      departments_total: initial.counts.departments_total + 1,
      users_active: initial.counts.users_active - 1,
    });
    const users = await allUsers(tenantId);
    expect(users.find((u) => u.external_id === victim.id)!.status).toBe('disabled');
    expect((await allDepartments(tenantId)).find((d) => d.external_id === temp.id)!.status).toBe('disabled');
  });

  test('POST sync-runs needs a connector and a valid mode', async () => {
    const tenantId = await newTenant();
    const none = await api.call<ApiErrorBody>('POST', `/api/v1/tenants/${tenantId}/sync-runs`, { mode: 'full' });
    expect(none.status).toBe(409);
    expect(none.body.error.code).toBe('no_connector');
    const { tenantId: t2 } = await connected(3);
    const bad = await api.call<ApiErrorBody>('POST', `/api/v1/tenants/${t2}/sync-runs`, { mode: 'everything' });
    expect(bad.body.error).toMatchObject({ code: 'invalid_argument', field: 'mode' });
    expect((await api.call('GET', `/api/v1/tenants/${t2}/sync-runs/run_0000000000000000`)).status).toBe(404);
  });
});

describe('sync schedule', () => {
  test('needs a connector; invalid cron or time zone → 400 naming the field', async () => {
    const bare = await newTenant();
    const none = await api.call<ApiErrorBody>('PUT', `/api/v1/tenants/${bare}/sync-schedule`, { cron: '0 2 * * *', time_zone: 'Asia/Shanghai', mode: 'incremental', enabled: true });
    expect(none.status).toBe(409);
    expect(none.body.error.code).toBe('no_connector');

    const { tenantId } = await connected(3);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ cron: 'every day at 2', time_zone: 'Asia/Shanghai' }, 'cron'],
      [{ cron: '0 2 * *', time_zone: 'Asia/Shanghai' }, 'cron'],
      [{ cron: '0 25 * * *', time_zone: 'Asia/Shanghai' }, 'cron'],
      [{ cron: '0 0 2 * * * 2030', time_zone: 'Asia/Shanghai' }, 'cron'],
      [{ cron: '0 2 * * *', time_zone: 'Mars/Olympus_Mons' }, 'time_zone'],
      [{ cron: '0 2 * * *', time_zone: '+08:00' }, 'time_zone'],
      [{ cron: '0 2 * * *', time_zone: 'Asia/Shanghai', mode: 'sometimes' }, 'mode'],
      [{ cron: '0 2 * * *', time_zone: 'Asia/Shanghai', enabled: 'yes' }, 'enabled'],
    ];
    for (const [body, field] of cases) {
      const r = await api.call<ApiErrorBody>('PUT', `/api/v1/tenants/${tenantId}/sync-schedule`, body);
      expect([field, r.status]).toEqual([field, 400]);
      expect(r.body.error).toMatchObject({ code: 'invalid_argument', field });
    }
    expect((await api.call('GET', `/api/v1/tenants/${tenantId}/sync-schedule`)).status).toBe(404);
  });

  test('next_run_at is computed in the schedule time zone', async () => {
    const { tenantId } = await connected(3);
    const r = await api.call<Schedule>('PUT', `/api/v1/tenants/${tenantId}/sync-schedule`, { cron: '30 2 * * *', time_zone: 'Asia/Shanghai', mode: 'incremental', enabled: true });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ tenant_id: tenantId, cron: '30 2 * * *', time_zone: 'Asia/Shanghai', mode: 'incremental', enabled: true, last_run: null });
    const next = new Date(r.body.next_run_at!);
    expect(next.toISOString()).toMatch(/T18:30:00\.000Z$/);
    expect(next.getTime() - Date.now()).toBeGreaterThan(0);
    expect(next.getTime() - Date.now()).toBeLessThanOrEqual(24 * 3600_000);
    const ny = await api.call<Schedule>('PUT', `/api/v1/tenants/${tenantId}/sync-schedule`, { cron: '30 2 * * *', time_zone: 'America/New_York', mode: 'full', enabled: true });
    expect(ny.body.next_run_at).toMatch(/T0[67]:30:00\.000Z$/);
    const off = await api.call<Schedule>('PUT', `/api/v1/tenants/${tenantId}/sync-schedule`, { cron: '30 2 * * *', time_zone: 'America/New_York', mode: 'full', enabled: false });
    expect(off.body.next_run_at).toBeNull();
    expect((await api.call<Schedule>('GET', `/api/v1/tenants/${tenantId}/sync-schedule`)).body).toEqual(off.body);
    expect((await api.call('DELETE', `/api/v1/tenants/${tenantId}/sync-schedule`)).status).toBe(204);
    expect((await api.call('GET', `/api/v1/tenants/${tenantId}/sync-schedule`)).status).toBe(404);
  });

  test('a schedule more frequent than the floor of its mode is refused, naming the floor', async () => {
    const { tenantId } = await connected(5);
    for (const [cron, mode, floor] of [['* * * * * *', 'incremental', 5], ['* * * * *', 'incremental', 5], ['*/30 * * * *', 'full', 60]] as const) {
      const r = await api.call<ApiErrorBody>('PUT', `/api/v1/tenants/${tenantId}/sync-schedule`, { cron, time_zone: 'UTC', mode, enabled: true });
      expect(r.status).toBe(400);
      expect(r.body.error).toMatchObject({ code: 'invalid_argument', field: 'cron' });
      expect(r.body.error.message).toContain(`every ${floor} minutes`);
    }
    expect((await api.call('GET', `/api/v1/tenants/${tenantId}/sync-schedule`)).status).toBe(404);
  });

  test('a fired schedule triggers a schedule run (the control hook stands in for the clock)', async () => {
    const { tenantId, corpKey } = await connected(20);
    const hired = await ehr.hire(corpKey, { name: '定时同步', department_id: 'd0002' });
    const r = await api.call<Schedule>('PUT', `/api/v1/tenants/${tenantId}/sync-schedule`, { cron: '*/5 * * * *', time_zone: 'UTC', mode: 'incremental', enabled: true });
    expect(r.status).toBe(200);
    expect((await fireSchedule(tenantId)).status).toBe(202);
    const deadline = Date.now() + 8000;
    let scheduled: Run | undefined;
    while (!scheduled && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, 200));
      const runs = await api.call<List<Run>>('GET', `/api/v1/tenants/${tenantId}/sync-runs`);
      scheduled = runs.body.items.find((x) => x.trigger === 'schedule' && x.status === 'succeeded');
    }
    expect(scheduled).toBeDefined();
    expect(scheduled!.mode).toBe('incremental');
    expect((await allUsers(tenantId)).some((u) => u.external_id === hired.id)).toBe(true);
    const s = await api.call<Schedule>('GET', `/api/v1/tenants/${tenantId}/sync-schedule`);
    expect(s.body.last_run?.trigger).toBe('schedule');
    expect((await api.call('DELETE', `/api/v1/tenants/${tenantId}/sync-schedule`)).status).toBe(204);
    await new Promise((res) => setTimeout(res, 1500));
    const settled = (await api.call<List<Run>>('GET', `/api/v1/tenants/${tenantId}/sync-runs?page_size=100`)).body.total;
    await new Promise((res) => setTimeout(res, 1500));
    expect((await api.call<List<Run>>('GET', `/api/v1/tenants/${tenantId}/sync-runs?page_size=100`)).body.total).toBe(settled);
  });
});

describe('deleting the connector', () => {
  test('keeps the source, users and departments, and reports what it retained', async () => {
    const { tenantId, corpKey, app, initial } = await connected(30);
    await api.call('PUT', `/api/v1/tenants/${tenantId}/sync-schedule`, { cron: '0 3 * * *', time_zone: 'Asia/Shanghai', mode: 'full', enabled: true });
    const del = await api.call('DELETE', `/api/v1/tenants/${tenantId}/hr-connector`);
    expect(del.status).toBe(200);
    expect(del.body).toEqual({ deleted: true, user_source: 'hr_assistant', retained: ['user_source', 'users', 'departments', 'sync_schedule'] });
    expect((await api.call('GET', `/api/v1/tenants/${tenantId}/hr-connector`)).status).toBe(404);
    // The schedule stays; a tick without a connector runs nothing.
    expect((await api.call<Schedule>('GET', `/api/v1/tenants/${tenantId}/sync-schedule`)).body).toMatchObject({ cron: '0 3 * * *', mode: 'full' });
    const runsBefore = (await api.call<List<Run>>('GET', `/api/v1/tenants/${tenantId}/sync-runs?page_size=100`)).body.total;
    await fireSchedule(tenantId);
    await new Promise((res) => setTimeout(res, 500));
    expect((await api.call<List<Run>>('GET', `/api/v1/tenants/${tenantId}/sync-runs?page_size=100`)).body.total).toBe(runsBefore);
    expect((await api.call('DELETE', `/api/v1/tenants/${tenantId}/hr-connector`)).status).toBe(404);
    expect((await api.call<Tenant>('GET', `/api/v1/tenants/${tenantId}`)).body.user_source).toBe('hr_assistant');
    expect(await allUsers(tenantId)).toHaveLength(initial.counts.users_total);
    expect(await allUsers(tenantId, 'disabled')).toHaveLength(initial.counts.users_total - initial.counts.users_active);
    expect((await api.call<ApiErrorBody>('POST', `/api/v1/tenants/${tenantId}/sync-runs`, { mode: 'full' })).body.error.code).toBe('no_connector');

    // The Corp Key stays pinned; the same one can be connected again without duplicates.
    const other = await newCorp(3);
    expect((await api.call<ApiErrorBody>('PUT', `/api/v1/tenants/${tenantId}/hr-connector`, connectorBody(app, other))).body.error.code).toBe('corp_key_locked');
    const again = await api.call<Connector>('PUT', `/api/v1/tenants/${tenantId}/hr-connector`, connectorBody(app, corpKey));
    expect(again.status).toBe(200);
    const rerun = await waitRun(tenantId, again.body.initial_run_id!);
    expect(rerun.counts).toMatchObject({ users_added: 0, departments_added: 0, users_total: initial.counts.users_total });
  });
});

describe('listing tenants (GET /api/v1/tenants, read-only)', () => {
  test('pages through every tenant, ordered by id, in the shape of a single read', async () => {
    const ids = [await newTenant('wecom'), await newTenant(), await newTenant()];
    const seen: Tenant[] = [];
    let total = -1;
    for (let page = 1; page < 1000; page++) {
      const r = await api.call<List<Tenant>>('GET', `/api/v1/tenants?page_size=2&page_index=${page}`);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ page_index: page, page_size: 2 });
      if (r.body.items.length === 0) break;
      expect(r.body.items.length).toBeLessThanOrEqual(2);
      total = r.body.total;
      seen.push(...r.body.items);
    }
    expect(seen).toHaveLength(total);
    const all = seen.map((t) => t.tenant_id);
    expect(all).toEqual([...all].sort());
    expect(all).toContain('demo-tenant-001');
    for (const id of ids) expect(seen.find((t) => t.tenant_id === id)).toEqual((await api.call<Tenant>('GET', `/api/v1/tenants/${id}`)).body);
    const defaults = await api.call<List<Tenant>>('GET', '/api/v1/tenants');
    expect(defaults.body).toMatchObject({ page_index: 1, page_size: 20, total });
  });

  test('bad paging, other methods and unsigned requests are refused', async () => {
    for (const bad of ['page_size=0', 'page_size=101', 'page_index=0', 'page_size=x']) {
      const r = await api.call<ApiErrorBody>('GET', `/api/v1/tenants?${bad}`);
      expect(r.status).toBe(400);
      expect(r.body.error).toMatchObject({ code: 'invalid_argument', field: bad.split('=')[0] });
    }
    const post = await api.call<ApiErrorBody>('POST', '/api/v1/tenants', { tenant_id: 'x' });
    expect(post.status).toBe(405);
    const unsigned = await fetch(`${emu.info.apaas_url}/api/v1/tenants`, { headers: { 'content-type': 'application/json' } });
    expect(unsigned.status).toBe(401);
  });
});

describe('restart', () => {
  test('keeps ports, credentials, tenants, connectors, runs, synced users and schedules', async () => {
    const { tenantId, corpKey, connector } = await connected(25);
    await api.call('PUT', `/api/v1/tenants/${tenantId}/sync-schedule`, { cron: '*/5 * * * *', time_zone: 'Asia/Shanghai', mode: 'incremental', enabled: true });
    const before = { info: emu.info, users: await allUsers(tenantId), credentials: fs.readFileSync(emu.info.apaas_credentials_file, 'utf8') };
    expect(await emu.stop()).toBe(0);
    pastLogs += emu.stderr() + emu.stdout();

    emu = await startEmulator(dataDir);
    expect(emu.info.apaas_url).toBe(before.info.apaas_url);
    expect(emu.info.ehr_url).toBe(before.info.ehr_url);
    expect(emu.info.admin_url).toBe(before.info.admin_url);
    expect(fs.readFileSync(emu.info.apaas_credentials_file, 'utf8')).toBe(before.credentials);
    const t = await api.call<Tenant>('GET', `/api/v1/tenants/${tenantId}`);
    expect(t.body.user_source).toBe('hr_assistant');
    const c = await api.call<Connector>('GET', `/api/v1/tenants/${tenantId}/hr-connector`);
    expect(c.body).toMatchObject({ corp_key: corpKey, client_secret_sha256: connector.client_secret_sha256, initial_run_id: connector.initial_run_id });
    expect(await allUsers(tenantId)).toEqual(before.users);
    const runs = (await api.call<List<Run>>('GET', `/api/v1/tenants/${tenantId}/sync-runs?page_size=100`)).body;
    expect(runs.items.every((r) => r.status === 'succeeded' || r.status === 'failed' || r.status === 'queued' || r.status === 'running')).toBe(true);
    expect(runs.items.some((r) => r.id === connector.initial_run_id)).toBe(true);

    // The schedule's cron job is armed again (only an armed one can be fired) and fires.
    const s = await api.call<Schedule>('GET', `/api/v1/tenants/${tenantId}/sync-schedule`);
    expect(s.body.next_run_at).not.toBeNull();
    const startedAt = Date.now();
    expect((await fireSchedule(tenantId)).status).toBe(202);
    let fresh: Run | undefined;
    while (!fresh && Date.now() - startedAt < 8000) {
      await new Promise((res) => setTimeout(res, 200));
      const list = await api.call<List<Run>>('GET', `/api/v1/tenants/${tenantId}/sync-runs?page_size=5`);
      fresh = list.body.items.find((r) => r.trigger === 'schedule' && r.status === 'succeeded' && Date.parse(r.queued_at) >= startedAt - 1000);
    }
    expect(fresh).toBeDefined();
    await api.call('DELETE', `/api/v1/tenants/${tenantId}/sync-schedule`);
  });

  test('no secret ever reached the log', () => {
    const log = pastLogs + emu.stderr() + emu.stdout();
    expect(log).toMatch(/apaas PUT \/api\/v1\/tenants\/[^ ]+\/hr-connector 200/);
    const db = new Database(path.join(dataDir, 'emulator.sqlite'), { readonly: true });
    const platform = db.prepare("SELECT token FROM ehr_apps WHERE label = 'apaas-platform'").get() as { token: string };
    db.close();
    expect(platform.token.length).toBeGreaterThan(10);
    for (const secret of [creds.secretKey, platform.token, ehrApp.token, ...secretsSeen]) expect(log).not.toContain(secret);
  });
});
