/**
 * `cdktf synth` of 100 tenants (from a generated tenants file, through main.ts's
 * buildApp) versus synth of an empty app, each in a fresh process as the cdktf CLI
 * runs the app, medians of repeated runs measured in the same run.
 *
 * Usage: npm run bench:synth -- [tenants=100] [runs=5]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../scripts/lib/paths';
import { median, say } from './lib';

function timeSynth(tenantsFile: string | null, outdir: string): number {
  const code = tenantsFile
    ? `require(${JSON.stringify(join(ROOT, 'main.ts'))}).buildApp(${JSON.stringify(outdir)}, ${JSON.stringify(tenantsFile)}).synth()`
    : `const { App } = require(${JSON.stringify(join(ROOT, 'constructs/framework.ts'))}); new App({ outdir: ${JSON.stringify(outdir)} }).synth()`;
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), '-e', code], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function main() {
  const n = Number(process.argv[2] ?? 100);
  const runs = Number(process.argv[3] ?? 5);
  const dir = mkdtempSync(join(tmpdir(), 'bench-synth-'));
  const file = join(dir, 'tenants.yaml');
  writeFileSync(file, ['tenants:', ...Array.from({ length: n }, (_, i) => `  - { id: t${i}, corpKey: corp${i}, sso: { name: "tenant ${i}" }, schedule: { cron: "0 2 * * *" } }`), ''].join('\n'));
  const empty: number[] = [];
  const full: number[] = [];
  for (let i = 0; i < runs; i++) {
    empty.push(timeSynth(null, join(dir, `e${i}`)));
    full.push(timeSynth(file, join(dir, `f${i}`)));
  }
  rmSync(dir, { recursive: true, force: true });
  say(`synth in a fresh process (tsx, as the cdktf CLI runs the app), median of ${runs} (Node ${process.version})`);
  say(`  empty app          ${median(empty).toFixed(0).padStart(6)} ms   1.00×`);
  say(`  ${String(n).padStart(3)} tenants        ${median(full).toFixed(0).padStart(6)} ms   ${(median(full) / median(empty)).toFixed(2)}×`);
}

main();
