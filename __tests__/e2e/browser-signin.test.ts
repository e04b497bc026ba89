/**
 * Sign-in for real, in a browser: a tenant deployed by real Terraform, then headless
 * Chromium opens the tenant's aPaaS page `{apaas_url}/{tenantId}/`, is sent to the Yufu
 * app's login, types a synced employee's credentials and lands back on the aPaaS page
 * showing the employee's name and department. An employee who left (marked left in E-HR,
 * synced) and a Yufu user unknown to the tenant are refused with 403.
 *
 * Who can sign in (docs/api/yufu-admin.md §7.1): the Yufu directory is provisioned from
 * the E-HR directory (username, name and e-mail of each employee) with a password set
 * through the emulator's loopback-only control endpoint, kept as a scrypt hash.
 *
 * One engine only: what is under test here (the browser, the aPaaS page, Yufu's login,
 * openid-client) does not depend on the engine that set the tenant up, and
 * qianfan-tenant.test.ts already deploys the same tenant on every engine present.
 * Terraform is preferred (what production runs), OpenTofu otherwise.
 *
 * The browser is the system's Chromium (/usr/bin/chromium, Debian's package, installed
 * by .ci/run), driven by playwright-core, which never downloads a browser.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page, type Response as PwResponse } from 'playwright-core';
import { TenantsStack } from '../../constructs/tenants-stack';
import type { TenantEntry } from '../../constructs/tenants-file';
import { findEngines } from '../../scripts/lib/engines';
import { startEmulator, type RunningEmulator } from '../../scripts/lib/emulator';
import { EhrControl, EhrData, type Department, type Employee } from '../emulator/ehr-helpers';
import { ApaasApi, readApaasCredentials } from '../helpers/tc3';
import { synthStack, tempDir, TEST_OUTPUT, Workdir } from '../helpers/workdir';
import { putYufuUser, YufuAdmin } from '../helpers/yufu-admin';

jest.setTimeout(240_000);

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SCREENSHOTS = join(TEST_OUTPUT, 'browser-signin');

const started = Date.now();
const phases: Array<[string, number]> = [];
async function timed<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const t = Date.now();
  try {
    return await fn();
  } finally {
    phases.push([name, Date.now() - t]);
  }
}

const suffix = randomBytes(3).toString('hex');
const tenantId = `browser-${suffix}`;
const corpKey = `browser${suffix}`;
const appName = `browser sign-in ${suffix}`;

let emulator: RunningEmulator;
let apaas: ApaasApi;
let ehr: EhrControl;
let work: Workdir;
let context: BrowserContext | undefined;
let profileDir: string | undefined;
let pageUrl: string;
let employee: Employee;
let leaver: Employee;
let departments: Map<string, Department>;
const passwords = new Map<string, string>();

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium), as .ci/run does`);
  const { present } = findEngines();
  const engine = present.find((e) => e.name === 'terraform') ?? present[0];
  if (!engine) throw new Error('no Terraform engine found: this test needs terraform or tofu (npm install brings tofu)');
  process.stderr.write(`browser-signin: engine ${engine.name} ${engine.version}, browser ${CHROMIUM}\n`);

  emulator = await timed('emulator start', () => startEmulator(tempDir('emulator-browser')));
  const info = emulator.info;
  apaas = new ApaasApi(info.apaas_url!, readApaasCredentials(info.apaas_credentials_file!));
  ehr = new EhrControl(info.ehr_url!);
  pageUrl = `${info.apaas_url}/${tenantId}/`;

  await timed('directory and Yufu users', async () => {
    await ehr.createCorp(corpKey, 40, suffix, '千帆演示科技有限公司');
    const data = new EhrData(info.ehr_url!, await ehr.createApp([corpKey]));
    departments = new Map((await data.all<Department>(corpKey, 'departments')).map((d) => [d.id, d]));
    const active = (await data.all<Employee>(corpKey, 'employees')).filter((e) => e.status === 'active' && departments.get(e.department_id)?.status === 'active');
    [employee, leaver] = active as [Employee, Employee];
    // The Yufu directory, provisioned from E-HR: same username, name and e-mail.
    for (const e of [employee, leaver]) {
      const password = `pw-${randomBytes(8).toString('hex')}`;
      passwords.set(e.username, password);
      await putYufuUser(info.admin_url, e.username, { name: e.name, email: e.email, password });
    }
    const tenant = await fetch(`${info.apaas_url}/__control/tenants`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenant_id: tenantId, name: '千帆演示租户' }),
    });
    expect(tenant.status).toBe(201);
  });

  // The tenant as production declares it, plus the emulator's page as a second redirect
  // URI (Yufu allows http for 127.0.0.1).
  const entry: TenantEntry = {
    id: tenantId,
    corpKey,
    sso: { name: appName, redirectUris: [`https://apaas.weworkpro.tencent-cloud.com/${tenantId}/`, pageUrl] },
  };
  const config = synthStack((app) => new TenantsStack(app, 'tenants', [entry])).json;
  work = Workdir.create(engine, 'browser-signin', config, emulator.providerEnv);
  await timed(`${engine.name} init + apply`, async () => {
    await work.init();
    const apply = await work.expect(0, 'apply', '-input=false', '-no-color', '-auto-approve');
    expect(apply.stdout).toMatch(/Apply complete! Resources: 3 added/);
  });
  const [app] = await new YufuAdmin(info).appsNamed(appName);
  expect(app!.redirect_uris).toContain(pageUrl);

  mkdirSync(SCREENSHOTS, { recursive: true });
  profileDir = mkdtempSync(join(tmpdir(), 'browser-signin-profile-'));
  context = await timed('chromium launch', () =>
    chromium.launchPersistentContext(profileDir!, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 900, height: 640 },
      locale: 'zh-CN',
      timeout: 30_000,
    }),
  );
});

afterAll(async () => {
  await context?.close().catch(() => undefined);
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  await emulator?.stop();
  const total = ((Date.now() - started) / 1000).toFixed(1);
  const detail = phases.map(([name, ms]) => `${name} ${(ms / 1000).toFixed(1)} s`).join(', ');
  process.stderr.write(`browser-signin: total ${total} s (${detail})\n`);
});

/** The response that ends a navigation back at the tenant page: not a redirect. */
const finalPageResponse = (page: Page): Promise<PwResponse> =>
  page.waitForResponse((r) => r.url().startsWith(pageUrl) && r.request().isNavigationRequest() && (r.status() < 300 || r.status() >= 400), { timeout: 30_000 });

/** A person at the browser: opens the tenant page, signs in at Yufu; returns the tenant page's answer. */
async function signIn(page: Page, username: string, password: string, loginShot?: string): Promise<PwResponse> {
  await page.goto(pageUrl);
  // Redirected to the Yufu app's login page.
  expect(page.url().startsWith(emulator.info.idp_url)).toBe(true);
  expect(page.url()).toMatch(/\/oidc\/interaction\/[A-Za-z0-9_-]+$/);
  await expect(page.locator('h1').textContent()).resolves.toContain('千帆玉符');
  await page.fill('#username', username);
  await page.fill('#password', password);
  if (loginShot) await shot(page, loginShot);
  const answer = finalPageResponse(page);
  await page.click('button[type="submit"]');
  const response = await answer;
  await page.waitForLoadState('load');
  return response;
}

async function shot(page: Page, name: string): Promise<void> {
  const file = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  process.stderr.write(`browser-signin: screenshot ${file}\n`);
}

test('an active synced employee signs in and sees their name and department', async () => {
  const page = await context!.newPage();
  const response = await timed('sign-in: active employee', () => signIn(page, employee.username, passwords.get(employee.username)!, 'yufu-login'));
  expect(response.status()).toBe(200);
  expect(page.url()).toBe(pageUrl); // the code does not stay in the address bar
  const department = departments.get(employee.department_id)!.name;
  await expect(page.locator('[data-field="name"]').textContent()).resolves.toBe(employee.name);
  await expect(page.locator('[data-field="department"]').textContent()).resolves.toMatch(new RegExp(`^${department}`));
  await expect(page.locator('[data-field="username"]').textContent()).resolves.toBe(employee.username);
  await expect(page.locator('h1').textContent()).resolves.toBe(`欢迎，${employee.name}`);
  await shot(page, 'signed-in');

  // A reload keeps the session: no second trip to Yufu.
  const again = await page.reload();
  expect(again!.status()).toBe(200);
  expect(page.url()).toBe(pageUrl);
  await page.close();
});

test('an employee who left, once synced, is refused with 403', async () => {
  await ehr.patchEmployee(corpKey, leaver.id, { status: 'left' });
  const run = await apaas.call<{ id: string }>('POST', `/api/v1/tenants/${tenantId}/sync-runs`, { mode: 'incremental' });
  expect(run.status).toBe(202);
  let status = '';
  for (let i = 0; i < 200 && status !== 'succeeded' && status !== 'failed'; i++) {
    await new Promise((r) => setTimeout(r, 50));
    status = (await apaas.call<{ status: string }>('GET', `/api/v1/tenants/${tenantId}/sync-runs/${run.body.id}`)).body.status;
  }
  expect(status).toBe('succeeded');

  // Another person at the same browser: the first one's sessions are gone.
  await context!.clearCookies();
  const page = await context!.newPage();
  const response = await timed('sign-in: leaver', () => signIn(page, leaver.username, passwords.get(leaver.username)!));
  expect(response.status()).toBe(403);
  await expect(page.locator('h1').textContent()).resolves.toContain('账号已停用');
  await expect(page.locator('p.err').textContent()).resolves.toContain(leaver.name);
  await expect(page.locator('main').textContent()).resolves.toContain('离职');
  await shot(page, 'refused-leaver');
  await page.close();
});

test('a Yufu user who is not a user of the tenant is refused with 403', async () => {
  await context!.clearCookies();
  const page = await context!.newPage();
  const response = await timed('sign-in: unknown user', () => signIn(page, 'alice', 'alice-password'));
  expect(response.status()).toBe(403);
  await expect(page.locator('h1').getAttribute('data-refused')).resolves.toBe('unknown');
  await expect(page.locator('p.err').textContent()).resolves.toContain('不是本租户的用户');
  await page.close();
});
