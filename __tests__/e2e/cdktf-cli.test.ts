/**
 * The cdktf CLI path, offline: `npx cdktf deploy` installs the provider from the
 * project's filesystem mirror and deploys main.ts's stacks, with Terraform and with
 * OpenTofu. (main.ts seeds each stack's lock file, so cdktf never runs the
 * registry-only `providers lock`.) The same with the maintained fork's CLI, `cdktn
 * deploy`, which needs Node ≥ 22: it runs, and so does main.ts with the cdktn library,
 * on the Node line the provider embeds (scripts/lib/node-binaries.ts).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../scripts/lib/emulator';
import { hostNodeBinary } from '../../scripts/lib/node-binaries';
import { CLI_CONFIG, ROOT } from '../../scripts/lib/paths';
import { EhrControl } from '../emulator/ehr-helpers';
import { enginesForTests } from '../helpers/engines';
import { ApaasApi, readApaasCredentials } from '../helpers/tc3';
import { tempDir } from '../helpers/workdir';
import { YufuAdmin } from '../helpers/yufu-admin';

const engines = enginesForTests();
const node22 = hostNodeBinary();
if (!node22) throw new Error('the cdktn CLI test needs the embedded Node line, which the build fetches for linux amd64 only');
const clis = [
  { name: 'cdktf', node: process.execPath, bin: join(ROOT, 'node_modules/cdktf-cli/bundle/bin/cdktf'), env: {} },
  {
    name: 'cdktn',
    node: node22.executable,
    bin: join(ROOT, 'node_modules/cdktn-cli/bin/cdktn'),
    // The app (`npx tsx main.ts`) finds node on PATH: the same Node 22, and the cdktn library.
    env: { QIANFAN_CDK_FRAMEWORK: 'cdktn', PATH: `${dirname(node22.executable)}:${process.env.PATH ?? ''}` },
  },
];
let emulator: RunningEmulator;
let dir: string;

beforeAll(async () => {
  dir = tempDir('cdktf-cli');
  emulator = await startEmulator(join(dir, 'emulator'));
});
afterAll(async () => {
  await emulator?.stop();
});

function run(cli: (typeof clis)[number], args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cli.node, [cli.bin, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...emulator.providerEnv, TF_CLI_CONFIG_FILE: CLI_CONFIG, CHECKPOINT_DISABLE: '1', CI: '1', FORCE_COLOR: '0', ...cli.env, ...env },
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

describe.each(engines.flatMap((e) => clis.map((c) => [`${c.name} on ${e.name}`, e, c] as const)))('%s', (_name, engine, cli) => {
  test(`npx ${cli.name} deploy works offline and deploys the tenants file`, async () => {
    const suffix = randomBytes(3).toString('hex');
    const tenant = `${cli.name}-${engine.name}-${suffix}`;
    const stack = `${cli.name}-${engine.name}-${suffix}`;
    await new EhrControl(emulator.info.ehr_url!).createCorp(`cli${suffix}`, 5, 2);
    const apaas = new ApaasApi(emulator.info.apaas_url!, readApaasCredentials(emulator.info.apaas_credentials_file!));
    expect((await apaas.call('POST', '/__control/tenants', { tenant_id: tenant })).status).toBe(201);
    const tenantsFile = join(dir, `${cli.name}-${engine.name}.yaml`);
    writeFileSync(tenantsFile, `tenants:\n  - { id: ${tenant}, corpKey: cli${suffix}, stack: ${stack}, sso: { name: "cli ${tenant}" } }\n`);
    const outdir = join(dir, `out-${cli.name}-${engine.name}`);
    const env = { QIANFAN_TENANTS_FILE: tenantsFile, TERRAFORM_BINARY_NAME: engine.binary };
    const stateFile = join(ROOT, `terraform.${stack}.tfstate`);
    try {
      const deploy = await run(cli, ['deploy', stack, '--auto-approve', '--output', outdir], env);
      if (deploy.code !== 0) throw new Error(deploy.out.slice(-4000));
      expect(deploy.out).toMatch(/employees_synced/);
      // The synthesized app says which library made it.
      const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as { version: string };
      expect(manifest.version).toBe((JSON.parse(readFileSync(join(ROOT, 'node_modules', cli.name, 'package.json'), 'utf8')) as { version: string }).version);
      expect(await new YufuAdmin(emulator.info).appsNamed(`cli ${tenant}`)).toHaveLength(1);
      const destroy = await run(cli, ['destroy', stack, '--auto-approve', '--output', outdir], env);
      expect(destroy.code).toBe(0);
    } finally {
      for (const f of [stateFile, `${stateFile}.backup`]) if (existsSync(f)) rmSync(f);
    }
  });
});
