/**
 * The single executable against the launcher form on whole plans: `plan` (refresh
 * included) of N tenants, the same state planned by both forms, interleaved run by run,
 * with and without NODE_EXTRA_CA_CERTS (Node 20, which the launcher form runs on
 * here, parses it at every start; Terraform starts the provider several times a plan).
 *
 * Usage: npm run bench:form -- [tenants=1] [plan runs=10]
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildAll } from '../scripts/build';
import { stageDir } from '../scripts/lib/paths';
import { BenchDir, engine, median, say, synthTenants, withEmulator } from './lib';

async function main() {
  const tenants = Number(process.argv[2] ?? 1);
  const runs = Number(process.argv[3] ?? 10);
  await buildAll();
  const e = engine();
  await withEmulator(`form-${tenants}`, tenants, async (dir, emulator) => {
    // The launcher form (the darwin arm64 archive's content) as this machine's package, in an unpacked mirror.
    const mirror = join(dir, 'launcher-mirror');
    const unpacked = join(mirror, 'registry.qianfan.local/qianfan/qianfan/0.1.0/linux_amd64');
    mkdirSync(unpacked, { recursive: true });
    for (const f of ['terraform-provider-qianfan_v0.1.0', 'launcher.cjs', 'provider.cjs', 'THIRD_PARTY_NOTICES.txt']) copyFileSync(join(stageDir('darwin_arm64'), f), join(unpacked, f));
    const launcherRc = join(dir, 'launcher.rc');
    writeFileSync(launcherRc, `provider_installation {\n  filesystem_mirror {\n    path = "${mirror}"\n  }\n}\n`);

    const { config } = synthTenants(tenants);
    const sea = new BenchDir(e, join(dir, 'sea'), emulator.providerEnv);
    const launcher = new BenchDir(e, join(dir, 'launcher'), { ...emulator.providerEnv, TF_CLI_CONFIG_FILE: launcherRc, QIANFAN_NODE: process.execPath });
    for (const d of [sea, launcher]) {
      d.write(config);
      await d.time(['init', '-input=false']);
    }
    await sea.time(['apply', '-input=false', '-auto-approve']);
    copyFileSync(join(sea.dir, 'terraform.tfstate'), join(launcher.dir, 'terraform.tfstate'));

    const ca = process.env.NODE_EXTRA_CA_CERTS;
    const envs: [string, Record<string, string>][] = [['without NODE_EXTRA_CA_CERTS', { NODE_EXTRA_CA_CERTS: '' }]];
    if (ca) envs.push([`with NODE_EXTRA_CA_CERTS=${ca}`, { NODE_EXTRA_CA_CERTS: ca }]);
    const cases: [string, BenchDir][] = [
      ['single executable', sea],
      ["launcher form, machine's node", launcher],
    ];
    const results = new Map<string, number[]>();
    for (let i = 0; i < runs; i++) {
      for (const [envName, env] of envs) {
        for (const [name, d] of cases) {
          const key = `${envName}\0${name}`;
          results.set(key, [...(results.get(key) ?? []), await d.time(['plan', '-input=false', '-detailed-exitcode'], env)]);
        }
      }
    }
    say(`plan of ${tenants} tenant(s), ${e.name} ${e.version}, median of ${runs} interleaved plans (machine's node ${process.version})`);
    for (const [envName] of envs) {
      const [sea, launcher] = cases.map(([name]) => median(results.get(`${envName}\0${name}`)!));
      say(`  ${envName.padEnd(60)} single executable ${(sea / 1000).toFixed(2)} s   launcher form ${(launcher / 1000).toFixed(2)} s   ${(sea / launcher).toFixed(2)}×`);
    }
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
