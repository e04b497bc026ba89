// The aPaaS tenant sign-in page `{apaas_url}/{tenantId}/` (docs/api/apaas-admin.md §9),
// black-box over HTTP: a real emulator process, the tenant's connector pointing at a
// real Yufu app, the Yufu login form posted like a browser would (cookies, redirects).
// The same flow in a real browser is __tests__/e2e/browser-signin.test.ts.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApaasApi, readApaasCredentials } from '../helpers/tc3';
import { putYufuUser, YufuAdmin, type AdminApp } from '../helpers/yufu-admin';
import { EhrControl, EhrData, type Department, type Employee } from './ehr-helpers';
import { browse as browseAt, CookieJar } from '../helpers/signin';
import { startEmulator, type RunningEmulator } from '../../scripts/lib/emulator';

jest.setTimeout(90_000);

let dataDir: string;
let emu: RunningEmulator;
let api: ApaasApi;
let yufu: YufuAdmin;
let ehr: EhrControl;
let ehrData: EhrData;
let counter = 0;
const browse = (url: string, jar: CookieJar, creds?: { username: string; password: string } | 'cancel') => browseAt(emu.info.idp_url, url, jar, creds);
const unique = (prefix: string) => `${prefix}${++counter}${crypto.randomBytes(2).toString('hex')}`;

async function waitRun(tenantId: string, runId: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const r = await api.call<{ status: string; error: string | null }>('GET', `/api/v1/tenants/${tenantId}/sync-runs/${runId}`);
    if (r.body.status === 'succeeded') return;
    if (r.body.status === 'failed') throw new Error(`run ${runId} failed: ${r.body.error}`);
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`run ${runId} did not finish`);
}

async function syncNow(tenantId: string): Promise<void> {
  const r = await api.call<{ id: string }>('POST', `/api/v1/tenants/${tenantId}/sync-runs`, { mode: 'incremental' });
  expect(r.status).toBe(202);
  await waitRun(tenantId, r.body.id);
}

interface Setup {
  tenantId: string;
  corpKey: string;
  page: string;
  app: AdminApp;
  employees: Employee[];
  departments: Map<string, Department>;
}

/** A tenant whose connector points at a Yufu app that accepts the tenant page as redirect URI. */
async function tenantWithSignin(): Promise<Setup> {
  const tenantId = unique('signin-');
  const corpKey = unique('signin').replace(/-/g, '');
  await ehr.createCorp(corpKey, 30, corpKey);
  expect((await fetch(`${emu.info.apaas_url}/__control/tenants`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant_id: tenantId, name: `登录测试 ${tenantId}` }),
  })).status).toBe(201);
  const page = `${emu.info.apaas_url}/${tenantId}/`;
  const created = await yufu.call<AdminApp>('POST', '/api/v1/oidc-apps', {
    name: unique('signin-app-'),
    redirect_uris: [`https://apaas.weworkpro.tencent-cloud.com/${tenantId}/`, page],
  });
  expect(created.status).toBe(201);
  const app = created.body;
  const put = await api.call<{ initial_run_id: string }>('PUT', `/api/v1/tenants/${tenantId}/hr-connector`, {
    corp_key: corpKey,
    well_known_url: app.well_known_url,
    client_id: app.client_id,
    client_secret: app.client_secret,
  });
  expect(put.status).toBe(200);
  await waitRun(tenantId, put.body.initial_run_id);
  const employees = await ehrData.all<Employee>(corpKey, 'employees');
  const departments = new Map((await ehrData.all<Department>(corpKey, 'departments')).map((d) => [d.id, d]));
  return { tenantId, corpKey, page, app, employees, departments };
}

async function provision(e: Employee): Promise<{ username: string; password: string }> {
  const password = `pw-${crypto.randomBytes(6).toString('hex')}`;
  await putYufuUser(emu.info.admin_url, e.username, { name: e.name, email: e.email, password });
  return { username: e.username, password };
}

let s: Setup;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'apaas-signin-'));
  emu = await startEmulator(dataDir);
  api = new ApaasApi(emu.info.apaas_url, readApaasCredentials(emu.info.apaas_credentials_file));
  yufu = new YufuAdmin(emu.info);
  ehr = new EhrControl(emu.info.ehr_url);
  ehrData = new EhrData(emu.info.ehr_url, await ehr.createApp('*'));
  s = await tenantWithSignin();
});

afterAll(async () => {
  await emu?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('unknown tenant → 404 page; a tenant without connector → 409 page; no trailing slash → 301', async () => {
  const unknown = await fetch(`${emu.info.apaas_url}/no-such-tenant/`);
  expect(unknown.status).toBe(404);
  expect(unknown.headers.get('content-type')).toMatch(/text\/html/);
  expect(await unknown.text()).toContain('No such tenant');

  const bare = `t-${crypto.randomBytes(3).toString('hex')}`;
  await fetch(`${emu.info.apaas_url}/__control/tenants`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tenant_id: bare }) });
  const notSetUp = await fetch(`${emu.info.apaas_url}/${bare}/`);
  expect(notSetUp.status).toBe(409);
  expect(await notSetUp.text()).toContain('腾讯 HR 助手');

  const slashless = await fetch(`${emu.info.apaas_url}/${s.tenantId}`, { redirect: 'manual' });
  expect(slashless.status).toBe(301);
  expect(slashless.headers.get('location')).toBe(`/${s.tenantId}/`);
  expect((await fetch(`${emu.info.apaas_url}/${s.tenantId}/`, { method: 'POST' })).status).toBe(405);
});

test('the page starts an authorization-code flow with PKCE S256, state and nonce against the connector\'s app', async () => {
  const res = await fetch(s.page, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const disc = (await (await fetch(s.app.well_known_url)).json()) as { authorization_endpoint: string };
  const to = new URL(res.headers.get('location')!);
  expect(`${to.origin}${to.pathname}`).toBe(disc.authorization_endpoint);
  const q = Object.fromEntries(to.searchParams);
  expect(q).toMatchObject({
    client_id: s.app.client_id,
    redirect_uri: s.page,
    response_type: 'code',
    scope: 'openid profile email',
    code_challenge_method: 'S256',
  });
  expect(q.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(q.state!.length).toBeGreaterThanOrEqual(32);
  expect(q.nonce!.length).toBeGreaterThanOrEqual(32);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('apaas_signin='))!;
  expect(cookie).toMatch(new RegExp(`Path=/${s.tenantId}/; Max-Age=600; HttpOnly; SameSite=Lax`));
  // Nothing about the flow's secrets is readable from the redirect.
  expect(res.headers.get('location')).not.toContain(s.app.client_secret);
});

test('an active synced employee signs in and sees name and department; the session then holds', async () => {
  const employee = s.employees.find((e) => e.status === 'active')!;
  const creds = await provision(employee);
  const jar = new CookieJar();
  const done = await browse(s.page, jar, creds);
  expect(done.sawLogin).toBe(true);
  expect(done.status).toBe(200);
  expect(done.url).toBe(s.page); // the code is gone from the address
  expect(done.html).toContain(`<dd data-field="name">${employee.name}</dd>`);
  expect(done.html).toContain(s.departments.get(employee.department_id)!.name);
  expect(done.html).toContain(employee.username);
  expect(jar.get('apaas_session')!.attrs).toMatch(/HttpOnly; SameSite=Lax/);
  expect(jar.get('apaas_signin')).toBeUndefined(); // one use

  const again = await browse(s.page, jar);
  expect(again.sawLogin).toBe(false);
  expect(again.status).toBe(200);
  expect(again.html).toContain(employee.name);
});

test('an employee who left (synced as disabled) is refused with 403; so is a Yufu user unknown to the tenant', async () => {
  const leaver = s.employees.filter((e) => e.status === 'active')[1]!;
  const creds = await provision(leaver);
  await ehr.patchEmployee(s.corpKey, leaver.id, { status: 'left' });
  await syncNow(s.tenantId);
  const refused = await browse(s.page, new CookieJar(), creds);
  expect(refused.status).toBe(403);
  expect(refused.html).toContain('data-refused="disabled"');
  expect(refused.html).toContain(leaver.name);
  expect(refused.html).toMatch(/离职/);

  const unknown = await browse(s.page, new CookieJar(), { username: 'alice', password: 'alice-password' });
  expect(unknown.status).toBe(403);
  expect(unknown.html).toContain('data-refused="unknown"');
  expect(unknown.html).toContain('alice');
});

test('a signed-in session ends when a sync disables the user', async () => {
  const employee = s.employees.filter((e) => e.status === 'active')[2]!;
  const jar = new CookieJar();
  expect((await browse(s.page, jar, await provision(employee))).status).toBe(200);
  await ehr.patchEmployee(s.corpKey, employee.id, { status: 'left' });
  await syncNow(s.tenantId);
  const after = await browse(s.page, jar);
  expect(after.status).toBe(403);
  expect(after.html).toContain('data-refused="disabled"');
  expect(jar.get('apaas_session')).toBeUndefined();
});

test('callback without the flow cookie, with a forged cookie or a wrong state → 400; cancel at Yufu → 401', async () => {
  const noCookie = await fetch(`${s.page}?code=abc&state=xyz`);
  expect(noCookie.status).toBe(400);
  expect(await noCookie.text()).toContain('Sign-in expired');

  const forged = await fetch(`${s.page}?code=abc&state=xyz`, {
    headers: { cookie: `apaas_signin=${Buffer.from(JSON.stringify({ t: s.tenantId, exp: 9e9 })).toString('base64url')}.AAAA` },
  });
  expect(forged.status).toBe(400);

  // A real flow, but the state coming back is not the one sent.
  const employee = s.employees.filter((e) => e.status === 'active')[3]!;
  const creds = await provision(employee);
  const jar = new CookieJar();
  let url = s.page;
  let callback: URL | undefined;
  for (let hop = 0; hop < 15 && !callback; hop++) {
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header(url) } });
    jar.store(res);
    if (res.status === 200) {
      const action = /<form method="post" action="([^"]+)"/.exec(await res.text())![1]!;
      const post = new URL(action, url).href;
      const login = await fetch(post, { method: 'POST', redirect: 'manual', headers: { cookie: jar.header(post), 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(creds) });
      jar.store(login);
      url = new URL(login.headers.get('location')!, post).href;
      continue;
    }
    url = new URL(res.headers.get('location')!, url).href;
    if (url.startsWith(s.page) && new URL(url).searchParams.has('code')) callback = new URL(url);
  }
  callback!.searchParams.set('state', 'not-the-state');
  const wrongState = await fetch(callback!, { headers: { cookie: jar.header(callback!.href) } });
  expect(wrongState.status).toBe(400);
  expect(await wrongState.text()).toMatch(/Sign-in failed.*unexpected &quot;state&quot;/s);

  const cancelled = await browse(s.page, new CookieJar(), 'cancel');
  expect(cancelled.status).toBe(401);
  expect(cancelled.html).toContain('Sign-in cancelled');
});

test('the log names outcomes but never codes, tokens or secrets', () => {
  const logs = emu.stdout() + emu.stderr();
  expect(logs).toMatch(/apaas sign-in tenant .*: .* signed in/);
  expect(logs).toMatch(/refused .*disabled by the HR sync/);
  expect(logs).toMatch(/refused alice: not a user of the tenant/);
  // ID token signatures are checked against the issuer's JWKS (nothing else here fetches it).
  expect(logs).toMatch(/yufu-idp GET \/sso\/tn-[0-9a-f]+\/ai-[0-9a-f]{32}\/oidc\/jwks 200/);
  expect(logs).not.toContain(s.app.client_secret);
  expect(logs).not.toMatch(/code=|state=|id_token/);
});
