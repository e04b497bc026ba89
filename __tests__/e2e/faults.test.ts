/**
 * Safe under faults: the whole tenant applied through real Terraform / OpenTofu while the
 * emulator injects latency, 429 with Retry-After, 5xx, and connections dropped before the
 * handler runs and after its write committed (docs/api/emulator-faults.md). Then an apply
 * killed with SIGKILL mid-way and applied again. Asserted each time: the apply converges,
 * a plan shows no changes, no duplicates, nothing lost, no secret in any output or log.
 * A table of what was injected and what the provider did goes to stderr at the end.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TenantsStack } from '../../constructs/tenants-stack';
import { QianfanProvider, type QianfanProviderConfig } from '../../constructs/bindings/provider';
import type { TenantEntry } from '../../constructs/tenants-file';
import { startEmulator, type RunningEmulator } from '../../scripts/lib/emulator';
import type { Engine } from '../../scripts/lib/engines';
import { engineEnv, type RunResult } from '../../scripts/lib/terraform';
import { EhrControl } from '../emulator/ehr-helpers';
import { enginesForTests } from '../helpers/engines';
import { ApaasApi, readApaasCredentials } from '../helpers/tc3';
import { synthStack, tempDir, Workdir } from '../helpers/workdir';
import { YufuAdmin } from '../helpers/yufu-admin';

const engines = enginesForTests();
const started = Date.now();

/** The seeded mix for the services the provider talks to. */
const SEED = 'safe-under-faults-1';
const MIX = {
  latency_ms: 20,
  jitter_ms: 60,
  rate_limited: 0.12,
  retry_after_s: 1,
  errors: 0.16,
  error_statuses: [500, 502, 503, 504],
  drop_before: 0.08,
  drop_after: 0.08,
};
/**
 * Writes get more drops after commit — the hard case for duplicates: the service did
 * the work, the provider never heard, and retries (or the next apply) must not repeat it.
 */
const WRITES_MIX = { ...MIX, methods: 'writes', rate_limited: 0.1, errors: 0.1, drop_before: 0.05, drop_after: 0.25 };
/** For the IdP scenario: few requests (one discovery read per tenant), so higher rates. */
const IDP_MIX = { latency_ms: 10, jitter_ms: 30, rate_limited: 0.15, retry_after_s: 1, errors: 0.2, error_statuses: [500, 502, 503, 504], drop_before: 0.1, drop_after: 0.05 };
/**
 * Faults hit the two APIs the provider calls (Yufu admin, aPaaS admin). The Yufu IdP and
 * E-HR get latency only: they are also called service-to-service by the emulated aPaaS
 * (connector checks, syncs), which, like the real platform, does not retry, so faults
 * there would fail the service's own work rather than test the provider.
 */
const FAULTS = {
  seed: SEED,
  services: {
    // App creates and claims lose their answer most often: the duplicate-prone case.
    'yufu-admin': [{ ...WRITES_MIX, methods: ['POST'], paths: ['/api/v1/oidc-apps'], drop_after: 0.5 }, WRITES_MIX, MIX],
    apaas: [WRITES_MIX, MIX],
    'yufu-idp': { latency_ms: 5, jitter_ms: 20 },
    ehr: { latency_ms: 5, jitter_ms: 20 },
  },
};

/** Short waits so the file stays well under three minutes; enough retries that a seeded run converges. */
const PROVIDER_SETTINGS: QianfanProviderConfig = { maxRetries: 10, retryMaxWait: '1s', requestTimeout: '5s', operationTimeout: '90s' };

let emulator: RunningEmulator;
let yufu: YufuAdmin;
let apaas: ApaasApi;
let ehr: EhrControl;
const rows: Row[] = [];

interface Row {
  engine: string;
  scenario: string;
  applies: string;
  attempted: number;
  received: number;
  injected: Record<string, number>;
  retried: number;
  retries: number;
  succeededAfterRetry: number;
  gaveUp: number;
  duplicates: number | null;
  lost: number | null;
  secretHits: number;
  seconds: number;
}

beforeAll(async () => {
  emulator = await startEmulator(tempDir('emulator-faults'));
  yufu = new YufuAdmin(emulator.info);
  apaas = new ApaasApi(emulator.info.apaas_url!, readApaasCredentials(emulator.info.apaas_credentials_file!));
  ehr = new EhrControl(emulator.info.ehr_url!);
});

afterAll(async () => {
  await emulator?.stop();
  printTable();
});

// ----------------------------------------------------------------------------------------
// Control endpoint.

interface FaultSnapshot {
  active: boolean;
  counters: { total: Record<string, number>; services: Record<string, Record<string, number>> };
}

async function faults(method: 'GET' | 'PUT' | 'DELETE', spec?: unknown): Promise<FaultSnapshot> {
  const res = await fetch(`${emulator.info.apaas_url}/__control/faults`, {
    method,
    headers: spec ? { 'content-type': 'application/json' } : {},
    body: spec ? JSON.stringify(spec) : undefined,
  });
  const body = (await res.json()) as FaultSnapshot;
  if (res.status !== 200) throw new Error(`${method} /__control/faults: HTTP ${res.status} ${JSON.stringify(body)}`);
  return body;
}

/** Two phases' counters as one. */
function merged(a: FaultSnapshot, b: FaultSnapshot): FaultSnapshot {
  const add = (x: Record<string, number> = {}, y: Record<string, number> = {}) => {
    const out = { ...x };
    for (const [k, v] of Object.entries(y)) out[k] = (out[k] ?? 0) + v;
    return out;
  };
  const services: Record<string, Record<string, number>> = {};
  for (const name of new Set([...Object.keys(a.counters.services), ...Object.keys(b.counters.services)])) {
    services[name] = add(a.counters.services[name], b.counters.services[name]);
  }
  return { active: b.active, counters: { total: add(a.counters.total, b.counters.total), services } };
}

/** Faults injected by kind, summed over services ("requests"/"matched"/"delayed" are not faults). */
function injectedByKind(snapshot: FaultSnapshot): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(snapshot.counters.total)) if (!['requests', 'matched'].includes(k)) out[k] = v;
  return out;
}

// ----------------------------------------------------------------------------------------
// The provider's log, as Terraform re-logs it at TF_LOG=debug.

interface LogStats {
  /** Requests the provider sent and got an answer to (its `http` debug lines). */
  answered: number;
  /** `retrying` warn lines: each is one more attempt after a failed one. */
  retries: number;
  /** Operations (requests) retried at least once: `retrying` lines with attempt=1. */
  retried: number;
  /** Retries after an attempt that got no answer (dropped, reset, timed out). */
  lostConnections: number;
  /** Operations whose retries ran out or were refused (a non-idempotent request), from the engine's errors. */
  gaveUp: number;
}

/** The `service` field of the provider's log lines, per emulator listener. */
const LOGGED_AS: Record<string, string> = { 'yufu-admin': 'Yufu admin API', apaas: 'aPaaS admin API', 'yufu-idp': 'OIDC discovery' };

/** The provider's requests to `services` (emulator listener names), from its log. */
function providerLogStats(run: RunResult & { tfLog: string }, services: string[]): LogStats {
  const field = (line: string, name: string) => new RegExp(`\\b${name}=("(?:[^"\\\\]|\\\\.)*"|\\S+)`).exec(line)?.[1]?.replace(/^"|"$/g, '');
  const wanted = new Set(services.map((s) => LOGGED_AS[s]));
  const lines = run.tfLog.split('\n').filter((l) => l.includes('provider.terraform-provider-qianfan') && wanted.has(field(l, 'service') ?? ''));
  const stats: LogStats = { answered: 0, retries: 0, retried: 0, lostConnections: 0, gaveUp: 0 };
  for (const line of lines) {
    if (/: retrying: /.test(line)) {
      stats.retries++;
      if (field(line, 'attempt') === '1') stats.retried++;
      if (!/HTTP \d{3}/.test(field(line, 'reason') ?? '')) stats.lostConnections++;
    } else if (/: http: /.test(line)) {
      stats.answered++;
    }
  }
  stats.gaveUp = (run.stderr.match(/gave up after \d+ attempts|not retried: the request may have been processed|OIDC discovery failed/g) ?? []).length;
  return stats;
}

/** One table row from the runs of a scenario and the fault counters read after them. */
function row(
  engine: string,
  scenario: string,
  runs: (RunResult & { tfLog: string })[],
  counters: FaultSnapshot,
  held: Held,
  hits: number,
  t0: number,
  services = ['yufu-admin', 'apaas'],
  notFromProvider = 0,
): Row {
  const stats = runs.map((r) => providerLogStats(r, services)).reduce(sumStats);
  return {
    engine,
    scenario,
    applies: runs.map((r) => r.code).join(','),
    attempted: stats.answered + stats.lostConnections,
    received: services.reduce((n, s) => n + (counters.counters.services[s]?.requests ?? 0), 0) - notFromProvider,
    injected: injectedByKind(counters),
    retried: stats.retried,
    retries: stats.retries,
    // Every retried operation ends with an answer or gives up.
    succeededAfterRetry: stats.retried - stats.gaveUp,
    gaveUp: stats.gaveUp,
    duplicates: held.duplicates,
    lost: held.lost,
    secretHits: hits,
    seconds: Math.round((Date.now() - t0) / 100) / 10,
  };
}

/** Runs the engine with the provider's debug log in its own file; returns the run and that log. */
async function logged(work: Workdir, label: string, ...args: string[]): Promise<RunResult & { tfLog: string }> {
  const file = join(work.dir, `tf-${label}.log`);
  Object.assign(work.env, { TF_LOG: 'debug', TF_LOG_PATH: file });
  const result = await work.run(...args);
  return { ...result, tfLog: existsSync(file) ? readFileSync(file, 'utf8') : '' };
}

// ----------------------------------------------------------------------------------------
// What the services hold.

async function allApps(): Promise<{ id: string; name: string; client_id: string; client_secret: string }[]> {
  const r = await yufu.call<{ items: { id: string; name: string; client_id: string; client_secret: string }[]; total: number }>('GET', '/api/v1/oidc-apps?page_size=100');
  expect(r.status).toBe(200);
  expect(r.body.total).toBeLessThanOrEqual(100);
  return r.body.items;
}

interface Held {
  /** null where it does not apply (after a destroy). */
  duplicates: number | null;
  lost: number | null;
  secrets: string[];
}

/**
 * Counts duplicates (more than one Yufu app per declared name, apps created beyond the
 * declared ones, more than one initial sync run per connector) and lost objects
 * (a declared app, connector or schedule missing or not matching its declaration).
 */
async function checkHeld(entries: TenantEntry[], appsBefore: number): Promise<Held> {
  const apps = await allApps();
  let duplicates = Math.max(0, apps.length - appsBefore - entries.length);
  let lost = 0;
  const secrets: string[] = [];
  for (const e of entries) {
    const named = apps.filter((a) => a.name === e.sso!.name);
    duplicates += Math.max(0, named.length - 1);
    const app = named[0];
    if (!app) {
      lost++;
      continue;
    }
    secrets.push(app.client_secret);
    const connector = await apaas.call<{ client_id: string; corp_key: string; initial_run_id: string | null }>('GET', `/api/v1/tenants/${e.id}/hr-connector`);
    if (connector.status !== 200 || connector.body.client_id !== app.client_id || connector.body.corp_key !== e.corpKey) lost++;
    const schedule = await apaas.call<{ cron: string }>('GET', `/api/v1/tenants/${e.id}/sync-schedule`);
    if (schedule.status !== 200 || (e.schedule && schedule.body.cron !== e.schedule.cron)) lost++;
    const runs = await apaas.call<{ items: { trigger: string }[] }>('GET', `/api/v1/tenants/${e.id}/sync-runs?page_size=100`);
    duplicates += Math.max(0, runs.body.items.filter((r) => r.trigger === 'initial').length - 1);
  }
  return { duplicates, lost, secrets };
}

function secretHits(secrets: string[], ...texts: string[]): number {
  let hits = 0;
  for (const secret of secrets) {
    expect(secret.length).toBeGreaterThan(8);
    for (const t of texts) hits += t.split(secret).length - 1;
  }
  return hits;
}

// ----------------------------------------------------------------------------------------

function config(entries: TenantEntry[]): Record<string, unknown> {
  return synthStack((app) => {
    const stack = new TenantsStack(app, 'tenants', entries);
    // The provider binding's setters, as a cdktf user would change a construct's provider.
    Object.assign(stack.node.findChild('qianfan') as QianfanProvider, PROVIDER_SETTINGS);
    return stack;
  }).json;
}

async function newTenant(engine: Engine, label: string, suffix: string): Promise<TenantEntry> {
  const id = `flt-${engine.name}-${label}-${suffix}`;
  const corpKey = `flt${engine.name}${label}${suffix}`;
  await ehr.createCorp(corpKey, 20, 11);
  const created = await apaas.call('POST', '/__control/tenants', { tenant_id: id });
  expect(created.status).toBe(201);
  return { id, corpKey, sso: { name: `faults ${engine.name} ${label} ${suffix}` }, schedule: { cron: '15 3 * * *', timeZone: 'Asia/Shanghai', mode: 'incremental' } };
}

const applyArgs = ['apply', '-input=false', '-no-color', '-auto-approve'];
const planArgs = ['plan', '-input=false', '-no-color', '-detailed-exitcode'];

describe.each(engines.map((e) => [e.name, e] as const))('%s', (_name, engine) => {
  const suffix = randomBytes(3).toString('hex');

  test('the whole tenant under 429 + 5xx + latency + drops before and after commit: apply converges, plan clean, no duplicates, nothing lost, no secrets; destroy too', async () => {
    const t0 = Date.now();
    const entries = [await newTenant(engine, 'a', suffix), await newTenant(engine, 'b', suffix), await newTenant(engine, 'c', suffix)];
    const appsBefore = (await allApps()).length;
    const work = Workdir.create(engine, 'faults', config(entries), { ...emulator.providerEnv });
    await work.init();

    const logFrom = emulator.logs().length;
    await faults('PUT', FAULTS);
    // The seeded mix makes the first apply converge with retries alone: every request on
    // the create path may be retried (GET/PUT, PATCH with absolute values, the app POST
    // with its Idempotency-Key). A second apply is allowed only if the first gave up
    // (max_retries exhausted); the table says which happened.
    const runs: (RunResult & { tfLog: string })[] = [];
    runs.push(await logged(work, 'apply-1', ...applyArgs));
    if (runs[0].code !== 0) {
      process.stderr.write(`faults (${engine.name}): first apply did not converge; applying again\n${runs[0].stderr}\n`);
      runs.push(await logged(work, 'apply-2', ...applyArgs));
    }
    const last = runs[runs.length - 1];
    if (last.code !== 0) throw new Error(`apply did not converge in ${runs.length} runs\n--- stdout\n${last.stdout}\n--- stderr\n${last.stderr}`);
    expect(last.stdout).toMatch(/Apply complete!/);
    // Refresh and plan under the same faults: no changes.
    const plan = await logged(work, 'plan', ...planArgs);
    expect({ code: plan.code, stderr: plan.stderr }).toEqual({ code: 0, stderr: '' });
    expect(plan.stdout).toMatch(/No changes/);
    const counters = await faults('GET');
    // The hard case: writes the service committed whose answer never arrived.
    const droppedWrites = emulator
      .logs()
      .slice(logFrom)
      .split('\n')
      .filter((l) => /^(yufu-admin|apaas) (POST|PUT|PATCH|DELETE) \S+ 2\d\d .*fault=drop_after/.test(l));
    process.stderr.write(`faults (${engine.name}): writes committed whose answer was dropped:\n  ${droppedWrites.join('\n  ')}\n`);
    // Which writes lost their answer depends on the order concurrent requests arrive in;
    // that some did is what the scenario needs (each kind is also covered by unit tests).
    expect(droppedWrites.some((l) => /^(yufu-admin|apaas) (POST|PUT|PATCH)/.test(l))).toBe(true);

    // The OIDC discovery data source alone: a plan reads it from the Yufu IdP (the emulated
    // aPaaS does not call the IdP during a plan, so only the provider meets these faults).
    await faults('PUT', { seed: SEED, services: { 'yufu-idp': IDP_MIX } });
    const idpPlan = await logged(work, 'plan-idp', ...planArgs);
    const idpCounters = await faults('GET');
    await faults('DELETE');
    expect({ code: idpPlan.code, stderr: idpPlan.stderr }).toEqual({ code: 0, stderr: '' });
    expect(idpCounters.counters.services['yufu-idp']?.requests).toBeGreaterThan(0);

    const held = await checkHeld(entries, appsBefore);
    expect(held.duplicates).toBe(0);
    expect(held.lost).toBe(0);
    for (const e of entries) expect(await yufu.appsNamed(e.sso!.name!)).toHaveLength(1);
    const injected = injectedByKind(counters);
    for (const kind of ['rate_limited', 'drop_before', 'drop_after']) expect(injected[kind] ?? 0).toBeGreaterThan(0);
    expect(Object.keys(injected).some((k) => k.startsWith('error_5'))).toBe(true);

    const everything = [...runs, plan].map((r) => r.stdout + r.stderr + r.tfLog).join('\n') + work.log.join('\n') + emulator.logs();
    const hits = secretHits(held.secrets, everything);
    expect(hits).toBe(0);
    // Each tenant's sync status, as its data source read it (not an output: it changes with every run).
    const state = work.state() as { resources: { mode: string; type: string; name: string; instances: { attributes: Record<string, unknown> }[] }[] };
    for (const e of entries) {
      const status = state.resources.find((r) => r.mode === 'data' && r.type === 'qianfan_apaas_sync_status' && r.name === `tenant_${e.id.replace(/-/g, '_')}`)!;
      expect(status.instances[0].attributes.connector_status).toBe('active');
      expect(status.instances[0].attributes.employees_synced).toBeGreaterThan(0);
    }

    const mixRow = row(engine.name, 'apply + plan, seeded mix', [...runs, plan], counters, held, hits, t0);
    expect(mixRow.retries).toBeGreaterThan(0);
    expect(mixRow.succeededAfterRetry).toBeGreaterThan(0);
    if (runs.length === 1) expect(mixRow.gaveUp).toBe(0);
    rows.push(mixRow);
    const idpRow = row(engine.name, 'plan, IdP faults (discovery)', [idpPlan], idpCounters, held, secretHits(held.secrets, idpPlan.stdout + idpPlan.stderr + idpPlan.tfLog), t0, ['yufu-idp']);
    expect(idpRow.succeededAfterRetry).toBeGreaterThan(0);
    rows.push({ ...idpRow, seconds: Math.round(idpPlan.ms / 100) / 10 });

    // Destroy under the same mix: DELETEs are idempotent (404 = already gone = done).
    const t1 = Date.now();
    await faults('PUT', FAULTS);
    const destroy = await logged(work, 'destroy', 'destroy', '-input=false', '-no-color', '-auto-approve');
    const destroyCounters = await faults('GET');
    await faults('DELETE');
    if (destroy.code !== 0) throw new Error(`destroy under faults failed\n--- stdout\n${destroy.stdout}\n--- stderr\n${destroy.stderr}`);
    let left = 0;
    for (const e of entries) {
      left += (await yufu.appsNamed(e.sso!.name!)).length;
      if ((await apaas.call('GET', `/api/v1/tenants/${e.id}/hr-connector`)).status !== 404) left++;
      if ((await apaas.call('GET', `/api/v1/tenants/${e.id}/sync-schedule`)).status !== 404) left++;
    }
    expect(left).toBe(0);
    const destroyHits = secretHits(held.secrets, destroy.stdout + destroy.stderr + destroy.tfLog);
    expect(destroyHits).toBe(0);
    rows.push(row(engine.name, `destroy, seeded mix (${left} left)`, [destroy], destroyCounters, { ...held, duplicates: null, lost: null }, destroyHits, t1));
  });

  test('apply killed with SIGKILL while creating, then applied again: exactly the declared objects, no duplicate app', async () => {
    const t0 = Date.now();
    const entry = await newTenant(engine, 'k', suffix);
    const appsBefore = (await allApps()).length;
    const work = Workdir.create(engine, 'killed', config([entry]), { ...emulator.providerEnv });
    await work.init();

    // 500 ms on every write, so creates are in flight when the engine dies; Yufu's answer
    // to the app create is also held for 3 s after the app was committed: the window in
    // which a crash leaves an app that Terraform never heard of.
    await faults('PUT', {
      seed: SEED,
      services: {
        'yufu-admin': { methods: ['POST'], paths: ['/api/v1/oidc-apps'], latency_ms: 500, response_delay_ms: 3000 },
        apaas: { methods: 'writes', latency_ms: 500 },
      },
    });
    const killed = await applyKilledOnceAppExists(engine, work, entry.sso!.name!);
    const killSnapshot = await faults('GET');
    const killPhase = injectedByKind(killSnapshot);
    const stateAfterKill = existsSync(join(work.dir, 'terraform.tfstate')) ? readFileSync(join(work.dir, 'terraform.tfstate'), 'utf8') : '';
    const [orphan] = await yufu.appsNamed(entry.sso!.name!);
    expect(orphan).toBeDefined();
    const appInState = orphan !== undefined && stateAfterKill.includes(orphan.id);
    // The local backend's lock is an OS lock that dies with the process; what stays is
    // .terraform.tfstate.lock.info, which the next run overwrites. A user whose run
    // still says "Error acquiring the state lock" runs `force-unlock -force <ID>` with
    // the ID from that file (or the message) — done below only if needed.
    const lockInfo = join(work.dir, '.terraform.tfstate.lock.info');
    const lockLeft = existsSync(lockInfo);

    // The next apply runs under the seeded mix again.
    await faults('PUT', FAULTS);
    let again = await logged(work, 'apply-after-kill', ...applyArgs);
    let forceUnlocked = false;
    if (again.code !== 0 && /Error acquiring the state lock/.test(again.stderr)) {
      const id = (JSON.parse(readFileSync(lockInfo, 'utf8')) as { ID: string }).ID;
      await work.expect(0, 'force-unlock', '-force', id);
      forceUnlocked = true;
      again = await logged(work, 'apply-after-unlock', ...applyArgs);
    }
    if (again.code !== 0) throw new Error(`apply after SIGKILL failed\n--- stdout\n${again.stdout}\n--- stderr\n${again.stderr}`);
    // Not in state: the create was repeated, Yufu said 409 already_exists, and the holder of
    // the name was unclaimed with a creation key (ownership.md): an orphan, adopted.
    if (!appInState) expect(again.stdout + again.stderr).toMatch(/Adopted an application left by an interrupted apply/);
    const killCounters = await faults('GET');
    await faults('DELETE');
    const [adopted] = await yufu.appsNamed(entry.sso!.name!);
    expect(adopted.claimed_by).toEqual(expect.stringMatching(/^qf-claim:/));
    const plan = await work.expect(0, ...planArgs);
    expect(plan.stdout).toMatch(/No changes/);

    const held = await checkHeld([entry], appsBefore);
    expect(held.duplicates).toBe(0);
    expect(held.lost).toBe(0);
    const [app] = await yufu.appsNamed(entry.sso!.name!);
    expect(app.id).toBe(orphan!.id);
    const hits = secretHits(held.secrets, killed.stdout + killed.stderr + killed.tfLog, again.stdout + again.stderr + again.tfLog, work.log.join('\n'), emulator.logs());
    expect(hits).toBe(0);
    process.stderr.write(
      `faults (${engine.name}) SIGKILL: killed after ${killed.ms} ms; app ${appInState ? 'was' : 'was NOT'} in the state left behind; ` +
        `lock info file ${lockLeft ? 'left behind' : 'absent'}; ${forceUnlocked ? 'force-unlock was needed' : 'no force-unlock needed'}; ` +
        `next apply ${appInState ? 'refreshed it' : 'adopted it (unclaimed, with its creation key)'}; while killing: ${JSON.stringify(killPhase)}\n`,
    );
    rows.push(row(engine.name, `SIGKILL, then apply (${appInState ? 'app was in state' : 'orphan adopted'})`, [killed, again], merged(killSnapshot, killCounters), held, hits, t0, undefined, killed.polls));
  });
});

/**
 * `apply` in its own process group, killed with SIGKILL (engine and provider alike) as
 * soon as Yufu holds the app — while the connector's create is still in flight.
 */
async function applyKilledOnceAppExists(engine: Engine, work: Workdir, appName: string): Promise<RunResult & { tfLog: string; polls: number }> {
  const t0 = Date.now();
  const logFile = join(work.dir, 'tf-apply-killed.log');
  let polls = 0;
  const child = spawn(engine.binary, applyArgs, {
    cwd: work.dir,
    env: engineEnv({ ...work.env, NO_COLOR: '1', TF_LOG: 'debug', TF_LOG_PATH: logFile }),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const closed = new Promise<number>((resolve) => child.once('close', (code, signal) => resolve(code ?? (signal ? -1 : 0))));
  let exited = false;
  void closed.then(() => (exited = true));
  try {
    for (;;) {
      if (exited) throw new Error(`apply finished before it could be killed\n${stdout}\n${stderr}`);
      if (Date.now() - t0 > 60_000) throw new Error('the Yufu app did not appear within 60 s');
      polls++;
      if ((await yufu.appsNamed(appName)).length > 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    // Yufu committed the app and holds its answer: the provider is still creating.
    await new Promise((r) => setTimeout(r, 100));
  } finally {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  const code = await closed;
  // Wait until nothing of the group (the provider plugin included) is left.
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(-child.pid!, 0);
    } catch {
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const result = { code, stdout, stderr, ms: Date.now() - t0, polls, tfLog: existsSync(logFile) ? readFileSync(logFile, 'utf8') : '' };
  work.log.push(`$ ${engine.name} apply (killed with SIGKILL after ${result.ms} ms)\n${stdout}${stderr}`);
  return result;
}

function sumStats(a: LogStats, b: LogStats): LogStats {
  return {
    answered: a.answered + b.answered,
    retries: a.retries + b.retries,
    retried: a.retried + b.retried,
    lostConnections: a.lostConnections + b.lostConnections,
    gaveUp: a.gaveUp + b.gaveUp,
  };
}

function printTable(): void {
  if (rows.length === 0) return;
  const kinds = [...new Set(rows.flatMap((r) => Object.keys(r.injected)))].sort();
  const header = ['engine', 'scenario', 'exit codes', 'attempted', 'received', ...kinds, 'retried ops', 'retries', 'ok after retry', 'gave up', 'duplicates', 'lost', 'secret hits', 's'];
  const body = rows.map((r) => [
    r.engine,
    r.scenario,
    r.applies,
    r.attempted,
    r.received || '-',
    ...kinds.map((k) => (k in r.injected ? r.injected[k] : '-')),
    r.retried,
    r.retries,
    r.succeededAfterRetry,
    r.gaveUp,
    r.duplicates ?? '-',
    r.lost ?? '-',
    r.secretHits,
    r.seconds,
  ].map(String));
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  process.stderr.write(
    [
      '',
      `faults table (seed ${SEED}). exit codes: of each engine run (a SIGKILLed run shows -1). attempted: requests the provider sent to the faulted services, from its debug log ` +
        `(answered + lost; a request in flight at SIGKILL is in neither). received: requests those listeners saw (/__control/faults counters; the test's own polls taken off). ` +
        `Fault columns: injected by kind, all four listeners ("delayed" = latency only, incl. the IdP and E-HR calls aPaaS makes). duplicates / lost: after the scenario, see checkHeld(). ` +
        `retried ops: requests retried at least once; ok after retry: of those, the ones that ended with an answer; gave up: retries ran out.`,
      line(header),
      `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
      ...body.map(line),
      `whole file: ${Math.round((Date.now() - started) / 1000)} s`,
      '',
    ].join('\n'),
  );
}
