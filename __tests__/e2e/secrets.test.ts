/**
 * The client secret never enters Terraform, on every engine, with QianfanTenant's
 * defaults: a tenant is applied, its secret drifts (rotated in the Yufu console) and is
 * repaired, then rotated through the configuration — and every secret the emulator knows
 * is searched for in every place Terraform writes: the state and its backup, saved plans
 * (raw and `show -json`), outputs, the TF_LOG=trace log, the synthesized JSON. Each step
 * is also checked for real: the connector's digest, the token endpoint, a sign-in.
 * The leak table (place × secret kind) goes to stderr.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TenantsStack } from '../../constructs/tenants-stack';
import type { TenantEntry } from '../../constructs/tenants-file';
import { startEmulator, type RunningEmulator } from '../../scripts/lib/emulator';
import { EhrControl, EhrData, type Employee } from '../emulator/ehr-helpers';
import { enginesForTests } from '../helpers/engines';
import { browse, CookieJar } from '../helpers/signin';
import { ApaasApi, readApaasCredentials } from '../helpers/tc3';
import { synthStack, tempDir, Workdir } from '../helpers/workdir';
import { putYufuUser, YufuAdmin, type AdminApp } from '../helpers/yufu-admin';

const engines = enginesForTests();
let emulator: RunningEmulator;
let yufu: YufuAdmin;
let apaas: ApaasApi;
let ehr: EhrControl;
let ehrData: EhrData;

beforeAll(async () => {
  emulator = await startEmulator(tempDir('emulator-secrets'));
  yufu = new YufuAdmin(emulator.info);
  apaas = new ApaasApi(emulator.info.apaas_url, readApaasCredentials(emulator.info.apaas_credentials_file));
  ehr = new EhrControl(emulator.info.ehr_url);
  ehrData = new EhrData(emulator.info.ehr_url, await ehr.createApp('*'));
});
afterAll(async () => {
  await emulator?.stop();
});

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const table: string[] = [];
afterAll(() => {
  if (table.length > 0) process.stderr.write(`\nsecret leak table (occurrences; every cell must be 0)\n${table.join('\n')}\n`);
});

/** All files under a directory, recursively (the synthesized stack, say). */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** The token endpoint's verdict on a secret: 401 = wrong secret; 400/200 = the secret authenticated. */
async function tokenEndpointSays(app: AdminApp, secret: string): Promise<number> {
  const discovery = (await (await fetch(app.well_known_url)).json()) as { token_endpoint: string };
  const res = await fetch(discovery.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${app.client_id}:${secret}`).toString('base64')}` },
    body: 'grant_type=client_credentials',
  });
  return res.status;
}

describe.each(engines.map((e) => [e.name, e] as const))('%s', (_name, engine) => {
  const suffix = randomBytes(3).toString('hex');
  const tenantId = `sec-${engine.name}-${suffix}`;
  const corpKey = `sec${engine.name}${suffix}`;
  const page = () => `${emulator.info.apaas_url}/${tenantId}/`;
  const clientSecrets = new Set<string>();
  const plans: string[] = [];
  let entry: TenantEntry;
  let work: Workdir;
  let synthDir: string;
  let person: { username: string; password: string };

  const synth = (e: TenantEntry) => {
    const { dir, json } = synthStack((app) => new TenantsStack(app, 'tenants', [e]));
    synthDir = dir;
    return json;
  };
  const currentApp = async () => (await yufu.appsNamed(entry.sso!.name!))[0]!;
  const connectorDigest = async () => (await apaas.call<{ client_secret_sha256: string }>('GET', `/api/v1/tenants/${tenantId}/hr-connector`)).body.client_secret_sha256;
  const signIn = async () => (await browse(emulator.info.idp_url, page(), new CookieJar(), person)).status;
  const savePlan = async (name: string, code: number) => {
    await work.expect(code, 'plan', '-input=false', '-no-color', '-detailed-exitcode', `-out=${name}`);
    plans.push(name);
  };

  beforeAll(async () => {
    await ehr.createCorp(corpKey, 8, 3);
    expect((await apaas.call('POST', '/__control/tenants', { tenant_id: tenantId })).status).toBe(201);
    entry = {
      id: tenantId,
      corpKey,
      sso: { name: `secrets ${engine.name} ${suffix}`, redirectUris: [`https://apaas.weworkpro.tencent-cloud.com/${tenantId}/`, page()] },
    };
    const dir = tempDir(`${engine.name}-secrets`);
    work = Workdir.create(engine, 'secrets', synth(entry), { ...emulator.providerEnv, TF_LOG: 'trace', TF_LOG_PATH: join(dir, 'trace.log') });
    await work.init();
    await work.expect(0, 'apply', '-input=false', '-no-color', '-auto-approve');
    clientSecrets.add((await currentApp()).client_secret);
    const employee = (await ehrData.all<Employee>(corpKey, 'employees')).find((e) => e.status === 'active')!;
    person = { username: employee.username, password: `pw-${suffix}-secret` };
    await putYufuUser(emulator.info.admin_url, employee.username, { name: employee.name, email: employee.email, password: person.password });
  });

  test('applied with the defaults: aPaaS holds the app\'s secret, a person signs in, a plan is clean', async () => {
    const app = await currentApp();
    expect(await connectorDigest()).toBe(sha256(app.client_secret));
    expect(await signIn()).toBe(200);
    await savePlan('clean.tfplan', 0);
  });

  test('drift: the secret rotated in the Yufu console is planned (no value shown) and repaired; sign-in works again', async () => {
    const before = await currentApp();
    const rotated = await yufu.call<AdminApp>('POST', `/api/v1/oidc-apps/${before.id}/client-secret:rotate`, {});
    expect(rotated.status).toBe(200);
    clientSecrets.add(rotated.body.client_secret);
    expect(await connectorDigest()).not.toBe(sha256(rotated.body.client_secret));
    expect(await signIn()).toBe(400); // aPaaS still holds the old secret: the code exchange fails

    await savePlan('drift.tfplan', 2);
    const shown = (await work.expect(0, 'show', '-no-color', 'drift.tfplan')).stdout;
    expect(shown).toMatch(/qianfan_apaas_hr_connector\.[^ ]+ will be updated in-place/);
    expect(shown).toMatch(/~ client_secret_in_sync\s+= false -> true/);
    expect(shown).toMatch(/0 to add, 1 to change, 0 to destroy/);
    await work.expect(0, 'apply', '-input=false', '-no-color', 'drift.tfplan');
    expect(await connectorDigest()).toBe(sha256(rotated.body.client_secret));
    expect(await signIn()).toBe(200);
    await work.expect(0, 'plan', '-input=false', '-no-color', '-detailed-exitcode');
  });

  test('rotation: a new version rotates in Yufu and reaches aPaaS in the same apply; the old secret stops working', async () => {
    const before = await currentApp();
    entry = { ...entry, secretVersion: 2 };
    work.write(synth(entry));
    await savePlan('rotate.tfplan', 2);
    await work.expect(0, 'apply', '-input=false', '-no-color', 'rotate.tfplan');
    const after = await currentApp();
    clientSecrets.add(after.client_secret);
    expect(after.client_secret).not.toBe(before.client_secret);
    expect(after.client_id).toBe(before.client_id);
    expect(await connectorDigest()).toBe(sha256(after.client_secret));
    expect(await tokenEndpointSays(after, before.client_secret)).toBe(401);
    expect(await tokenEndpointSays(after, after.client_secret)).not.toBe(401);
    expect(await signIn()).toBe(200);
    await work.expect(0, 'plan', '-input=false', '-no-color', '-detailed-exitcode');
    await savePlan('after.tfplan', 0);
  });

  test('no secret anywhere Terraform writes: state, backup, saved plans, outputs, trace log, synthesized JSON', async () => {
    const credentials = readApaasCredentials(emulator.info.apaas_credentials_file);
    const privateKey = (JSON.parse(readFileSync(emulator.info.service_account_file, 'utf8')) as { privateKey: { d: string } }).privateKey.d;
    const kinds: Record<string, string[]> = {
      'client secret': [...clientSecrets],
      'aPaaS SecretKey': [credentials.secretKey],
      'service-account key': [privateKey],
    };
    expect(kinds['client secret']).toHaveLength(3);
    const places: Record<string, string> = {
      state: readFileSync(join(work.dir, 'terraform.tfstate'), 'utf8'),
      'state backup': readFileSync(join(work.dir, 'terraform.tfstate.backup'), 'utf8'),
      'saved plans (raw)': plans.map((p) => readFileSync(join(work.dir, p)).toString('latin1')).join('\n'),
      'saved plans (show -json)': (await Promise.all(plans.map(async (p) => (await work.expect(0, 'show', '-json', p)).stdout))).join('\n'),
      outputs: JSON.stringify(await work.outputs()),
      'TF_LOG=trace log': readFileSync(work.env.TF_LOG_PATH!, 'utf8'),
      'engine output': work.log.join('\n'),
      'synthesized JSON': filesUnder(synthDir).map((f) => readFileSync(f, 'utf8')).join('\n'),
      'emulator log': emulator.logs(),
    };
    expect(places['TF_LOG=trace log']).toMatch(/provider\.terraform-provider-qianfan/);
    const header = `| ${engine.name} ${engine.version} | ${Object.keys(kinds).join(' | ')} |`;
    table.push(header, `|---|${Object.keys(kinds).map(() => '---').join('|')}|`);
    let total = 0;
    for (const [place, text] of Object.entries(places)) {
      const counts = Object.values(kinds).map((secrets) => secrets.reduce((n, s) => n + text.split(s).length - 1, 0));
      total += counts.reduce((a, b) => a + b, 0);
      table.push(`| ${place} | ${counts.join(' | ')} |`);
    }
    table.push('');
    expect(total).toBe(0);
  });
});
