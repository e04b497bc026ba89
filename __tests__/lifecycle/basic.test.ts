/**
 * Lifecycle: one tenant (Yufu app, discovery, connector, schedule) in plain HCL through
 * create, update in place, forced replacement and destroy, with the remote truth and an
 * empty plan after each step.
 */
import { lifecycleSuite } from './harness';
import { header, tenantHcl } from './hcl';
import { planSummary } from './stack';
import { verifyActions, verifyConverged } from './truth';

const suite = lifecycleSuite('basic');

suite.chain('create → update → forced replacement → destroy', ['create', 'update', 'replace-forced', 'destroy'], async (t) => {
  const [a, b] = await Promise.all([t.tenant('basic'), t.tenant('basicb')]);
  const name = t.prefix('basic');
  const scope = { appPrefix: name, tenants: [a.tenantId, b.tenantId] };
  const stack = await t.stack('basic');
  const config = (o: { tenantId: string; description?: string; secretVersion?: number; cron?: string; applicationType?: string }) =>
    header() +
    tenantHcl('t', {
      tenantId: o.tenantId,
      corpKey: a.corpKey,
      appName: name,
      app: { description: o.description, secretVersion: o.secretVersion, applicationType: o.applicationType },
      schedule: { cron: o.cron },
    });
  const counts = { app: 1, connector: 1, schedule: 1, discovery: 1, status: 1 };

  await t.row('create', async () => {
    stack.write(config({ tenantId: a.tenantId }));
    const plan = await stack.plan();
    await t.check(t.applicable, 'plan exits 2 with 3 to add', () => {
      expect(plan.code).toBe(2);
      expect(planSummary(plan.stdout)).toEqual({ import: 0, add: 3, change: 0, destroy: 0 });
    });
    await verifyActions(t, plan, { 'qianfan_yufu_oidc_app.t': ['create'], 'qianfan_apaas_hr_connector.t': ['create'], 'qianfan_apaas_sync_schedule.t': ['create'], 'data.qianfan_oidc_discovery.t': ['read'] }, 'create plan');
    const apply = await stack.apply();
    await t.check(['app', 'connector', 'schedule'], 'apply reports 3 added', () => expect(planSummary(apply.stdout)).toMatchObject({ add: 3, change: 0, destroy: 0 }));
    await t.check('connector', 'the tenant is initialised from 腾讯 HR 助手 and synced', async () => {
      expect((await t.remote.tenant(a.tenantId))?.user_source).toBe('hr_assistant');
      expect(await t.remote.total(a.tenantId, 'users')).toBe(4);
    });
    await verifyConverged(t, stack, scope, counts);
  });

  await t.row('update', async () => {
    const before = stack.instance('qianfan_yufu_oidc_app.t')!.attributes;
    const oldSecret = (await t.remote.app(String(before.id)))!.client_secret;
    stack.write(config({ tenantId: a.tenantId, description: 'changed in place', secretVersion: 2, cron: '30 6 * * 1-5' }));
    const plan = await stack.plan();
    await t.check(['app', 'connector', 'schedule'], 'plan exits 2 with 3 to change', () => {
      expect(plan.code).toBe(2);
      expect(planSummary(plan.stdout)).toEqual({ import: 0, add: 0, change: 3, destroy: 0 });
    });
    await verifyActions(t, plan, { 'qianfan_yufu_oidc_app.t': ['update'], 'qianfan_apaas_hr_connector.t': ['update'], 'qianfan_apaas_sync_schedule.t': ['update'] }, 'update plan');
    await stack.apply();
    await t.check('app', 'same app, new description, rotated secret', async () => {
      const app = (await t.remote.app(String(before.id)))!;
      expect(app).toMatchObject({ id: before.id, client_id: before.client_id, description: 'changed in place' });
      expect(app.client_secret).not.toBe(oldSecret);
    });
    await t.check('schedule', 'cron changed in aPaaS', async () => expect((await t.remote.schedule(a.tenantId))?.cron).toBe('30 6 * * 1-5'));
    await verifyConverged(t, stack, scope, counts);
  });

  await t.row('replace-forced', async () => {
    const oldApp = stack.instance('qianfan_yufu_oidc_app.t')!.attributes;
    stack.write(config({ tenantId: b.tenantId, description: 'changed in place', secretVersion: 2, cron: '30 6 * * 1-5', applicationType: 'spa' }));
    const plan = await stack.plan();
    await t.check(['app', 'connector', 'schedule'], 'plan exits 2 with 3 to add, 3 to destroy', () => {
      expect(plan.code).toBe(2);
      expect(planSummary(plan.stdout)).toEqual({ import: 0, add: 3, change: 0, destroy: 3 });
    });
    await verifyActions(
      t,
      plan,
      { 'qianfan_yufu_oidc_app.t': ['replace'], 'qianfan_apaas_hr_connector.t': ['replace'], 'qianfan_apaas_sync_schedule.t': ['replace'], 'data.qianfan_oidc_discovery.t': ['read'] },
      'replacement plan',
    );
    await stack.apply();
    await t.check('app', 'the old app is gone, the new one is an spa', async () => {
      expect(await t.remote.app(String(oldApp.id))).toBeNull();
      expect((await t.remote.appsNamed(name)).map((x) => x.application_type)).toEqual(['spa']);
    });
    await t.check(['connector', 'schedule'], 'the old tenant keeps its source and users, loses connector and schedule', async () => {
      expect(await t.remote.connector(a.tenantId)).toBeNull();
      expect(await t.remote.schedule(a.tenantId)).toBeNull();
      expect((await t.remote.tenant(a.tenantId))?.user_source).toBe('hr_assistant');
      expect(await t.remote.total(a.tenantId, 'users')).toBe(4);
    });
    await verifyConverged(t, stack, scope, counts);
  });

  await t.row('destroy', async () => {
    const destroy = await stack.expect(0, 'destroy', '-input=false', '-no-color', '-auto-approve');
    await t.check(t.applicable, 'destroy reports 3 destroyed and warns what aPaaS keeps', () => {
      expect(planSummary(destroy.stdout)).toMatchObject({ destroy: 3 });
      expect(destroy.stdout.replace(/\s+/g, ' ')).toMatch(/aPaaS keeps user_source, users, departments/);
    });
    await t.check('app', 'no app left in Yufu', async () => expect(await t.remote.appsWithPrefix(name)).toEqual([]));
    await t.check(['connector', 'schedule'], 'connector and schedule gone; source, users and departments stay', async () => {
      expect(await t.remote.connector(b.tenantId)).toBeNull();
      expect(await t.remote.schedule(b.tenantId)).toBeNull();
      expect((await t.remote.tenant(b.tenantId))?.user_source).toBe('hr_assistant');
      expect(await t.remote.total(b.tenantId, 'users')).toBe(4);
      expect(await t.remote.total(b.tenantId, 'departments')).toBeGreaterThan(0);
    });
    const again = await stack.plan('-destroy');
    await t.check(t.applicable, 'plan -destroy afterwards is empty, state has no objects', () => {
      expect(again.code).toBe(0);
      expect(stack.instances().filter((i) => i.mode === 'managed')).toEqual([]);
    });
  });
});
