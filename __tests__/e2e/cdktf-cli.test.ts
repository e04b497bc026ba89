/**
 * The cdktf CLI path, offline: `npx cdktf deploy` installs the provider from the
 * project's filesystem mirror and deploys main.ts's stacks, with Terraform and with
 * OpenTofu. (main.ts seeds each stack's lock file, so cdktf never runs the
 * registry-only `providers lock`.)
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../scripts/lib/emulator';
import { CLI_CONFIG, ROOT } from '../../scripts/lib/paths';
import { EhrControl } from '../emulator/ehr-helpers';
import { enginesForTests } from '../helpers/engines';
import { ApaasApi, readApaasCredentials } from '../helpers/tc3';
import { tempDir } from '../helpers/workdir';
import { YufuAdmin } from '../helpers/yufu-admin';

const engines = enginesForTests();
let emulator: RunningEmulator;
let dir: string;

beforeAll(async () => {
  dir = tempDir('cdktf-cli');
  emulator = await startEmulator(join(dir, 'emulator'));
});
afterAll(async () => {
  await emulator?.stop();
});

function cdktf(args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'node_modules/cdktf-cli/bundle/bin/cdktf'), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...emulator.providerEnv, TF_CLI_CONFIG_FILE: CLI_CONFIG, CHECKPOINT_DISABLE: '1', CI: '1', FORCE_COLOR: '0', ...env },
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

describe.each(engines.map((e) => [e.name, e] as const))('%s', (_name, engine) => {
  test('npx cdktf deploy works offline and deploys the tenants file', async () => {
    const suffix = randomBytes(3).toString('hex');
    const tenant = `cli-${engine.name}-${suffix}`;
    const stack = `cli-${engine.name}-${suffix}`;
    await new EhrControl(emulator.info.ehr_url!).createCorp(`cli${suffix}`, 5, 2);
    const apaas = new ApaasApi(emulator.info.apaas_url!, readApaasCredentials(emulator.info.apaas_credentials_file!));
    expect((await apaas.call('POST', '/__control/tenants', { tenant_id: tenant })).status).toBe(201);
    const tenantsFile = join(dir, `${engine.name}.yaml`);
    writeFileSync(tenantsFile, `tenants:\n  - { id: ${tenant}, corpKey: cli${suffix}, stack: ${stack}, sso: { name: "cli ${tenant}" } }\n`);
    const outdir = join(dir, `out-${engine.name}`);
    const env = { QIANFAN_TENANTS_FILE: tenantsFile, TERRAFORM_BINARY_NAME: engine.binary };
    const stateFile = join(ROOT, `terraform.${stack}.tfstate`);
    try {
      const deploy = await cdktf(['deploy', stack, '--auto-approve', '--output', outdir], env);
      if (deploy.code !== 0) throw new Error(deploy.out.slice(-4000));
      expect(deploy.out).toMatch(/employees_synced/);
      expect(await new YufuAdmin(emulator.info).appsNamed(`cli ${tenant}`)).toHaveLength(1);
      const destroy = await cdktf(['destroy', stack, '--auto-approve', '--output', outdir], env);
      expect(destroy.code).toBe(0);
    } finally {
      for (const f of [stateFile, `${stateFile}.backup`]) if (existsSync(f)) rmSync(f);
    }
  });
});
