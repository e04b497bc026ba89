/**
 * Scaling: `terraform plan` (refresh included) of 10, 100 and 300 tenants against the
 * emulator, next to terraform_data with the same number of objects, measured in the
 * same run. Time per tenant should not grow with the number of tenants.
 *
 * Usage: npm run bench:scale -- [sizes=10,100,300] [plan runs=3]
 */
import { buildAll } from '../scripts/build';
import { benchPlan } from './plan';
import { engine, say } from './lib';

async function main() {
  const sizes = (process.argv[2] ?? '10,100,300').split(',').map(Number);
  const runs = Number(process.argv[3] ?? 3);
  await buildAll();
  const e = engine();
  say(`plan scaling, ${e.name} ${e.version}, median of ${runs} plans (Node ${process.version})`);
  say('  tenants  objects  qianfan plan  terraform_data plan  ratio  ms per tenant');
  for (const n of sizes) {
    const r = await benchPlan(n, runs);
    say(
      `  ${String(n).padStart(7)}  ${String(r.objects).padStart(7)}  ${(r.plan / 1000).toFixed(2).padStart(10)} s  ${(r.floorPlan / 1000).toFixed(2).padStart(17)} s  ${(r.plan / r.floorPlan).toFixed(2).padStart(4)}×  ${(r.plan / n).toFixed(1).padStart(13)}`,
    );
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
