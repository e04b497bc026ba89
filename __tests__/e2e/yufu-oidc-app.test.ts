/**
 * End to end: cdktf synth → real Terraform / OpenTofu → the provider as a plugin
 * process → the emulator's Yufu admin API and OpenID Provider.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SsoStack } from '../helpers/stacks';
import { startEmulator, type RunningEmulator } from '../../scripts/lib/emulator';
import { enginesForTests } from '../helpers/engines';
import { synthStack, tempDir, Workdir } from '../helpers/workdir';
import { YufuAdmin } from '../helpers/yufu-admin';
import { readServiceAccount } from '../helpers/yufu-jwt';

const engines = enginesForTests();

let emulator: RunningEmulator;
let admin: YufuAdmin;

beforeAll(async () => {
  emulator = await startEmulator(tempDir('emulator'));
  admin = new YufuAdmin(emulator.info);
});

afterAll(async () => {
  await emulator?.stop();
});

function tenantConfig(appName: string, tenant = 'e2e-tenant'): Record<string, unknown> {
  return synthStack((app) => new SsoStack(app, 'tenant', { apaasTenantId: tenant, appName })).json;
}

function resourceAddress(config: Record<string, unknown>): string {
  const resources = (config.resource as Record<string, Record<string, unknown>>).qianfan_yufu_oidc_app;
  return `qianfan_yufu_oidc_app.${Object.keys(resources)[0]}`;
}

describe.each(engines.map((e) => [e.name, e] as const))('%s', (_name, engine) => {
  const appName = `e2e ${engine.name} ${randomBytes(3).toString('hex')}`;
  let work: Workdir;
  let config: Record<string, unknown>;

  test('apply creates the app; a second plan shows no changes', async () => {
    config = tenantConfig(appName);
    expect(resourceAddress(config)).toMatch(/^qianfan_yufu_oidc_app\.Sso_App_[0-9A-F]{8}$/);
    work = Workdir.create(engine, 'lifecycle', config, emulator.providerEnv);
    await work.init();
    const plan = await work.expect(2, 'plan', '-input=false', '-no-color', '-detailed-exitcode');
    expect(plan.stdout).toMatch(/1 to add, 0 to change, 0 to destroy/);
    const apply = await work.expect(0, 'apply', '-input=false', '-no-color', '-auto-approve');

    const [app] = await admin.appsNamed(appName);
    expect(app).toBeDefined();
    expect(app.client_id).toMatch(/^ai-[0-9a-f]{32}$/);
    const outputs = await work.outputs();
    expect(outputs.client_id.value).toBe(app.client_id);
    expect(outputs.well_known_url.value).toBe(app.well_known_url);
    expect(outputs.issuer.value).toBe(app.issuer);
    // The secret never shows in plan or apply output, and the state does not hold it.
    expect(plan.stdout + plan.stderr + apply.stdout + apply.stderr).not.toContain(app.client_secret);
    expect(JSON.stringify(work.state())).not.toContain(app.client_secret);
    expect(outputs.client_secret).toBeUndefined();

    // Outputs equal what the issuer publishes.
    const published = (await (await fetch(app.well_known_url)).json()) as Record<string, string>;
    expect(outputs.token_endpoint.value).toBe(published.token_endpoint);
    expect(outputs.authorization_endpoint.value).toBe(published.authorization_endpoint);
    expect(outputs.jwks_uri.value).toBe(published.jwks_uri);
    expect(outputs.end_session_endpoint.value).toBe(published.end_session_endpoint);
    expect(outputs.userinfo_endpoint.value).toBe(published.userinfo_endpoint);

    await work.expect(0, 'plan', '-input=false', '-no-color', '-detailed-exitcode');
  });

  test('drift made out of band is planned and repaired', async () => {
    const [app] = await admin.appsNamed(appName);
    await admin.patch(app.id, { description: 'changed in the console', redirect_uris: ['https://evil.example.com/cb'] });
    const plan = await work.expect(2, 'plan', '-input=false', '-no-color', '-detailed-exitcode');
    expect(plan.stdout).toMatch(/changed in the console/);
    expect(plan.stdout).toMatch(/evil\.example\.com/);
    expect(plan.stdout).toMatch(/0 to add, 1 to change, 0 to destroy/);
    await work.expect(0, 'apply', '-input=false', '-no-color', '-auto-approve');
    const repaired = await admin.app(app.id);
    expect(repaired?.description).toBe('Single sign-on for aPaaS tenant e2e-tenant');
    expect(repaired?.redirect_uris).toEqual(['https://apaas.weworkpro.tencent-cloud.com/e2e-tenant/']);
    expect(repaired?.client_id).toBe(app.client_id);
    await work.expect(0, 'plan', '-input=false', '-no-color', '-detailed-exitcode');
  });

  test('an app deleted out of band is planned for re-creation', async () => {
    const [app] = await admin.appsNamed(appName);
    const gone = await admin.call('DELETE', `/api/v1/oidc-apps/${app.id}`);
    expect(gone.status).toBe(204);
    const plan = await work.expect(2, 'plan', '-input=false', '-no-color', '-detailed-exitcode');
    expect(plan.stdout).toMatch(/1 to add, 0 to change, 0 to destroy/);
    await work.expect(0, 'apply', '-input=false', '-no-color', '-auto-approve');
    expect(await admin.appsNamed(appName)).toHaveLength(1);
  });

  test('changing a field Yufu cannot update plans a replacement', async () => {
    const changed = JSON.parse(JSON.stringify(config)) as { resource: Record<string, Record<string, Record<string, unknown>>> };
    const key = resourceAddress(config).split('.')[1];
    changed.resource.qianfan_yufu_oidc_app[key].application_type = 'native';
    work.write(changed);
    const plan = await work.expect(2, 'plan', '-input=false', '-no-color', '-detailed-exitcode');
    expect(plan.stdout).toMatch(/must be replaced/);
    expect(plan.stdout).toMatch(/application_type.*forces replacement/);
    expect(plan.stdout).toMatch(/1 to add, 0 to change, 1 to destroy/);
    work.write(config);
  });

  test('import into an empty state, then plan shows no changes', async () => {
    const [app] = await admin.appsNamed(appName);
    const withoutOutputs = { ...config };
    delete withoutOutputs.output;
    const fresh = Workdir.create(engine, 'import', withoutOutputs, emulator.providerEnv);
    await fresh.init();
    await fresh.expect(0, 'import', '-input=false', '-no-color', resourceAddress(config), app.id);
    const plan = await fresh.expect(0, 'plan', '-input=false', '-no-color', '-detailed-exitcode');
    expect(plan.stdout).toMatch(/No changes/);
    const missing = await fresh.run('import', '-input=false', '-no-color', 'qianfan_yufu_oidc_app.other', 'app_000000000000000000000000');
    expect(missing.code).not.toBe(0);
  });

  test('destroy leaves no app in Yufu', async () => {
    await work.expect(0, 'destroy', '-input=false', '-no-color', '-auto-approve');
    expect(await admin.appsNamed(appName)).toHaveLength(0);
  });

  test('a wrong service-account key gives a clear diagnostic and creates nothing', async () => {
    const sa = readServiceAccount(emulator.info.service_account_file);
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = { clientId: sa.clientId, privateKey: { ...privateKey.export({ format: 'jwk' }), kid: sa.privateKey.kid, alg: 'RS256' } };
    const dir = tempDir(`${engine.name}-badkey`);
    const file = join(dir, 'forged-service-account.json');
    writeFileSync(file, JSON.stringify(forged));
    const name = `${appName} forged`;
    const w = Workdir.create(engine, 'badkey', tenantConfig(name), { ...emulator.providerEnv, QIANFAN_YUFU_SERVICE_ACCOUNT_FILE: file });
    await w.init();
    const apply = await w.run('apply', '-input=false', '-no-color', '-auto-approve');
    expect(apply.code).toBe(1);
    expect(apply.stderr).toMatch(/Yufu rejected the service-account credentials/);
    expect(apply.stderr).toMatch(/Check the service-account file/);
    expect(apply.stderr).not.toMatch(/at .*\.cjs:\d+/); // no stack trace
    expect(await admin.appsNamed(name)).toHaveLength(0);
  });
});
