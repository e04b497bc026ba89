/**
 * The connector's write-only secret (Terraform >= 1.11): sent to aPaaS, never in the
 * connector's state; rotation through the version attribute. Engines without
 * write-only support get a clear validation error instead of a silently stored secret.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TenantsStack } from '../../constructs/tenants-stack';
import type { TenantEntry } from '../../constructs/tenants-file';
import { startEmulator, type RunningEmulator } from '../../scripts/lib/emulator';
import { EhrControl } from '../emulator/ehr-helpers';
import { enginesForTests } from '../helpers/engines';
import { ApaasApi, readApaasCredentials } from '../helpers/tc3';
import { synthStack, tempDir, Workdir } from '../helpers/workdir';
import { YufuAdmin } from '../helpers/yufu-admin';

const engines = enginesForTests();
let emulator: RunningEmulator;
let apaas: ApaasApi;

beforeAll(async () => {
  emulator = await startEmulator(tempDir('emulator-wo'));
  apaas = new ApaasApi(emulator.info.apaas_url!, readApaasCredentials(emulator.info.apaas_credentials_file!));
});
afterAll(async () => {
  await emulator?.stop();
});

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe.each(engines.map((e) => [e.name, e] as const))('%s', (_name, engine) => {
  const suffix = randomBytes(3).toString('hex');
  const tenantId = `wo-${engine.name}-${suffix}`;
  const entry = (version: number): TenantEntry => ({
    id: tenantId,
    corpKey: `wo${suffix}`,
    sso: { name: `wo ${engine.name} ${suffix}` },
    secretHandling: 'write-only',
    secretVersion: version,
  });
  const config = (version: number) => synthStack((app) => new TenantsStack(app, 'tenants', [entry(version)])).json;

  beforeAll(async () => {
    await new EhrControl(emulator.info.ehr_url!).createCorp(`wo${suffix}`, 5, 4);
    expect((await apaas.call('POST', '/__control/tenants', { tenant_id: tenantId })).status).toBe(201);
  });

  test('the connector receives the secret but its state never holds it; rotation follows the version', async () => {
    const w = Workdir.create(engine, 'wo', config(1), emulator.providerEnv);
    await w.init();
    if (!engine.supportsWriteOnly) {
      const plan = await w.run('plan', '-input=false', '-no-color');
      expect(plan.code).toBe(1);
      expect(plan.stderr.replace(/\s+/g, ' ')).toMatch(/Write-only attribute not supported by this Terraform.*client_secret_wo/);
      process.stderr.write(`!! ${engine.name} ${engine.version} has no write-only attributes: checked that it refuses them clearly\n`);
      return;
    }
    await w.expect(0, 'apply', '-input=false', '-no-color', '-auto-approve');
    const yufu = new YufuAdmin(emulator.info);
    const [app] = await yufu.appsNamed(entry(1).sso!.name!);
    const connector = await apaas.call<{ client_secret_sha256: string }>('GET', `/api/v1/tenants/${tenantId}/hr-connector`);
    expect(connector.body.client_secret_sha256).toBe(sha256(app.client_secret));

    const state = JSON.parse(readFileSync(join(w.dir, 'terraform.tfstate'), 'utf8')) as {
      resources: { type: string; instances: { attributes: Record<string, unknown> }[] }[];
    };
    const connectorState = state.resources.find((r) => r.type === 'qianfan_apaas_hr_connector')!.instances[0].attributes;
    expect(connectorState.client_secret_wo).toBeNull();
    expect(connectorState.client_secret).toBeNull();
    expect(JSON.stringify(connectorState)).not.toContain(app.client_secret);
    await w.expect(0, 'plan', '-input=false', '-no-color', '-detailed-exitcode');

    // Rotation: a new version rotates the Yufu secret and re-sends it to the connector.
    w.write(config(2));
    await w.expect(0, 'apply', '-input=false', '-no-color', '-auto-approve');
    const [rotated] = await yufu.appsNamed(entry(1).sso!.name!);
    expect(rotated.client_secret).not.toBe(app.client_secret);
    const after = await apaas.call<{ client_secret_sha256: string }>('GET', `/api/v1/tenants/${tenantId}/hr-connector`);
    expect(after.body.client_secret_sha256).toBe(sha256(rotated.client_secret));
    await w.expect(0, 'plan', '-input=false', '-no-color', '-detailed-exitcode');
  });
});
