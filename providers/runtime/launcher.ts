/**
 * Loads the provider bundle with a V8 code cache.
 *
 * Why: Terraform starts the provider about four times per apply, and most of a
 * cold start is V8 compiling the bundle. Node 22 has module.enableCompileCache();
 * Node 20 does not, so this does the same with vm.Script cachedData. The cache is
 * keyed by the bundle's content hash (V8 itself only checks the source length),
 * written once when missing or rejected, atomically, and never required: any
 * failure falls back to a normal compile.
 *
 * The release archive ships a cache made by the build (`<bundle>.<hash>.v8cache`).
 * A cache made here is never written into the provider's own directory: Terraform
 * checks that directory against the h1: hash in .terraform.lock.hcl. It goes to
 * $QIANFAN_CODE_CACHE_DIR, else ~/.cache/qianfan-provider, keyed by node version too.
 *
 * Usage: node launcher.cjs <bundle.cjs> <content-hash> [args…]
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';

const [bundle, hash] = process.argv.splice(2, 2);
const shippedCache = `${bundle}.${hash}.v8cache`;
const cacheDir = process.env.QIANFAN_CODE_CACHE_DIR || join(homedir(), '.cache', 'qianfan-provider');
const localCache = join(cacheDir, `${basename(bundle)}.${hash}.${process.version}.v8cache`);
const source = readFileSync(bundle, 'utf8');

function read(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

// A local cache exists only where the shipped one did not fit this node.
const cachedData = read(localCache) ?? read(shippedCache);
const cacheFile = localCache;

type Wrapped = (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
const script = new Script((Module as unknown as { wrap(s: string): string }).wrap(source), { filename: bundle, cachedData });

if (cachedData === undefined || script.cachedDataRejected) {
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

// Benchmarks ask each provider process for its peak memory (bench/plan.ts).
const report = process.env.QIANFAN_REPORT_MAXRSS_DIR;
if (report) {
  process.on('exit', () => {
    try {
      writeFileSync(join(report, `${process.pid}.json`), JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS }));
    } catch {
      // best effort
    }
  });
}

const mod = new Module(bundle, module);
mod.filename = bundle;
const fn = script.runInThisContext() as Wrapped;
fn.call(mod.exports, mod.exports, ((id: string) => mod.require(id)) as NodeJS.Require, mod, bundle, dirname(bundle));
