/**
 * The echo floor of the plan benchmarks: the same objects planned through the echo
 * provider (bench/echo-provider), an external provider on this runtime that calls no
 * service, built into the same kind of single executable as ours. Where terraform_data
 * shows what Terraform needs with no plugin at all, this shows what any provider on
 * this runtime costs (three launches, every RPC through the plugin protocol); what our
 * provider needs beyond it is our own code and the service round trips.
 *
 * Terraform loads the echo provider through a dev_overrides CLI configuration, so it
 * skips the lock-file hash check it makes of ours on every run (it reads the whole
 * executable): benchmarks that compare with this floor name that difference.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { LAUNCHER_BUNDLE, PROVIDER_SOURCE, ROOT } from '../scripts/lib/paths';
import { bundleHash, PROVIDER_BUNDLE_OPTIONS } from '../scripts/build';
import { buildSea } from '../scripts/lib/sea';
import type { Engine } from '../scripts/lib/engines';
import { answerKey, echoProvider } from './echo-provider/provider';
import { BenchDir, type StateFile } from './lib';

/** The echo provider as a single executable in `dir`, and a CLI configuration that makes Terraform use it. */
export async function buildEchoProvider(dir: string): Promise<{ cliConfig: string; mapFile: string }> {
  mkdirSync(dir, { recursive: true });
  const bundle = join(dir, 'echo-provider.cjs');
  await build({
    ...PROVIDER_BUNDLE_OPTIONS,
    entryPoints: [join(ROOT, 'bench', 'echo-provider', 'main.ts')],
    outfile: bundle,
    sourcemap: 'external', // for bench/profile.ts; the bundle is the same without it
  });
  const hash = bundleHash(bundle);
  const plugins = join(dir, 'plugins');
  mkdirSync(plugins, { recursive: true });
  await buildSea('linux_amd64', { launcher: LAUNCHER_BUNDLE, bundle, hash }, join(plugins, 'terraform-provider-qianfan'), { cache: false, codeCache: true });
  const cliConfig = join(dir, 'echo.tfrc');
  writeFileSync(cliConfig, `provider_installation {\n  dev_overrides {\n    "${PROVIDER_SOURCE}" = "${plugins}"\n  }\n  direct {}\n}\n`);
  return { cliConfig, mapFile: `${bundle}.map` };
}

/**
 * A working directory planning `config` through the echo provider, its state a copy of
 * `stateFile` (written by a real apply of the same config) and its data sources
 * answering what that state recorded.
 */
export function echoDir(engine: Engine, dir: string, cliConfig: string, config: Record<string, unknown>, stateFile: string): BenchDir {
  const answersFile = join(dir, 'answers.json');
  const d = new BenchDir(engine, dir, { TF_CLI_CONFIG_FILE: cliConfig, QIANFAN_ECHO_DATA: answersFile });
  d.write(config);
  copyFileSync(stateFile, join(dir, 'terraform.tfstate'));
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as StateFile;
  const answers: Record<string, unknown> = {};
  for (const r of state.resources.filter((r) => r.mode === 'data')) {
    const definition = echoProvider.dataSources.find((d) => d.typeName === r.type);
    if (!definition) continue;
    for (const instance of r.instances) answers[answerKey(r.type, definition.schema, instance.attributes)] = instance.attributes;
  }
  writeFileSync(answersFile, JSON.stringify(answers));
  return d;
}
