/**
 * Many tenants, whole and sharded into stacks (README "Many tenants"). N tenants are
 * split into S stacks of N/S, each applied into its own state against one emulator;
 * then, measured in the same run:
 *   - `plan` of each stack (refresh included): the time one CI matrix job spends;
 *   - every stack planned P at a time on this machine (what `ci:plan` does on a single
 *     runner with QIANFAN_STACK_PARALLELISM=P);
 *   - the whole: one stack of all N tenants, its state made by merging the stacks'
 *     states (cdktf names a resource by its path below the stack, so the addresses are
 *     the same): what one plan of everything costs.
 *
 * Usage: npm run bench:shard -- [tenants=1000] [stacks=10] [parallel=2]
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildAll } from '../scripts/build';
import { eachStack } from '../scripts/ci/lib';
import { BenchDir, engine, median, say, synthEntries, tenantEntries, withEmulator } from './lib';

interface State {
  version: number;
  terraform_version: string;
  resources: unknown[];
}

async function main() {
  const tenants = Number(process.argv[2] ?? 1000);
  const stacks = Number(process.argv[3] ?? 10);
  const parallel = Number(process.argv[4] ?? 2);
  await buildAll();
  const e = engine();
  await withEmulator(`shard-${tenants}`, tenants, async (dir, emulator) => {
    const entries = tenantEntries(tenants);
    const size = Math.ceil(tenants / stacks);
    const shards = Array.from({ length: stacks }, (_, i) => {
      const d = new BenchDir(e, join(dir, `shard-${i}`), emulator.providerEnv);
      d.write(synthEntries(entries.slice(i * size, (i + 1) * size), `shard-${i}`).config);
      return d;
    });
    const names = shards.map((_, i) => String(i));
    const t0 = Date.now();
    await eachStack(names, async (i) => {
      const d = shards[Number(i)];
      await d.time(['init', '-input=false']);
      await d.time(['apply', '-input=false', '-auto-approve']);
    }, parallel);
    const applied = Date.now() - t0;

    const plan = ['plan', '-input=false', '-detailed-exitcode', '-lock=false'];
    const each: number[] = [];
    for (const d of shards) each.push(await d.time(plan));
    const t1 = Date.now();
    await eachStack(names, (i) => shards[Number(i)].time(plan), parallel);
    const allSharded = Date.now() - t1;

    const whole = new BenchDir(e, join(dir, 'whole'), emulator.providerEnv);
    const { config, objects } = synthEntries(entries);
    whole.write(config);
    const states = shards.map((d) => JSON.parse(readFileSync(join(d.dir, 'terraform.tfstate'), 'utf8')) as State);
    const merged = { ...states[0], serial: 1, lineage: randomUUID(), outputs: {}, resources: states.flatMap((s) => s.resources) };
    writeFileSync(join(whole.dir, 'terraform.tfstate'), JSON.stringify(merged));
    await whole.time(['init', '-input=false']);
    const wholePlans: number[] = [];
    for (let i = 0; i < 2; i++) wholePlans.push(await whole.time(plan));

    say(`${tenants} tenants (${objects} objects) in ${stacks} stacks of ${size}, ${e.name} ${e.version}, ${parallel} stacks at a time (Node ${process.version})`);
    say(`  apply of every stack (creates)           ${(applied / 1000).toFixed(1)} s`);
    say(`  plan of one stack: median / slowest      ${(median(each) / 1000).toFixed(2)} s / ${(Math.max(...each) / 1000).toFixed(2)} s`);
    say(`  plan of every stack on this machine      ${(allSharded / 1000).toFixed(2)} s`);
    say(`  plan of the whole as one stack           ${(median(wholePlans) / 1000).toFixed(2)} s`);
    say(`  one CI job per stack: the slowest stack  ${(Math.max(...each) / median(wholePlans)).toFixed(2)}× the whole plan's time`);
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
