/** A synthesized stack in a temporary directory, driven by a real engine. */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Engine } from '../../scripts/lib/engines';
import { PLUGIN_CACHE } from '../../scripts/lib/paths';
import { runEngine, type RunResult } from '../../scripts/lib/terraform';
import { App, type TerraformStack } from '../../constructs/framework';
import { providerLockFile } from '../../constructs/lock-file';

export const TEST_OUTPUT = join(__dirname, '..', '..', 'test-output');

export function tempDir(prefix: string): string {
  mkdirSync(TEST_OUTPUT, { recursive: true });
  return mkdtempSync(join(TEST_OUTPUT, `${prefix}-`));
}

/** Synthesizes one stack and returns its cdk.tf.json as an object. */
export function synthStack(build: (app: App) => TerraformStack): { dir: string; json: Record<string, unknown> } {
  const outdir = mkdtempSync(join(tmpdir(), 'synth-'));
  const app = new App({ outdir });
  const stack = build(app);
  app.synth();
  const file = join(outdir, 'stacks', stack.node.id, 'cdk.tf.json');
  return { dir: join(outdir, 'stacks', stack.node.id), json: JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown> };
}

export class Workdir {
  readonly log: string[] = [];

  constructor(
    readonly engine: Engine,
    readonly dir: string,
    readonly env: Record<string, string>,
    /** e.g. { pg: { conn_str } }; default: local state in the workdir. */
    readonly backend?: Record<string, unknown>,
  ) {}

  static create(engine: Engine, name: string, config: Record<string, unknown>, env: Record<string, string>, backend?: Record<string, unknown>): Workdir {
    const dir = tempDir(`${engine.name}-${name}`);
    const w = new Workdir(engine, dir, env, backend);
    w.write(config);
    // The build's hashes: init verifies the mirror's package against them and links it
    // from the build's plugin cache instead of copying ~100 MB per directory.
    const lock = providerLockFile();
    if (lock) writeFileSync(join(dir, '.terraform.lock.hcl'), lock.content);
    return w;
  }

  /** The plugin cache only with the lock file that makes init read it (release.ts fillPluginCache). */
  private engineEnv(): Record<string, string> {
    return existsSync(join(this.dir, '.terraform.lock.hcl')) && !this.env.TF_PLUGIN_CACHE_DIR ? { TF_PLUGIN_CACHE_DIR: PLUGIN_CACHE, ...this.env } : this.env;
  }

  write(config: Record<string, unknown>): void {
    // cdktf points the local backend at its own project; tests keep state in the workdir
    // unless they ask for another backend.
    const copy = JSON.parse(JSON.stringify(config)) as { terraform?: { backend?: unknown } };
    if (copy.terraform) delete copy.terraform.backend;
    if (this.backend) (copy.terraform ??= {}).backend = this.backend;
    writeFileSync(join(this.dir, 'main.tf.json'), JSON.stringify(copy, null, 2));
  }

  async run(...args: string[]): Promise<RunResult> {
    const result = await runEngine(this.engine, args, { cwd: this.dir, env: { ...this.engineEnv(), NO_COLOR: '1' } });
    // `output -json` prints sensitive values on purpose (the user asked for them): not logged.
    const shown = args[0] === 'output' ? '(output values not logged)\n' : `${result.stdout}${result.stderr}`;
    this.log.push(`$ ${this.engine.name} ${args.join(' ')}  (exit ${result.code}, ${result.ms} ms)\n${shown}`);
    writeFileSync(join(this.dir, 'engine.log'), this.log.join('\n'));
    return result;
  }

  /** Runs and expects the exit code; the failure message carries the engine's output. */
  async expect(code: number, ...args: string[]): Promise<RunResult> {
    const result = await this.run(...args);
    if (result.code !== code) {
      throw new Error(`${this.engine.name} ${args.join(' ')} exited ${result.code}, expected ${code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`);
    }
    return result;
  }

  init(): Promise<RunResult> {
    return this.expect(0, 'init', '-input=false', '-no-color');
  }

  async outputs(): Promise<Record<string, { value: unknown; sensitive: boolean }>> {
    const r = await this.expect(0, 'output', '-json', '-no-color');
    return JSON.parse(r.stdout) as Record<string, { value: unknown; sensitive: boolean }>;
  }

  state(): Record<string, unknown> {
    return JSON.parse(readFileSync(join(this.dir, 'terraform.tfstate'), 'utf8')) as Record<string, unknown>;
  }
}
