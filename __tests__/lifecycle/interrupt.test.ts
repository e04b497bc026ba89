/**
 * Lifecycle: an apply interrupted while Yufu is creating the apps — SIGINT once (the
 * graceful stop a user's Ctrl-C or a CI cancel sends), and SIGKILL of the engine (a
 * runner that dies) — then a re-apply. The emulator holds every app-create answer for a
 * few seconds after committing it, so the interruption always falls in the window where
 * Yufu has the app and Terraform does not know it yet. After the re-apply the services
 * hold exactly the declared objects; no provider process outlives its engine and no
 * plugin socket directory is left behind.
 */
import { randomBytes } from 'node:crypto';
import { lifecycleSuite, type Scenario } from './harness';
import { header, tenantsForEach } from './hcl';
import { killAll, orphaned, providerProcesses, socketDirs, TAG_VARIABLE, waitUntil, type Proc } from './processes';
import type { Stack } from './stack';
import { verifyConverged, verifyRemote } from './truth';

const HOLD_MS = 2500;
const suite = lifecycleSuite('interrupt', {
  emulator: {
    args: ['--faults', JSON.stringify({ seed: 'lifecycle', services: { 'yufu-admin': { methods: ['POST'], paths: ['/api/v1/oidc-apps'], response_delay_ms: HOLD_MS } } })],
  },
});

/** Two tenants under for_each; returns once Yufu has committed both apps but not yet answered. */
async function interruptedApply(t: Scenario, tag: string, signal: NodeJS.Signals) {
  const ts = await Promise.all([t.tenant(`${tag}0`), t.tenant(`${tag}1`)]);
  const name = t.prefix(tag);
  const scope = { appPrefix: name, tenants: ts.map((x) => x.tenantId) };
  const stack = await t.stack(tag);
  stack.write(header() + tenantsForEach('i', Object.fromEntries(ts.map((x, i) => [`k${i}`, { ...x, appName: `${name} ${i}` }]))));
  const label = `${tag}-${randomBytes(4).toString('hex')}`;
  const run = stack.spawn(['apply', '-input=false', '-no-color', '-auto-approve'], { [TAG_VARIABLE]: label });
  const inFlight = await waitUntil(async () => (await t.remote.appsWithPrefix(name)).length === 2, 60_000, 50);
  if (!inFlight) {
    run.child.kill('SIGKILL');
    throw new Error(`the apps never appeared in Yufu: ${run.output().slice(-2000)}`);
  }
  const providers = providerProcesses(label);
  const engine = run.child.pid!;
  run.child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([run.done, new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), 60_000)))]);
  clearTimeout(timer);
  if (!result) {
    run.child.kill('SIGKILL');
    throw new Error(`${t.engine.name} did not exit within 60 s of ${signal}`);
  }
  return { stack, scope, name, result, providers, engine, label };
}

/** No provider process of this run outlives the engine; no socket directory is left. */
async function checkNoLeftovers(t: Scenario, stack: Stack, label: string, engine: number, graceMs: number): Promise<void> {
  let left: Proc[] = [];
  await waitUntil(() => (left = providerProcesses(label)).length === 0, graceMs);
  await t.check(t.applicable, `no provider process outlives the engine (${graceMs / 1000} s after it ended)`, () => {
    if (left.length > 0) {
      const desc = left.map((p) => `pid ${p.pid} (parent ${p.ppid}${orphaned(p, engine) ? ', its engine is gone' : ''})`).join(', ');
      throw new Error(`orphaned provider process: ${desc}`);
    }
  });
  killAll(left);
  await t.check(t.applicable, 'no plugin socket directory is left behind', () => expect(socketDirs(stack.tmp)).toEqual([]));
}

suite.chain('SIGINT once during apply, then re-apply', ['sigint'], async (t) => {
  await t.row('sigint', async () => {
    const { stack, scope, name, result, label, engine } = await interruptedApply(t, 'int', 'SIGINT');
    await t.check(t.applicable, 'the engine stops gracefully, with an error exit', () => {
      expect(result.code).not.toBe(0);
      expect(`${result.stdout}${result.stderr}`).toMatch(/Interrupt received|Gracefully shutting down/);
    });
    await t.check('app', 'a graceful stop lets the in-flight creates finish: every app Yufu made is in state', async () => {
      const inState = new Set(stack.instances().map((i) => i.attributes.id));
      const untracked = (await t.remote.appsWithPrefix(name)).filter((a) => !inState.has(a.id));
      expect(untracked.map((a) => a.name)).toEqual([]);
    });
    await verifyRemote(t, stack, { ...scope, appPrefix: null });
    await checkNoLeftovers(t, stack, label, engine, 10_000);
    await stack.apply();
    await verifyConverged(t, stack, scope, { app: 2, connector: 2, schedule: 2 });
  });
});

suite.chain('SIGKILL of the engine mid-create, then re-apply', ['sigkill'], async (t) => {
  await t.row('sigkill', async () => {
    const { stack, scope, name, result, label, engine, providers } = await interruptedApply(t, 'kil', 'SIGKILL');
    await t.check(t.applicable, 'the engine was killed while its provider was running', () => {
      expect(result.code).toBe(137);
      expect(providers.length).toBeGreaterThan(0);
    });
    await checkNoLeftovers(t, stack, label, engine, 10_000);
    // Whatever state the killed engine managed to write is valid and true.
    await verifyRemote(t, stack, { ...scope, appPrefix: null });
    // docs/api/ownership.md §5: a create that never returned to Terraform leaves an unclaimed orphan, which the re-apply adopts.
    await t.check('app', 'the apps the killed engine never recorded are unclaimed orphans', async () => {
      const inState = new Set(stack.instances().map((i) => i.attributes.id));
      const untracked = (await t.remote.appsWithPrefix(name)).filter((a) => !inState.has(a.id));
      expect(untracked.filter((a) => a.claimed_by !== null).map((a) => `${a.name} (${a.id}) claimed ${String(a.claimed_at)}`)).toEqual([]);
    });
    await stack.apply();
    await verifyConverged(t, stack, scope, { app: 2, connector: 2, schedule: 2 });
  });
});
