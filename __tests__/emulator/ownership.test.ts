/**
 * The ownership protocol of docs/api/ownership.md on the emulator, for each kind of
 * object: creation keys recorded, claims as compare-and-set, create-only PUTs and
 * conditional deletes; plus the labelled rotation and the list filters of yufu-admin.md.
 */
import { randomBytes } from 'node:crypto';
import { startEmulator, type RunningEmulator } from '../../scripts/lib/emulator';
import { ApaasApi, readApaasCredentials } from '../helpers/tc3';
import { tempDir } from '../helpers/workdir';
import { YufuAdmin, type AdminApp } from '../helpers/yufu-admin';
import { EhrControl } from './ehr-helpers';

let emulator: RunningEmulator;
let yufu: YufuAdmin;
let apaas: ApaasApi;

const token = () => `qf-claim:${randomBytes(12).toString('hex')}`;

beforeAll(async () => {
  emulator = await startEmulator(tempDir('emulator-ownership'));
  yufu = new YufuAdmin(emulator.info);
  apaas = new ApaasApi(emulator.info.apaas_url, readApaasCredentials(emulator.info.apaas_credentials_file));
});
afterAll(async () => {
  await emulator?.stop();
});

describe('Yufu apps', () => {
  const body = (name: string) => ({ name, redirect_uris: ['https://apaas.weworkpro.tencent-cloud.com/own/'] });

  async function create(name: string, key?: string): Promise<AdminApp> {
    const r = await yufu.call<AdminApp>('POST', '/api/v1/oidc-apps', body(name), key ? { 'idempotency-key': key } : {});
    expect(r.status).toBe(201);
    return r.body;
  }

  test('a create records its key, unclaimed; one without a key records none', async () => {
    const keyed = await create(`own keyed ${token()}`, 'key-1-' + token());
    expect(keyed.creation_key).toMatch(/^key-1-/);
    expect(keyed.claimed_by).toBeNull();
    expect(keyed.claimed_at).toBeNull();
    const console = await create(`own console ${token()}`);
    expect(console.creation_key).toBeNull();
  });

  test('a claim is a compare-and-set on claimed_by', async () => {
    const app = await create(`own claim ${token()}`, token());
    const [a, b] = [token(), token()];
    const first = await yufu.call<AdminApp>('POST', `/api/v1/oidc-apps/${app.id}:claim`, { claimant: a });
    expect(first.status).toBe(200);
    expect(first.body.claimed_by).toBe(a);
    expect(first.body.updated_at).toBe(app.updated_at);
    expect((await yufu.call('POST', `/api/v1/oidc-apps/${app.id}:claim`, { claimant: a })).status).toBe(200);
    const lost = await yufu.call<{ error: { code: string; message: string } }>('POST', `/api/v1/oidc-apps/${app.id}:claim`, { claimant: b });
    expect(lost.status).toBe(409);
    expect(lost.body.error.code).toBe('claim_conflict');
    expect((await yufu.call('POST', `/api/v1/oidc-apps/${app.id}%3Aclaim`, { claimant: b, previous_claimant: a })).status).toBe(200);
    expect((await yufu.app(app.id))!.claimed_by).toBe(b);
    expect((await yufu.call('POST', `/api/v1/oidc-apps/${app.id}:claim`, { claimant: 'short' })).status).toBe(400);
    expect((await yufu.call('POST', `/api/v1/oidc-apps/app_000000000000000000000000:claim`, { claimant: a })).status).toBe(404);
  });

  test('a conditional delete deletes only what the claimant holds', async () => {
    const app = await create(`own delete ${token()}`, token());
    const owner = token();
    await yufu.call('POST', `/api/v1/oidc-apps/${app.id}:claim`, { claimant: owner });
    const refused = await yufu.call<{ error: { code: string } }>('DELETE', `/api/v1/oidc-apps/${app.id}?claimant=${token()}`);
    expect(refused.status).toBe(412);
    expect(refused.body.error.code).toBe('claim_mismatch');
    expect((await yufu.call('DELETE', `/api/v1/oidc-apps/${app.id}?claimant=`)).status).toBe(412);
    expect(await yufu.app(app.id)).not.toBeNull();
    expect((await yufu.call('DELETE', `/api/v1/oidc-apps/${app.id}?claimant=${owner}`)).status).toBe(204);
    expect(await yufu.app(app.id)).toBeNull();
    const unclaimed = await create(`own delete2 ${token()}`);
    expect((await yufu.call('DELETE', `/api/v1/oidc-apps/${unclaimed.id}?claimant=`)).status).toBe(204);
  });

  test('a labelled rotation happens once per label', async () => {
    const created = await yufu.call<AdminApp>('POST', '/api/v1/oidc-apps', { ...body(`own rotate ${token()}`), client_secret_version: 1 });
    expect(created.body.client_secret_version).toBe(1);
    const rotate = (v?: number) => yufu.call<AdminApp>('POST', `/api/v1/oidc-apps/${created.body.id}/client-secret:rotate`, v === undefined ? {} : { client_secret_version: v });
    const same = await rotate(1);
    expect(same.body.client_secret).toBe(created.body.client_secret);
    const second = await rotate(2);
    expect(second.body.client_secret).not.toBe(created.body.client_secret);
    expect(second.body.client_secret_version).toBe(2);
    expect((await rotate(2)).body.client_secret).toBe(second.body.client_secret);
    const unlabelled = await rotate();
    expect(unlabelled.body.client_secret).not.toBe(second.body.client_secret);
    expect(unlabelled.body.client_secret_version).toBeNull();
    const bad = await yufu.call<{ error: { field: string } }>('POST', `/api/v1/oidc-apps/${created.body.id}/client-secret:rotate`, { client_secret_version: 1.5 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('client_secret_version');
  });

  test('list filters by ids and client ids', async () => {
    const [a, b, c] = [await create(`own list a ${token()}`), await create(`own list b ${token()}`), await create(`own list c ${token()}`)];
    const byId = await yufu.call<{ items: AdminApp[]; total: number }>('GET', `/api/v1/oidc-apps?id=${a.id},${c.id}`);
    expect(byId.body.items.map((x) => x.id).sort()).toEqual([a.id, c.id].sort());
    const byClient = await yufu.call<{ items: AdminApp[] }>('GET', `/api/v1/oidc-apps?client_id=${b.client_id}`);
    expect(byClient.body.items.map((x) => x.id)).toEqual([b.id]);
    const many = Array.from({ length: 101 }, (_, i) => `app_${i}`).join(',');
    expect((await yufu.call('GET', `/api/v1/oidc-apps?id=${many}`)).status).toBe(400);
  });
});

describe('aPaaS connector and schedule', () => {
  const tenantId = `own-${randomBytes(3).toString('hex')}`;
  const corpKey = `own${randomBytes(3).toString('hex')}`;
  let app: AdminApp;
  const connectorPath = `/api/v1/tenants/${tenantId}/hr-connector`;
  const schedulePath = `/api/v1/tenants/${tenantId}/sync-schedule`;
  const connectorBody = () => ({ corp_key: corpKey, well_known_url: app.well_known_url, client_id: app.client_id, client_secret: app.client_secret });

  beforeAll(async () => {
    await new EhrControl(emulator.info.ehr_url).createCorp(corpKey, 3, 1);
    expect((await apaas.call('POST', '/__control/tenants', { tenant_id: tenantId })).status).toBe(201);
    const r = await yufu.call<AdminApp>('POST', '/api/v1/oidc-apps', {
      name: `own connector ${tenantId}`,
      redirect_uris: [`https://apaas.weworkpro.tencent-cloud.com/${tenantId}/`],
      grant_types: ['authorization_code', 'client_credentials'],
    });
    app = r.body;
  });

  test('create-only PUT, creation key, claim and conditional delete of the connector', async () => {
    const key = token();
    const created = await apaas.call<Record<string, unknown>>('PUT', connectorPath, connectorBody(), {}, { 'if-none-match': '*', 'idempotency-key': key });
    expect(created.status).toBe(200);
    expect(created.body.creation_key).toBe(key);
    expect(created.body.claimed_by).toBeNull();
    const again = await apaas.call<{ error: { code: string } }>('PUT', connectorPath, connectorBody(), {}, { 'if-none-match': '*', 'idempotency-key': token() });
    expect(again.status).toBe(412);
    expect(again.body.error.code).toBe('already_exists');
    const update = await apaas.call<Record<string, unknown>>('PUT', connectorPath, connectorBody(), {}, { 'idempotency-key': token() });
    expect(update.status).toBe(200);
    expect(update.body.creation_key).toBe(key);

    const owner = token();
    const claimed = await apaas.call<Record<string, unknown>>('POST', `${connectorPath}:claim`, { claimant: owner });
    expect(claimed.status).toBe(200);
    expect(claimed.body.claimed_by).toBe(owner);
    expect((await apaas.call('POST', `${connectorPath}:claim`, { claimant: token() })).status).toBe(409);

    // The schedule: the same rules.
    const schedule = { cron: '0 3 * * *', time_zone: 'Asia/Shanghai' };
    const sKey = token();
    const s1 = await apaas.call<Record<string, unknown>>('PUT', schedulePath, schedule, {}, { 'if-none-match': '*', 'idempotency-key': sKey });
    expect(s1.status).toBe(200);
    expect(s1.body.creation_key).toBe(sKey);
    expect((await apaas.call('PUT', schedulePath, schedule, {}, { 'if-none-match': '*' })).status).toBe(412);
    const sOwner = token();
    expect((await apaas.call('POST', `${schedulePath}:claim`, { claimant: sOwner })).status).toBe(200);
    expect((await apaas.call('DELETE', `${schedulePath}?claimant=${token()}`)).status).toBe(412);
    expect((await apaas.call('GET', schedulePath)).status).toBe(200);
    expect((await apaas.call('DELETE', `${schedulePath}?claimant=${sOwner}`)).status).toBe(204);

    expect((await apaas.call('DELETE', `${connectorPath}?claimant=`)).status).toBe(412);
    expect((await apaas.call('GET', connectorPath)).status).toBe(200);
    expect((await apaas.call('DELETE', `${connectorPath}?claimant=${owner}`)).status).toBe(200);

    // Saved again after a delete: a new object, unclaimed, with the new key.
    const key2 = token();
    const recreated = await apaas.call<Record<string, unknown>>('PUT', connectorPath, connectorBody(), {}, { 'if-none-match': '*', 'idempotency-key': key2 });
    expect(recreated.status).toBe(200);
    expect(recreated.body.creation_key).toBe(key2);
    expect(recreated.body.claimed_by).toBeNull();
  });
});
