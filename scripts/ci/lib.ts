/** What the CI scripts share: the engine, the synthesized stacks, and running in a stack. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildApp } from '../../main';
import { TerraformStack } from '../../constructs/framework';
import { pickEngine, type Engine } from '../lib/engines';
import { ROOT } from '../lib/paths';
import { runEngine, type RunResult } from '../lib/terraform';

export const OUTDIR = process.env.QIANFAN_CDKTF_OUT ?? join(ROOT, 'cdktf.out');

export const ciEngine = pickEngine;

export function synthStacks(): string[] {
  const app = buildApp(OUTDIR);
  app.synth();
  return app.node.children.filter((c): c is TerraformStack => c instanceof TerraformStack).map((s) => s.node.id);
}

/** Stacks synthesized earlier (apply works from the plan job's artifact). */
export function existingStacks(): string[] {
  const manifest = join(OUTDIR, 'manifest.json');
  if (!existsSync(manifest)) throw new Error(`${manifest} not found: run the plan step first (npm run ci:plan) and keep cdktf.out/`);
  return Object.keys((JSON.parse(readFileSync(manifest, 'utf8')) as { stacks: Record<string, unknown> }).stacks);
}

export const stackDir = (stack: string) => join(OUTDIR, 'stacks', stack);

/**
 * Runs the engine in a stack; an exit code outside okCodes fails with its output. An
 * answer matching `retryOn` is a transient failure: tried again, three attempts in all.
 */
export async function inStack(engine: Engine, stack: string, args: string[], okCodes = [0], retryOn?: RegExp): Promise<RunResult> {
  for (let attempt = 1; ; attempt++) {
    const result = await runEngine(engine, args, { cwd: stackDir(stack), timeoutMs: 3_600_000 });
    if (okCodes.includes(result.code)) return result;
    if (retryOn && attempt < 3 && retryOn.test(result.stdout + result.stderr)) continue;
    process.stderr.write(result.stdout + result.stderr);
    throw new Error(`${engine.name} ${args[0]} failed in stack ${stack} (exit ${result.code})`);
  }
}

/**
 * Terraform's pg backend creates its tables and a sequence shared by every schema with
 * CREATE … IF NOT EXISTS, which PostgreSQL does not make safe against a concurrent
 * CREATE: two stacks' first inits on a fresh database at the same moment (two stacks at
 * once here, or two CI matrix jobs) can fail with "duplicate key value violates unique
 * constraint pg_class_relname_nsp_index". The loser finds the objects there when it
 * tries again.
 */
const PG_FIRST_INIT_RACE = /pg_class_relname_nsp_index|pg_type_typname_nsp_index/;

/** `init` of a stack, tried again after the pg backend's first-init race. */
export function initStack(engine: Engine, stack: string): Promise<RunResult> {
  return inStack(engine, stack, ['init', '-input=false', '-no-color'], [0], PG_FIRST_INIT_RACE);
}

/** Which tenant a resource belongs to, from cdktf's construct-path metadata. */
export function tenantOfAddress(stack: string): Map<string, string> {
  const config = JSON.parse(readFileSync(join(stackDir(stack), 'cdk.tf.json'), 'utf8')) as {
    resource?: Record<string, Record<string, { '//'?: { metadata?: { path?: string } } }>>;
    data?: Record<string, Record<string, { '//'?: { metadata?: { path?: string } } }>>;
  };
  const map = new Map<string, string>();
  for (const [kind, blocks] of [['', config.resource], ['data.', config.data]] as const) {
    for (const [type, instances] of Object.entries(blocks ?? {})) {
      for (const [name, body] of Object.entries(instances)) {
        const path = body['//']?.metadata?.path;
        if (path) map.set(`${kind}${type}.${name}`, path.split('/')[1]);
      }
    }
  }
  return map;
}

/**
 * Runs fn for every stack, several at once (stacks have separate state and directories),
 * returning results in stack order. QIANFAN_STACK_PARALLELISM, default 2.
 */
export async function eachStack<T>(
  stacks: string[],
  fn: (stack: string) => Promise<T>,
  limit = Math.max(1, Number(process.env.QIANFAN_STACK_PARALLELISM ?? 2) || 1),
): Promise<T[]> {
  const results: T[] = new Array(stacks.length);
  let next = 0;
  const worker = async () => {
    while (next < stacks.length) {
      const i = next++;
      results[i] = await fn(stacks[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, stacks.length) }, worker));
  return results;
}
