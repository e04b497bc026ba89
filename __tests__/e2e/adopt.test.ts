/**
 * `npm run adopt` end to end: tenants set up the way a person does in the consoles —
 * through the same admin APIs only (a Yufu app, the 腾讯 HR 助手 connector saved with its
 * secret, a sync schedule unlike the defaults) — are adopted into a tenants file; the
 * next plan only imports, on every engine; apply imports; the plan after that shows no
 * changes; and the services' objects are the same before and after (ids, secret,
 * connector with its updated_at, schedule, tenant, sync runs). Then every awkward case:
 * refused with the reason, the tenants file untouched, and only GETs sent to the services.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { buildApp } from '../../main';
import { startEmulator, type RunningEmulator } from '../../scripts/lib/emulator';
import { ROOT } from '../../scripts/lib/paths';
import { EhrControl } from '../emulator/ehr-helpers';
import { enginesForTests } from '../helpers/engines';
import { ApaasApi, readApaasCredentials } from '../helpers/tc3';
import { WholeTenantStack } from '../helpers/stacks';
import { synthStack, tempDir, Workdir } from '../helpers/workdir';
import { YufuAdmin, type AdminApp } from '../helpers/yufu-admin';

const engines = enginesForTests();

interface Run {
  id: string;
  trigger: string;
  status: string;
}

interface Emulated {
  emulator: RunningEmulator;
  yufu: YufuAdmin;
  apaas: ApaasApi;
  ehr: EhrControl;
}

async function start(name: string): Promise<Emulated> {
  const emulator = await startEmulator(tempDir(name));
  return {
    emulator,
    yufu: new YufuAdmin(emulator.info),
    apaas: new ApaasApi(emulator.info.apaas_url, readApaasCredentials(emulator.info.apaas_credentials_file)),
    ehr: new EhrControl(emulator.info.ehr_url),
  };
}

const apaasUrl = (tenantId: string) => `https://apaas.weworkpro.tencent-cloud.com/${tenantId}/`;

/** A schedule unlike the defaults whose next run is hours away (no run starts during the test). */
function handMadeSchedule() {
  const hour = (new Date().getUTCHours() + 12) % 24;
  return { cron: `30 ${hour} * * 1-5`, time_zone: 'Europe/Berlin', mode: 'full' as const };
}

async function ok<T>(r: Promise<{ status: number; body: T }>, status: number, what: string): Promise<T> {
  const result = await r;
  if (result.status !== status) throw new Error(`${what}: HTTP ${result.status} ${JSON.stringify(result.body)}`);
  return result.body;
}

/**
 * What a person does by hand: an E-HR organisation exists; in Yufu 应用管理 an OIDC app
 * with Yufu's own defaults (no refresh tokens, no offline_access, no logout URL, empty
 * description) and a shorter ID-token lifetime; in aPaaS 用户管理 the HR-assistant form
 * with the app's Well-known URL, client id and secret; then a sync schedule.
 */
async function setUpByHand(
  s: Emulated,
  tenantId: string,
  options: { app?: Record<string, unknown>; useApp?: AdminApp; schedule?: boolean; corpKey?: string } = {},
): Promise<{ app: AdminApp; corpKey: string }> {
  const corpKey = options.corpKey ?? tenantId.replace(/[^a-z0-9]/g, '');
  if (!options.corpKey) await s.ehr.createCorp(corpKey, 12, 5);
  await ok(s.apaas.call('POST', '/__control/tenants', { tenant_id: tenantId }), 201, 'create tenant');
  const app =
    options.useApp ??
    (await ok(
      s.yufu.call<AdminApp>('POST', '/api/v1/oidc-apps', {
        name: `${tenantId} 单点登录`,
        redirect_uris: [apaasUrl(tenantId)],
        id_token_lifetime: 1800,
        ...options.app,
      }),
      201,
      'create app',
    ));
  const saved = await ok(
    s.apaas.call<{ initial_run_id: string }>('PUT', `/api/v1/tenants/${tenantId}/hr-connector`, {
      corp_key: corpKey,
      well_known_url: app.well_known_url,
      client_id: app.client_id,
      client_secret: app.client_secret,
    }),
    200,
    'save connector',
  );
  for (let i = 0; i < 200; i++) {
    const run = await ok(s.apaas.call<Run>('GET', `/api/v1/tenants/${tenantId}/sync-runs/${saved.initial_run_id}`), 200, 'read run');
    if (run.status === 'succeeded') break;
    if (run.status === 'failed') throw new Error(`initial sync of ${tenantId} failed`);
    await new Promise((r) => setTimeout(r, 100));
  }
  if (options.schedule !== false) await ok(s.apaas.call('PUT', `/api/v1/tenants/${tenantId}/sync-schedule`, handMadeSchedule()), 200, 'save schedule');
  return { app, corpKey };
}

/** Everything the services hold about a tenant, as the admin APIs show it. */
async function snapshot(s: Emulated, tenantId: string, appId: string) {
  const get = async (path: string) => {
    const r = await s.apaas.call('GET', `/api/v1/tenants/${tenantId}${path}`);
    return { status: r.status, body: r.body };
  };
  return {
    tenant: await get(''),
    app: await s.yufu.app(appId),
    connector: await get('/hr-connector'),
    schedule: await get('/sync-schedule'),
    runs: await get('/sync-runs?page_size=100'),
  };
}

interface AdoptRun {
  code: number;
  stdout: string;
  stderr: string;
  /** The requests the services saw meanwhile: "apaas GET /api/v1/…". */
  requests: string[];
}

/** An npm script as a user runs it, from the project directory. */
async function npm(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn('npm', args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
  return { code, stdout, stderr };
}

async function adopt(s: Emulated, file: string, ...args: string[]): Promise<AdoptRun> {
  await new Promise((r) => setTimeout(r, 300)); // the log lines of the set-up's last requests
  const from = s.emulator.logs().length;
  const { code, stdout, stderr } = await npm(['run', '--silent', 'adopt', '--', ...args], { ...s.emulator.providerEnv, QIANFAN_TENANTS_FILE: file });
  await new Promise((r) => setTimeout(r, 300)); // the emulator's last log lines
  const requests = s.emulator
    .logs()
    .slice(from)
    .split('\n')
    .filter((l) => /^(apaas|yufu-admin|yufu-idp|ehr) [A-Z]+ \//.test(l))
    .map((l) => l.split(' ').slice(0, 3).join(' '));
  return { code, stdout, stderr, requests };
}

const flat = (text: string) => text.replace(/\s+/g, ' ');
const planLine = (stdout: string) => /Plan: .*|No changes\..*/.exec(stdout)?.[0] ?? '(no summary)';
const applyLine = (stdout: string) => /Apply complete!.*/.exec(stdout)?.[0] ?? '(no summary)';

function expectReadOnly(run: AdoptRun): void {
  expect(run.requests.length).toBeGreaterThan(0);
  expect(run.requests.filter((r) => !/^(apaas|yufu-admin) GET /.test(r))).toEqual([]);
}

/** Synthesizes the tenants file as main.ts does and returns one stack's cdk.tf.json. */
function synthStackOf(file: string, stack = 'tenants'): Record<string, unknown> {
  const outdir = tempDir('adopt-synth');
  buildApp(outdir, file).synth();
  return JSON.parse(readFileSync(join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8')) as Record<string, unknown>;
}

const EXISTING = `# Our tenants. This comment, the entry below and its order must survive adopt.
tenants:
  - id: kept-tenant   # managed in its own stack
    corpKey: kept
    stack: elsewhere
    sso: { name: "Kept SSO" }
`;

const report: string[] = [];
afterAll(() => process.stderr.write(`\nadopt e2e, what the engines said:\n${report.join('\n')}\n`));

describe('a tenant set up in the consoles, adopted', () => {
  let s: Emulated;
  beforeAll(async () => {
    s = await start('emulator-adopt');
  });
  afterAll(async () => {
    await s?.emulator.stop();
  });

  describe.each(engines.map((e) => [e.name, e] as const))('%s', (_name, engine) => {
    const tenantId = `adopt-${engine.name}-${randomBytes(3).toString('hex')}`;

    test('npm run adopt, then the plan only imports; apply; no changes; the services hold exactly what they held', async () => {
      const { app } = await setUpByHand(s, tenantId);
      const dir = tempDir(`adopt-${engine.name}`);
      const file = join(dir, 'tenants.yaml');
      writeFileSync(file, EXISTING);
      const before = await snapshot(s, tenantId, app.id);

      const run = await adopt(s, file, tenantId);
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
      expectReadOnly(run);
      expect(run.stdout + run.stderr).not.toContain(app.client_secret);
      expect(run.stdout).toContain('Plan: 3 to import, 0 to add, 0 to change, 0 to destroy.');

      // The file: what was there, unchanged and first; then the new entry.
      const text = readFileSync(file, 'utf8');
      expect(text.startsWith(EXISTING)).toBe(true);
      expect(text).toMatch(/secretVersion: null/);
      expect(text).toMatch(/# The app's secret was made in the console and carries no version/);
      const entry = (parse(text) as { tenants: Record<string, unknown>[] }).tenants[1];
      expect(entry).toEqual({
        id: tenantId,
        corpKey: expect.any(String),
        secretVersion: null,
        // Yufu's own defaults, which are not QianfanTenant's, and the shorter ID token.
        sso: { name: app.name, description: '', postLogoutRedirectUris: [], grantTypes: ['authorization_code'], scopes: ['openid', 'profile', 'email'], idTokenLifetime: 1800 },
        schedule: { cron: handMadeSchedule().cron, timeZone: 'Europe/Berlin', mode: 'full' },
        import: { appId: app.id, connector: true, schedule: true },
      });

      // The next synth: import blocks for the three objects.
      const json = synthStackOf(file);
      const imports = json.import as { to: string; id: string }[];
      expect(imports.map((i) => [i.to.split('.')[0], i.id]).sort()).toEqual([
        ['qianfan_apaas_hr_connector', tenantId],
        ['qianfan_apaas_sync_schedule', tenantId],
        ['qianfan_yufu_oidc_app', app.id],
      ]);

      const work = Workdir.create(engine, 'adopt', json, s.emulator.providerEnv);
      await work.init();
      const plan = await work.run('plan', '-input=false', '-no-color', '-detailed-exitcode');
      report.push(`  ${engine.name} ${engine.version} plan:  ${planLine(plan.stdout)} (exit ${plan.code})`);
      expect(plan.stdout).toContain('Plan: 3 to import, 0 to add, 0 to change, 0 to destroy.');
      expect(plan.code).toBe(2);
      const apply = await work.expect(0, 'apply', '-input=false', '-no-color', '-auto-approve');
      report.push(`  ${engine.name} ${engine.version} apply: ${applyLine(apply.stdout)}`);
      expect(apply.stdout).toMatch(/Apply complete! Resources: 3 imported, 0 added, 0 changed, 0 destroyed\./);
      const again = await work.expect(0, 'plan', '-input=false', '-no-color', '-detailed-exitcode');
      report.push(`  ${engine.name} ${engine.version} plan:  ${planLine(again.stdout)} (exit ${again.code}; the import blocks still in the configuration)`);
      expect(again.stdout).toMatch(/No changes\./);

      const after = await snapshot(s, tenantId, app.id);
      expect(after).toEqual(before);
      const runs = (before.runs.body as { items: Run[] }).items;
      report.push(
        `  ${engine.name}: before = after: app ${app.id} (client id, secret, updated_at ${String(after.app?.updated_at)}), connector updated_at ${String((after.connector.body as { updated_at: string }).updated_at)}, ` +
          `schedule "${String((after.schedule.body as { cron: string }).cron)}" updated_at ${String((after.schedule.body as { updated_at: string }).updated_at)}, user source ${String((after.tenant.body as { user_source: string }).user_source)}, ${runs.length} sync run(s) both times`,
      );
      for (const line of work.log) expect(line).not.toContain(app.client_secret);
    });
  });

  describe('the awkward cases: refused with the reason; nothing written anywhere', () => {
    const suffix = randomBytes(3).toString('hex');
    let file: string;
    beforeAll(() => {
      file = join(tempDir('adopt-awkward'), 'tenants.yaml');
      writeFileSync(file, EXISTING);
    });

    async function refused(...args: string[]): Promise<string> {
      const run = await adopt(s, file, ...args);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/nothing was written to .*tenants\.yaml, and nothing to any service/);
      expect(readFileSync(file, 'utf8')).toBe(EXISTING);
      expectReadOnly(run);
      return flat(run.stderr);
    }

    test('a tenant with no connector', async () => {
      const id = `bare-${suffix}`;
      await ok(s.apaas.call('POST', '/__control/tenants', { tenant_id: id }), 201, 'tenant');
      const said = await refused(id);
      expect(said).toContain(`✘ ${id} cannot be adopted`);
      expect(said).toMatch(/it has no 腾讯 HR 助手 connector \(用户管理 was never set up\): nothing to import/);
    });

    test('a connector whose client id matches no Yufu app the service account can see', async () => {
      const id = `orphan-${suffix}`;
      const { app } = await setUpByHand(s, id);
      expect((await s.yufu.call('DELETE', `/api/v1/oidc-apps/${app.id}`)).status).toBe(204);
      const before = await snapshot(s, id, app.id);
      const said = await refused(id);
      expect(said).toContain(`its connector uses the client id ${app.client_id}, but the Yufu service account at ${s.emulator.info.admin_url} sees no app with this client id`);
      expect(await snapshot(s, id, app.id)).toEqual(before);
    });

    test('a tenant initialised from another source (WeCom, Yufu, self-registration)', async () => {
      const sources = ['wecom', 'yufu', 'self_registration'];
      const id = (source: string) => `${source.replace('_', '')}-${suffix}`;
      for (const source of sources) await ok(s.apaas.call('POST', '/__control/tenants', { tenant_id: id(source), user_source: source }), 201, 'tenant');
      const said = await refused(...sources.map(id));
      for (const source of sources) {
        expect(said).toMatch(new RegExp(`✘ ${id(source)} cannot be adopted: - its user data comes from [^ ]+ \\(${source}\\) since [^ ]+, not from 腾讯 HR 助手: there is no HR connector to adopt`));
      }
      expect(said).toMatch(/A self-registration tenant may switch once/);
      expect(said).toMatch(/aPaaS never changes an initialised source/);
    });

    test('a tenant already in the tenants file', async () => {
      const id = `listed-${suffix}`;
      await setUpByHand(s, id);
      const listed = `${EXISTING}  - id: ${id}\n    corpKey: listed\n`;
      writeFileSync(file, listed);
      const run = await adopt(s, file, id);
      expect(run.code).toBe(1);
      expect(flat(run.stderr)).toContain(`it is in the tenants file already (${file.startsWith(ROOT) ? file.slice(ROOT.length + 1) : file}:7, tenants[1]); adopt adds new entries and never changes one`);
      expect(readFileSync(file, 'utf8')).toBe(listed);
      writeFileSync(file, EXISTING);
    });

    test('an app shared by two tenants', async () => {
      const first = `shared-a-${suffix}`;
      const second = `shared-b-${suffix}`;
      const { app, corpKey } = await setUpByHand(s, first);
      await setUpByHand(s, second, { useApp: app, corpKey });
      // One at a time or both at once: each is refused, naming the other.
      expect(await refused(first)).toContain(`its Yufu app "${app.name}" (${app.id}, client id ${app.client_id}) is also the app of tenant ${second}`);
      const said = await refused(first, second);
      for (const [id, other] of [[first, second], [second, first]]) {
        expect(said).toContain(`✘ ${id} cannot be adopted: - its Yufu app "${app.name}" (${app.id}, client id ${app.client_id}) is also the app of tenant ${other}`);
      }
      expect(said).toMatch(/Give shared-b-\w+ an app of its own in the Yufu console/);
    });

    test('all or nothing: one tenant refused, none written; the message names the command for the others', async () => {
      const good = `good-${suffix}`;
      const bare = `bare2-${suffix}`;
      await setUpByHand(s, good);
      await ok(s.apaas.call('POST', '/__control/tenants', { tenant_id: bare }), 201, 'tenant');
      const said = await refused(good, bare);
      expect(said).toContain(`✘ ${bare} cannot be adopted`);
      expect(said).not.toContain(`✘ ${good}`);
      expect(said).toContain(`To adopt the others: npm run adopt -- ${good}`);
    });

    test('settings the tenants file cannot express: which, and how to keep them (and that way works)', async () => {
      const id = `spa-${suffix}`;
      const { app, corpKey } = await setUpByHand(s, id, { app: { application_type: 'spa' } });
      const said = await refused(id);
      expect(said).toContain(`the Yufu app "${app.name}" (${app.id}) has application_type = "spa": the tenants file has no setting for the app type`);
      expect(said).toContain(`Keep it by declaring this tenant in TypeScript with QianfanTenant — sso: { applicationType: "spa" }, importExisting: { appId: "${app.id}", connector: true, schedule: true }`);
      // The advice, followed: the same settings in TypeScript, with the app type; the plan only imports.
      const { cron, time_zone: timeZone, mode } = handMadeSchedule();
      const json = synthStack((a) => new WholeTenantStack(a, 'spa', {
        apaasTenantId: id,
        corpKey,
        secretVersion: null,
        sso: { name: app.name, applicationType: 'spa', description: '', postLogoutRedirectUris: [], grantTypes: ['authorization_code'], scopes: ['openid', 'profile', 'email'], idTokenLifetime: 1800 },
        schedule: { cron, timeZone, mode },
        importExisting: { appId: app.id, connector: true, schedule: true },
      })).json;
      for (const engine of engines) {
        const work = Workdir.create(engine, 'adopt-spa', json, s.emulator.providerEnv);
        await work.init();
        const plan = await work.expect(2, 'plan', '-input=false', '-no-color', '-detailed-exitcode');
        expect(plan.stdout).toContain('Plan: 3 to import, 0 to add, 0 to change, 0 to destroy.');
      }
    });

    test('--dry-run prints the new file and writes nothing; --stack puts the entry in its own stack', async () => {
      const id = `dry-${suffix}`;
      await setUpByHand(s, id);
      const run = await adopt(s, file, id, '--dry-run', '--stack', 'hand-made');
      expect(run.code).toBe(0);
      expectReadOnly(run);
      expect(run.stdout).toMatch(/--dry-run: .*tenants\.yaml would become:/);
      expect(run.stdout).toContain(EXISTING);
      expect(run.stdout).toMatch(new RegExp(`- id: ${id}\n {4}stack: hand-made\n`));
      expect(readFileSync(file, 'utf8')).toBe(EXISTING);
      const usage = await adopt(s, file, id, '--stack', 'Not A Stack');
      expect(usage.code).toBe(2);
      expect(usage.stderr).toMatch(/--stack: expected a stack name/);
      const badId = await adopt(s, file, `${'x'.repeat(80)}/../y`);
      expect(badId.code).toBe(2);
      expect(badId.stderr).toMatch(/"x{67}\.\.\.": expected an aPaaS tenant id: 1–64 letters, digits, "-" or "_"/);
      expect(badId.requests).toEqual([]);
    });

    test('objects a Terraform state manages already', async () => {
      const id = `claimed-${suffix}`;
      const { app } = await setUpByHand(s, id);
      await ok(s.yufu.call('POST', `/api/v1/oidc-apps/${app.id}:claim`, { claimant: 'qf-claim:another-state-0123' }), 200, 'claim');
      const said = await refused(id);
      expect(said).toContain(`the Yufu app "${app.name}" (${app.id}) is managed by another Terraform state (claimed at `);
    });

    test('a connector whose secret is out of date: refused, or adopted with --repair-secret', async () => {
      const id = `stale-${suffix}`;
      const { app } = await setUpByHand(s, id);
      const rotated = await ok(s.yufu.call<AdminApp>('POST', `/api/v1/oidc-apps/${app.id}/client-secret:rotate`, {}), 200, 'rotate');
      const said = await refused(id);
      expect(said).toMatch(/the secret its connector holds is not the current secret of the Yufu app/);
      const run = await adopt(s, file, id, '--repair-secret');
      expect(run.code).toBe(0);
      expectReadOnly(run);
      expect(run.stdout).toContain('Plan: 3 to import, 0 to add, 1 to change, 0 to destroy.');
      for (const secret of [app.client_secret, rotated.client_secret]) expect(run.stdout + run.stderr).not.toContain(secret);
      // What the plan then says: the connector is imported and updated (the secret re-sent on apply).
      const json = synthStackOf(file);
      for (const engine of engines) {
        const work = Workdir.create(engine, 'adopt-stale', json, s.emulator.providerEnv);
        await work.init();
        const plan = await work.expect(2, 'plan', '-input=false', '-no-color', '-detailed-exitcode');
        expect(plan.stdout).toContain('Plan: 3 to import, 0 to add, 1 to change, 0 to destroy.');
        expect(plan.stdout).toMatch(/~ client_secret_in_sync += false -> true/);
        for (const secret of [app.client_secret, rotated.client_secret]) expect(plan.stdout).not.toContain(secret);
      }
      writeFileSync(file, EXISTING);
    });
  });
});

describe('npm run adopt -- --all', () => {
  let s: Emulated;
  beforeAll(async () => {
    s = await start('emulator-adopt-all');
  });
  afterAll(async () => {
    await s?.emulator.stop();
  });

  test('adopts every tenant set up by hand and passes over the rest; the plan only imports, on every engine', async () => {
    const suffix = randomBytes(3).toString('hex');
    const [withSchedule, withoutSchedule, listed, managed] = ['full', 'noschedule', 'listed', 'managed'].map((n) => `all-${n}-${suffix}`);
    const { app: first } = await setUpByHand(s, withSchedule);
    const { app: second } = await setUpByHand(s, withoutSchedule, { schedule: false });
    await setUpByHand(s, listed);
    await setUpByHand(s, managed);
    await ok(s.apaas.call('POST', `/api/v1/tenants/${managed}/hr-connector:claim`, { claimant: 'qf-claim:another-state-0123' }), 200, 'claim');
    await ok(s.apaas.call('POST', '/__control/tenants', { tenant_id: `all-wecom-${suffix}`, user_source: 'wecom' }), 201, 'tenant');
    const dir = tempDir('adopt-all');
    const file = join(dir, 'tenants.yaml');
    const existing = `tenants:\n  - id: ${listed}\n    corpKey: somewhere\n    stack: elsewhere\n`;
    writeFileSync(file, existing);

    const run = await adopt(s, file, '--all');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expectReadOnly(run);
    // demo-tenant-001 (seeded) and the WeCom tenant have no connector.
    expect(run.stdout).toContain('passed over: 1 in the tenants file already, 2 without an HR connector, 1 whose connector a Terraform state manages');
    expect(run.stdout).toContain('Plan: 5 to import, 0 to add, 0 to change, 0 to destroy.');
    const entries = (parse(readFileSync(file, 'utf8')) as { tenants: { id: string; schedule?: unknown; import?: unknown }[] }).tenants;
    expect(entries.map((e) => e.id)).toEqual([listed, withSchedule, withoutSchedule]);
    expect(entries[2].schedule).toBe(false);
    expect(readFileSync(file, 'utf8')).toMatch(/# aPaaS has no sync schedule for this tenant; false keeps it so/);
    expect(entries[2].import).toEqual({ appId: second.id, connector: true });

    // The CI recipe's plan step, as the README tells: synthesize and plan every stack.
    const before = [await snapshot(s, withSchedule, first.id), await snapshot(s, withoutSchedule, second.id)];
    for (const engine of engines) {
      const outdir = tempDir(`adopt-all-${engine.name}`);
      const plan = await npm(['run', '--silent', 'ci:plan'], { ...s.emulator.providerEnv, QIANFAN_TENANTS_FILE: file, QIANFAN_CDKTF_OUT: outdir, QIANFAN_ENGINE: engine.name });
      const line = /### Stack `tenants`: (.*)/.exec(plan.stdout)?.[1] ?? '(no summary)';
      report.push(`  ${engine.name} ${engine.version} --all, npm run ci:plan, stack tenants: ${line}`);
      expect({ code: plan.code, stderr: plan.code === 0 ? '' : plan.stderr }).toEqual({ code: 0, stderr: '' });
      expect(line).toBe('Plan: 5 to import, 0 to add, 0 to change, 0 to destroy.');
    }
    expect([await snapshot(s, withSchedule, first.id), await snapshot(s, withoutSchedule, second.id)]).toEqual(before);

    // Run again: everything is in the file now.
    const again = await adopt(s, file, '--all');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/nothing to adopt/);
    expect(existsSync(file)).toBe(true);
  });
});
