/**
 * `terraform plan` (refresh included) and `apply` of N tenants against the emulator
 * (no injected latency unless BENCH_LATENCY_MS is set), versus the same number of objects as terraform_data
 * resources, measured in the same run. Also the provider's peak memory during plan.
 *
 * Usage: npm run bench:plan -- [tenants=100] [plan runs=3]
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAll } from '../scripts/build';
import { BenchDir, emulatorWithTenants, engine, median, peakProviderRssMb, say, synthTenants, terraformDataConfig } from './lib';

export async function benchPlan(tenants: number, runs: number): Promise<{ plan: number; floorPlan: number; apply: number; floorApply: number; rssMb: number; objects: number }> {
  const e = engine();
  const dir = mkdtempSync(join(tmpdir(), `bench-plan-${tenants}-`));
  const emulator = await emulatorWithTenants(tenants, dir);
  try {
    const { config, objects } = synthTenants(tenants);
    const ours = new BenchDir(e, join(dir, 'tenants'), emulator.providerEnv);
    ours.write(config);
    const floor = new BenchDir(e, join(dir, 'floor'));
    floor.write(terraformDataConfig(objects));
    await ours.time(['init', '-input=false']);
    await floor.time(['init', '-input=false']);

    const apply = await ours.time(['apply', '-input=false', '-auto-approve']);
    const floorApply = await floor.time(['apply', '-input=false', '-auto-approve']);

    const rssDir = join(dir, 'rss');
    mkdirSync(rssDir);
    const plans: number[] = [];
    const floorPlans: number[] = [];
    for (let i = 0; i < runs; i++) {
      // Interleaved, so machine noise hits both alike.
      plans.push(await ours.time(['plan', '-input=false', '-detailed-exitcode'], { QIANFAN_REPORT_MAXRSS_DIR: rssDir }));
      floorPlans.push(await floor.time(['plan', '-input=false', '-detailed-exitcode']));
    }
    return { plan: median(plans), floorPlan: median(floorPlans), apply, floorApply, rssMb: peakProviderRssMb(rssDir), objects };
  } finally {
    await emulator.stop();
    if (process.env.BENCH_KEEP) say(`  (kept ${dir})`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const tenants = Number(process.argv[2] ?? 100);
  const runs = Number(process.argv[3] ?? 3);
  await buildAll();
  const e = engine();
  say(`plan/apply of ${tenants} tenants vs terraform_data, ${e.name} ${e.version}, median of ${runs} plans (Node ${process.version}), service latency ${process.env.BENCH_LATENCY_MS ?? 0} ms`);
  const r = await benchPlan(tenants, runs);
  say(`  objects per side                 ${r.objects} (${tenants} × app, discovery, connector, schedule, sync status)`);
  say(`  plan (refresh)   qianfan ${(r.plan / 1000).toFixed(2)} s   terraform_data ${(r.floorPlan / 1000).toFixed(2)} s   ratio ${(r.plan / r.floorPlan).toFixed(2)}×`);
  say(`  apply (create)   qianfan ${(r.apply / 1000).toFixed(2)} s   terraform_data ${(r.floorApply / 1000).toFixed(2)} s   ratio ${(r.apply / r.floorApply).toFixed(2)}×`);
  say(`  provider peak RSS during plan    ${r.rssMb.toFixed(1)} MB`);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
