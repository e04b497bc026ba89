/**
 * `terraform plan` (refresh included) and `apply` of N tenants against the emulator
 * (no injected latency unless BENCH_LATENCY_MS is set), versus three floors measured
 * in the same run:
 * - bare: the same number of objects as small terraform_data resources (no plugin, no
 *   references);
 * - graph: every object as a terraform_data holding what the real apply stored, with
 *   the same references, depends_on, outputs and checks (lib.ts terraformDataMirror):
 *   what Terraform itself needs for this configuration;
 * - echo: the same configuration and state through the echo provider (bench/floor.ts):
 *   a provider on our runtime that calls no service.
 * Also the provider's peak memory during plan.
 *
 * Usage: npm run bench:plan -- [tenants=100] [plan runs=3]
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildAll } from '../scripts/build';
import { buildEchoProvider, echoDir } from './floor';
import { BenchDir, engine, median, peakProviderMemory, say, synthEntries, synthTenants, tenantEntries, terraformDataConfig, terraformDataMirror, withEmulator } from './lib';

export interface PlanBench {
  objects: number;
  /** Median plan times (ms): ours, and the three floors. */
  plan: { qianfan: number; bare: number; graph: number; echo: number };
  /** Apply creating everything (ms), once: ours, ours without waiting for the initial syncs, and the two terraform_data floors. */
  apply: { qianfan: number; noWait: number; bare: number; graph: number };
  /** The provider process with the highest peak RSS during the plans (MB): ours, and the echo provider's. */
  memory: ReturnType<typeof peakProviderMemory>;
  echoMemory: ReturnType<typeof peakProviderMemory>;
}

export async function benchPlan(tenants: number, runs: number): Promise<PlanBench> {
  const e = engine();
  // Tenants bench-n … bench-2n-1 are for the apply that does not wait for the initial syncs.
  return withEmulator(`plan-${tenants}`, 2 * tenants, async (dir, emulator) => {
    const { config, objects } = synthTenants(tenants);
    const ours = new BenchDir(e, join(dir, 'tenants'), emulator.providerEnv);
    ours.write(config);
    const bare = new BenchDir(e, join(dir, 'floor'));
    bare.write(terraformDataConfig(objects));
    await ours.time(['init', '-input=false']);
    await bare.time(['init', '-input=false']);
    const apply = { qianfan: await ours.time(['apply', '-input=false', '-auto-approve']), noWait: 0, bare: await bare.time(['apply', '-input=false', '-auto-approve']), graph: 0 };
    const noWait = new BenchDir(e, join(dir, 'no-wait'), emulator.providerEnv);
    noWait.write(synthEntries(tenantEntries(2 * tenants).slice(tenants).map((t) => ({ ...t, waitForInitialSync: false }))).config);
    await noWait.time(['init', '-input=false']);
    apply.noWait = await noWait.time(['apply', '-input=false', '-auto-approve']);

    // The two floors that need a real state to copy.
    const state = join(ours.dir, 'terraform.tfstate');
    const graph = new BenchDir(e, join(dir, 'graph'));
    graph.write(terraformDataMirror(config, state));
    await graph.time(['init', '-input=false']);
    apply.graph = await graph.time(['apply', '-input=false', '-auto-approve']);
    const { cliConfig } = await buildEchoProvider(join(dir, 'echo-provider'));
    const echo = echoDir(e, join(dir, 'echo'), cliConfig, config, state);
    await echo.time(['plan', '-input=false']); // its first start writes its local code cache, as ours did in the apply

    const rssDir = join(dir, 'rss');
    const echoRssDir = join(dir, 'echo-rss');
    mkdirSync(rssDir);
    mkdirSync(echoRssDir);
    const times = { qianfan: [] as number[], bare: [] as number[], graph: [] as number[], echo: [] as number[] };
    const plan = ['plan', '-input=false', '-detailed-exitcode'];
    for (let i = 0; i < runs; i++) {
      // Interleaved, so machine noise hits all alike.
      times.qianfan.push(await ours.time(plan, { QIANFAN_REPORT_MAXRSS_DIR: rssDir }));
      times.bare.push(await bare.time(plan));
      times.graph.push(await graph.time(plan));
      times.echo.push(await echo.time(plan, { QIANFAN_REPORT_MAXRSS_DIR: echoRssDir }));
    }
    return {
      objects,
      plan: { qianfan: median(times.qianfan), bare: median(times.bare), graph: median(times.graph), echo: median(times.echo) },
      apply,
      memory: peakProviderMemory(rssDir),
      echoMemory: peakProviderMemory(echoRssDir),
    };
  });
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const x = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

export function reportPlan(r: PlanBench): void {
  say(`  objects per side                 ${r.objects} (app, discovery, connector, schedule, sync status per tenant)`);
  say(`  plan (refresh)   qianfan ${s(r.plan.qianfan)}`);
  say(`    floor: ${r.objects} bare terraform_data                    ${s(r.plan.bare)}   qianfan ${x(r.plan.qianfan, r.plan.bare)}`);
  say(`    floor: terraform_data, same graph (refs, outputs, checks)  ${s(r.plan.graph)}   qianfan ${x(r.plan.qianfan, r.plan.graph)}`);
  say(`    floor: echo provider, same graph, no service calls      ${s(r.plan.echo)}   qianfan ${x(r.plan.qianfan, r.plan.echo)}  (echo ${x(r.plan.echo, r.plan.graph)} the same-graph floor)`);
  say(`  apply (create)   qianfan ${s(r.apply.qianfan)}   bare terraform_data ${s(r.apply.bare)} (${x(r.apply.qianfan, r.apply.bare)})   same graph ${s(r.apply.graph)} (${x(r.apply.qianfan, r.apply.graph)})`);
  say(`    the same without waiting for the initial syncs ${s(r.apply.noWait)} (${x(r.apply.noWait, r.apply.bare)} bare): waiting costs ${((r.apply.qianfan - r.apply.noWait) / 1000).toFixed(2)} s`);
  const mem = (m: PlanBench['memory']) => `${m.peakMb.toFixed(1)} MB (at exit: ${m.anonMb.toFixed(1)} MB its own, ${m.fileMb.toFixed(1)} MB mapped file pages)`;
  say(`  provider peak RSS during plan    ${mem(r.memory)}; the echo provider ${mem(r.echoMemory)}`);
}

async function main() {
  const tenants = Number(process.argv[2] ?? 100);
  const runs = Number(process.argv[3] ?? 3);
  await buildAll();
  const e = engine();
  say(`plan/apply of ${tenants} tenants, ${e.name} ${e.version}, median of ${runs} plans (Node ${process.version}), service latency ${process.env.BENCH_LATENCY_MS ?? 0} ms`);
  reportPlan(await benchPlan(tenants, runs));
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
