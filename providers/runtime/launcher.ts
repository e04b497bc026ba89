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
 * Usage: node launcher.cjs <bundle.cjs> <content-hash> [args…]
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';

const [bundle, hash] = process.argv.splice(2, 2);
const cacheFile = `${bundle}.${hash}.v8cache`;
const source = readFileSync(bundle, 'utf8');

let cachedData: Buffer | undefined;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  cachedData = undefined;
}

type Wrapped = (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
const script = new Script((Module as unknown as { wrap(s: string): string }).wrap(source), { filename: bundle, cachedData });

if (cachedData === undefined || script.cachedDataRejected) {
  // On exit the cache also holds every function this run compiled lazily.
  process.on('exit', () => {
    try {
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, cacheFile);
    } catch {
      // A read-only install just starts without a cache.
    }
  });
}

const mod = new Module(bundle, module);
mod.filename = bundle;
const fn = script.runInThisContext() as Wrapped;
fn.call(mod.exports, mod.exports, ((id: string) => mod.require(id)) as NodeJS.Require, mod, bundle, dirname(bundle));
