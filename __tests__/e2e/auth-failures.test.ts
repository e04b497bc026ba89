/**
 * Authentication failures say which credential failed and what to check — never a
 * stack trace — and nothing is created.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TenantsStack } from '../../constructs/tenants-stack';
import { startEmulator, type RunningEmulator } from '../../scripts/lib/emulator';
import { EhrControl } from '../emulator/ehr-helpers';
import { enginesForTests } from '../helpers/engines';
import { SsoStack } from '../helpers/stacks';
import { ApaasApi, readApaasCredentials } from '../helpers/tc3';
import { synthStack, tempDir, Workdir } from '../helpers/workdir';
import { YufuAdmin } from '../helpers/yufu-admin';

const engines = enginesForTests();
let emulator: RunningEmulator;
let yufu: YufuAdmin;
const suffix = randomBytes(3).toString('hex');
const tenantId = `auth-${suffix}`;

beforeAll(async () => {
  emulator = await startEmulator(tempDir('emulator-auth'));
  yufu = new YufuAdmin(emulator.info);
  await new EhrControl(emulator.info.ehr_url!).createCorp(`auth${suffix}`, 5, 1);
  const apaas = new ApaasApi(emulator.info.apaas_url!, readApaasCredentials(emulator.info.apaas_credentials_file!));
  expect((await apaas.call('POST', '/__control/tenants', { tenant_id: tenantId })).status).toBe(201);
});
afterAll(async () => {
  await emulator?.stop();
});

const config = (name: string) =>
  synthStack((app) => new TenantsStack(app, 'tenants', [{ id: tenantId, corpKey: `auth${suffix}`, sso: { name } }])).json;

const flat = (s: string) => s.replace(/\s+/g, ' ');

describe.each(engines.map((e) => [e.name, e] as const))('%s', (_name, engine) => {
  async function planWith(label: string, env: Record<string, string>) {
    const name = `auth ${engine.name} ${label} ${suffix}`;
    const w = Workdir.create(engine, `auth-${label}`, config(name), { ...emulator.providerEnv, ...env });
    await w.init();
    const r = await w.run('apply', '-input=false', '-no-color', '-auto-approve');
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/at .*\.(c?js|ts):\d+|panic|plugin exited unexpectedly/i);
    expect(await yufu.appsNamed(name)).toHaveLength(0);
    return flat(r.stderr);
  }

  test('a wrong aPaaS SecretKey names the SecretId and says to check the key pair', async () => {
    const { secretId } = readApaasCredentials(emulator.info.apaas_credentials_file!);
    const said = await planWith('wrongkey', {
      QIANFAN_APAAS_CREDENTIALS_FILE: '',
      QIANFAN_APAAS_SECRET_ID: secretId,
      QIANFAN_APAAS_SECRET_KEY: 'not-the-right-key-0123456789',
    });
    expect(said).toMatch(/aPaaS rejected the API credentials/);
    expect(said).toMatch(/AuthFailure\.SignatureFailure/);
    expect(said).toContain(`SecretId ${secretId}: the signature did not verify: check that the SecretKey belongs to the SecretId`);
    expect(said).not.toContain('not-the-right-key-0123456789');
  });

  test('an unknown aPaaS SecretId says so', async () => {
    const said = await planWith('unknownid', {
      QIANFAN_APAAS_CREDENTIALS_FILE: '',
      QIANFAN_APAAS_SECRET_ID: 'AKIDunknown000000',
      QIANFAN_APAAS_SECRET_KEY: 'whatever-key-0123456789',
    });
    expect(said).toMatch(/AuthFailure\.SecretIdNotFound/);
    expect(said).toMatch(/SecretId AKIDunknown000000: the SecretId is not known to aPaaS/);
  });

  test('a Yufu service-account key that is not the registered one names the account and key id', async () => {
    const sa = JSON.parse(readFileSync(emulator.info.service_account_file, 'utf8')) as { clientId: string; privateKey: { kid: string } };
    const dir = tempDir(`${engine.name}-authsa`);
    const file = join(dir, 'sa.json');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(file, JSON.stringify({ clientId: sa.clientId, privateKey: { ...privateKey.export({ format: 'jwk' }), kid: sa.privateKey.kid } }));
    const said = await planWith('sakey', { QIANFAN_YUFU_SERVICE_ACCOUNT_FILE: file });
    expect(said).toMatch(/Yufu rejected the service-account credentials/);
    expect(said).toContain(`clientId ${sa.clientId}, key id ${sa.privateKey.kid}`);
    expect(said).toMatch(/not revoked or replaced in the Yufu console/);
  });

  describe('against services whose clock is 15 minutes ahead', () => {
    let skewed: RunningEmulator;
    beforeAll(async () => {
      skewed = await startEmulator(tempDir('emulator-skew'), { args: ['--clock-offset', '900'] });
      await new EhrControl(skewed.info.ehr_url!).createCorp(`skew${suffix}`, 5, 1);
      const api = new ApaasApi(skewed.info.apaas_url!, readApaasCredentials(skewed.info.apaas_credentials_file!));
      // The test's own request is signed with the server's time, as a correct client would.
      expect((await api.call('POST', '/__control/tenants', { tenant_id: tenantId })).status).toBe(201);
    });
    afterAll(async () => {
      await skewed?.stop();
    });

    test('aPaaS: clock skew is reported as a clock problem', async () => {
      const name = `skew ${engine.name} ${suffix}`;
      const w = Workdir.create(engine, 'skew-apaas', synthStack((app) => new TenantsStack(app, 'tenants', [{ id: tenantId, corpKey: `skew${suffix}`, sso: { name } }])).json, skewed.providerEnv);
      await w.init();
      const r = await w.run('apply', '-input=false', '-no-color', '-auto-approve');
      expect(r.code).toBe(1);
      const said = flat(r.stderr);
      expect(said).toMatch(/AuthFailure\.SignatureExpire/);
      expect(said).toMatch(/this machine's clock differs from the service's by more than 5 minutes: fix the clock \(NTP\)/);
      expect(said).not.toMatch(/at .*\.(c?js|ts):\d+/);
    });

    test('Yufu: a token the service sees as expired points at the clock', async () => {
      const name = `skew yufu ${engine.name} ${suffix}`;
      const w = Workdir.create(engine, 'skew-yufu', synthStack((app) => new SsoStack(app, 'tenant', { apaasTenantId: 'skew', appName: name })).json, skewed.providerEnv);
      await w.init();
      const r = await w.run('apply', '-input=false', '-no-color', '-auto-approve');
      expect(r.code).toBe(1);
      const said = flat(r.stderr);
      expect(said).toMatch(/Yufu rejected the service-account credentials/);
      expect(said).toMatch(/expired/);
      expect(said).toMatch(/this machine's clock is correct/);
      expect(said).not.toMatch(/at .*\.(c?js|ts):\d+/);
    });
  });
});
