/**
 * State written by release 0.1.0 (__tests__/fixtures/state-0.1.0) upgrades cleanly with
 * the current provider and constructs: the first plan creates, replaces and destroys
 * nothing; its only changes are connectors recording `client_secret_version` (new in
 * schema version 1, null in an upgraded state), which an apply records without calling
 * any service. After that apply: no secret in the state (nor its backup), the services
 * untouched (same apps, same secrets, no connector save, no sync run), and the next plan
 * is empty. Every future schema change must keep this test green through
 * UpgradeResourceState.
 */
import { chmodSync, cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TenantsStack } from '../../constructs/tenants-stack';
import type { TenantEntry } from '../../constructs/tenants-file';
import { startEmulator, type RunningEmulator } from '../../scripts/lib/emulator';
import { enginesForTests } from '../helpers/engines';
import { ApaasApi, readApaasCredentials } from '../helpers/tc3';
import { synthStack, tempDir, Workdir } from '../helpers/workdir';
import { YufuAdmin, type AdminApp } from '../helpers/yufu-admin';

const FIXTURE = join(__dirname, '..', 'fixtures', 'state-0.1.0');
const engines = enginesForTests();

let emulator: RunningEmulator;
let yufu: YufuAdmin;
let apaas: ApaasApi;

beforeAll(async () => {
  const dataDir = tempDir('emulator-upgrade');
  cpSync(join(FIXTURE, 'emulator'), dataDir, { recursive: true });
  for (const f of readdirSync(dataDir)) chmodSync(join(dataDir, f), 0o600);
  emulator = await startEmulator(dataDir);
  yufu = new YufuAdmin(emulator.info);
  apaas = new ApaasApi(emulator.info.apaas_url, readApaasCredentials(emulator.info.apaas_credentials_file));
});

afterAll(async () => {
  await emulator?.stop();
});

interface Remote {
  apps: Pick<AdminApp, 'id' | 'client_id' | 'client_secret' | 'updated_at'>[];
  connectors: unknown[];
  runs: unknown[];
}

async function remote(tenants: TenantEntry[]): Promise<Remote> {
  const apps = (await yufu.listApps()).map((a) => ({ id: a.id, client_id: a.client_id, client_secret: a.client_secret, updated_at: a.updated_at }));
  const connectors: unknown[] = [];
  const runs: unknown[] = [];
  for (const t of tenants) {
    connectors.push((await apaas.call('GET', `/api/v1/tenants/${t.id}/hr-connector`)).body);
    runs.push((await apaas.call('GET', `/api/v1/tenants/${t.id}/sync-runs?page_size=100`)).body);
  }
  return { apps: apps.sort((a, b) => a.id.localeCompare(b.id)), connectors, runs };
}

describe.each(engines.map((e) => [e.name, e] as const))('%s', (_name, engine) => {
  test('a 0.1.0 state upgrades: nothing created or replaced, connectors only record client_secret_version, services untouched, secret gone from state', async () => {
    const tenants = JSON.parse(readFileSync(join(FIXTURE, engine.name, 'tenants.json'), 'utf8')) as TenantEntry[];
    const config = synthStack((app) => new TenantsStack(app, 'tenants', tenants)).json;
    const work = Workdir.create(engine, 'upgrade', config, emulator.providerEnv);
    writeFileSync(join(work.dir, 'terraform.tfstate'), readFileSync(join(FIXTURE, engine.name, 'terraform.tfstate')));
    await work.init();
    const before = await remote(tenants);

    await work.expect(0, 'plan', '-input=false', '-no-color', '-out=upgrade.tfplan');
    const shown = await work.expect(0, 'show', '-json', 'upgrade.tfplan');
    const plan = JSON.parse(shown.stdout) as {
      resource_changes?: { address: string; type: string; change: { actions: string[]; before: Record<string, unknown>; after: Record<string, unknown> } }[];
    };
    const changed = (plan.resource_changes ?? []).filter((c) => !c.change.actions.every((a) => a === 'no-op' || a === 'read'));
    for (const c of changed) {
      expect([c.address, c.change.actions]).toEqual([c.address, ['update']]);
      expect(c.type).toBe('qianfan_apaas_hr_connector');
      const differing = Object.keys(c.change.after).filter((k) => JSON.stringify(c.change.before[k]) !== JSON.stringify(c.change.after[k]));
      expect([c.address, differing, c.change.before.client_secret_version]).toEqual([c.address, ['client_secret_version'], null]);
    }

    await work.expect(0, 'apply', '-input=false', '-no-color', 'upgrade.tfplan');
    await work.expect(0, 'plan', '-input=false', '-no-color', '-detailed-exitcode');
    expect(await remote(tenants)).toEqual(before);
    // The stored copies of the secret are gone from the state. Terraform's backup holds
    // the state before the last write — the 0.1.0 one — until the next state write.
    const leaks = (file: string) => before.apps.filter((app) => readFileSync(join(work.dir, file), 'utf8').includes(app.client_secret)).length;
    expect(leaks('terraform.tfstate')).toBe(0);
    expect(leaks('terraform.tfstate.backup')).toBeGreaterThan(0);
    // As the README says: the backup keeps the 0.1.0 copy until the next apply that
    // changes the state (here: a schedule change), on both engines.
    const rescheduled = tenants.map((t) => ({ ...t, schedule: { cron: '0 3 * * *', timeZone: 'Asia/Shanghai', mode: 'incremental' as const } }));
    work.write(synthStack((app) => new TenantsStack(app, 'tenants', rescheduled)).json);
    await work.expect(0, 'apply', '-input=false', '-no-color', '-auto-approve');
    expect(leaks('terraform.tfstate')).toBe(0);
    expect(leaks('terraform.tfstate.backup')).toBe(0);
  });
});
