// Starts `emulator/main.ts` as a real child process (the way Terraform e2e runs will)
// and waits for it to publish DIR/emulator.json.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

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
  stdout: () => string;
  stderr: () => string;
  /** SIGTERM and wait for exit; resolves with the exit code. */
  stop: () => Promise<number | null>;
}

export async function startEmulator(dataDir: string, extraArgs: string[] = [], timeoutMs = 30_000): Promise<RunningEmulator> {
  const infoFile = path.join(dataDir, 'emulator.json');
  const tsx = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');
  const child = spawn(tsx, ['emulator/main.ts', '--data-dir', dataDir, ...extraArgs], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exitCode !== undefined) throw new Error(`emulator exited early with code ${exitCode}\nstdout:\n${out}\nstderr:\n${err}`);
    // stdout's last line is printed after emulator.json is written, so both are complete.
    if (out.includes('emulator info:') && fs.existsSync(infoFile)) {
      const info = JSON.parse(fs.readFileSync(infoFile, 'utf8')) as EmulatorInfo;
      return {
        info,
        child,
        stdout: () => out,
        stderr: () => err,
        stop: async () => {
          if (exitCode === undefined) child.kill('SIGTERM');
          return exited;
        },
      };
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`emulator did not start within ${timeoutMs} ms\nstdout:\n${out}\nstderr:\n${err}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
