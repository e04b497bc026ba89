/**
 * The main job, end to end on the embedded default (the emulator):
 * build the provider → start the emulator → synthesize main.ts → init, plan and
 * apply with the real Terraform binary → print the tenant's outputs and the live sync
 * status (read from aPaaS, not from Terraform: it changes with every sync run).
 *
 * Run it twice: the emulator's data and the Terraform state persist, so the second
 * run plans no changes. Options: QIANFAN_ENGINE=terraform|tofu picks the engine.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildApp } from '../main';
import { TerraformStack } from '../constructs/framework';
import { TenantsStack } from '../constructs/tenants-stack';
import { buildAll } from './build';
import { startEmulator } from './lib/emulator';
import { pickEngine } from './lib/engines';
import { ROOT } from './lib/paths';
import { formatSyncStatus, readSyncStatus } from './lib/sync-status';
import { runEngine } from './lib/terraform';

const say = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const started = Date.now();
  const step = (label: string) => say(`\n▶ ${label}  (+${((Date.now() - started) / 1000).toFixed(1)} s)`);

  step('building the provider');
  await buildAll();

  const engine = pickEngine();

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
    step(`synthesizing main.ts (${process.env.QIANFAN_TENANTS_FILE ?? 'tenants.yaml'})`);
    const outdir = join(ROOT, 'cdktf.out');
    const app = buildApp(outdir);
    app.synth();
    const stacks = app.node.children.filter((c): c is TerraformStack => c instanceof TerraformStack).map((s) => s.node.id);
    for (const stack of stacks) say(`  stack ${stack}: ${join(outdir, 'stacks', stack, 'cdk.tf.json')}`);

    for (const stack of stacks) {
      const stackDir = join(outdir, 'stacks', stack);
      const run = async (args: string[], okCodes = [0]) => {
        const result = await runEngine(engine, args, { cwd: stackDir, env: emulator.providerEnv });
        if (!okCodes.includes(result.code)) {
          process.stderr.write(result.stdout + result.stderr);
          throw new Error(`${engine.name} ${args[0]} of stack ${stack} failed (exit ${result.code})`);
        }
        return result;
      };

      step(`${engine.name} ${engine.version}: init (stack ${stack})`);
      // A stack's .terraform/ belongs to one engine: switching engines re-initializes.
      await run(['init', '-input=false', '-no-color', '-reconfigure']);

      step(`${engine.name}: plan (stack ${stack})`);
      const plan = await run(['plan', '-input=false', '-no-color', '-detailed-exitcode', '-out=tfplan'], [0, 2]);
      say(`  ${/Plan: .*|No changes\..*/.exec(plan.stdout)?.[0] ?? '(no summary)'}`);

      if (plan.code === 2) {
        step(`${engine.name}: apply (stack ${stack})`);
        const apply = await run(['apply', '-input=false', '-no-color', 'tfplan']);
        say(`  ${/Apply complete!.*/.exec(apply.stdout)?.[0] ?? ''}`);
      } else {
        say('  nothing to apply: the tenants match tenants.yaml');
      }

      step(`outputs (stack ${stack})`);
      const outputs = JSON.parse((await run(['output', '-json', '-no-color'])).stdout) as Record<string, { value: unknown; sensitive: boolean }>;
      for (const [name, { value, sensitive }] of Object.entries(outputs)) {
        if (sensitive) {
          say(`  ${name}: (sensitive; ${engine.name} -chdir=${stackDir} output -raw ${name})`);
        } else if (value && typeof value === 'object') {
          say(`  ${name}:`);
          const entries = Object.entries(value as Record<string, unknown>);
          const width = Math.max(...entries.map(([k]) => k.length));
          for (const [k, v] of entries) say(`    ${k.padEnd(width)}  ${v === null ? '-' : String(v)}`);
        } else {
          say(`  ${name}: ${String(value)}`);
        }
      }
    }
    step('sync status (live, from aPaaS)');
    const tenantIds = app.node.children.filter((c): c is TenantsStack => c instanceof TenantsStack).flatMap((stack) => [...stack.tenants.keys()]);
    for (const status of await readSyncStatus(tenantIds, emulator.providerEnv)) say(`  ${formatSyncStatus(status)}`);
    say(`\n✔ done in ${((Date.now() - started) / 1000).toFixed(1)} s (${engine.name} ${engine.version})`);
  } finally {
    await emulator.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`\n✘ ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
