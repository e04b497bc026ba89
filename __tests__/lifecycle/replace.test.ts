/**
 * Lifecycle: replacement on request (`-replace`), `create_before_destroy` with a
 * requested and with a forced replacement, and `prevent_destroy`. Each object type gets
 * its own tenant and stack (run concurrently), and its cell records whether the whole
 * tenant — the object and everything that follows it — ends up exactly as declared.
 */
import type { Scenario } from './harness';
import { header, tenantHcl, type TenantDecl } from './hcl';
import type { ProvisionedTenant } from './remote';
import type { ResourceKey } from './scenarios';
import { lifecycleSuite } from './harness';
import { diagnosticsOf, planSummary, type Stack } from './stack';
import { verifyConverged, verifyRemote } from './truth';

const suite = lifecycleSuite('replace');

const ADDRESS: Record<Exclude<ResourceKey, 'discovery' | 'status'>, string> = {
  app: 'qianfan_yufu_oidc_app.t',
  connector: 'qianfan_apaas_hr_connector.t',
  schedule: 'qianfan_apaas_sync_schedule.t',
};
const MANAGED = ['app', 'connector', 'schedule'] as const;

async function tenantStack(t: Scenario, tag: string, res: ResourceKey, lifecycle?: string) {
  const tenant = await t.tenant(`${tag}${res.slice(0, 3)}`);
  const name = t.prefix(`${tag} ${res}`);
  const stack = await t.stack(`${tag}-${res}`);
  stack.write(header() + tenantHcl('t', { tenantId: tenant.tenantId, corpKey: tenant.corpKey, appName: name, meta: lifecycle ? { [res]: { lifecycle } } : undefined }));
  await stack.apply();
  return { tenant, name, stack, scope: { appPrefix: name, tenants: [tenant.tenantId] } };
}

/** The Yufu app id the state tracks, to compare after an operation. */
const appId = (stack: Stack) => stack.instance(ADDRESS.app)?.attributes.id;

suite.chain('apply -replace=ADDR', ['replace-flag'], async (t) => {
  await t.row('replace-flag', () =>
    t.each([...MANAGED], async (res) => {
      const { stack, name, scope, tenant } = await tenantStack(t, 'rep', res);
      const before = appId(stack);
      const apply = await stack.apply(`-replace=${ADDRESS[res as keyof typeof ADDRESS]}`);
      // A new app: the connector follows it in place. A new connector: the schedule stays (aPaaS keeps it).
      await t.check(res, 'apply replaces exactly the target and what follows it', () =>
        expect(planSummary(apply.stdout)).toEqual({ import: 0, add: 1, change: res === 'app' ? 1 : 0, destroy: 1 }),
      );
      if (res === 'app') {
        await t.check(res, 'a new app; the old one is gone', async () => {
          expect(appId(stack)).not.toBe(before);
          expect(await t.remote.app(String(before))).toBeNull();
          expect(await t.remote.appsNamed(name)).toHaveLength(1);
        });
      } else {
        await t.check(res, 'the tenant still has its connector and its schedule', async () => {
          expect(await t.remote.connector(tenant.tenantId)).not.toBeNull();
          expect(await t.remote.schedule(tenant.tenantId)).not.toBeNull();
        });
      }
      await verifyConverged(t.as(res), stack, scope, { app: 1, connector: 1, schedule: 1 });
    }),
  );
});

suite.chain('create_before_destroy + apply -replace=ADDR', ['cbd-replace-flag'], async (t) => {
  await t.row('cbd-replace-flag', () =>
    t.each([...MANAGED], async (res) => {
      const { stack, name, scope, tenant } = await tenantStack(t, 'cbdr', res, 'create_before_destroy = true');
      const before = appId(stack);
      const replace = `-replace=${ADDRESS[res as keyof typeof ADDRESS]}`;
      // Supported, or refused at plan time saying what to do; never refused half-way through the apply.
      const plan = await stack.plan(replace);
      if (plan.code === 1) {
        await t.check(res, 'refused at plan time with a diagnostic that says what to do', () => expect(diagnosticsOf(plan)).toMatch(/create_before_destroy/));
        await verifyConverged(t.as(res), stack, scope, { app: 1, connector: 1, schedule: 1 });
        return;
      }
      const remoteBefore = { connector: await t.remote.connector(tenant.tenantId), schedule: await t.remote.schedule(tenant.tenantId) };
      const apply = await stack.run('apply', '-input=false', '-no-color', '-auto-approve', replace);
      if (res !== 'app') {
        // A tenant has one connector and one schedule: the replacement cannot exist beside
        // the old one. Terraform tells a provider nothing of create_before_destroy at plan
        // time (nor, at apply, what a create replaces), so the refusal comes from the create,
        // before it writes anything: the tenant's objects stay exactly as they were.
        await t.check(res, 'refused by the create before any write, saying to drop create_before_destroy; the tenant untouched', async () => {
          expect(apply.code).toBe(1);
          expect(diagnosticsOf(apply)).toMatch(/create_before_destroy/);
          expect({ connector: await t.remote.connector(tenant.tenantId), schedule: await t.remote.schedule(tenant.tenantId) }).toEqual(remoteBefore);
        });
        return;
      }
      await t.check(res, 'apply succeeds (not refused half-way)', () => expect({ code: apply.code, diagnostics: apply.code === 0 ? '' : diagnosticsOf(apply) }).toEqual({ code: 0, diagnostics: '' }));
      await t.check(res, 'the declared object still exists remotely after the deposed one was destroyed', async () => {
        if (res === 'app') {
          const now = appId(stack);
          const apps = await t.remote.appsNamed(name);
          expect(apps.map((a) => a.id)).toEqual([now]);
          if (now === before) throw new Error(`state still holds the old app (${String(before)}): it was not replaced`);
        } else if (res === 'connector') {
          expect(await t.remote.connector(tenant.tenantId)).not.toBeNull();
        } else {
          expect(await t.remote.schedule(tenant.tenantId)).not.toBeNull();
        }
      });
      await verifyConverged(t.as(res), stack, scope, { app: 1, connector: 1, schedule: 1 });
    }),
  );
});

/**
 * A forcing change under create_before_destroy (the same rule as a requested one): supported (the new object, then the old
 * one removed) or refused at plan time with a diagnostic saying what to do — never
 * failing half-way through an apply.
 */
suite.chain('create_before_destroy + a forcing change', ['cbd-forcing-change'], async (t) => {
  await t.row('cbd-forcing-change', () =>
    t.each([...MANAGED], async (res) => {
      const cbd = 'create_before_destroy = true';
      const a = await t.tenant(`cbdf${res.slice(0, 3)}`);
      const b = await t.tenant(`cbdf${res.slice(0, 3)}b`);
      const name = t.prefix(`cbdf ${res}`);
      const stack = await t.stack(`cbdf-${res}`);
      const scope = { appPrefix: name, tenants: [a.tenantId, b.tenantId] };
      const one = (tenant: ProvisionedTenant, o: Partial<TenantDecl> = {}) =>
        tenantHcl('t', { tenantId: tenant.tenantId, corpKey: a.corpKey, appName: name, meta: { [res]: { lifecycle: cbd } }, ...o });
      // app: application_type; connector: tenant_id (the schedule follows); schedule: tenant_id to another declared connector.
      const before =
        res === 'schedule'
          ? header() + one(a) + tenantHcl('u', { tenantId: b.tenantId, corpKey: b.corpKey, appName: `${name} b`, withSchedule: false, withStatus: false })
          : header() + one(a);
      const after =
        res === 'app'
          ? header() + one(a, { app: { applicationType: 'native' } })
          : res === 'connector'
            ? header() + one(b)
            : before.replaceAll('qianfan_apaas_hr_connector.t.', 'qianfan_apaas_hr_connector.u.');
      stack.write(before);
      await stack.apply();
      const snapshot = { app: (await t.remote.appsNamed(name))[0], connector: await t.remote.connector(a.tenantId), schedule: await t.remote.schedule(a.tenantId) };
      stack.write(after);
      const plan = await stack.plan();
      if (plan.code === 1) {
        await t.check(res, 'refused at plan time with a diagnostic that says what to do; nothing touched', async () => {
          expect(diagnosticsOf(plan)).toMatch(/create_before_destroy|rename|different name/i);
          expect((await t.remote.appsNamed(name))[0]).toEqual(snapshot.app);
          expect(await t.remote.connector(a.tenantId)).toEqual(snapshot.connector);
          expect(await t.remote.schedule(a.tenantId)).toEqual(snapshot.schedule);
        });
        return;
      }
      await t.check(res, 'plan replaces it', () => expect(plan.code).toBe(2));
      const apply = await stack.run('apply', '-input=false', '-no-color', '-auto-approve');
      await t.check(res, 'apply succeeds (not refused half-way)', () => expect({ code: apply.code, diagnostics: apply.code === 0 ? '' : diagnosticsOf(apply) }).toEqual({ code: 0, diagnostics: '' }));
      if (res === 'app') {
        await t.check(res, 'one app of the new type; the old one is gone', async () => {
          expect((await t.remote.appsNamed(name)).map((x) => x.application_type)).toEqual(['native']);
          expect(await t.remote.app(snapshot.app.id)).toBeNull();
        });
      } else {
        await t.check(res, 'it moved to the other tenant; the old tenant has none', async () => {
          if (res === 'connector') expect(await t.remote.connector(a.tenantId)).toBeNull();
          expect(await t.remote.schedule(a.tenantId)).toBeNull();
          expect(await t.remote.schedule(b.tenantId)).not.toBeNull();
        });
      }
      await verifyConverged(t.as(res), stack, scope);
    }),
  );
});

suite.chain('prevent_destroy', ['prevent-destroy'], async (t) => {
  await t.row('prevent-destroy', async () => {
    const [a, b] = await Promise.all([t.tenant('prev'), t.tenant('prevb')]);
    const name = t.prefix('prev');
    const stack = await t.stack('prev');
    const guard = { lifecycle: 'prevent_destroy = true' };
    const config = (o: Partial<TenantDecl> = {}) =>
      header() + tenantHcl('t', { tenantId: a.tenantId, corpKey: a.corpKey, appName: name, meta: { app: guard, connector: guard, schedule: guard }, ...o });
    stack.write(config());
    await stack.apply();
    const snapshot = async () => ({ apps: await t.remote.appsNamed(name), connector: await t.remote.connector(a.tenantId), schedule: await t.remote.schedule(a.tenantId) });
    const before = await snapshot();
    // The engines stop at the first protected instance: a whole-stack destroy names one of them.
    const refused = async (resources: ResourceKey[], label: string, text: string, ...args: string[]) => {
      stack.write(text);
      const plan = await stack.plan(...args);
      const named = resources.map((res) => ADDRESS[res as keyof typeof ADDRESS]);
      for (const res of resources) {
        await t.check(res, `${label} is refused at plan time naming ${named.join(' or ')}`, () => {
          expect(plan.code).toBe(1);
          expect(plan.stderr).toMatch(/Instance cannot be destroyed/);
          expect(named.some((a) => plan.stderr.includes(`Resource ${a} has lifecycle.prevent_destroy set`))).toBe(true);
        });
      }
    };
    await refused(['app'], 'application_type change', config({ app: { applicationType: 'spa' } }));
    await refused(['connector'], 'tenant_id change', config({ tenantId: b.tenantId }));
    await refused(['schedule'], 'tenant_id change', config({ schedule: { tenantId: b.tenantId } }));
    await refused([...MANAGED], 'plan -destroy', config(), '-destroy');
    await t.check([...MANAGED], 'nothing changed remotely', async () => expect(await snapshot()).toEqual(before));
    stack.write(config());
    await verifyRemote(t, stack, { appPrefix: name, tenants: [a.tenantId, b.tenantId] }, { app: 1, connector: 1, schedule: 1 });
  });
});
