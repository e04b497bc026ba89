/**
 * One state, two engines (README, Quick start): applied with Terraform, then run with
 * OpenTofu 1.6 — the first OpenTofu plan shows one in-place update of the connector
 * that changes no attribute (the engines record sensitive paths of unset arguments
 * differently); its apply calls no service, and both engines then plan no changes.
 */
import { randomBytes } from 'node:crypto';
import { TenantsStack } from '../../constructs/tenants-stack';
import { startEmulator, type RunningEmulator } from '../../scripts/lib/emulator';
import { EhrControl } from '../emulator/ehr-helpers';
import { enginesForTests } from '../helpers/engines';
import { ApaasApi, readApaasCredentials } from '../helpers/tc3';
import { synthStack, tempDir, Workdir } from '../helpers/workdir';

const engines = enginesForTests();
const terraform = engines.find((e) => e.name === 'terraform');
const tofu = engines.find((e) => e.name === 'tofu');
if (!terraform || !tofu) process.stderr.write('!! engine switch NOT tested: it needs both terraform and tofu\n');

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator(tempDir('emulator-switch'));
});
afterAll(async () => {
  await emulator?.stop();
});

/** The writes the emulator served since `from` (its log: "<service> <METHOD> <path> <status> …"). */
const writesSince = (from: number) =>
  emulator
    .logs()
    .slice(from)
    .split('\n')
    .filter((l) => /^(apaas|yufu-admin) (PUT|POST|PATCH|DELETE) \/api\//.test(l));

(terraform && tofu ? test : test.skip)('Terraform, then OpenTofu 1.6 on the same state: one no-op update, nothing sent, then no changes on both', async () => {
  const suffix = randomBytes(3).toString('hex');
  const tenantId = `switch-${suffix}`;
  const corpKey = `switch${suffix}`;
  await new EhrControl(emulator.info.ehr_url).createCorp(corpKey, 5, 2);
  const apaas = new ApaasApi(emulator.info.apaas_url, readApaasCredentials(emulator.info.apaas_credentials_file));
  expect((await apaas.call('POST', '/__control/tenants', { tenant_id: tenantId })).status).toBe(201);
  const { json } = synthStack((app) => new TenantsStack(app, 'tenants', [{ id: tenantId, corpKey, sso: { name: `switch ${suffix}` } }]));

  const byTerraform = Workdir.create(terraform!, 'switch', json, emulator.providerEnv);
  await byTerraform.init();
  await byTerraform.expect(0, 'apply', '-input=false', '-no-color', '-auto-approve');
  await byTerraform.expect(0, 'plan', '-input=false', '-no-color', '-detailed-exitcode');

  // The filter sees the writes Terraform's apply made (so an empty list below means none).
  expect(writesSince(0).some((l) => l.startsWith('apaas PUT '))).toBe(true);
  const byTofu = new Workdir(tofu!, byTerraform.dir, emulator.providerEnv);
  await byTofu.init();
  const from = emulator.logs().length;
  const first = await byTofu.expect(2, 'plan', '-input=false', '-no-color', '-detailed-exitcode');
  expect(first.stdout).toMatch(/qianfan_apaas_hr_connector\.\S+ will be updated in-place/);
  expect(first.stdout).toMatch(/Plan: 0 to add, 1 to change, 0 to destroy/);
  await byTofu.expect(0, 'apply', '-input=false', '-no-color', '-auto-approve');
  expect(writesSince(from)).toEqual([]);
  await byTofu.expect(0, 'plan', '-input=false', '-no-color', '-detailed-exitcode');
  await byTerraform.expect(0, 'plan', '-input=false', '-no-color', '-detailed-exitcode');
  expect(writesSince(from)).toEqual([]);
});
