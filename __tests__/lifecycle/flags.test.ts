/**
 * Lifecycle: refresh and targeting — `-refresh-only` after console changes,
 * `ignore_changes`, `-refresh=false` and `-target` — each on its own tenant, checking
 * what Terraform reports and what the services hold after each command.
 */
import { lifecycleSuite, type Scenario } from './harness';
import { header, oidcApp, tenantHcl, type TenantDecl } from './hcl';
import { planSummary } from './stack';
import { verifyActions, verifyConverged } from './truth';

const suite = lifecycleSuite('flags');

async function tenantStack(t: Scenario, tag: string, extra = '', decl: Partial<TenantDecl> = {}) {
  const tenant = await t.tenant(tag);
  const name = t.prefix(tag);
  const stack = await t.stack(tag);
  const config = (o: Partial<TenantDecl> = {}) => header() + tenantHcl('t', { tenantId: tenant.tenantId, corpKey: tenant.corpKey, appName: name, ...decl, ...o }) + extra;
  stack.write(config());
  await stack.apply();
  const app = () => t.remote.app(String(stack.instance('qianfan_yufu_oidc_app.t')!.attributes.id));
  return { tenant, name, stack, config, app, scope: { appPrefix: name, tenants: [tenant.tenantId] } };
}

/** `# ADDRESS has changed` (Terraform and OpenTofu both say it in the refresh report). */
const changedOutside = (stdout: string, address: string) => new RegExp(`# ${address.replace(/[.[\]"]/g, '\\$&')} has changed`).test(stdout);

suite.chain('plan/apply -refresh-only after a console change', ['refresh-only'], async (t) => {
  await t.row('refresh-only', async () => {
    const setup = await tenantStack(t, 'ro', '');
    const { tenant, name, stack, scope } = setup;
    // A second app of the same tenant: what a console user repoints the connector to.
    const other = oidcApp('u', { name: `${name} other`, tenantId: tenant.tenantId });
    stack.write(setup.config() + other);
    await stack.apply();
    const app = (await setup.app())!;
    const u = (await t.remote.app(String(stack.instance('qianfan_yufu_oidc_app.u')!.attributes.id)))!;
    const edited = await t.remote.patchApp(app.id, { description: 'edited in the console' });
    await t.remote.putSchedule(tenant.tenantId, { cron: '15 3 * * *', time_zone: 'Asia/Shanghai', mode: 'incremental', enabled: true });
    await t.remote.putConnector(tenant.tenantId, { corp_key: tenant.corpKey, well_known_url: u.well_known_url, client_id: u.client_id, client_secret: u.client_secret });

    const plan = await stack.plan('-refresh-only');
    await t.check(['app', 'connector', 'schedule'], 'plan -refresh-only exits 2', () => expect(plan.code).toBe(2));
    await t.check('app', 'reports the app changed outside', () => expect(changedOutside(plan.stdout, 'qianfan_yufu_oidc_app.t') && /description/.test(plan.stdout)).toBe(true));
    await t.check('connector', 'reports the connector changed outside', () => expect(changedOutside(plan.stdout, 'qianfan_apaas_hr_connector.t')).toBe(true));
    await t.check('schedule', 'reports the schedule changed outside', () => expect(changedOutside(plan.stdout, 'qianfan_apaas_sync_schedule.t')).toBe(true));

    await stack.apply('-refresh-only');
    await t.check('app', 'apply -refresh-only takes the console value into state, touching nothing', async () => {
      expect(stack.instance('qianfan_yufu_oidc_app.t')!.attributes.description).toBe('edited in the console');
      expect((await t.remote.app(app.id))!.updated_at).toBe(edited.updated_at);
    });
    await t.check('connector', 'state now says the connector uses the other app', () => expect(stack.instance('qianfan_apaas_hr_connector.t')!.attributes.client_id).toBe(u.client_id));
    await t.check('schedule', 'state now has the console cron', () => expect(stack.instance('qianfan_apaas_sync_schedule.t')!.attributes.cron).toBe('15 3 * * *'));

    const back = await stack.plan();
    await verifyActions(t, back, { 'qianfan_yufu_oidc_app.t': ['update'], 'qianfan_apaas_hr_connector.t': ['update'], 'qianfan_apaas_sync_schedule.t': ['update'] }, 'the next plan puts the configuration back');
    await stack.apply();
    await t.check(['app', 'connector', 'schedule'], 'the configuration is back in the services', async () => {
      expect((await t.remote.app(app.id))!.description).toBe('');
      expect((await t.remote.connector(tenant.tenantId))!.client_id).toBe(app.client_id);
      expect((await t.remote.schedule(tenant.tenantId))!.cron).toBe('0 2 * * *');
    });
    await verifyConverged(t, stack, scope, { app: 2, connector: 1, schedule: 1 });
  });
});

suite.chain('ignore_changes', ['ignore-changes'], async (t) => {
  await t.row('ignore-changes', async () => {
    // The connector: created by Terraform, owned by the console afterwards (`all`), whatever carries its secret.
    const meta = { app: { lifecycle: 'ignore_changes = [description]' }, connector: { lifecycle: 'ignore_changes = all' }, schedule: { lifecycle: 'ignore_changes = [cron]' } };
    const setup = await tenantStack(t, 'ign', '', { meta });
    const { tenant, name, stack, app } = setup;
    const other = oidcApp('u', { name: `${name} other`, tenantId: tenant.tenantId });
    stack.write(setup.config() + other);
    await stack.apply();
    const before = (await app())!;
    const u = (await t.remote.app(String(stack.instance('qianfan_yufu_oidc_app.u')!.attributes.id)))!;
    await t.remote.patchApp(before.id, { description: 'edited in the console' });
    await t.remote.putSchedule(tenant.tenantId, { cron: '15 3 * * *', time_zone: 'Asia/Shanghai', mode: 'incremental', enabled: true });
    const repointed = await t.remote.putConnector(tenant.tenantId, { corp_key: tenant.corpKey, well_known_url: u.well_known_url, client_id: u.client_id, client_secret: u.client_secret });

    const plan = await stack.plan();
    await t.check(['app', 'connector', 'schedule'], 'the ignored console changes plan nothing', () =>
      expect({ code: plan.code, summary: planSummary(plan.stdout) }).toEqual({ code: 0, summary: { import: 0, add: 0, change: 0, destroy: 0 } }),
    );

    // A change that is not ignored still applies, and leaves the ignored values alone.
    stack.write(setup.config({ app: { grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'] }, schedule: { mode: 'full' } }) + other);
    const change = await stack.plan();
    await verifyActions(t, change, { 'qianfan_yufu_oidc_app.t': ['update'], 'qianfan_apaas_sync_schedule.t': ['update'] }, 'only the non-ignored changes are planned');
    await stack.apply();
    await t.check('app', 'grant types applied, console description kept', async () => {
      const now = (await app())!;
      expect(now.description).toBe('edited in the console');
      expect(now.grant_types).toContain('client_credentials');
    });
    await t.check('schedule', 'mode applied, console cron kept', async () => expect(await t.remote.schedule(tenant.tenantId)).toMatchObject({ cron: '15 3 * * *', mode: 'full' }));
    await t.check('connector', 'the console\'s connector was not re-saved', async () => expect(await t.remote.connector(tenant.tenantId)).toMatchObject({ client_id: u.client_id, updated_at: repointed.updated_at }));
    const again = await stack.plan();
    await t.check(['app', 'connector', 'schedule'], 'next plan is empty', () => expect(again.code).toBe(0));
  });
});

suite.chain('plan -refresh=false', ['refresh-false'], async (t) => {
  await t.row('refresh-false', async () => {
    // No sync status data source here: data sources are read whatever -refresh says, and it reads the connector and schedule.
    const { tenant, stack, app, scope } = await tenantStack(t, 'nrf', '', { withStatus: false });
    const before = (await app())!;
    await t.remote.patchApp(before.id, { description: 'edited in the console' });
    await t.remote.rotateSecret(before.id);
    await t.remote.putSchedule(tenant.tenantId, { cron: '15 3 * * *', time_zone: 'Asia/Shanghai', mode: 'incremental', enabled: true });

    const mark = t.remote.logMark();
    const plan = await stack.plan('-refresh=false');
    const log = t.remote.logSince(mark);
    const reads = (path: string) => log.filter((l) => / GET /.test(l) && l.includes(path));
    await t.check(['app', 'connector', 'schedule'], 'plan -refresh=false sees no change', () => expect(plan.code).toBe(0));
    await t.check('app', 'and reads no app', () => expect(reads(`/api/v1/oidc-apps/${before.id}`)).toEqual([]));
    await t.check('connector', 'and reads no connector', () => expect(reads(`/api/v1/tenants/${tenant.tenantId}/hr-connector`)).toEqual([]));
    await t.check('schedule', 'and reads no schedule', () => expect(reads(`/api/v1/tenants/${tenant.tenantId}/sync-schedule`)).toEqual([]));

    const refreshMark = t.remote.logMark();
    const refreshed = await stack.plan();
    const refreshLog = t.remote.logSince(refreshMark);
    await t.check(['app', 'connector', 'schedule'], 'a plan with refresh does read them (the log check above can fail)', () => {
      for (const path of [`/api/v1/oidc-apps/${before.id}`, `/api/v1/tenants/${tenant.tenantId}/hr-connector`, `/api/v1/tenants/${tenant.tenantId}/sync-schedule`]) {
        expect(refreshLog.filter((l) => / GET /.test(l) && l.includes(path)).length).toBeGreaterThan(0);
      }
    });
    await verifyActions(t, refreshed, { 'qianfan_yufu_oidc_app.t': ['update'], 'qianfan_apaas_hr_connector.t': ['update'], 'qianfan_apaas_sync_schedule.t': ['update'] }, 'with refresh the drift shows');
    await stack.apply();
    await verifyConverged(t, stack, scope, { app: 1, connector: 1, schedule: 1 });
  });
});

suite.chain('-target', ['target'], async (t) => {
  await t.row('target', async () => {
    const { tenant, stack, config, app, scope } = await tenantStack(t, 'tgt');
    const connectorBefore = (await t.remote.connector(tenant.tenantId))!;
    stack.write(config({ app: { description: 'targeted' }, schedule: { cron: '45 4 * * *' } }));
    const first = await stack.apply('-target=qianfan_yufu_oidc_app.t');
    await t.check('app', 'apply -target changes only the app', async () => {
      expect(planSummary(first.stdout)).toEqual({ import: 0, add: 0, change: 1, destroy: 0 });
      expect((await app())!.description).toBe('targeted');
    });
    await t.check('schedule', 'the schedule outside the target is untouched', async () => expect((await t.remote.schedule(tenant.tenantId))!.cron).toBe('0 2 * * *'));
    const connectorPlan = await stack.plan('-target=qianfan_apaas_hr_connector.t');
    await t.check('connector', 'a connector target includes its dependencies (the app, done) but not its dependent schedule', async () => {
      expect(connectorPlan.code).toBe(0);
      expect((await t.remote.connector(tenant.tenantId))!.updated_at).toBe(connectorBefore.updated_at);
    });
    const rest = await stack.plan();
    await verifyActions(t, rest, { 'qianfan_apaas_sync_schedule.t': ['update'] }, 'the full plan has only the schedule left');
    const second = await stack.apply('-target=qianfan_apaas_sync_schedule.t');
    await t.check('schedule', 'apply -target on the schedule changes it', async () => {
      expect(planSummary(second.stdout)).toEqual({ import: 0, add: 0, change: 1, destroy: 0 });
      expect((await t.remote.schedule(tenant.tenantId))!.cron).toBe('45 4 * * *');
    });
    await verifyConverged(t, stack, scope, { app: 1, connector: 1, schedule: 1 });
  });
});
