/**
 * Two pipelines applying the same stack at once, with Terraform's PostgreSQL state
 * backend (a real PostgreSQL server): one waits for or fails on the lock with a
 * clear message, the state is never corrupted, and the result is exactly the
 * declared objects.
 */
import { randomBytes } from 'node:crypto';
import { startEmulator, type RunningEmulator } from '../../scripts/lib/emulator';
import { startPostgres, type RunningPostgres } from '../../scripts/lib/postgres';
import { enginesForTests } from '../helpers/engines';
import { SsoStack } from '../helpers/stacks';
import { synthStack, tempDir, Workdir } from '../helpers/workdir';
import { YufuAdmin } from '../helpers/yufu-admin';

const engines = enginesForTests();
let emulator: RunningEmulator;
let postgres: RunningPostgres;
let admin: YufuAdmin;

beforeAll(async () => {
  postgres = await startPostgres();
  emulator = await startEmulator(tempDir('emulator-pg'));
  admin = new YufuAdmin(emulator.info);
});

afterAll(async () => {
  await emulator?.stop();
  postgres?.stop();
});

const apply = ['apply', '-input=false', '-no-color', '-auto-approve'];

describe.each(engines.map((e) => [e.name, e] as const))('%s', (_name, engine) => {
  async function twoPipelines(label: string) {
    const appName = `pg ${engine.name} ${label} ${randomBytes(3).toString('hex')}`;
    const config = synthStack((app) => new SsoStack(app, 'tenant', { apaasTenantId: 'pg-tenant', appName })).json;
    const backend = { pg: { conn_str: postgres.url, schema_name: `tf_${engine.name}_${label}_${randomBytes(3).toString('hex')}` } };
    const a = Workdir.create(engine, `pg-a-${label}`, config, emulator.providerEnv, backend);
    const b = Workdir.create(engine, `pg-b-${label}`, config, emulator.providerEnv, backend);
    await a.init();
    await b.init();
    return { appName, a, b };
  }

  test('without a lock timeout, the second apply fails on the lock and nothing is duplicated', async () => {
    const { appName, a, b } = await twoPipelines('nowait');
    const [ra, rb] = await Promise.all([a.run(...apply), b.run(...apply)]);
    const codes = [ra.code, rb.code].sort();
    const apps = await admin.appsNamed(appName);
    // Either both ran one after the other (the first finished before the second
    // asked for the lock) or one was refused; never two apps.
    expect(apps).toHaveLength(1);
    if (codes[1] !== 0) {
      const loser = ra.code !== 0 ? ra : rb;
      expect(loser.stderr.replace(/\s+/g, ' ')).toMatch(/Error acquiring the state lock/);
    }
    expect(codes[0]).toBe(0);
    // The state is intact: a plan from either workdir sees exactly the declared objects.
    const plan = await b.expect(0, 'plan', '-input=false', '-no-color', '-detailed-exitcode');
    expect(plan.stdout).toMatch(/No changes/);
    const list = (await a.expect(0, 'state', 'list')).stdout.trim().split('\n').sort();
    expect(list).toHaveLength(2);
    expect(list[0]).toMatch(/^data\.qianfan_oidc_discovery\./);
    expect(list[1]).toMatch(/^qianfan_yufu_oidc_app\./);
    process.stderr.write(`pg lock (${engine.name}): ${codes[1] === 0 ? 'both applies ran in turn' : 'second apply refused on the lock'}\n`);
  });

  test('with -lock-timeout, the second apply waits, then finds nothing to do', async () => {
    const { appName, a, b } = await twoPipelines('wait');
    const [ra, rb] = await Promise.all([a.run(...apply, '-lock-timeout=120s'), b.run(...apply, '-lock-timeout=120s')]);
    expect([ra.code, rb.code]).toEqual([0, 0]);
    const outputs = [ra.stdout, rb.stdout].join('\n');
    expect(outputs).toMatch(/Resources: 1 added/);
    expect(outputs).toMatch(/Resources: 0 added, 0 changed, 0 destroyed|No changes/);
    expect(await admin.appsNamed(appName)).toHaveLength(1);
    await a.expect(0, 'plan', '-input=false', '-no-color', '-detailed-exitcode');
  });
});
