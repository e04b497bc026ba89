/**
 * A scenario's working directory driven by a real engine: `.tf` files written by the
 * scenario, the provider taken from one `init`ed seed directory per engine (its
 * `.terraform` is linked, its lock file copied: no `init` per scenario), and the
 * engine's output parsed into what the assertions need (exit code, plan summary, the
 * action planned for each address).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine } from '../../scripts/lib/engines';
import { engineEnv, runEngine, type RunResult } from '../../scripts/lib/terraform';
import { tempDir } from '../helpers/workdir';
import { header } from './hcl';

/** Limits how many engine processes one test file runs at once (2 cores, 2 jest workers). */
export class Semaphore {
  private waiting: (() => void)[] = [];
  private busy = 0;
  constructor(private readonly size: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.busy >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.busy++;
    try {
      return await fn();
    } finally {
      this.busy--;
      this.waiting.shift()?.();
    }
  }
}

const ENGINE_SLOTS = Number(process.env.QIANFAN_LIFECYCLE_SLOTS ?? 3);
export const engineSlots = new Semaphore(ENGINE_SLOTS);

const seeds = new Map<string, Promise<string>>();

/** One directory per engine (per test file) where `init` installed the provider from the mirror. */
export function seedDir(engine: Engine): Promise<string> {
  let seed = seeds.get(engine.name);
  if (!seed) {
    seed = (async () => {
      const dir = tempDir(`lc-seed-${engine.name}`);
      writeFileSync(join(dir, 'main.tf'), header(null));
      const r = await runEngine(engine, ['init', '-input=false', '-no-color'], { cwd: dir });
      if (r.code !== 0) throw new Error(`${engine.name} init of the seed directory failed:\n${r.stdout}\n${r.stderr}`);
      return dir;
    })();
    seeds.set(engine.name, seed);
  }
  return seed;
}

export type Action = 'create' | 'update' | 'replace' | 'destroy' | 'read' | 'move' | 'import' | 'forget';

export interface PlanSummary {
  import: number;
  add: number;
  change: number;
  destroy: number;
}

/** `Plan: 1 to import, 2 to add, 0 to change, 1 to destroy.` / `Apply complete! Resources: …` / `No changes.` */
export function planSummary(stdout: string): PlanSummary | null {
  const plan = /Plan: (?:(\d+) to import, )?(\d+) to add, (\d+) to change, (\d+) to destroy/.exec(stdout);
  if (plan) return { import: Number(plan[1] ?? 0), add: Number(plan[2]), change: Number(plan[3]), destroy: Number(plan[4]) };
  const apply = /Resources: (?:(\d+) imported, )?(\d+) added, (\d+) changed, (\d+) destroyed/.exec(stdout);
  if (apply) return { import: Number(apply[1] ?? 0), add: Number(apply[2]), change: Number(apply[3]), destroy: Number(apply[4]) };
  if (/No changes\./.test(stdout)) return { import: 0, add: 0, change: 0, destroy: 0 };
  return null;
}

const ACTION_PHRASES: [RegExp, Action][] = [
  [/ must be replaced$| will be replaced, as requested$| will be replaced due to changes in replace_triggered_by$/, 'replace'],
  [/ will be created$/, 'create'],
  [/ will be updated in-place$/, 'update'],
  [/ will be destroyed$/, 'destroy'],
  [/ will be read during apply$/, 'read'],
  [/ has moved to /, 'move'],
  [/ will be imported$/, 'import'],
  [/ will no longer be managed by/, 'forget'],
];

/** The `# ADDRESS will be …` lines of a plan: address → the actions named for it. */
export function planActions(stdout: string): Map<string, Action[]> {
  const actions = new Map<string, Action[]>();
  let last: string | null = null;
  for (const line of stdout.split('\n')) {
    // An import that also updates: `# ADDR will be updated in-place` then `# (imported from "ID")`.
    if (last && /^\s*# \(imported from /.test(line)) {
      const list = actions.get(last) ?? [];
      if (!list.includes('import')) list.push('import');
      actions.set(last, list);
      continue;
    }
    const m = /^\s*# ((?:data\.)?[a-z_]+\.[A-Za-z0-9_-]+(?:\[[^\]]+\])?)(?: \(deposed object \w+\))? (.*)$/.exec(line);
    if (!m) continue;
    last = m[1];
    const rest = ` ${m[2]}`;
    for (const [re, action] of ACTION_PHRASES) {
      if (re.test(rest)) {
        const list = actions.get(m[1]) ?? [];
        if (!list.includes(action)) list.push(action);
        actions.set(m[1], list);
      }
    }
  }
  return actions;
}

/** Addresses named by error diagnostics (`with ADDRESS,` / `on main.tf line N, in resource "T" "N":`). */
export function addressesInErrors(stderr: string): string[] {
  const found = new Set<string>();
  for (const m of stderr.matchAll(/with ((?:data\.)?[a-z_]+\.[A-Za-z0-9_-]+(?:\[[^\]]+\])?)/g)) found.add(m[1]);
  for (const m of stderr.matchAll(/in (?:resource|data) "([a-z_]+)" "([A-Za-z0-9_-]+)"/g)) found.add(`${m[1]}.${m[2]}`);
  return [...found];
}

export interface StateInstance {
  address: string;
  mode: 'managed' | 'data';
  type: string;
  attributes: Record<string, unknown>;
  deposed?: string;
}

export class Stack {
  readonly log: string[] = [];
  readonly tmp: string;

  private constructor(
    readonly engine: Engine,
    readonly dir: string,
    readonly env: Record<string, string>,
  ) {
    this.tmp = join(dir, '.tmp');
    mkdirSync(this.tmp, { recursive: true });
  }

  static async create(engine: Engine, name: string, env: Record<string, string>): Promise<Stack> {
    const seed = await seedDir(engine);
    const dir = tempDir(`lc-${engine.name}-${name}`);
    symlinkSync(join(seed, '.terraform'), join(dir, '.terraform'));
    copyFileSync(join(seed, '.terraform.lock.hcl'), join(dir, '.terraform.lock.hcl'));
    return new Stack(engine, dir, env);
  }

  /** Replaces main.tf; other files are written with writeFile. */
  write(main: string): void {
    this.writeFile('main.tf', main);
  }

  writeFile(name: string, text: string): void {
    writeFileSync(join(this.dir, name), text);
  }

  readFile(name: string): string {
    return readFileSync(join(this.dir, name), 'utf8');
  }

  exists(name: string): boolean {
    return existsSync(join(this.dir, name));
  }

  /** The environment the engine (and so the provider) gets: TMPDIR inside the stack, so plugin socket directories can be checked. */
  processEnv(extra: Record<string, string> = {}): Record<string, string> {
    return { ...this.env, NO_COLOR: '1', TMPDIR: this.tmp, ...extra };
  }

  async run(...args: string[]): Promise<RunResult> {
    const result = await engineSlots.run(() => runEngine(this.engine, args, { cwd: this.dir, env: this.processEnv() }));
    this.record(args, result);
    return result;
  }

  record(args: string[], result: RunResult): void {
    const shown = args[0] === 'output' ? '(output values not logged)\n' : `${result.stdout}${result.stderr}`;
    this.log.push(`$ ${this.engine.name} ${args.join(' ')}  (exit ${result.code}, ${result.ms} ms)\n${shown}`);
    writeFileSync(join(this.dir, 'engine.log'), this.log.join('\n'));
  }

  /** Runs and requires the exit code; the error carries the engine's output. */
  async expect(code: number | number[], ...args: string[]): Promise<RunResult> {
    const r = await this.run(...args);
    const codes = Array.isArray(code) ? code : [code];
    if (!codes.includes(r.code)) throw new EngineError(this.engine, args, r, codes);
    return r;
  }

  plan(...extra: string[]): Promise<RunResult> {
    return this.run('plan', '-input=false', '-no-color', '-detailed-exitcode', ...extra);
  }

  apply(...extra: string[]): Promise<RunResult> {
    return this.expect(0, 'apply', '-input=false', '-no-color', '-auto-approve', ...extra);
  }

  /** Starts the engine without waiting (for signals); the caller owns the child. */
  spawn(args: string[], extraEnv: Record<string, string> = {}): { child: ChildProcess; done: Promise<RunResult>; output: () => string } {
    const started = Date.now();
    const child = spawn(this.engine.binary, args, { cwd: this.dir, env: engineEnv(this.processEnv(extraEnv)), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const done = new Promise<RunResult>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) => {
        const result = { code: code ?? (signal ? 128 + (signal === 'SIGKILL' ? 9 : 2) : -1), stdout, stderr, ms: Date.now() - started };
        this.record(args, result);
        resolve(result);
      });
    });
    return { child, done, output: () => stdout + stderr };
  }

  /** The state file's instances (current and deposed), or [] when there is no state yet. */
  instances(): StateInstance[] {
    const file = join(this.dir, 'terraform.tfstate');
    if (!existsSync(file)) return [];
    const text = readFileSync(file, 'utf8');
    if (!text.trim()) return [];
    const state = JSON.parse(text) as {
      resources?: { mode: 'managed' | 'data'; type: string; name: string; instances: { index_key?: string | number; attributes: Record<string, unknown>; deposed?: string }[] }[];
    };
    const out: StateInstance[] = [];
    for (const r of state.resources ?? []) {
      for (const i of r.instances) {
        const key = i.index_key === undefined ? '' : typeof i.index_key === 'number' ? `[${i.index_key}]` : `[${JSON.stringify(i.index_key)}]`;
        out.push({ address: `${r.mode === 'data' ? 'data.' : ''}${r.type}.${r.name}${key}`, mode: r.mode, type: r.type, attributes: i.attributes, deposed: i.deposed });
      }
    }
    return out;
  }

  instance(address: string): StateInstance | undefined {
    return this.instances().find((i) => i.address === address && !i.deposed);
  }
}

export class EngineError extends Error {
  constructor(
    readonly engine: Engine,
    readonly args: string[],
    readonly result: RunResult,
    expected: number[],
  ) {
    super(`${engine.name} ${args.filter((a) => a !== '-input=false' && a !== '-no-color').join(' ')} exited ${result.code}, expected ${expected.join(' or ')}: ${diagnosticsOf(result)}`);
  }
}

/** The engine's error diagnostics in one line each (`Error: summary — detail`), or the output's tail. */
export function diagnosticsOf(result: RunResult): string {
  const lines = result.stderr.replace(/\r/g, '').split('\n').map((l) => l.replace(/^[│╷╵] ?/, ''));
  const errors: string[] = [];
  let current: string[] | null = null;
  for (const line of lines) {
    if (/^(Error|Warning): /.test(line)) {
      if (current) errors.push(current.join(' '));
      current = line.startsWith('Error: ') ? [line.trim(), '—'] : null;
      continue;
    }
    if (!current) continue;
    const l = line.trim();
    if (!l || /^on \S+ line \d+/.test(l) || /^\d+:/.test(l)) continue;
    const address = /^with (\S+),$/.exec(l);
    current.push(address ? `[${address[1]}]` : l);
  }
  if (current) errors.push(current.join(' '));
  const cap = (e: string) => (e.length > 700 ? `${e.slice(0, 699)}…` : e);
  if (errors.length > 0) return errors.map((e) => cap(e.replace(/ —$/, ''))).join(' | ');
  return `${result.stderr}\n${result.stdout}`.trim().split('\n').slice(-6).join(' ');
}
