/**
 * The whole tenant end to end — the three console procedures of docs/architecture.md §1 as one
 * QianfanTenant — on every engine present, against the emulator's Yufu, aPaaS and
 * E-HR services: apply, no-op plan, in-place schedule change, directory changes
 * picked up by the next sync, secret rotation, a refused source switch, destroy.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { TenantsStack } from '../../constructs/tenants-stack';
import type { TenantEntry } from '../../constructs/tenants-file';
import { startEmulator, type RunningEmulator } from '../../scripts/lib/emulator';
import { EhrControl, EhrData, type EhrAppKey } from '../emulator/ehr-helpers';
import { enginesForTests } from '../helpers/engines';
import { ApaasApi, readApaasCredentials } from '../helpers/tc3';
import { synthStack, tempDir, Workdir } from '../helpers/workdir';
import { YufuAdmin } from '../helpers/yufu-admin';

const engines = enginesForTests();

let emulator: RunningEmulator;
let yufu: YufuAdmin;
let apaas: ApaasApi;
let ehr: EhrControl;
let ehrData: EhrData;
let ehrApp: EhrAppKey;

beforeAll(async () => {
  emulator = await startEmulator(tempDir('emulator-tenant'));
  yufu = new YufuAdmin(emulator.info);
  apaas = new ApaasApi(emulator.info.apaas_url!, readApaasCredentials(emulator.info.apaas_credentials_file!));
  ehr = new EhrControl(emulator.info.ehr_url!);
  ehrApp = await ehr.createApp('*');
  ehrData = new EhrData(emulator.info.ehr_url!, ehrApp);
});

afterAll(async () => {
  await emulator?.stop();
});

interface Run {
  id: string;
  status: string;
  counts: Record<string, number>;
  error: string | null;
}

async function waitForRun(tenantId: string, runId: string): Promise<Run> {
  for (let i = 0; i < 200; i++) {
    const r = await apaas.call<Run>('GET', `/api/v1/tenants/${tenantId}/sync-runs/${runId}`);
    if (r.body.status === 'succeeded' || r.body.status === 'failed') return r.body;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`run ${runId} did not finish`);
}

async function syncNow(tenantId: string, mode: 'full' | 'incremental'): Promise<Run> {
  const started = await apaas.call<Run>('POST', `/api/v1/tenants/${tenantId}/sync-runs`, { mode });
  expect(started.status).toBe(202);
  return waitForRun(tenantId, started.body.id);
}

async function total(tenantId: string, kind: 'users' | 'departments', query = ''): Promise<number> {
  const r = await apaas.call<{ total: number }>('GET', `/api/v1/tenants/${tenantId}/${kind}?page_size=1${query}`);
  expect(r.status).toBe(200);
  return r.body.total;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const flat = (s: string) => s.replace(/\s+/g, ' ');

describe.each(engines.map((e) => [e.name, e] as const))('%s', (_name, engine) => {
  const suffix = randomBytes(3).toString('hex');
  const tenantId = `e2e-${engine.name}-${suffix}`;
  const corpKey = `e2e${engine.name}${suffix}`;
  const otherCorp = `${corpKey}b`;
  let entry: TenantEntry;
  let work: Workdir;
  const secretsSeen = new Set<string>();

  const config = (e: TenantEntry) => synthStack((app) => new TenantsStack(app, 'tenants', [e])).json;
  const output = async () => (await work.outputs())[`tenant_${tenantId.replace(/-/g, '_')}`].value as Record<string, unknown>;
  /** What the stack's sync-status data source read last (plan or apply), from the state. */
  const syncStatus = () => {
    const state = work.state() as { resources: { mode: string; type: string; instances: { attributes: Record<string, unknown> }[] }[] };
    return state.resources.find((r) => r.mode === 'data' && r.type === 'qianfan_apaas_sync_status')!.instances[0].attributes;
  };

  beforeAll(async () => {
    await ehr.createCorp(corpKey, 60, 7);
    await ehr.createCorp(otherCorp, 5, 8);
    const created = await apaas.call('POST', '/__control/tenants', { tenant_id: tenantId });
    expect(created.status).toBe(201);
    entry = {
      id: tenantId,
      corpKey,
      sso: { name: `e2e tenant ${engine.name} ${suffix}` },
      schedule: { cron: '0 2 * * *', timeZone: 'Asia/Shanghai', mode: 'incremental' },
    };
    work = Workdir.create(engine, 'tenant', config(entry), emulator.providerEnv);
    await work.init();
  });

  test('apply: the tenant holds the synced organisation; counts equal the directory', async () => {
    const apply = await work.expect(0, 'apply', '-input=false', '-no-color', '-auto-approve');
    expect(apply.stdout).toMatch(/Apply complete! Resources: 3 added/);
    const employees = await ehrData.all<{ status: string }>(corpKey, 'employees');
    const departments = await ehrData.all<{ status: string }>(corpKey, 'departments');
    const out = await output();
    expect(out.user_source).toBe('hr_assistant');
    // Sync figures come from the status data source (read during the apply, after the connector).
    const status = syncStatus();
    expect(status.connector_status).toBe('active');
    expect(status.last_run_status).toBe('succeeded');
    expect(status.employees_synced).toBe(employees.filter((e) => e.status === 'active').length);
    expect(status.employees_synced).toBe(await total(tenantId, 'users', '&status=active'));
    expect(await total(tenantId, 'users')).toBe(employees.length);
    expect(status.departments_synced).toBe(departments.length);
    expect(status.departments_synced).toBe(await total(tenantId, 'departments'));
    expect(status.next_run_at).toMatch(/^\d{4}-\d\d-\d\dT18:00:00/); // 02:00 Asia/Shanghai
    for (const volatile of ['connector_status', 'employees_synced', 'departments_synced', 'next_sync_at']) expect(out).not.toHaveProperty(volatile);
    const [app] = await yufu.appsNamed(entry.sso!.name!);
    secretsSeen.add(app.client_secret);
    expect(out.client_id).toBe(app.client_id);
  });

  test('a second plan shows no changes (provider logs at TF_LOG=trace carry no secret)', async () => {
    const plan = await work.run('plan', '-input=false', '-no-color', '-detailed-exitcode');
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/No changes/);
    const traced = await runTraced(work);
    // The provider's structured log lines, parsed by Terraform at their own level.
    expect(traced).toMatch(/\[TRACE\] provider\.terraform-provider-qianfan_v0\.1\.0: rpc: .*GetProviderSchema/);
    expect(traced).toMatch(/\[DEBUG\] provider\.terraform-provider-qianfan_v0\.1\.0: http: .*aPaaS admin API/);
    for (const secret of secretsSeen) expect(traced).not.toContain(secret);
  });

  test('changing the schedule is an in-place update', async () => {
    entry = { ...entry, schedule: { cron: '30 6 * * 1-5', timeZone: 'Asia/Shanghai', mode: 'full' } };
    work.write(config(entry));
    const plan = await work.expect(2, 'plan', '-input=false', '-no-color', '-detailed-exitcode');
    expect(plan.stdout).toMatch(/0 to add, 1 to change, 0 to destroy/);
    expect(plan.stdout).toMatch(/~ cron\s+= "0 2 \* \* \*" -> "30 6 \* \* 1-5"/);
    await work.expect(0, 'apply', '-input=false', '-no-color', '-auto-approve');
    const schedule = await apaas.call<{ cron: string; mode: string }>('GET', `/api/v1/tenants/${tenantId}/sync-schedule`);
    expect(schedule.body).toMatchObject({ cron: '30 6 * * 1-5', mode: 'full' });
    await work.expect(0, 'plan', '-input=false', '-no-color', '-detailed-exitcode');
  });

  test('a hire, a leaver and a moved employee are reflected by the next sync', async () => {
    const employees = await ehrData.all<{ id: string; status: string; department_id: string }>(corpKey, 'employees');
    const departments = await ehrData.all<{ id: string; status: string }>(corpKey, 'departments');
    const active = employees.filter((e) => e.status === 'active');
    const [leaver, mover] = active;
    const target = departments.find((d) => d.status === 'active' && d.id !== mover.department_id)!;
    const hire = await ehr.hire(corpKey, { name: '新同事 李雷', department_id: target.id, username: `li.lei.${suffix}` });
    await ehr.patchEmployee(corpKey, leaver.id, { status: 'left' });
    await ehr.patchEmployee(corpKey, mover.id, { department_id: target.id });

    const run = await syncNow(tenantId, 'incremental');
    expect(run.status).toBe('succeeded');
    expect(run.counts.users_added).toBe(1);
    expect(run.counts.users_disabled).toBe(1);
    expect(run.counts.users_updated).toBeGreaterThanOrEqual(1);

    const users = await apaas.call<{ items: { external_id: string; status: string; department_ids: string[] }[] }>('GET', `/api/v1/tenants/${tenantId}/users?page_size=1000`);
    const byExternal = new Map(users.body.items.map((u) => [u.external_id, u]));
    expect(byExternal.get(hire.id)?.status).toBe('active');
    expect(byExternal.get(leaver.id)?.status).toBe('disabled');
    const depts = await apaas.call<{ items: { id: string; external_id: string }[] }>('GET', `/api/v1/tenants/${tenantId}/departments?page_size=1000`);
    const targetApaasId = depts.body.items.find((d) => d.external_id === target.id)!.id;
    expect(byExternal.get(mover.id)?.department_ids).toContain(targetApaasId);

    // The CI gate: a sync run changed the figures, not the declared setup — no changes.
    const plan = await work.expect(0, 'plan', '-input=false', '-no-color', '-detailed-exitcode');
    expect(plan.stdout).toMatch(/No changes/);
    // The status data source has the new figures (refresh writes them to the state).
    await work.expect(0, 'apply', '-refresh-only', '-input=false', '-no-color', '-auto-approve');
    expect(syncStatus().employees_synced).toBe(active.length); // +1 hire, -1 leaver
  });

  test('rotating the client secret keeps the Yufu app and the connector consistent; a sync still succeeds', async () => {
    const [before] = await yufu.appsNamed(entry.sso!.name!);
    entry = { ...entry, secretVersion: 2 };
    work.write(config(entry));
    const plan = await work.expect(2, 'plan', '-input=false', '-no-color', '-detailed-exitcode');
    expect(plan.stdout).toMatch(/0 to add, 2 to change, 0 to destroy/);
    expect(plan.stdout).not.toContain(before.client_secret);
    const apply = await work.expect(0, 'apply', '-input=false', '-no-color', '-auto-approve');
    const [after] = await yufu.appsNamed(entry.sso!.name!);
    secretsSeen.add(after.client_secret);
    expect(after.client_secret).not.toBe(before.client_secret);
    expect(after.client_id).toBe(before.client_id);
    const connector = await apaas.call<{ client_secret_sha256: string }>('GET', `/api/v1/tenants/${tenantId}/hr-connector`);
    expect(connector.body.client_secret_sha256).toBe(sha256(after.client_secret));
    for (const secret of secretsSeen) expect(apply.stdout + apply.stderr).not.toContain(secret);
    expect((await syncNow(tenantId, 'full')).status).toBe('succeeded');
    await work.expect(0, 'plan', '-input=false', '-no-color', '-detailed-exitcode');
  });

  test('switching the tenant to another HR organisation fails at plan with the reason; nothing changes', async () => {
    const before = await apaas.call<{ corp_key: string; updated_at: string }>('GET', `/api/v1/tenants/${tenantId}/hr-connector`);
    work.write(config({ ...entry, corpKey: otherCorp }));
    const plan = await work.run('plan', '-input=false', '-no-color');
    expect(plan.code).toBe(1);
    const said = flat(plan.stderr);
    expect(said).toMatch(/The tenant's HR organisation cannot be changed/);
    expect(said).toContain(`initialised from the 腾讯 HR 助手 organisation "${corpKey}"`);
    expect(said).toMatch(/Nothing was changed/);
    expect(plan.stdout).not.toMatch(/must be replaced/);
    const after = await apaas.call<{ corp_key: string; updated_at: string }>('GET', `/api/v1/tenants/${tenantId}/hr-connector`);
    expect(after.body).toEqual(before.body);
    work.write(config(entry));
  });

  test('a tenant whose user data came from Yufu cannot take the HR connector: plan fails, nothing is created', async () => {
    const lockedId = `locked-${engine.name}-${suffix}`;
    expect((await apaas.call('POST', '/__control/tenants', { tenant_id: lockedId, user_source: 'yufu' })).status).toBe(201);
    const name = `locked ${engine.name} ${suffix}`;
    const locked = Workdir.create(engine, 'locked', config({ id: lockedId, corpKey, sso: { name } }), emulator.providerEnv);
    await locked.init();
    const plan = await locked.run('plan', '-input=false', '-no-color');
    expect(plan.code).toBe(1);
    const said = flat(plan.stderr);
    expect(said).toMatch(/The tenant's user source cannot be changed/);
    expect(said).toMatch(/initialised its user data from 千帆玉符 \(yufu\)/);
    expect(said).toMatch(/aPaaS does not allow switching to another source/);
    expect(await yufu.appsNamed(name)).toHaveLength(0);
    const tenant = await apaas.call<{ user_source: string }>('GET', `/api/v1/tenants/${lockedId}`);
    expect(tenant.body.user_source).toBe('yufu');
  });

  test('import of app, connector and schedule into an empty state: no changes, nothing sent', async () => {
    const [app] = await yufu.appsNamed(entry.sso!.name!);
    const current = config(entry);
    delete current.output;
    const fresh = Workdir.create(engine, 'tenant-import', current, emulator.providerEnv);
    await fresh.init();
    const resources = current.resource as Record<string, Record<string, unknown>>;
    const address = (type: string) => `${type}.${Object.keys(resources[type])[0]}`;
    await fresh.expect(0, 'import', '-input=false', '-no-color', address('qianfan_yufu_oidc_app'), app.id);
    await fresh.expect(0, 'import', '-input=false', '-no-color', address('qianfan_apaas_hr_connector'), tenantId);
    await fresh.expect(0, 'import', '-input=false', '-no-color', address('qianfan_apaas_sync_schedule'), tenantId);
    // The connector holds the app's secret and the provider compares it by digest; the
    // rotation trigger is read back as the label of the app's secret: nothing to change.
    const connectorBefore = (await apaas.call<{ updated_at: string }>('GET', `/api/v1/tenants/${tenantId}/hr-connector`)).body;
    const plan = await fresh.expect(0, 'plan', '-input=false', '-no-color', '-detailed-exitcode');
    expect(plan.stdout).toMatch(/No changes/);
    const [after] = await yufu.appsNamed(entry.sso!.name!);
    expect(after.client_secret).toBe(app.client_secret);
    expect((await apaas.call<{ updated_at: string }>('GET', `/api/v1/tenants/${tenantId}/hr-connector`)).body).toEqual(connectorBefore);
    for (const secret of secretsSeen) expect(plan.stdout + plan.stderr).not.toContain(secret);
    // Hand the objects back to the main workdir's state: only one state may manage them.
    for (const type of ['qianfan_yufu_oidc_app', 'qianfan_apaas_hr_connector', 'qianfan_apaas_sync_schedule']) {
      await fresh.expect(0, 'state', 'rm', '-no-color', address(type));
    }
  });

  test('destroy removes what the services allow and says what stays', async () => {
    const [app] = await yufu.appsNamed(entry.sso!.name!);
    const destroy = await work.expect(0, 'destroy', '-input=false', '-no-color', '-auto-approve');
    const said = flat(destroy.stdout + destroy.stderr);
    expect(said).toMatch(/Some of the tenant's setup cannot be removed/);
    expect(said).toMatch(/user source stays hr_assistant/);
    expect(await yufu.app(app.id)).toBeNull();
    expect((await apaas.call('GET', `/api/v1/tenants/${tenantId}/hr-connector`)).status).toBe(404);
    expect((await apaas.call('GET', `/api/v1/tenants/${tenantId}/sync-schedule`)).status).toBe(404);
    expect((await apaas.call<{ user_source: string }>('GET', `/api/v1/tenants/${tenantId}`)).body.user_source).toBe('hr_assistant');
    expect(await total(tenantId, 'users')).toBeGreaterThan(0); // users are never deleted
  });

  test('no secret appears in any engine output or the emulator log', () => {
    const credentials = readApaasCredentials(emulator.info.apaas_credentials_file!);
    const privateKey = (JSON.parse(readFileSync(emulator.info.service_account_file, 'utf8')) as { privateKey: { d: string } }).privateKey.d;
    const everything = work.log.join('\n') + emulator.logs();
    for (const secret of [...secretsSeen, credentials.secretKey, privateKey, ehrApp.token]) {
      expect(secret.length).toBeGreaterThan(8);
      expect(everything).not.toContain(secret);
    }
  });
});

/** A plan with TF_LOG=trace: the engine's and the provider's full logs. */
async function runTraced(work: Workdir): Promise<string> {
  const saved = process.env.TF_LOG;
  process.env.TF_LOG = 'trace';
  try {
    const r = await work.run('plan', '-input=false', '-no-color');
    return r.stdout + r.stderr;
  } finally {
    if (saved === undefined) delete process.env.TF_LOG;
    else process.env.TF_LOG = saved;
  }
}
