/**
 * Provider processes and plugin socket directories left behind by an engine. Processes
 * are found by an environment tag the scenario gives the engine (the provider inherits
 * it), so concurrent scenarios and other test files never see each other's processes.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const TAG_VARIABLE = 'QIANFAN_LIFECYCLE_TAG';

export interface Proc {
  pid: number;
  ppid: number;
  state: string;
  cmdline: string;
}

function read(pid: string): Proc | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    return { pid: Number(pid), ppid: Number(ppid), state, cmdline };
  } catch {
    return null;
  }
}

/** Live (not zombie) processes carrying TAG_VARIABLE=tag in their environment. */
export function taggedProcesses(tag: string): Proc[] {
  const wanted = `${TAG_VARIABLE}=${tag}`;
  const out: Proc[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let env: string;
    try {
      env = readFileSync(`/proc/${pid}/environ`, 'latin1');
    } catch {
      continue;
    }
    if (!env.split('\0').includes(wanted)) continue;
    const p = read(pid);
    if (p && p.state !== 'Z') out.push(p);
  }
  return out;
}

/** The qianfan provider's processes (node running the plugin from .terraform/providers). */
export function providerProcesses(tag: string): Proc[] {
  return taggedProcesses(tag).filter((p) => p.cmdline.includes('registry.qianfan.local/qianfan/qianfan/'));
}

/** Whether a process's parent is gone: reparented, or the parent pid no longer exists. */
export function orphaned(p: Proc, formerParent: number): boolean {
  return p.ppid !== formerParent || !existsSync(`/proc/${formerParent}`);
}

/** Plugin socket directories (`plugin*` holding a socket) under a TMPDIR. */
export function socketDirs(tmp: string): string[] {
  if (!existsSync(tmp)) return [];
  return readdirSync(tmp)
    .filter((name) => name.startsWith('plugin'))
    .map((name) => join(tmp, name));
}

export async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number, stepMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}

/** Ends processes this scenario started (by pid, never by name). */
export function killAll(procs: Proc[]): void {
  for (const p of procs) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
