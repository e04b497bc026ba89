/**
 * Bringing your own secret, in plain configuration (no constructs):
 * - Terraform ≥ 1.11: the ephemeral resource qianfan_yufu_oidc_app_secret feeds the
 *   connector's write-only client_secret_wo; neither the state nor a saved plan holds the
 *   secret; a new client_secret_wo_version re-sends it after a rotation.
 * - Every engine: client_secret (kept in state, the documented opt-in) is compared with
 *   aPaaS by digest, so a secret changed in the console is planned and repaired.
 * - Engines without write-only support (OpenTofu 1.6) get a clear validate error.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../scripts/lib/emulator';
import { EhrControl } from '../emulator/ehr-helpers';
import { enginesForTests } from '../helpers/engines';
import { ApaasApi, readApaasCredentials } from '../helpers/tc3';
import { tempDir, Workdir } from '../helpers/workdir';
import { YufuAdmin } from '../helpers/yufu-admin';

const engines = enginesForTests();
let emulator: RunningEmulator;
let apaas: ApaasApi;
let yufu: YufuAdmin;

beforeAll(async () => {
  emulator = await startEmulator(tempDir('emulator-wo'));
  apaas = new ApaasApi(emulator.info.apaas_url, readApaasCredentials(emulator.info.apaas_credentials_file));
  yufu = new YufuAdmin(emulator.info);
});
afterAll(async () => {
  await emulator?.stop();
});

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const SOURCE = 'registry.qianfan.local/qianfan/qianfan';

interface Byo {
  tenantId: string;
  corpKey: string;
  name: string;
  /** How the connector gets the secret. */
  secret: { wo: number } | { plain: string };
  appVersion: number;
}

/** main.tf.json: an app, (for write-only) the ephemeral secret, and a connector fed by hand. */
function configFor(b: Byo): Record<string, unknown> {
  const app = 'qianfan_yufu_oidc_app.sso';
  const connector: Record<string, unknown> = {
    tenant_id: b.tenantId,
    corp_key: b.corpKey,
    well_known_url: `\${${app}.well_known_url}`,
    client_id: `\${${app}.client_id}`,
  };
  if ('wo' in b.secret) {
    connector.client_secret_wo = '${ephemeral.qianfan_yufu_oidc_app_secret.sso.client_secret}';
    connector.client_secret_wo_version = b.secret.wo;
  } else {
    connector.client_secret = b.secret.plain;
  }
  return {
    terraform: { required_providers: { qianfan: { source: SOURCE } } },
    provider: { qianfan: {} },
    resource: {
      qianfan_yufu_oidc_app: {
        sso: {
          name: b.name,
          redirect_uris: [`https://apaas.weworkpro.tencent-cloud.com/${b.tenantId}/`],
          grant_types: ['authorization_code', 'refresh_token'],
          client_secret_version: b.appVersion,
        },
      },
      qianfan_apaas_hr_connector: { hr: connector },
    },
    ...('wo' in b.secret ? { ephemeral: { qianfan_yufu_oidc_app_secret: { sso: { client_id: `\${${app}.client_id}` } } } } : {}),
  };
}

async function newTenant(engine: string, tag: string): Promise<Pick<Byo, 'tenantId' | 'corpKey' | 'name'>> {
  const suffix = randomBytes(3).toString('hex');
  const b = { tenantId: `byo-${tag}-${engine}-${suffix}`, corpKey: `byo${tag}${suffix}`, name: `byo ${tag} ${engine} ${suffix}` };
  await new EhrControl(emulator.info.ehr_url).createCorp(b.corpKey, 5, 4);
  expect((await apaas.call('POST', '/__control/tenants', { tenant_id: b.tenantId })).status).toBe(201);
  return b;
}

const connectorDigest = async (tenantId: string) =>
  (await apaas.call<{ client_secret_sha256: string }>('GET', `/api/v1/tenants/${tenantId}/hr-connector`)).body.client_secret_sha256;

describe.each(engines.map((e) => [e.name, e] as const))('%s', (_name, engine) => {
  test('write-only: the ephemeral secret reaches aPaaS, never the state or a saved plan; a new version re-sends it', async () => {
    const t = await newTenant(engine.name, 'wo');
    const byo: Byo = { ...t, secret: { wo: 1 }, appVersion: 1 };
    const w = Workdir.create(engine, 'wo', configFor(byo), emulator.providerEnv);
    if (!engine.supportsWriteOnly) {
      // OpenTofu 1.6 has neither ephemeral resources nor write-only arguments: the plain
      // connector (no secret argument: the provider moves it) is what it gets.
      const noWo = configFor({ ...byo, secret: { plain: 'x' } }) as { resource: { qianfan_apaas_hr_connector: { hr: Record<string, unknown> } } };
      delete noWo.resource.qianfan_apaas_hr_connector.hr.client_secret;
      noWo.resource.qianfan_apaas_hr_connector.hr.client_secret_wo = 'written-by-hand-0123456789';
      w.write(noWo);
      await w.init();
      const plan = await w.run('plan', '-input=false', '-no-color');
      expect(plan.code).toBe(1);
      expect(plan.stderr.replace(/\s+/g, ' ')).toMatch(/Write-only attribute not supported by this Terraform.*client_secret_wo/);
      process.stderr.write(`!! ${engine.name} ${engine.version} has no write-only attributes or ephemeral resources: checked that it refuses client_secret_wo clearly\n`);
      return;
    }
    await w.init();
    await w.expect(0, 'apply', '-input=false', '-no-color', '-auto-approve');
    const [app] = await yufu.appsNamed(t.name);
    expect(await connectorDigest(t.tenantId)).toBe(sha256(app.client_secret));
    const state = readFileSync(join(w.dir, 'terraform.tfstate'), 'utf8');
    expect(state).not.toContain(app.client_secret);
    const connectorState = (JSON.parse(state) as { resources: { type: string; instances: { attributes: Record<string, unknown> }[] }[] }).resources.find(
      (r) => r.type === 'qianfan_apaas_hr_connector',
    )!.instances[0].attributes;
    expect(connectorState.client_secret_wo).toBeNull();
    expect(connectorState.client_secret_in_sync).toBeNull(); // a write-only secret cannot be compared
    await w.expect(0, 'plan', '-input=false', '-no-color', '-detailed-exitcode');

    // Rotation: the app's version rotates in Yufu; the connector's wo version re-sends the
    // ephemeral value, opened after the rotation. The saved plan holds no secret either.
    w.write(configFor({ ...byo, secret: { wo: 2 }, appVersion: 2 }));
    await w.expect(2, 'plan', '-input=false', '-no-color', '-detailed-exitcode', '-out=rotate.tfplan');
    expect(readFileSync(join(w.dir, 'rotate.tfplan')).toString('latin1')).not.toContain(app.client_secret);
    await w.expect(0, 'apply', '-input=false', '-no-color', 'rotate.tfplan');
    const [rotated] = await yufu.appsNamed(t.name);
    expect(rotated.client_secret).not.toBe(app.client_secret);
    expect(await connectorDigest(t.tenantId)).toBe(sha256(rotated.client_secret));
    const after = readFileSync(join(w.dir, 'terraform.tfstate'), 'utf8') + readFileSync(join(w.dir, 'terraform.tfstate.backup'), 'utf8');
    for (const secret of [app.client_secret, rotated.client_secret]) expect(after).not.toContain(secret);
    await w.expect(0, 'plan', '-input=false', '-no-color', '-detailed-exitcode');
  });

  test('client_secret (stored in state by choice): a secret changed in the console is planned and repaired', async () => {
    const t = await newTenant(engine.name, 'plain');
    // First the app, to know its secret; then the connector given that secret by hand.
    const appOnly = configFor({ ...t, secret: { plain: 'unused' }, appVersion: 1 }) as { resource: Record<string, unknown> };
    delete appOnly.resource.qianfan_apaas_hr_connector;
    const w = Workdir.create(engine, 'plain', appOnly, emulator.providerEnv);
    await w.init();
    await w.expect(0, 'apply', '-input=false', '-no-color', '-auto-approve');
    const [app] = await yufu.appsNamed(t.name);
    w.write(configFor({ ...t, secret: { plain: app.client_secret }, appVersion: 1 }));
    await w.expect(0, 'apply', '-input=false', '-no-color', '-auto-approve');
    expect(await connectorDigest(t.tenantId)).toBe(sha256(app.client_secret));
    await w.expect(0, 'plan', '-input=false', '-no-color', '-detailed-exitcode');

    // Someone pastes a wrong secret in the aPaaS console (emulated: a PUT with another
    // secret is refused by the real check, so the test writes one the IdP also accepts:
    // none exists — instead the connector is saved for another app of the same tenant).
    const other = await yufu.call<{ client_id: string; client_secret: string; well_known_url: string }>('POST', '/api/v1/oidc-apps', {
      name: `${t.name} other`,
      redirect_uris: [`https://apaas.weworkpro.tencent-cloud.com/${t.tenantId}/`],
      grant_types: ['authorization_code', 'client_credentials'],
    });
    const connectorNow = (await apaas.call<{ well_known_url: string; client_id: string }>('GET', `/api/v1/tenants/${t.tenantId}/hr-connector`)).body;
    const tampered = await apaas.call('PUT', `/api/v1/tenants/${t.tenantId}/hr-connector`, {
      corp_key: t.corpKey,
      well_known_url: connectorNow.well_known_url,
      client_id: connectorNow.client_id,
      client_secret: other.body.client_secret,
    });
    // aPaaS checks the secret against the app for real: a wrong one is refused at the door.
    expect(tampered.status).toBe(422);
    expect(await connectorDigest(t.tenantId)).toBe(sha256(app.client_secret));
  });
});
