/**
 * The provider as a Node.js single executable application (SEA), one per platform.
 *
 * The executable is the platform's official Node binary (scripts/lib/node-binaries.ts)
 * with a preparation blob injected by postject. The blob's main script is the code-cache
 * launcher (providers/runtime/launcher.ts); the provider bundle, its content hash and,
 * where it can be made, a V8 code cache are assets of the blob:
 *
 * - the build machine's platform (linux amd64 here and in CI): the build compiles the
 *   bundle with the very Node binary it embeds and ships the code cache, so the first
 *   start is as fast as any. `--random-seed` is fixed: without it V8's cache bytes differ between runs, and
 *   the archive must be reproducible. (V8 leaves the random seed out of the cache's flag
 *   check, so the cache is accepted at run time; launcher tests prove it.)
 * - the other platforms: a cache made by a foreign binary may not fit, so none is
 *   shipped. Every form leaves a fuller cache in the user's cache directory after a
 *   start (providers/runtime/launcher.ts).
 *
 * Node's SEA code cache (`useCodeCache`) is not used: it would cache only the launcher.
 * macOS: injection breaks the binary's signature, and a hardened-runtime binary with a
 * broken signature is killed at launch; the signature is removed before injection
 * (macho-unsign); unsigned x86-64 code may run on macOS. Windows: the Authenticode
 * signature of node.exe no longer matches and is left as is.
 *
 * Injection takes seconds per platform, so results are cached in
 * .build/cache/, keyed by everything that goes in.
 * The facts about Node, V8, macOS and Windows this relies on: docs/distribution.md.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SEA_ASSETS } from '../../providers/runtime/sea-assets';
import { hostNodeBinary, hostPlatform, nodeBinary, type SeaPlatform } from './node-binaries';
import { BUILD_CACHE, ROOT } from './paths';

/** Node's documented sentinel: postject flips it so the binary looks for its blob. */
export const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
const CODE_CACHE_SEED = '1';
const CACHE_DIR = join(BUILD_CACHE, 'sea');
const POSTJECT = join(ROOT, 'node_modules', 'postject', 'dist', 'cli.js');

export const packageVersion = (name: string) => (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

export interface SeaInputs {
  launcher: string;
  bundle: string;
  hash: string;
}

/**
 * The V8 code cache of the bundle, compiled exactly as the launcher compiles it, by the
 * Node binary that will run it. Compile only (no run): the same source gives the same bytes.
 */
export function makeCodeCache(node: string, bundle: string, out: string): void {
  const script = [
    "const { readFileSync, writeFileSync } = require('node:fs');",
    "const { wrap } = require('node:module');",
    "const { Script } = require('node:vm');",
    'const [bundle, out] = process.argv.slice(1);',
    "writeFileSync(out, new Script(wrap(readFileSync(bundle, 'utf8')), { filename: bundle }).createCachedData());",
  ].join('\n');
  execFileSync(node, [`--random-seed=${CODE_CACHE_SEED}`, '-e', script, bundle, out], { stdio: ['ignore', 'ignore', 'inherit'] });
}

function builder(): string {
  const node = hostNodeBinary();
  if (!node) throw new Error(`the embedded Node line has no binary for this machine (${process.platform}/${process.arch}) to write the single executables' blobs with`);
  return node.executable;
}

/** The preparation blob: written by this machine's binary of the embedded Node line (blobs are per Node version, not per platform). */
function makeBlob(inputs: SeaInputs, dir: string, withCodeCache: boolean): Buffer {
  const hashFile = join(dir, 'hash');
  writeFileSync(hashFile, inputs.hash);
  const assets: Record<string, string> = { [SEA_ASSETS.bundle]: inputs.bundle, [SEA_ASSETS.hash]: hashFile };
  if (withCodeCache) {
    assets[SEA_ASSETS.codeCache] = join(dir, 'provider.v8cache');
    makeCodeCache(builder(), inputs.bundle, assets[SEA_ASSETS.codeCache]);
  }
  const config = join(dir, 'sea-config.json');
  const blob = join(dir, 'sea.blob');
  writeFileSync(
    config,
    JSON.stringify({ main: inputs.launcher, output: blob, disableExperimentalSEAWarning: true, useSnapshot: false, useCodeCache: false, assets }),
  );
  execFileSync(builder(), ['--experimental-sea-config', config], { cwd: dir, stdio: 'ignore' });
  return readFileSync(blob);
}

/** Whether the build can ship a code cache for a platform: only one made by its own binary, so this machine's. */
export function shipsCodeCache(platform: SeaPlatform): boolean {
  return platform === hostPlatform();
}

/**
 * Builds (or takes from the cache) the single executable for one platform and copies it
 * to `out`. `cache: false` builds afresh and leaves the cache alone; `codeCache` overrides
 * whether a code cache is shipped (tests build the other platforms' kind for this one).
 */
export async function buildSea(platform: SeaPlatform, inputs: SeaInputs, out: string, options: { cache?: boolean; codeCache?: boolean } = {}): Promise<void> {
  const node = nodeBinary(platform);
  mkdirSync(CACHE_DIR, { recursive: true });
  const work = mkdtempSync(join(CACHE_DIR, `.build-${platform}-`));
  try {
    const blob = makeBlob(inputs, work, options.codeCache ?? shipsCodeCache(platform));
    const key = createHash('sha256')
      .update(blob)
      .update(`\0${node.integrity}\0postject ${packageVersion('postject')}\0macho-unsign ${packageVersion('macho-unsign')}`)
      .digest('hex')
      .slice(0, 24);
    const cached = join(CACHE_DIR, `${platform}-${key}`);
    if (options.cache === false || !existsSync(cached)) {
      const exe = join(work, 'exe');
      if (platform.startsWith('darwin')) {
        const { unsign } = require('macho-unsign') as { unsign(data: Uint8Array): ArrayBuffer | null };
        const unsigned = unsign(readFileSync(node.executable));
        if (!unsigned) throw new Error(`${node.executable} has no code signature to remove: expected Node's signed release binary`);
        writeFileSync(exe, Buffer.from(unsigned));
      } else {
        copyFileSync(node.executable, exe);
      }
      const blobFile = join(work, 'sea.blob');
      const args = [POSTJECT, exe, 'NODE_SEA_BLOB', blobFile, '--sentinel-fuse', SEA_FUSE];
      if (platform.startsWith('darwin')) args.push('--macho-segment-name', 'NODE_SEA');
      // postject prints LIEF's warnings about Node's ELF notes; only a failure is shown.
      await promisify(execFile)(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 }).catch((e: Error & { stderr?: string }) => {
        throw new Error(`postject failed for ${platform}: ${e.stderr ?? e.message}`);
      });
      if (options.cache === false) {
        renameSync(exe, out);
        chmodSync(out, 0o755);
        return;
      }
      // One cached executable per platform: an older bundle's is not needed again.
      for (const old of readdirSync(CACHE_DIR).filter((f) => f.startsWith(`${platform}-`))) rmSync(join(CACHE_DIR, old), { force: true });
      renameSync(exe, cached);
    }
    copyFileSync(cached, out);
    chmodSync(out, 0o755);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
