/**
 * Lifecycle around the tenant as a whole: the HR directory changing between two plans
 * (in plain HCL and in the project's own stack), `terraform test` applying and asserting
 * a tenant, and a tenant removed from the tenants file (through TenantsStack, as
 * `npm start` and CI synthesize it) — destroyed and kept exactly as the README says.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TenantsStack } from '../../constructs/tenants-stack';
import type { TenantEntry } from '../../constructs/tenants-file';
import { ROOT } from '../../scripts/lib/paths';
import { synthStack } from '../helpers/workdir';
import { lifecycleSuite, resourceOf, type Scenario } from './harness';
import { block, expr, header, tenantHcl } from './hcl';
import { diagnosticsOf, planActions, planSummary, type Stack } from './stack';
import { outputChanges, verifyActions, verifyEmptyPlan, verifyRemote } from './truth';

const suite = lifecycleSuite('tenants');

/** The project's stack for these tenants, as main.ts synthesizes it, with state kept in the stack's directory. */
function writeTenantsStack(stack: Stack, entries: TenantEntry[]): Record<string, Record<string, unknown>> {
  const json = synthStack((app) => new TenantsStack(app, 'tenants', entries)).json as { terraform?: { backend?: unknown }; resource: Record<string, Record<string, unknown>> };
  delete json.terraform?.backend;
  stack.writeFile('main.tf.json', JSON.stringify(json, null, 2));
  return json.resource;
}

async function hireLeaverAndSync(t: Scenario, tenantId: string, corpKey: string): Promise<void> {
  const before = { all: await t.remote.total(tenantId, 'users'), disabled: await t.remote.total(tenantId, 'users', 'disabled') };
  await t.remote.hireAndLeaver(corpKey, `new.hire.${t.suffix}`);
  const run = await t.remote.syncNow(tenantId, 'incremental');
  await t.check(['connector', 'schedule'], 'the sync ran and took the hires and the leaver', async () => {
    expect(run.status).toBe('succeeded');
    expect(await t.remote.total(tenantId, 'users')).toBe(before.all + 2);
    expect(await t.remote.total(tenantId, 'users', 'disabled')).toBe(before.disabled + 1);
  });
}

suite.chain('a sync, two hires and a leaver between two plans (plain HCL)', ['sync-between-plans'], async (t) => {
  await t.row('sync-between-plans', async () => {
    const tenant = await t.tenant('sync');
    const name = t.prefix('sync');
    const stack = await t.stack('sync');
    const scope = { appPrefix: name, tenants: [tenant.tenantId] };
    stack.write(
      header() +
        tenantHcl('t', { tenantId: tenant.tenantId, corpKey: tenant.corpKey, appName: name }) +
        block('output "client_id"', { value: expr('qianfan_yufu_oidc_app.t.client_id') }) +
        block('output "issuer"', { value: expr('data.qianfan_oidc_discovery.t.issuer') }),
    );
    await stack.apply();
    await hireLeaverAndSync(t, tenant.tenantId, tenant.corpKey);
    await verifyEmptyPlan(t, stack, 'the plan after the sync is empty (the CI gate)');
    // Sync health stays visible: the status data source has the new figures.
    await stack.apply('-refresh-only');
    await verifyRemote(t, stack, scope, { connector: 1, schedule: 1, status: 1 });
    // A failed sync is a warning from the check block, still no change.
    await t.remote.failSyncsOf(tenant.corpKey);
    const failed = await t.remote.syncNow(tenant.tenantId, 'incremental').finally(() => t.remote.clearFaults());
    const plan = await stack.plan();
    await t.check('status', 'a failed sync: plan exits 0 and the check warns', () => {
      expect(failed.status).toBe('failed');
      expect({ code: plan.code, warned: `${plan.stdout}${plan.stderr}`.replace(/\s+/g, ' ').includes(`lifecycle: the organisation sync of ${tenant.tenantId} failed`) }).toEqual({ code: 0, warned: true });
    });
  });
});

suite.chain('a sync, two hires and a leaver between two plans (project stack)', ['sync-between-plans-stack'], async (t) => {
  await t.row('sync-between-plans-stack', async () => {
    const tenant = await t.tenant('syst');
    const stack = await t.stack('syst');
    writeTenantsStack(stack, [{ id: tenant.tenantId, corpKey: tenant.corpKey, sso: { name: t.prefix('syst') } }]);
    await stack.apply();
    await hireLeaverAndSync(t, tenant.tenantId, tenant.corpKey);
    // The CI gate: exit 0. Each cell fails for its own attributes in the diff; a diff nobody owns fails them all.
    const plan = await stack.plan();
    const outputs = outputChanges(plan.stdout);
    const actions = planActions(plan.stdout);
    const churn = {
      connector: [...(outputs.match(/(employees|departments)_synced[^;]*|connector_status[^;]*|user_source[^;]*/g) ?? []), ...[...actions.keys()].filter((a) => resourceOf(a) === 'connector')],
      schedule: [...(outputs.match(/next_sync_at[^;]*/g) ?? []), ...[...actions.keys()].filter((a) => resourceOf(a) === 'schedule')],
      status: [...actions.keys()].filter((a) => resourceOf(a) === 'status'),
    };
    const unowned = plan.code !== 0 && Object.values(churn).every((c) => c.length === 0);
    for (const k of ['connector', 'schedule', 'status'] as const) {
      await t.check(k, 'plan -detailed-exitcode exits 0 (nothing declared changed)', () => {
        if (churn[k].length > 0) throw new Error(`plan exited ${plan.code}; it shows ${churn[k].join(', ')}`);
        if (unowned) throw new Error(`plan exited ${plan.code}: ${outputs || diagnosticsOf(plan)}`);
      });
    }
    await stack.apply('-refresh-only');
    await verifyRemote(t, stack, { appPrefix: null, tenants: [tenant.tenantId] }, { connector: 1, schedule: 1, status: 1 });
  });
});

suite.chain('terraform test', ['terraform-test'], async (t) => {
  await t.row('terraform-test', async () => {
    const tenant = await t.tenant('tft');
    const name = t.prefix('tft');
    const stack = await t.stack('tft');
    stack.write(header() + tenantHcl('t', { tenantId: tenant.tenantId, corpKey: tenant.corpKey, appName: name }));
    const active = (await t.remote.directory(tenant.corpKey)).employees.filter((e) => e.status === 'active').length;
    const assert = (condition: string, message: string) => `  assert {\n    condition     = ${condition}\n    error_message = "${message}"\n  }\n`;
    // After the applying run, a plan-only run whose assertion must fail: proof the assertions are evaluated.
    stack.writeFile(
      'lifecycle.tftest.hcl',
      `run "tenant" {\n  command = apply\n` +
        assert('can(regex("^ai-[0-9a-f]{32}$", qianfan_yufu_oidc_app.t.client_id))', 'the app has no Yufu client id') +
        assert('qianfan_apaas_hr_connector.t.client_id == qianfan_yufu_oidc_app.t.client_id', 'the connector is not on the app') +
        assert(`qianfan_apaas_hr_connector.t.user_source == "hr_assistant" && data.qianfan_apaas_sync_status.t.employees_synced == ${active}`, 'the tenant was not synced') +
        assert('data.qianfan_apaas_sync_status.t.next_run_at != null', 'the schedule has no next run') +
        assert('data.qianfan_oidc_discovery.t.issuer == qianfan_yufu_oidc_app.t.issuer', 'discovery does not match the app') +
        `}\n\nrun "wrong_name" {\n  command = plan\n${assert(`qianfan_yufu_oidc_app.t.name == "not ${name}"`, 'lifecycle: this assertion must fail')}}\n`,
    );
    const mark = t.remote.logMark();
    const run = await stack.run('test', '-no-color');
    const log = t.remote.logSince(mark);
    const out = `${run.stdout}${run.stderr}`;
    await t.check(t.applicable, 'the applying run passes, the wrong assertion fails, the command exits 1', () => {
      expect(out).not.toMatch(/Error: (?!Test assertion failed)/);
      expect(out).toMatch(/run "tenant"\.\.\. pass/);
      expect(out).toMatch(/run "wrong_name"\.\.\. fail/);
      expect(out).toContain('lifecycle: this assertion must fail');
      expect(out).toMatch(/1 passed, 1 failed/);
      expect(run.code).toBe(1);
    });
    const seen = (re: RegExp) => log.some((l) => re.test(l));
    // aPaaS saves a connector only after authenticating its client at the app's token endpoint: proof the app existed.
    await t.check('app', 'the test created a working app in Yufu and destroyed it afterwards', async () => {
      expect(seen(new RegExp(`apaas PUT /api/v1/tenants/${tenant.tenantId}/hr-connector 200`))).toBe(true);
      expect(seen(/yufu-admin DELETE \/api\/v1\/oidc-apps\/app_\w+ 204/)).toBe(true);
      expect(await t.remote.appsNamed(name)).toEqual([]);
    });
    await t.check(['connector', 'schedule'], 'the test saved the connector and schedule and removed them; the source stays', async () => {
      expect(seen(new RegExp(`apaas PUT /api/v1/tenants/${tenant.tenantId}/hr-connector 200`))).toBe(true);
      expect(seen(new RegExp(`apaas PUT /api/v1/tenants/${tenant.tenantId}/sync-schedule 200`))).toBe(true);
      expect(await t.remote.connector(tenant.tenantId)).toBeNull();
      expect(await t.remote.schedule(tenant.tenantId)).toBeNull();
      expect((await t.remote.tenant(tenant.tenantId))?.user_source).toBe('hr_assistant');
    });
    await t.check('discovery', 'the test read the app\'s discovery document', () => expect(seen(/yufu-idp GET \/sso\/tn-\w+\/ai-\w+\/oidc\/\.well-known\/openid-configuration 200/)).toBe(true));
    await t.check('status', 'the test asserted on the sync status it read', () => expect(seen(new RegExp(`apaas GET /api/v1/tenants/${tenant.tenantId}/sync-schedule 200`))).toBe(true));
  });
});

suite.chain('a tenant removed from the tenants file', ['tenant-removed'], async (t) => {
  await t.row('tenant-removed', async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8').replace(/\s+/g, ' ');
    await t.check(t.applicable, 'the README still makes the claim this row proves', () =>
      expect(readme).toContain('`destroy` removes the Yufu app, the connector and the schedule, and warns that the tenant\'s source, users and departments stay (aPaaS never deletes them)'),
    );
    const [keep, gone] = await Promise.all([t.tenant('keep'), t.tenant('gone')]);
    const entry = (x: { tenantId: string; corpKey: string }, tag: string): TenantEntry => ({ id: x.tenantId, corpKey: x.corpKey, sso: { name: `${t.prefix('rm')} ${tag}` } });
    const stack = await t.stack('rm');
    const both = writeTenantsStack(stack, [entry(keep, 'keep'), entry(gone, 'gone')]);
    await stack.apply();
    const snapshot = async (x: { tenantId: string }, tag: string) => ({
      apps: await t.remote.appsNamed(`${t.prefix('rm')} ${tag}`),
      connector: await t.remote.connector(x.tenantId),
      schedule: await t.remote.schedule(x.tenantId),
      tenant: await t.remote.tenant(x.tenantId),
      users: await t.remote.total(x.tenantId, 'users'),
      departments: await t.remote.total(x.tenantId, 'departments'),
    });
    const keptBefore = await snapshot(keep, 'keep');
    const goneBefore = await snapshot(gone, 'gone');

    const one = writeTenantsStack(stack, [entry(keep, 'keep')]);
    const removed: Record<string, ['destroy']> = {};
    for (const [type, byName] of Object.entries(both)) for (const n of Object.keys(byName)) if (!one[type]?.[n]) removed[`${type}.${n}`] = ['destroy'];
    const plan = await stack.plan();
    await t.check(t.applicable, 'plan destroys the removed tenant\'s 3 objects and nothing else', () => expect(planSummary(plan.stdout)).toEqual({ import: 0, add: 0, change: 0, destroy: 3 }));
    await verifyActions(t, plan, removed, 'exactly the removed tenant\'s objects are planned');
    const apply = await stack.apply();
    await t.check(t.applicable, 'apply warns that aPaaS keeps the source, users and departments', () => expect(apply.stdout.replace(/\s+/g, ' ')).toMatch(/aPaaS keeps user_source, users, departments/));
    const goneAfter = await snapshot(gone, 'gone');
    await t.check('app', 'the removed tenant\'s Yufu app is deleted', () => expect({ before: goneBefore.apps.length, after: goneAfter.apps }).toEqual({ before: 1, after: [] }));
    await t.check(['connector', 'schedule'], 'its connector and schedule are deleted; its source, users and departments stay', () =>
      expect(goneAfter).toMatchObject({ connector: null, schedule: null, tenant: { user_source: 'hr_assistant' }, users: goneBefore.users, departments: goneBefore.departments }),
    );
    await t.check(t.applicable, 'the other tenant is untouched', async () => expect(await snapshot(keep, 'keep')).toEqual(keptBefore));
    await verifyRemote(t, stack, { appPrefix: t.prefix('rm'), tenants: [keep.tenantId, gone.tenantId] }, { app: 1, connector: 1, schedule: 1 });
    const again = await stack.plan();
    await t.check(t.applicable, 'next plan is empty', () => expect(again.code).toBe(0));
  });
});
