/**
 * Starts the emulator as its own process (it stands in for remote services): the one
 * launcher the main job, the benchmarks and every test use.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './paths';

/** DIR/emulator.json, written once every listener is up. */
export interface EmulatorInfo {
  admin_url: string;
  idp_url: string;
  tenant_id: string;
  domain: string;
  service_account_file: string;
  /** E-HR directory API; a corp's base URL is `{ehr_url}/c/{corpKey}` (= ehr_base_url_template). */
  ehr_url: string;
  ehr_base_url_template: string;
  /** The corp seeded on first start ("apaas"). */
  ehr_corp_key: string;
  apaas_url: string;
  /** `{"secretId","secretKey"}` for TC3 signing, mode 0600. */
  apaas_credentials_file: string;
  /** The tenant seeded on first start ("demo-tenant-001"). */
  apaas_tenant_id: string;
  data_dir: string;
  pid: number;
}

export interface RunningEmulator {
  info: EmulatorInfo;
  child: ChildProcess;
  /** Environment that points the provider at this emulator. */
  providerEnv: Record<string, string>;
  stdout(): string;
  stderr(): string;
  /** stdout and stderr together. */
  logs(): string;
  /** SIGTERM and wait for exit; resolves with the exit code. */
  stop(): Promise<number | null>;
}

export interface StartOptions {
  /** Extra command-line flags, e.g. ['--clock-offset', '900']. */
  args?: string[];
  /** Copy the emulator's output to this process's stderr. */
  echo?: boolean;
  timeoutMs?: number;
}

export async function startEmulator(dataDir: string, options: StartOptions = {}): Promise<RunningEmulator> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const infoFile = join(dataDir, 'emulator.json');
  const child = spawn(
    // The emulator's native SQLite module is built for the machine's node, also when the
    // caller runs under another one (npm run test:embedded-node says which).
    process.env.QIANFAN_EMULATOR_NODE || process.execPath,
    [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'emulator', 'main.ts'), '--data-dir', dataDir, ...(options.args ?? [])],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_NO_WARNINGS: '1' } },
  );
  let out = '';
  let err = '';
  let both = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    both += d.toString();
    if (options.echo) process.stderr.write(d);
  });
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    both += d.toString();
    if (options.echo) process.stderr.write(d);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exitCode !== undefined) throw new Error(`emulator exited early with code ${exitCode}\nstdout:\n${out}\nstderr:\n${err}`);
    // The "emulator info:" line is printed after emulator.json is written, so both are complete.
    if (out.includes('emulator info:') && existsSync(infoFile)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`emulator did not start within ${timeoutMs} ms\nstdout:\n${out}\nstderr:\n${err}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const info = JSON.parse(readFileSync(infoFile, 'utf8')) as EmulatorInfo;
  return {
    info,
    child,
    providerEnv: {
      QIANFAN_YUFU_ADMIN_URL: info.admin_url,
      QIANFAN_YUFU_SERVICE_ACCOUNT_FILE: info.service_account_file,
      QIANFAN_APAAS_URL: info.apaas_url,
      QIANFAN_APAAS_CREDENTIALS_FILE: info.apaas_credentials_file,
    },
    stdout: () => out,
    stderr: () => err,
    logs: () => both,
    stop: async () => {
      if (exitCode === undefined) {
        child.kill('SIGTERM');
        setTimeout(() => exitCode === undefined && child.kill('SIGKILL'), 10_000).unref();
      }
      return exited;
    },
  };
}
