/**
 * Lifecycle: values Terraform does not know at plan time — arguments built from other
 * resources' computed attributes, and a provider configuration that is itself unknown
 * (fresh state, and an existing state whose objects must be refreshed) — and two
 * provider configurations (an alias) managing two tenants on two separate services.
 */
import { lifecycleSuite, type Scenario } from './harness';
import { block, expr, header, oidcApp, hrConnector, oidcDiscovery, syncSchedule, syncStatus, tenantHcl } from './hcl';
import { Remote } from './remote';
import { planSummary } from './stack';
import { verifyActions, verifyConverged, verifyEmptyPlan, verifyPlan, verifyRemote } from './truth';

const suite = lifecycleSuite('provider-config');

let second: Remote | undefined;
beforeAll(async () => {
  second = await Remote.start('provider-config-b');
}, 120_000);
afterAll(async () => {
  await second?.stop();
});

suite.chain('unknown values at plan', ['unknown-values'], async (t) => {
  await t.row('unknown-values', async () => {
    const tenant = await t.tenant('unk');
    const name = t.prefix('unk');
    const stack = await t.stack('unk');
    // Everything the qianfan objects get comes from other resources' outputs: unknown until applied.
    const config = (appName: string) =>
      header() +
      block('resource "terraform_data" "name"', { input: appName }) +
      block('resource "terraform_data" "ids"', { input: { tenant: tenant.tenantId, corp: tenant.corpKey } }) +
      oidcApp('t', { name: expr('terraform_data.name.output'), redirectUris: expr('["https://apaas.weworkpro.tencent-cloud.com/${terraform_data.ids.output.tenant}/"]') }) +
      oidcDiscovery('t', 'qianfan_yufu_oidc_app.t') +
      hrConnector('t', { tenantId: expr('terraform_data.ids.output.tenant'), corpKey: expr('terraform_data.ids.output.corp'), app: 'qianfan_yufu_oidc_app.t' }) +
      syncSchedule('t', { tenantId: expr('qianfan_apaas_hr_connector.t.id'), connector: 'qianfan_apaas_hr_connector.t' }) +
      syncStatus('t', expr('qianfan_apaas_sync_schedule.t.tenant_id'));
    stack.write(config(name));
    const plan = await stack.plan();
    await t.check(['app', 'connector', 'schedule'], 'plan exits 2 with 5 to add', () => expect({ code: plan.code, summary: planSummary(plan.stdout) }).toEqual({ code: 2, summary: { import: 0, add: 5, change: 0, destroy: 0 } }));
    await verifyActions(t, plan, { 'qianfan_yufu_oidc_app.t': ['create'], 'qianfan_apaas_hr_connector.t': ['create'], 'qianfan_apaas_sync_schedule.t': ['create'], 'data.qianfan_oidc_discovery.t': ['read'] }, 'create plan');
    await t.check('app', 'the name is known after apply', () => expect(plan.stdout).toMatch(/\+ name\s+= \(known after apply\)/));
    await t.check('connector', 'tenant, Corp Key and client are known after apply', () => expect(plan.stdout).toMatch(/\+ tenant_id\s+= \(known after apply\)/));
    await stack.apply();
    const scope = { appPrefix: name, tenants: [tenant.tenantId] };
    await verifyConverged(t, stack, scope, { app: 1, connector: 1, schedule: 1, discovery: 1, status: 1 });

    // An update whose new value is unknown at plan: a rename only, never a new client.
    const id = stack.instance('qianfan_yufu_oidc_app.t')!.attributes.id;
    stack.write(config(`${name} renamed`));
    const rename = await stack.plan();
    await verifyActions(t, rename, { 'qianfan_yufu_oidc_app.t': ['update'] }, 'an unknown new name plans an in-place update and nothing downstream');
    await stack.apply();
    await t.check('app', 'the same app, renamed', async () => expect((await t.remote.app(String(id)))?.name).toBe(`${name} renamed`));
    await verifyConverged(t, stack, scope, { app: 1, connector: 1, schedule: 1, discovery: 1, status: 1 });
  });
});

/** The provider's endpoints: from a resource's output (unknown until it is applied), or literal. */
function providerConfig(t: Scenario, from: 'output' | 'literal', tenant: { tenantId: string; corpKey: string }, name: string): string {
  const info = t.remote.emulator.info;
  const provider =
    from === 'output'
      ? block('resource "terraform_data" "endpoints"', { input: { yufu: info.admin_url, apaas: info.apaas_url } }) +
        block('provider "qianfan"', { yufu_admin_url: expr('terraform_data.endpoints.output.yufu'), apaas_url: expr('terraform_data.endpoints.output.apaas') })
      : block('provider "qianfan"', { yufu_admin_url: info.admin_url, apaas_url: info.apaas_url });
  return header(null) + provider + tenantHcl('t', { tenantId: tenant.tenantId, corpKey: tenant.corpKey, appName: name });
}

/** The provider environment without the endpoints, so only the configuration can supply them. */
function credentialsOnly(t: Scenario): Record<string, string> {
  const env = { ...t.providerEnv };
  delete env.QIANFAN_YUFU_ADMIN_URL;
  delete env.QIANFAN_APAAS_URL;
  return env;
}

suite.chain('unknown provider configuration, fresh state', ['unknown-provider-fresh'], async (t) => {
  await t.row('unknown-provider-fresh', async () => {
    const tenant = await t.tenant('upf');
    const name = t.prefix('upf');
    const stack = await t.stack('upf', credentialsOnly(t));
    stack.write(providerConfig(t, 'output', tenant, name));
    const plan = await stack.plan();
    await verifyPlan(t, plan, 2, { import: 0, add: 4, change: 0, destroy: 0 }, 'plan with an unknown provider configuration succeeds: 4 to add');
    await stack.apply();
    await verifyConverged(t, stack, { appPrefix: name, tenants: [tenant.tenantId] }, { app: 1, connector: 1, schedule: 1, discovery: 1, status: 1 });
  });
});

suite.chain('unknown provider configuration, existing state', ['unknown-provider-existing'], async (t) => {
  await t.row('unknown-provider-existing', async () => {
    const tenant = await t.tenant('upe');
    const name = t.prefix('upe');
    const stack = await t.stack('upe', credentialsOnly(t));
    stack.write(providerConfig(t, 'literal', tenant, name));
    await stack.apply();
    const before = stack.instance('qianfan_yufu_oidc_app.t')!.attributes.id;
    // The same endpoints, now from an output that is unknown until terraform_data is created.
    stack.write(providerConfig(t, 'output', tenant, name));
    const plan = await stack.plan();
    await verifyPlan(t, plan, 2, { import: 0, add: 1, change: 0, destroy: 0 }, 'plan refreshing existing objects with an unknown provider configuration succeeds: 1 to add');
    await verifyActions(t, plan, {}, 'only the endpoints resource is created; the qianfan objects are left alone');
    await t.check('status', 'the sync status says it cannot be read before the configuration is known', () => expect(`${plan.stdout}${plan.stderr}`.replace(/\s+/g, ' ')).toMatch(/Sync status not read yet/));
    await stack.apply();
    await t.check('app', 'the same app', () => expect(stack.instance('qianfan_yufu_oidc_app.t')!.attributes.id).toBe(before));
    // The status read at plan time was the placeholder: read it again now that the configuration is known.
    await stack.apply('-refresh-only');
    await verifyConverged(t, stack, { appPrefix: name, tenants: [tenant.tenantId] }, { app: 1, connector: 1, schedule: 1, discovery: 1, status: 1 });
  });
});

suite.chain('two provider configurations', ['provider-aliases'], async (t) => {
  await t.row('provider-aliases', async () => {
    const other = second!;
    const [a, b] = await Promise.all([t.tenant('alias'), other.newTenant(`aliasb${t.engine.name.slice(0, 2)}`)]);
    const name = t.prefix('alias');
    const stack = await t.stack('alias');
    const info = other.emulator.info;
    const viaB = { provider: 'qianfan.b' };
    const tenantB = tenantHcl('b', { tenantId: b.tenantId, corpKey: b.corpKey, appName: `${name} b`, meta: { app: viaB, connector: viaB, schedule: viaB, discovery: viaB, status: viaB } });
    const config = (withB: boolean) =>
      header() +
      block('provider "qianfan"', {
        alias: 'b',
        yufu_admin_url: info.admin_url,
        yufu_service_account_file: info.service_account_file,
        apaas_url: info.apaas_url,
        apaas_credentials_file: info.apaas_credentials_file,
      }) +
      tenantHcl('a', { tenantId: a.tenantId, corpKey: a.corpKey, appName: `${name} a` }) +
      (withB ? tenantB : '');
    stack.write(config(true));
    const apply = await stack.apply();
    await t.check(['app', 'connector', 'schedule'], 'apply adds 6', () => expect(planSummary(apply.stdout)).toMatchObject({ add: 6 }));
    await t.check(['app', 'connector'], 'each tenant landed on its own services, none on the other', async () => {
      expect(await t.remote.appsNamed(`${name} b`)).toEqual([]);
      expect(await other.appsNamed(`${name} a`)).toEqual([]);
      expect(await other.appsNamed(`${name} b`)).toHaveLength(1);
      expect(await t.remote.tenant(b.tenantId)).toBeNull();
    });
    const onA = (address: string) => /\.a$/.test(address);
    const onB = (address: string) => /\.b$/.test(address);
    await verifyRemote(t, stack, { appPrefix: `${name} a`, tenants: [a.tenantId] }, { app: 1, connector: 1, schedule: 1, discovery: 1, status: 1 }, onA);
    await verifyRemote(t.on(other), stack, { appPrefix: `${name} b`, tenants: [b.tenantId] }, { app: 1, connector: 1, schedule: 1, discovery: 1, status: 1 }, onB);
    await verifyEmptyPlan(t, stack);

    // Removing the aliased tenant destroys it through its own configuration only.
    const appA = stack.instance('qianfan_yufu_oidc_app.a')!.attributes.id;
    stack.write(config(false));
    const destroy = await stack.apply();
    await t.check(['app', 'connector', 'schedule'], 'removing tenant b destroys its 3 objects on the second services', async () => {
      expect(planSummary(destroy.stdout)).toMatchObject({ add: 0, change: 0, destroy: 3 });
      expect(await other.appsNamed(`${name} b`)).toEqual([]);
      expect(await other.connector(b.tenantId)).toBeNull();
      expect(await other.schedule(b.tenantId)).toBeNull();
      expect((await t.remote.app(String(appA)))?.name).toBe(`${name} a`);
    });
    await verifyRemote(t, stack, { appPrefix: `${name} a`, tenants: [a.tenantId] }, { app: 1, connector: 1, schedule: 1, discovery: 1, status: 1 });
    await verifyEmptyPlan(t, stack);
  });
});

suite.chain('ephemeral secret into the write-only argument', ['ephemeral-write-only'], async (t) => {
  const tenant = await t.tenant('eph');
  const name = t.prefix('eph');
  const stack = await t.stack('eph');
  const config = (version: number) =>
    header() +
    oidcApp('t', { name, tenantId: tenant.tenantId, secretVersion: version }) +
    block('ephemeral "qianfan_yufu_oidc_app_secret" "t"', { client_id: expr('qianfan_yufu_oidc_app.t.client_id') }) +
    hrConnector('t', { tenantId: tenant.tenantId, corpKey: tenant.corpKey, app: 'qianfan_yufu_oidc_app.t', writeOnlySecret: 'ephemeral.qianfan_yufu_oidc_app_secret.t.client_secret' });
  const scope = { appPrefix: name, tenants: [tenant.tenantId] };
  const noSecretInState = async (label: string) => {
    const [app] = await t.remote.appsNamed(name);
    const state = stack.readFile('terraform.tfstate');
    await t.check(['app', 'connector'], `${label}: the secret is in no state`, () => expect(state.includes(app.client_secret)).toBe(false));
  };
  // An engine without ephemeral resources must refuse the configuration, not store a secret.
  const refused = async () => {
    stack.write(config(1));
    const r = await stack.run('validate', '-no-color');
    expect({ code: r.code, says: /Unsupported block type|ephemeral/i.test(r.stderr) }).toEqual({ code: 1, says: true });
  };
  await t.row(
    'ephemeral-write-only',
    async () => {
      stack.write(config(1));
      await stack.apply();
      await noSecretInState('after create');
      await verifyConverged(t, stack, scope, { app: 1, connector: 1 });
      const before = (await t.remote.appsNamed(name))[0].client_secret;
      stack.write(config(2));
      const plan = await stack.plan();
      await verifyActions(t, plan, { 'qianfan_yufu_oidc_app.t': ['update'], 'qianfan_apaas_hr_connector.t': ['update'] }, 'a new version rotates the app and re-sends to the connector');
      await stack.apply();
      await t.check('app', 'the secret was rotated', async () => expect((await t.remote.appsNamed(name))[0].client_secret).not.toBe(before));
      await noSecretInState('after rotation');
      await verifyConverged(t, stack, scope, { app: 1, connector: 1 });
    },
    refused,
  );
});
