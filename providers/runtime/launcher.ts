/**
 * Loads the provider bundle with a V8 code cache. Two forms:
 *
 * - single executable (SEA, scripts/lib/sea.ts): this is the executable's main script;
 *   the bundle, its content hash and (where the build could make one) a code cache are
 *   assets of the executable;
 * - launcher form: `node launcher.cjs <bundle.cjs> <content-hash> [args…]`, started by
 *   the archive's shell script with the machine's node; a shipped cache would sit
 *   beside the bundle as `<bundle>.<hash>.v8cache`.
 *
 * Why: Terraform starts the provider three or four times per plan, and most of a cold
 * start is V8 compiling the bundle. Node 20 has no module.enableCompileCache(), and a
 * SEA's own `useCodeCache` would cover only this script; vm.Script cachedData covers
 * the bundle in both forms. The cache is keyed by the bundle's content hash (V8 itself
 * only checks the source length), written once when there is no local one or it was
 * rejected, atomically, and never required: any failure falls back to a normal compile.
 *
 * A cache made here is never written into the provider's own directory: Terraform
 * checks that directory against the h1: hash in .terraform.lock.hcl. It goes to
 * $QIANFAN_CODE_CACHE_DIR, else ~/.cache/qianfan-provider, keyed by node version too.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { SEA_ASSETS } from './sea-assets';

interface Sea {
  isSea(): boolean;
  getAsset(key: string): ArrayBuffer;
  getAsset(key: string, encoding: string): string;
}

function read(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** The bundle's source, where it is, its hash and a cache shipped with it. */
function locate(): { source: string; filename: string; hash: string; shipped: () => Buffer | undefined } {
  const sea = require('node:sea') as Sea;
  if (sea.isSea()) {
    const asset = (key: string) => {
      try {
        return Buffer.from(sea.getAsset(key));
      } catch {
        return undefined; // getAsset throws for a missing asset
      }
    };
    return {
      source: sea.getAsset(SEA_ASSETS.bundle, 'utf8'),
      filename: process.execPath,
      hash: sea.getAsset(SEA_ASSETS.hash, 'utf8'),
      shipped: () => asset(SEA_ASSETS.codeCache),
    };
  }
  const [bundle, hash] = process.argv.splice(2, 2);
  return { source: readFileSync(bundle, 'utf8'), filename: bundle, hash, shipped: () => read(`${bundle}.${hash}.v8cache`) };
}

const { source, filename, hash, shipped } = locate();
const cacheDir = process.env.QIANFAN_CODE_CACHE_DIR || join(homedir(), '.cache', 'qianfan-provider');
const cacheFile = join(cacheDir, `${basename(filename)}.${hash}.${process.version}.v8cache`);

// The shipped cache covers what compiling the bundle compiles; a local one, written at
// the end of a run, also covers what that run compiled lazily, so it is preferred.
const local = read(cacheFile);
const cachedData = local ?? shipped();

type Wrapped = (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
const script = new Script((Module as unknown as { wrap(s: string): string }).wrap(source), { filename, cachedData });

// QIANFAN_CODE_CACHE_DEBUG=1: say on stderr which cache was used (tests check it).
if (process.env.QIANFAN_CODE_CACHE_DEBUG) {
  const used = local ? 'local' : cachedData ? 'shipped' : 'none';
  process.stderr.write(`qianfan code cache: ${used}${cachedData ? (script.cachedDataRejected ? ' rejected' : ' accepted') : ''}\n`);
}

if (local === undefined || script.cachedDataRejected) {
  // On exit the cache also holds every function this run compiled lazily.
  process.on('exit', () => {
    try {
      mkdirSync(cacheDir, { recursive: true });
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, cacheFile);
    } catch {
      // A read-only install just starts without a cache.
    }
  });
}

/**
 * This process's peak resident memory in KiB. On Linux, getrusage's ru_maxrss is not
 * it: a Go parent starts plugins with clone(CLONE_VM) and exec, and the kernel keeps
 * the larger of the parent's memory at that moment and ours, so Terraform's own
 * footprint showed as the provider's (82, 99, 113 MB for its three launches of a
 * plan, growing with Terraform, while /proc said at most 87). VmHWM counts only
 * this process's memory.
 */
function peakRssKb(status: string | undefined): number {
  return statusKb(status, 'VmHWM') ?? process.resourceUsage().maxRSS;
}

/**
 * Of the resident memory at exit, what is this process's own (anonymous: heap, stacks)
 * and what is pages of files it maps, mostly the executable's own 126 MB. File pages are
 * shared and reclaimable, and how many are mapped depends on the page cache (a freshly
 * written executable maps more): the same plan measured 52 or 74 MB of them.
 */
function residentKb(status: string | undefined): { anonKb?: number; fileKb?: number } {
  return { anonKb: statusKb(status, 'RssAnon'), fileKb: statusKb(status, 'RssFile') };
}

/** A "Name:  123 kB" line of /proc/self/status, in KiB. */
function statusKb(status: string | undefined, name: string): number | undefined {
  const line = status && new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(status);
  return line ? Number(line[1]) : undefined;
}

function procStatus(): string | undefined {
  try {
    return readFileSync('/proc/self/status', 'utf8');
  } catch {
    return undefined; // not Linux
  }
}

// Benchmarks and the hostile-input tests ask each provider process for its peak memory and CPU time.
const report = process.env.QIANFAN_REPORT_MAXRSS_DIR;
if (report) {
  process.on('exit', () => {
    try {
      const cpu = process.cpuUsage();
      const status = procStatus();
      writeFileSync(join(report, `${process.pid}.json`), JSON.stringify({ maxRssKb: peakRssKb(status), ...residentKb(status), cpuMs: (cpu.user + cpu.system) / 1000 }));
    } catch {
      // best effort
    }
  });
}

const mod = new Module(filename, module);
mod.filename = filename;
const fn = script.runInThisContext() as Wrapped;
fn.call(mod.exports, mod.exports, ((id: string) => mod.require(id)) as NodeJS.Require, mod, filename, dirname(filename));
