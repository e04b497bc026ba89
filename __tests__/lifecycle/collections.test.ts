/**
 * Lifecycle: many tenants under `count` and `for_each` — add one, remove one, re-key —
 * and applies at `-parallelism` 1 and 20. After each step the remote truth is exactly
 * the declared set: no tenant lost, none duplicated, nothing left behind.
 */
import { lifecycleSuite, type Scenario } from './harness';
import { header, tenantsCount, tenantsForEach } from './hcl';
import type { ProvisionedTenant } from './remote';
import { diagnosticsOf, planSummary } from './stack';
import { verifyActions, verifyConverged, verifyRemote } from './truth';

/**
 * Deletes reach Yufu and aPaaS 1 s late: a destroy and a create that Terraform runs
 * without an order between them (a re-key) then always meet in the hostile order, the
 * create first, as they can on any real network.
 */
const SLOW_DELETES = {
  seed: 'lifecycle',
  services: {
    'yufu-admin': { methods: ['DELETE'], paths: ['/api/v1/oidc-apps'], latency_ms: 1000 },
    apaas: { methods: ['DELETE'], paths: ['/api/v1/tenants'], latency_ms: 1000 },
  },
};

const suite = lifecycleSuite('collections', { emulator: { args: ['--faults', JSON.stringify(SLOW_DELETES)] } });

const TYPES = ['qianfan_yufu_oidc_app', 'qianfan_apaas_hr_connector', 'qianfan_apaas_sync_schedule'] as const;
const all = (address: (type: string) => string, action: 'create' | 'destroy') => Object.fromEntries(TYPES.map((type) => [address(type), [action]]));

async function tenants(t: Scenario, tag: string, n: number): Promise<ProvisionedTenant[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => t.tenant(`${tag}${i}`)));
}

const counts = (n: number) => ({ app: n, connector: n, schedule: n, discovery: n, status: n });

suite.chain('count: add one, remove the last', ['count-add', 'count-remove'], async (t) => {
  const ts = await tenants(t, 'cnt', 3);
  const name = t.prefix('cnt');
  const decl = ts.map((x, i) => ({ ...x, appName: `${name} ${i}` }));
  const scope = { appPrefix: name, tenants: ts.map((x) => x.tenantId) };
  const stack = await t.stack('count');

  await t.row('count-add', async () => {
    stack.write(header() + tenantsCount('c', decl.slice(0, 2)));
    await stack.apply();
    stack.write(header() + tenantsCount('c', decl));
    const plan = await stack.plan();
    await t.check(t.applicable, 'plan adds exactly index 2', () => expect(planSummary(plan.stdout)).toEqual({ import: 0, add: 3, change: 0, destroy: 0 }));
    await verifyActions(t, plan, { ...all((type) => `${type}.c[2]`, 'create'), 'data.qianfan_oidc_discovery.c[2]': ['read'] }, 'only index 2 is planned');
    await stack.apply();
    await verifyConverged(t, stack, scope, counts(3));
  });

  await t.row('count-remove', async () => {
    stack.write(header() + tenantsCount('c', decl.slice(0, 2)));
    const plan = await stack.plan();
    await t.check(['app', 'connector', 'schedule'], 'plan destroys exactly index 2', () => expect(planSummary(plan.stdout)).toEqual({ import: 0, add: 0, change: 0, destroy: 3 }));
    await verifyActions(t, plan, all((type) => `${type}.c[2]`, 'destroy'), 'only index 2 is planned');
    await stack.apply();
    await t.check('app', 'the removed tenant\'s app is gone', async () => expect(await t.remote.appsNamed(`${name} 2`)).toEqual([]));
    await verifyConverged(t, stack, scope, counts(2));
  });
});

suite.chain('for_each: add a key, remove a key, re-key', ['for-each-add', 'for-each-remove', 'for-each-rekey'], async (t) => {
  const ts = await tenants(t, 'fe', 3);
  const name = t.prefix('fe');
  const entry = (i: number) => ({ ...ts[i], appName: `${name} ${i}` });
  const scope = { appPrefix: name, tenants: ts.map((x) => x.tenantId) };
  const stack = await t.stack('foreach');
  const key = (type: string, k: string) => `${type}.f["${k}"]`;

  await t.row('for-each-add', async () => {
    stack.write(header() + tenantsForEach('f', { a: entry(0), b: entry(1) }));
    await stack.apply();
    stack.write(header() + tenantsForEach('f', { a: entry(0), b: entry(1), c: entry(2) }));
    const plan = await stack.plan();
    await t.check(t.applicable, 'plan adds exactly key "c"', () => expect(planSummary(plan.stdout)).toEqual({ import: 0, add: 3, change: 0, destroy: 0 }));
    await verifyActions(t, plan, { ...all((type) => key(type, 'c'), 'create'), [key('data.qianfan_oidc_discovery', 'c')]: ['read'] }, 'only key "c" is planned');
    await stack.apply();
    await verifyConverged(t, stack, scope, counts(3));
  });

  await t.row('for-each-remove', async () => {
    stack.write(header() + tenantsForEach('f', { a: entry(0), c: entry(2) }));
    const plan = await stack.plan();
    await t.check(['app', 'connector', 'schedule'], 'plan destroys exactly key "b"', () => expect(planSummary(plan.stdout)).toEqual({ import: 0, add: 0, change: 0, destroy: 3 }));
    await verifyActions(t, plan, all((type) => key(type, 'b'), 'destroy'), 'only key "b" is planned');
    await stack.apply();
    await verifyConverged(t, stack, scope, counts(2));
  });

  // The same tenant (same app name) under a new key, without a moved block: Terraform
  // plans a destroy of "a" and a create of "x" with no order between them.
  await t.row('for-each-rekey', async () => {
    stack.write(header() + tenantsForEach('f', { x: entry(0), c: entry(2) }));
    const plan = await stack.plan();
    await t.check(['app', 'connector', 'schedule'], 'plan destroys "a" and creates "x"', () => expect(planSummary(plan.stdout)).toEqual({ import: 0, add: 3, change: 0, destroy: 3 }));
    await verifyActions(
      t,
      plan,
      { ...all((type) => key(type, 'a'), 'destroy'), ...all((type) => key(type, 'x'), 'create'), [key('data.qianfan_oidc_discovery', 'x')]: ['read'] },
      'keys "a" and "x" are planned',
    );
    // Either it works, or the create is refused for the conflict it is and nothing
    // tracked is lost, and a second apply converges.
    const apply = await stack.run('apply', '-input=false', '-no-color', '-auto-approve');
    if (apply.code !== 0) {
      await t.check(['app', 'connector', 'schedule'], 'a failed apply names the conflict', () => expect(diagnosticsOf(apply)).toMatch(/already exists|conflict/i));
      await verifyRemote(t, stack, scope);
      await stack.apply();
    }
    await verifyConverged(t, stack, scope, counts(2));
  });
});

for (const parallelism of [1, 20]) {
  const id = `parallelism-${parallelism}`;
  suite.chain(`apply -parallelism=${parallelism}`, [id], async (t) => {
    await t.row(id, async () => {
      const ts = await tenants(t, `par${parallelism}`, 4);
      const name = t.prefix(`par${parallelism}`);
      const stack = await t.stack(`par${parallelism}`);
      stack.write(header() + tenantsForEach('p', Object.fromEntries(ts.map((x, i) => [`k${i}`, { ...x, appName: `${name} ${i}` }]))));
      const apply = await stack.apply(`-parallelism=${parallelism}`);
      await t.check(['app', 'connector', 'schedule'], 'apply adds 12', () => expect(planSummary(apply.stdout)).toMatchObject({ add: 12, change: 0, destroy: 0 }));
      await verifyConverged(t, stack, { appPrefix: name, tenants: ts.map((x) => x.tenantId) }, counts(4));
      const again = await stack.plan(`-parallelism=${parallelism}`);
      await t.check(t.applicable, `plan -parallelism=${parallelism} is empty too`, () => expect(again.code).toBe(0));
    });
  });
}
