/**
 * Lifecycle: bringing existing objects under management and moving them between
 * addresses — `import` blocks, `plan -generate-config-out`, CLI `import`, `moved`
 * blocks, `state mv` / `state rm` and re-import. The remote objects must stay the same
 * ones throughout: same ids, no new app, no rotated secret, nothing re-created.
 */
import type { AdminApp } from '../helpers/yufu-admin';
import { lifecycleSuite, type Scenario } from './harness';
import { apaasUrlOf, header, tenantHcl } from './hcl';
import type { ProvisionedTenant } from './remote';
import { diagnosticsOf, planSummary, type Action, type Stack } from './stack';
import { verifyActions, verifyConverged, type Scope } from './truth';

const suite = lifecycleSuite('import');

const TYPES = { app: 'qianfan_yufu_oidc_app', connector: 'qianfan_apaas_hr_connector', schedule: 'qianfan_apaas_sync_schedule' } as const;
const MANAGED = ['app', 'connector', 'schedule'] as const;

interface Console {
  tenant: ProvisionedTenant;
  name: string;
  app: AdminApp;
  scope: Scope;
  ids: Record<(typeof MANAGED)[number], string>;
}

/** A tenant set up by hand in the three consoles: in no Terraform state. */
async function consoleTenant(t: Scenario, tag: string): Promise<Console> {
  const tenant = await t.tenant(tag);
  const name = t.prefix(tag);
  const uris = [apaasUrlOf(tenant.tenantId)];
  const app = await t.remote.createApp({
    name,
    redirect_uris: uris,
    post_logout_redirect_uris: uris,
    grant_types: ['authorization_code', 'refresh_token'],
    scopes: ['openid', 'profile', 'email', 'offline_access'],
  });
  await t.remote.putConnector(tenant.tenantId, { corp_key: tenant.corpKey, well_known_url: app.well_known_url, client_id: app.client_id, client_secret: app.client_secret });
  await t.remote.putSchedule(tenant.tenantId, { cron: '0 2 * * *', time_zone: 'Asia/Shanghai', mode: 'incremental', enabled: true });
  return { tenant, name, app, scope: { appPrefix: name, tenants: [tenant.tenantId] }, ids: { app: app.id, connector: tenant.tenantId, schedule: tenant.tenantId } };
}

/** The configuration a user writes for that tenant (no secret version: it cannot be read back). */
const configFor = (c: Console, label = 't') => header() + tenantHcl(label, { tenantId: c.tenant.tenantId, corpKey: c.tenant.corpKey, appName: c.name, app: { secretVersion: null } });

/** The first plan after an import does nothing but the import itself: no update, no secret sent again. */
const afterImport = (label: string, imported: boolean): Record<string, Action[]> =>
  Object.fromEntries(MANAGED.map((k) => [`${TYPES[k]}.${label}`, imported ? ['import' as Action] : []]));

/** The same remote objects as before: same app id and client, secret not rotated, connector still on it. */
async function sameObjects(t: Scenario, c: Console): Promise<void> {
  await t.check('app', 'the same Yufu app, its secret not rotated, no second app', async () => {
    const apps = await t.remote.appsNamed(c.name);
    expect(apps.map((a) => [a.id, a.client_id, a.client_secret])).toEqual([[c.app.id, c.app.client_id, c.app.client_secret]]);
  });
  await t.check(['connector', 'schedule'], 'the same connector and schedule', async () => {
    expect((await t.remote.connector(c.tenant.tenantId))?.client_id).toBe(c.app.client_id);
    expect((await t.remote.schedule(c.tenant.tenantId))?.cron).toBe('0 2 * * *');
  });
}

const importBlocks = (c: Console, label: string) =>
  MANAGED.map((k) => `import {\n  to = ${TYPES[k]}.${label}\n  id = ${JSON.stringify(c.ids[k])}\n}\n`).join('\n');

async function applyIfNeeded(stack: Stack): Promise<void> {
  const plan = await stack.plan();
  if (plan.code === 2) await stack.apply();
}

suite.chain('import blocks', ['import-block'], async (t) => {
  await t.row('import-block', async () => {
    const c = await consoleTenant(t, 'imb');
    const stack = await t.stack('imb');
    stack.write(configFor(c) + importBlocks(c, 't'));
    const plan = await stack.plan();
    await t.check(t.applicable, 'plan imports 3 and adds or destroys nothing', () =>
      expect(planSummary(plan.stdout)).toEqual({ import: 3, add: 0, change: 0, destroy: 0 }),
    );
    await verifyActions(t, plan, afterImport('t', true), 'the import plan');
    await stack.apply();
    await sameObjects(t, c);
    await verifyConverged(t, stack, c.scope, { app: 1, connector: 1, schedule: 1 });
  });
});

/**
 * One stack per object type, all importing from the same console tenant: a type whose
 * generated block cannot plan fails only its own cell.
 */
suite.chain('plan -generate-config-out', ['generate-config'], async (t) => {
  await t.row('generate-config', async () => {
    const c = await consoleTenant(t, 'gen');
    await t.each([...MANAGED], async (key) => {
      const k = key as (typeof MANAGED)[number];
      const stack = await t.stack(`gen-${k}`);
      stack.write(`${header()}import {\n  to = ${TYPES[k]}.g\n  id = ${JSON.stringify(c.ids[k])}\n}\n`);
      const generate = await stack.run('plan', '-input=false', '-no-color', '-generate-config-out=generated.tf');
      await t.check(k, 'a block is generated', () => expect(stack.exists('generated.tf') && stack.readFile('generated.tf').includes(`resource "${TYPES[k]}" "g"`)).toBe(true));
      await t.check(k, 'the generating plan succeeds', () => {
        if (generate.code !== 0) throw new Error(`plan -generate-config-out exited ${generate.code}: ${diagnosticsOf(generate)}`);
      });
      const plan = await stack.plan();
      await t.check(k, 'the generated configuration plans the import and nothing else', () =>
        expect({ code: plan.code, summary: planSummary(plan.stdout), errors: plan.code === 1 ? diagnosticsOf(plan) : '' }).toEqual({ code: 2, summary: { import: 1, add: 0, change: 0, destroy: 0 }, errors: '' }),
      );
      await stack.apply();
      const again = await stack.plan();
      await t.check(k, 'after the apply the next plan is empty', () => expect(again.code).toBe(0));
    });
    await sameObjects(t, c);
  });
});

suite.chain('CLI import', ['import-cli'], async (t) => {
  await t.row('import-cli', async () => {
    const c = await consoleTenant(t, 'imc');
    const stack = await t.stack('imc');
    stack.write(configFor(c));
    for (const k of MANAGED) {
      const r = await stack.run('import', '-input=false', '-no-color', `${TYPES[k]}.t`, c.ids[k]);
      await t.check(k, 'import succeeds', () => expect(r.code).toBe(0));
    }
    const plan = await stack.plan();
    await verifyActions(t, plan, afterImport('t', false), 'the first plan after the import');
    await applyIfNeeded(stack);
    await sameObjects(t, c);
    await verifyConverged(t, stack, c.scope, { app: 1, connector: 1, schedule: 1 });
  });
});

/** A tenant created by this configuration, and what the services hold for it (to compare after a move). */
async function appliedTenant(t: Scenario, tag: string) {
  const tenant = await t.tenant(tag);
  const name = t.prefix(tag);
  const stack = await t.stack(tag);
  // No secret version: an import cannot read it back, and a move must not need it.
  const config = (label: string, extra = '') => header() + tenantHcl(label, { tenantId: tenant.tenantId, corpKey: tenant.corpKey, appName: name, app: { secretVersion: null } }) + extra;
  stack.write(config('t'));
  await stack.apply();
  const [app] = await t.remote.appsNamed(name);
  const snapshot = async () => ({ apps: await t.remote.appsNamed(name), connector: await t.remote.connector(tenant.tenantId), schedule: await t.remote.schedule(tenant.tenantId) });
  return { tenant, name, stack, config, app, before: await snapshot(), snapshot, scope: { appPrefix: name, tenants: [tenant.tenantId] } };
}

suite.chain('moved blocks', ['moved'], async (t) => {
  await t.row('moved', async () => {
    const { stack, config, before, snapshot, scope } = await appliedTenant(t, 'mov');
    const moved = MANAGED.map((k) => `moved {\n  from = ${TYPES[k]}.t\n  to   = ${TYPES[k]}.renamed\n}\n`).join('\n');
    stack.write(config('renamed', moved));
    const plan = await stack.plan();
    await t.check(t.applicable, 'plan moves and changes nothing', () => {
      expect(plan.code === 0 || plan.code === 2).toBe(true);
      expect(planSummary(plan.stdout)).toEqual({ import: 0, add: 0, change: 0, destroy: 0 });
    });
    await verifyActions(t, plan, Object.fromEntries(MANAGED.map((k) => [`${TYPES[k]}.t`, ['move']])), 'every object is planned as a move');
    await stack.apply();
    await t.check(t.applicable, 'state has the new addresses; the services hold the same objects, untouched', async () => {
      for (const k of MANAGED) expect(stack.instance(`${TYPES[k]}.renamed`)).toBeDefined();
      expect(await snapshot()).toEqual(before);
    });
    await verifyConverged(t, stack, scope, { app: 1, connector: 1, schedule: 1 });
  });
});

suite.chain('state mv, state rm, re-import', ['state-mv-rm'], async (t) => {
  await t.row('state-mv-rm', async () => {
    const { stack, config, before, snapshot, scope, tenant, app } = await appliedTenant(t, 'smv');
    for (const k of MANAGED) {
      const r = await stack.run('state', 'mv', `${TYPES[k]}.t`, `${TYPES[k]}.m`);
      await t.check(k, 'state mv succeeds', () => expect(r.code).toBe(0));
    }
    stack.write(config('m'));
    const plan = await stack.plan();
    await t.check(t.applicable, 'after state mv and the matching rename the plan is empty; nothing touched', async () => {
      expect(plan.code).toBe(0);
      expect(await snapshot()).toEqual(before);
    });
    for (const k of MANAGED) {
      const r = await stack.run('state', 'rm', `${TYPES[k]}.m`);
      await t.check(k, 'state rm succeeds and leaves the object in the service', () => expect(r.code).toBe(0));
    }
    await t.check(t.applicable, 'state rm touched no service', async () => expect(await snapshot()).toEqual(before));
    const orphaned = await stack.plan();
    await t.check(t.applicable, 'without state the plan would create all three', () => expect(planSummary(orphaned.stdout)).toEqual({ import: 0, add: 3, change: 0, destroy: 0 }));
    const ids = { app: app.id, connector: tenant.tenantId, schedule: tenant.tenantId };
    for (const k of MANAGED) {
      const r = await stack.run('import', '-input=false', '-no-color', `${TYPES[k]}.m`, ids[k]);
      await t.check(k, 're-import succeeds', () => expect(r.code).toBe(0));
    }
    const after = await stack.plan();
    await verifyActions(t, after, afterImport('m', false), 'the first plan after the re-import');
    await applyIfNeeded(stack);
    await t.check(t.applicable, 'the same objects as before, nothing re-created, no secret rotated', async () => {
      const now = await snapshot();
      expect(now.apps.map((a) => [a.id, a.client_secret])).toEqual(before.apps.map((a) => [a.id, a.client_secret]));
      expect(now.connector?.client_secret_sha256).toBe(before.connector?.client_secret_sha256);
      expect(now.schedule?.updated_at).toBe(before.schedule?.updated_at);
    });
    await verifyConverged(t, stack, scope, { app: 1, connector: 1, schedule: 1 });
  });
});
