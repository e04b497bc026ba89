/**
 * Assertions on the remote truth against Terraform's state, recorded per matrix cell:
 * every object in state exists remotely with the same id and values; nothing remote in
 * the scenario's scope is missing from state (no orphan, no duplicate); the connector
 * holds its app's current secret; and the next plan is empty.
 */
import { resourceOf, type View } from './harness';
import { sha256 } from './remote';
import { RESOURCE_TYPES, type ResourceKey } from './scenarios';
import { addressesInErrors, diagnosticsOf, planActions, planSummary, type Action, type PlanSummary, type Stack, type StateInstance } from './stack';
import type { RunResult } from '../../scripts/lib/terraform';
import type { AdminApp } from '../helpers/yufu-admin';

export interface Scope {
  /** Every Yufu app the scenario creates has a name starting with this; null: apps outside state are expected (an interrupted apply). */
  appPrefix: string | null;
  /** Every aPaaS tenant the scenario uses. */
  tenants: string[];
}

const str = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

function fail(message: string): never {
  throw new Error(message);
}

/** A tenant of the scenario whose connector (or schedule) no state tracks is an orphan. */
async function noneOutsideState(t: View, kind: 'connector' | 'schedule', tracked: StateInstance[], scope: Scope, get: (tenant: string) => Promise<unknown>): Promise<void> {
  await t.check(kind, `no ${kind} outside state`, async () => {
    const declared = new Set(tracked.map((c) => c.attributes.tenant_id));
    for (const tenant of scope.tenants) {
      if (!declared.has(tenant) && (await get(tenant))) fail(`aPaaS tenant ${tenant} has a ${kind} no state tracks`);
    }
  });
}

/** State ⇔ remote for every applicable object type of the current row. */
export async function verifyRemote(
  t: View,
  stack: Stack,
  scope: Scope,
  expectCounts: Partial<Record<ResourceKey, number>> = {},
  /** Only the instances this remote serves (several provider configurations). */
  only: (address: string) => boolean = () => true,
): Promise<void> {
  const all = stack.instances().filter((i) => only(i.address));
  const current = all.filter((i) => !i.deposed);
  const of = (type: string): StateInstance[] => current.filter((i) => i.type === type);
  const applies = new Set(t.applicable);
  let listed: Promise<AdminApp[]> | undefined;
  const allApps = () => (listed ??= t.remote.yufu.listApps());

  for (const k of applies) {
    const deposed = all.filter((i) => i.deposed && resourceOf(i.address) === k);
    if (deposed.length > 0) t.fail(k, `deposed object(s) left in state: ${deposed.map((d) => d.address).join(', ')}`);
    const expected = expectCounts[k];
    if (expected !== undefined) {
      const type = RESOURCE_TYPES[k];
      await t.check(k, 'declared objects in state', () => {
        const n = of(type).length;
        if (n !== expected) fail(`expected ${expected} ${type} in state, found ${n}`);
      });
    }
  }

  const apps = of('qianfan_yufu_oidc_app');
  if (applies.has('app')) {
    for (const inst of apps) {
      await t.check('app', `${inst.address} in Yufu`, async () => {
        const id = str(inst.attributes.id);
        const remote = await t.remote.app(id);
        if (!remote) fail(`${inst.address} (${id}) is in state but not in Yufu: the declared app was deleted`);
        if (remote.name !== inst.attributes.name) fail(`${inst.address}: Yufu name ${JSON.stringify(remote.name)}, state ${JSON.stringify(inst.attributes.name)}`);
        if (remote.client_id !== inst.attributes.client_id) fail(`${inst.address}: Yufu client_id ${remote.client_id}, state ${str(inst.attributes.client_id)}`);
        const named = (await allApps()).filter((a) => a.name === remote.name);
        if (named.length !== 1) fail(`${named.length} Yufu apps are named ${JSON.stringify(remote.name)} (${named.map((a) => a.id).join(', ')}): duplicated`);
      });
    }
    const prefix = scope.appPrefix;
    if (prefix !== null) {
      await t.check('app', 'no Yufu app outside state', async () => {
        const ids = new Set(apps.map((a) => a.attributes.id));
        const extra = (await allApps()).filter((a) => a.name.startsWith(prefix) && !ids.has(a.id));
        if (extra.length > 0) fail(`Yufu holds apps no state tracks: ${extra.map((a) => `${a.name} (${a.id})`).join(', ')}`);
      });
    }
  }

  const connectors = of('qianfan_apaas_hr_connector');
  if (applies.has('connector')) {
    for (const inst of connectors) {
      await t.check('connector', `${inst.address} in aPaaS`, async () => {
        const tenantId = str(inst.attributes.tenant_id);
        const remote = await t.remote.connector(tenantId);
        if (!remote) fail(`${inst.address} (tenant ${tenantId}) is in state but aPaaS has no connector: the declared connector was deleted`);
        if (remote.client_id !== inst.attributes.client_id) fail(`${inst.address}: aPaaS client_id ${remote.client_id}, state ${str(inst.attributes.client_id)}`);
        const app = (await allApps()).find((a) => a.client_id === remote.client_id);
        if (!app) fail(`${inst.address}: aPaaS points at client ${remote.client_id}, which no Yufu app has`);
        if (remote.client_secret_sha256 !== sha256(app.client_secret)) fail(`${inst.address}: aPaaS holds a secret that is not the current secret of ${app.id}: sign-in would fail`);
      });
    }
    await noneOutsideState(t, 'connector', connectors, scope, (tenant) => t.remote.connector(tenant));
  }

  const schedules = of('qianfan_apaas_sync_schedule');
  if (applies.has('schedule')) {
    for (const inst of schedules) {
      await t.check('schedule', `${inst.address} in aPaaS`, async () => {
        const tenantId = str(inst.attributes.tenant_id);
        const remote = await t.remote.schedule(tenantId);
        if (!remote) fail(`${inst.address} (tenant ${tenantId}) is in state but aPaaS has no schedule: the declared schedule was deleted`);
        for (const key of ['cron', 'time_zone', 'mode', 'enabled'] as const) {
          if (remote[key] !== inst.attributes[key]) fail(`${inst.address}: aPaaS ${key} ${JSON.stringify(remote[key])}, state ${JSON.stringify(inst.attributes[key])}`);
        }
      });
    }
    await noneOutsideState(t, 'schedule', schedules, scope, (tenant) => t.remote.schedule(tenant));
  }

  if (applies.has('discovery')) {
    const data = current.filter((i) => i.type === 'qianfan_oidc_discovery');
    for (const inst of data) {
      await t.check('discovery', `${inst.address} matches its app`, async () => {
        const url = str(inst.attributes.well_known_url);
        const app = (await allApps()).find((a) => a.well_known_url === url);
        if (!app) fail(`${inst.address} read ${url}, which is no current Yufu app's Well-known URL`);
        if (inst.attributes.issuer !== app.issuer) fail(`${inst.address}: issuer ${str(inst.attributes.issuer)}, app ${app.id} says ${app.issuer}`);
        if (typeof inst.attributes.token_endpoint !== 'string' || !inst.attributes.token_endpoint.startsWith(app.issuer)) fail(`${inst.address}: token_endpoint ${str(inst.attributes.token_endpoint)} is not under ${app.issuer}`);
      });
    }
  }

  if (applies.has('status')) await verifyStatus(t, current.filter((i) => i.type === 'qianfan_apaas_sync_status'));
}

/** The status data source says what the services say now (read it after `apply -refresh-only` when they moved). */
async function verifyStatus(t: View, data: StateInstance[]): Promise<void> {
  for (const inst of data) {
    await t.check('status', `${inst.address} matches the services`, async () => {
      const tenantId = str(inst.attributes.tenant_id);
      const [tenant, connector, schedule] = await Promise.all([t.remote.tenant(tenantId), t.remote.connector(tenantId), t.remote.schedule(tenantId)]);
      const active = connector ? await t.remote.total(tenantId, 'users', 'active') : null;
      const want = { user_source: tenant?.user_source ?? null, connector_status: connector?.status ?? null, employees_synced: active, next_run_at: schedule?.next_run_at ?? null };
      const got = Object.fromEntries(Object.keys(want).map((k) => [k, inst.attributes[k] ?? null]));
      expect(got).toEqual(want);
    });
  }
}

/** Blames the object types a plan or error names; with none named, all applicable ones. */
function blame(t: View, result: RunResult): ResourceKey[] {
  const fromActions = [...planActions(result.stdout).entries()].filter(([, a]) => a.some((x) => x !== 'read')).map(([addr]) => resourceOf(addr));
  const fromErrors = addressesInErrors(result.stderr).map(resourceOf);
  const keys = [...new Set([...fromActions, ...fromErrors].filter((k): k is ResourceKey => k !== null && t.applicable.includes(k)))];
  return keys.length > 0 ? keys : t.applicable;
}

/** The plan after an apply must be empty: `-detailed-exitcode` 0. */
export async function verifyEmptyPlan(t: View, stack: Stack, label = 'next plan is empty', ...extra: string[]): Promise<void> {
  const r = await stack.plan(...extra);
  if (r.code === 0) {
    for (const k of t.applicable) await t.check(k, label, () => undefined);
    return;
  }
  const what =
    r.code === 2
      ? `plan -detailed-exitcode exited 2: ${[...planActions(r.stdout).entries()].map(([a, x]) => `${a} ${x.join('+')}`).join(', ') || 'output changes only'}${/Changes to Outputs/.test(r.stdout) ? ` (outputs: ${outputChanges(r.stdout)})` : ''}`
      : `plan exited ${r.code}: ${diagnosticsOf(r)}`;
  for (const k of blame(t, r)) t.fail(k, `${label}: ${what}`);
}

/** The `~ name = a -> b` lines under "Changes to Outputs", in one line. */
export function outputChanges(stdout: string): string {
  const section = stdout.split('Changes to Outputs:')[1] ?? '';
  return section
    .split('\n')
    .filter((l) => /^\s*[~+-] /.test(l))
    .map((l) => l.trim())
    .slice(0, 8)
    .join('; ');
}

/**
 * A plan that must succeed with this exit code and summary. When it fails, the object
 * types its diagnostics name fail with them; the others fail as not verified.
 */
export async function verifyPlan(t: View, result: RunResult, code: number, summary: PlanSummary, label: string): Promise<void> {
  if (result.code === 1) {
    const blamed = blame(t, result);
    const errors = diagnosticsOf(result);
    for (const k of t.applicable) {
      t.fail(k, blamed.includes(k) ? `${label}: plan failed: ${errors}` : `${label}: not verified, the plan failed on ${blamed.join(', ')}: ${errors}`);
    }
    return;
  }
  await t.check(t.applicable, label, () => expect({ code: result.code, summary: planSummary(result.stdout) }).toEqual({ code, summary }));
}

/** Remote truth, then an empty plan. */
export async function verifyConverged(t: View, stack: Stack, scope: Scope, expectCounts: Partial<Record<ResourceKey, number>> = {}): Promise<void> {
  await verifyRemote(t, stack, scope, expectCounts);
  await verifyEmptyPlan(t, stack);
}

/**
 * The plan's actions on qianfan objects equal the expected ones (an address absent from
 * `expected` must have no action). Mismatches fail the cell of the address's type.
 */
export async function verifyActions(t: View, result: RunResult, expected: Record<string, Action[]>, label: string): Promise<void> {
  const actual = planActions(result.stdout);
  const addresses = new Set([...Object.keys(expected), ...actual.keys()]);
  const perKey = new Map<ResourceKey, string[]>();
  for (const address of addresses) {
    const k = resourceOf(address);
    if (!k || !t.applicable.includes(k)) continue;
    // A data source read during apply instead of plan is the engine's choice, unless asked about.
    if (!(address in expected) && (actual.get(address) ?? []).every((a) => a === 'read')) continue;
    const want = [...(expected[address] ?? [])].sort().join('+') || 'none';
    const got = [...(actual.get(address) ?? [])].sort().join('+') || 'none';
    const problems = perKey.get(k) ?? [];
    if (want !== got) problems.push(`${address}: planned ${got}, expected ${want}`);
    perKey.set(k, problems);
  }
  for (const [k, problems] of perKey) {
    await t.check(k, label, () => {
      if (problems.length > 0) fail(`${problems.join('; ')}${result.code === 1 ? ` (${diagnosticsOf(result)})` : ''}`);
    });
  }
}
