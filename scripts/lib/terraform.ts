/** Runs Terraform/OpenTofu with the project's CLI config (offline provider mirror). */
import { spawn } from 'node:child_process';
import { CLI_CONFIG } from './paths';
import type { Engine } from './engines';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

export function engineEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    TF_CLI_CONFIG_FILE: CLI_CONFIG,
    CHECKPOINT_DISABLE: '1',
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    ...extra,
  };
}

export function runEngine(
  engine: Engine,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; echo?: boolean; timeoutMs?: number },
): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(engine.binary, args, { cwd: options.cwd, env: engineEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (options.echo) process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (options.echo) process.stderr.write(chunk);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 300_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr, ms: Date.now() - started });
    });
  });
}
