/** Starts the emulator as its own process (it is a stand-in for remote services). */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './paths';

export interface EmulatorInfo {
  admin_url: string;
  idp_url: string;
  tenant_id: string;
  domain: string;
  service_account_file: string;
  data_dir: string;
  apaas_url?: string;
  ehr_url?: string;
  apaas_credentials_file?: string;
}

export interface RunningEmulator {
  info: EmulatorInfo;
  /** Environment that points the provider at this emulator. */
  providerEnv: Record<string, string>;
  logs(): string;
  stop(): Promise<void>;
}

export async function startEmulator(dataDir: string, options: { echo?: boolean; args?: string[] } = {}): Promise<RunningEmulator> {
  const started = Date.now();
  const child: ChildProcess = spawn(
    process.execPath,
    [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'emulator', 'main.ts'), '--data-dir', dataDir, ...(options.args ?? [])],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_NO_WARNINGS: '1' } },
  );
  let logs = '';
  const collect = (chunk: Buffer) => {
    logs += chunk.toString();
    if (options.echo) process.stderr.write(chunk);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? -1));

  const infoFile = join(dataDir, 'emulator.json');
  const deadline = Date.now() + 60_000;
  let info: EmulatorInfo | undefined;
  while (Date.now() < deadline) {
    if (exited !== null) throw new Error(`emulator exited with code ${exited} before it was ready:\n${logs}`);
    if (existsSync(infoFile) && statSync(infoFile).mtimeMs >= started - 1000) {
      const candidate = JSON.parse(readFileSync(infoFile, 'utf8')) as EmulatorInfo;
      try {
        await fetch(`${candidate.admin_url}/healthz`);
        info = candidate;
        break;
      } catch {
        // not listening yet
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!info) {
    child.kill('SIGKILL');
    throw new Error(`emulator did not become ready within 60 s:\n${logs}`);
  }
  const ready = info;
  return {
    info: ready,
    providerEnv: {
      QIANFAN_YUFU_ADMIN_URL: ready.admin_url,
      QIANFAN_YUFU_SERVICE_ACCOUNT_FILE: ready.service_account_file,
      ...(ready.apaas_url ? { QIANFAN_APAAS_URL: ready.apaas_url } : {}),
      ...(ready.apaas_credentials_file ? { QIANFAN_APAAS_CREDENTIALS_FILE: ready.apaas_credentials_file } : {}),
    },
    logs: () => logs,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}
