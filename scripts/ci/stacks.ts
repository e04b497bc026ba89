/**
 * The stacks a change touches, for a CI matrix (one plan job per stack):
 *
 *   npm run ci:stacks -- [--changed-since REF]
 *
 * prints a JSON array of stack names on stdout. Without --changed-since, every stack.
 * With it, compared with the tenants file at REF (git):
 *   - a tenant added, edited or removed → its stack (both stacks when it moved: the old
 *     one plans the destroy, the new one the create — README "Many tenants");
 *   - the file's `defaults:` changed → the stacks of the tenants they reach (their merged
 *     entries differ);
 *   - anything else that shapes every stack changed since REF (the code, the lock file,
 *     cdktf.json) → every stack;
 *   - a stack left without tenants is not synthesized any more, so there is nothing to
 *     plan: it is named on stderr, since its state still holds what its tenants had.
 * Feed the list to ci:plan / ci:apply through QIANFAN_STACKS (comma-separated).
 */
import { execFileSync } from 'node:child_process';
import { dirname, join, relative, resolve } from 'node:path';
import { DEFAULT_STACK, loadTenantsFile, parseTenantsFile, tenantsByStack, type TenantEntry, type TenantsFile } from '../../constructs/tenants-file';
import { ROOT } from '../lib/paths';

/** What, besides the tenants file, changes every stack's configuration. */
const SHAPES_EVERY_STACK = ['main.ts', 'constructs/', 'providers/', 'package-lock.json', 'cdktf.json', 'scripts/ci/'];

export const tenantsFilePath = (): string => resolve(process.env.QIANFAN_TENANTS_FILE ?? join(ROOT, 'tenants.yaml'));

function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
}

/** Each tenant's stack and merged entry (defaults applied), by tenant id. */
function entries(file: TenantsFile): Map<string, { stack: string; entry: string }> {
  const out = new Map<string, { stack: string; entry: string }>();
  for (const [stack, tenants] of tenantsByStack(file)) {
    for (const t of tenants as TenantEntry[]) out.set(t.id, { stack, entry: JSON.stringify(t) });
  }
  return out;
}

/** The stacks whose configuration differs between two tenants files (pure; the unit under test). */
export function changedStacks(before: TenantsFile | null, after: TenantsFile): string[] {
  const now = entries(after);
  if (before === null) return [...new Set([...now.values()].map((e) => e.stack))].sort();
  const then = entries(before);
  const touched = new Set<string>();
  for (const [id, e] of now) {
    const old = then.get(id);
    if (!old || old.entry !== e.entry) touched.add(e.stack);
    if (old && old.stack !== e.stack) touched.add(old.stack);
  }
  for (const [id, old] of then) if (!now.has(id)) touched.add(old.stack);
  const existing = new Set([...now.values()].map((e) => e.stack));
  return [...touched].filter((s) => existing.has(s)).sort();
}

export function allStacks(file: TenantsFile): string[] {
  const stacks = [...tenantsByStack(file).keys()];
  return (stacks.length > 0 ? stacks : [DEFAULT_STACK]).sort();
}

/** The stacks changed since `ref`, as the module header says. */
export function stacksChangedSince(ref: string, path = tenantsFilePath()): string[] {
  const after = loadTenantsFile(path);
  // A push that creates a branch has no revision before it (GitHub sends 40 zeros).
  if (/^0+$/.test(ref)) return allStacks(after);
  const top = git(dirname(path), ['rev-parse', '--show-toplevel']).trim();
  try {
    git(top, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch {
    throw new Error(`--changed-since ${JSON.stringify(ref)}: not a commit in ${top} (fetch it first, e.g. git fetch origin main)`);
  }
  const rel = relative(top, path);
  // The project's own code, where it is in the same repository as the tenants file.
  const code = SHAPES_EVERY_STACK.map((p) => relative(top, join(ROOT, p))).filter((p) => !p.startsWith('..'));
  const others = code.length > 0 ? git(top, ['diff', '--name-only', ref, '--', ...code]).trim() : '';
  let existed = true;
  try {
    git(top, ['cat-file', '-e', `${ref}:${rel}`]);
  } catch {
    existed = false; // no tenants file at REF: every stack is new
  }
  const before = existed ? parseTenantsFile(git(top, ['show', `${ref}:${rel}`]), `${ref}:${rel}`) : null;
  const now = allStacks(after);
  if (before) {
    for (const gone of allStacks(before).filter((s) => !now.includes(s))) {
      process.stderr.write(`ci:stacks: stack ${JSON.stringify(gone)} has no tenants any more; its state still holds their objects (README "Many tenants")\n`);
    }
  }
  return others !== '' || before === null ? now : changedStacks(before, after);
}

/** QIANFAN_STACKS, when set: the stacks a CI matrix job works on; every stack otherwise. */
export function selectStacks(stacks: string[], selected = process.env.QIANFAN_STACKS): string[] {
  if (selected === undefined || selected.trim() === '') return stacks;
  const wanted = selected.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = wanted.filter((s) => !stacks.includes(s));
  if (unknown.length > 0) throw new Error(`QIANFAN_STACKS: no stack ${unknown.map((s) => JSON.stringify(s)).join(', ')}; expected some of ${stacks.join(', ')}`);
  return stacks.filter((s) => wanted.includes(s));
}

if (require.main === module) {
  try {
    const i = process.argv.indexOf('--changed-since');
    const ref = i >= 0 ? process.argv[i + 1] : undefined;
    if (i >= 0 && !ref) throw new Error('--changed-since: expected a git revision (e.g. origin/main)');
    process.stdout.write(`${JSON.stringify(ref ? stacksChangedSince(ref) : allStacks(loadTenantsFile(tenantsFilePath())))}\n`);
  } catch (error) {
    process.stderr.write(`ci:stacks failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
