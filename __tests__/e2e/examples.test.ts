/**
 * The HCL in examples/ is what HCL users copy: applied together as one configuration on
 * every engine against the emulator's seeded tenant (demo-tenant-001, Corp Key apaas),
 * then planned (no changes), checked against the services, and destroyed. The provider
 * block comes from the environment here (the example's yufu_domain names a real host).
 * Files an engine cannot run (provider functions before OpenTofu 1.7, ephemeral
 * resources before Terraform 1.10) are left out for that engine, and said so.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../scripts/lib/emulator';
import { ROOT } from '../../scripts/lib/paths';
import { enginesForTests } from '../helpers/engines';
import { ApaasApi, readApaasCredentials } from '../helpers/tc3';
import { tempDir, Workdir } from '../helpers/workdir';
import { YufuAdmin } from '../helpers/yufu-admin';

const engines = enginesForTests();
const EXAMPLES = join(ROOT, 'examples');

function tfFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tfFiles(path);
    return name.endsWith('.tf') ? [path] : [];
  });
}

describe.each(engines.map((e) => [e.name, e] as const))('%s', (_name, engine) => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    // Each engine gets its own emulator: the examples use the seeded tenant by name.
    emulator = await startEmulator(tempDir(`emulator-examples-${engine.name}`));
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  test('the examples apply together, plan clean, hold what they say, and destroy', async () => {
    const skipped: string[] = [];
    const files = tfFiles(EXAMPLES).filter((file) => {
      const rel = relative(EXAMPLES, file);
      if (rel.startsWith('functions/') && !engine.supportsFunctions) skipped.push(`${rel} (provider functions)`);
      else if (rel.startsWith('ephemeral-resources/') && !engine.supportsWriteOnly) skipped.push(`${rel} (ephemeral resources)`);
      else return true;
      return false;
    });
    for (const s of skipped) process.stderr.write(`!! examples on ${engine.name} ${engine.version}: ${s} NOT run: the engine lacks the feature\n`);
    const work = Workdir.create(engine, 'examples', {}, emulator.providerEnv);
    for (const file of files) copyFileSync(file, join(work.dir, relative(EXAMPLES, file).replace(/\//g, '__')));
    // The provider block of the example names a real Yufu domain; the emulator comes from the environment.
    writeFileSync(join(work.dir, 'provider__provider.tf'), 'terraform {\n  required_providers {\n    qianfan = { source = "registry.qianfan.local/qianfan/qianfan" }\n  }\n}\nprovider "qianfan" {}\n');
    writeFileSync(join(work.dir, 'main.tf.json'), '{}');
    await work.init();
    await work.expect(0, 'apply', '-input=false', '-no-color', '-auto-approve');
    await work.expect(0, 'plan', '-input=false', '-no-color', '-detailed-exitcode');

    const yufu = new YufuAdmin(emulator.info);
    const apaas = new ApaasApi(emulator.info.apaas_url, readApaasCredentials(emulator.info.apaas_credentials_file));
    const [app] = await yufu.appsNamed('aPaaS demo tenant SSO');
    expect(app).toBeDefined();
    const connector = await apaas.call<{ client_id: string; client_secret_sha256: string }>('GET', '/api/v1/tenants/demo-tenant-001/hr-connector');
    expect(connector.body.client_id).toBe(app.client_id);
    expect(connector.body.client_secret_sha256).toBe(createHash('sha256').update(app.client_secret).digest('hex'));
    expect((await apaas.call('GET', '/api/v1/tenants/demo-tenant-001/sync-schedule')).status).toBe(200);
    expect(JSON.stringify(work.state())).not.toContain(app.client_secret);

    await work.expect(0, 'destroy', '-input=false', '-no-color', '-auto-approve');
    expect(await yufu.appsNamed('aPaaS demo tenant SSO')).toHaveLength(0);
    expect((await apaas.call('GET', '/api/v1/tenants/demo-tenant-001/hr-connector')).status).toBe(404);
  });
});
