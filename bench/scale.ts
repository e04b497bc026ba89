/**
 * Scaling: `terraform plan` (refresh included) of 10, 100 and 300 tenants against the
 * emulator, next to the floors of bench/plan.ts measured in the same run: bare
 * terraform_data, terraform_data with the same graph, and the echo provider. Time per
 * tenant should not grow with the number of tenants, nor the ratios.
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
  say('  tenants  objects  qianfan plan   bare  ratio   same graph  ratio   echo  ratio   ms per tenant');
  const col = (ms: number, width: number) => `${(ms / 1000).toFixed(2)} s`.padStart(width);
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`.padStart(6);
  for (const n of sizes) {
    const { plan: p, objects } = await benchPlan(n, runs);
    say(
      `  ${String(n).padStart(7)}  ${String(objects).padStart(7)}  ${col(p.qianfan, 12)} ${col(p.bare, 6)} ${ratio(p.qianfan, p.bare)} ${col(p.graph, 12)} ${ratio(p.qianfan, p.graph)} ${col(p.echo, 6)} ${ratio(p.qianfan, p.echo)}  ${(p.qianfan / n).toFixed(1).padStart(14)}`,
    );
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
