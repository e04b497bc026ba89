/**
 * Builds the provider as a distributable and installs it where Terraform and OpenTofu
 * find it offline:
 *   1. generate protocol code from providers/runtime/proto (buf + protoc-gen-es);
 *   2. bundle the provider into one file (no module resolution at launch), with
 *      esbuild's metafile: the list of what went in, for the license notices;
 *   3. stage one plugin directory per platform (dist/stage/<platform>/): a single
 *      executable (scripts/lib/sea.ts) where the registry has the platform's Node
 *      binary, the launcher form (shell script + node) for darwin arm64; each with
 *      THIRD_PARTY_NOTICES.txt (scripts/lib/notices.ts);
 *   4. pack terraform-provider-qianfan_{version}_{os}_{arch}.zip per platform, with
 *      SHA256SUMS and network-mirror JSON (h1: and zh: hashes) in dist/release/, and
 *      install them into a project-local filesystem mirror (scripts/lib/release.ts).
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { MAGIC_COOKIE_VALUE } from '../providers/runtime/protocol';
import { nodeBinary, nodeLicense, SEA_PLATFORMS } from './lib/node-binaries';
import { thirdPartyNotices } from './lib/notices';
import {
  CLI_CONFIG,
  DIST_DIR,
  LAUNCHER_BUNDLE,
  MIRROR_DIR,
  PROVIDER_BUNDLE,
  PROVIDER_HOST,
  PROVIDER_SOURCE,
  PROVIDER_VERSION,
  ROOT,
  STAGE_DIR,
  stageDir,
  stagedLauncher,
} from './lib/paths';
import { executableName, installIntoMirror, LAUNCHER_PLATFORMS, packRelease, type Release } from './lib/release';
import { buildSea } from './lib/sea';

export { packRelease } from './lib/release';

const PROTO_DIR = join(ROOT, 'providers', 'runtime', 'proto');
const GEN_DIR = join(ROOT, 'providers', 'runtime', 'gen');
const NOTICES = 'THIRD_PARTY_NOTICES.txt';

function newest(dir: string): number {
  return Math.max(0, ...readdirSync(dir).map((f) => statSync(join(dir, f)).mtimeMs));
}

export function generateProtocol(): void {
  if (existsSync(GEN_DIR) && newest(GEN_DIR) >= newest(PROTO_DIR)) return;
  execFileSync(join(ROOT, 'node_modules', '.bin', 'buf'), ['generate', '--template', join(PROTO_DIR, 'buf.gen.yaml')], {
    cwd: ROOT,
    stdio: 'inherit',
  });
}

/** How a provider bundle is built: ours here, the benchmarks' echo provider in bench/floor.ts. */
export const PROVIDER_BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: !process.env.QIANFAN_BUILD_NO_MINIFY,
  logLevel: 'warning',
} as const;

/** Bundles the provider and the launcher; returns the provider bundle's metafile. */
export async function bundleProvider(): Promise<Metafile> {
  const result = await build({
    ...PROVIDER_BUNDLE_OPTIONS,
    entryPoints: [join(ROOT, 'providers', 'qianfan', 'main.ts')],
    outfile: PROVIDER_BUNDLE,
    sourcemap: 'linked',
    legalComments: 'linked',
    metafile: true,
  });
  await build({
    ...PROVIDER_BUNDLE_OPTIONS,
    minify: false,
    entryPoints: [join(ROOT, 'providers', 'runtime', 'launcher.ts')],
    outfile: LAUNCHER_BUNDLE,
  });
  return result.metafile;
}

/** The content hash a bundle is known by (the launcher keys its code cache by it); by default, the provider's. */
export function bundleHash(bundle: string = PROVIDER_BUNDLE): string {
  return createHash('sha256').update(readFileSync(bundle)).digest('hex').slice(0, 16);
}

/** The launcher form: exec, so that Terraform's kill reaches node itself. QIANFAN_NODE picks a node binary. */
function stageLauncherForm(dir: string, hash: string): void {
  copyFileSync(PROVIDER_BUNDLE, join(dir, 'provider.cjs'));
  copyFileSync(LAUNCHER_BUNDLE, join(dir, 'launcher.cjs'));
  const executable = join(dir, executableName('darwin_arm64'));
  writeFileSync(
    executable,
    [
      '#!/bin/sh',
      '# terraform-provider-qianfan: a Node.js (>= 20.19) program. Set QIANFAN_NODE to choose the node binary.',
      'dir=$(dirname "$0")',
      `exec "\${QIANFAN_NODE:-node}" "$dir/launcher.cjs" "$dir/provider.cjs" ${hash} "$@"`,
      '',
    ].join('\n'),
  );
  chmodSync(executable, 0o755);
}

/** The plugin directories as Terraform will unpack them, one per platform. */
export async function stage(hash: string, metafile: Metafile): Promise<void> {
  rmSync(STAGE_DIR, { recursive: true, force: true });
  const legalComments = readFileSync(`${PROVIDER_BUNDLE}.LEGAL.txt`, 'utf8');
  for (const platform of SEA_PLATFORMS) nodeBinary(platform); // fetched one by one (npm), once
  const withoutNode = await thirdPartyNotices(metafile, { legalComments });
  const withNode = await thirdPartyNotices(metafile, { node: nodeLicense(), legalComments });
  for (const platform of LAUNCHER_PLATFORMS) {
    mkdirSync(stageDir(platform), { recursive: true });
    stageLauncherForm(stageDir(platform), hash);
    writeFileSync(join(stageDir(platform), NOTICES), withoutNode);
  }
  // Two at a time: postject is CPU-bound and the machine has two cores.
  const queue = [...SEA_PLATFORMS];
  const worker = async () => {
    for (let platform = queue.shift(); platform; platform = queue.shift()) {
      mkdirSync(stageDir(platform), { recursive: true });
      writeFileSync(join(stageDir(platform), NOTICES), withNode);
      await buildSea(platform, { launcher: LAUNCHER_BUNDLE, bundle: PROVIDER_BUNDLE, hash }, join(stageDir(platform), executableName(platform)));
    }
  };
  await Promise.all([worker(), worker()]);
  await warmCodeCache();
}

/**
 * Runs the launcher form once to its handshake, so this machine's code cache
 * (~/.cache/qianfan-provider) is warm for it (benchmarks and tests compare it with the
 * single executable, which ships its cache). The cache is not shipped in that archive:
 * V8's cache bytes differ between runs, and the archive must be reproducible.
 */
async function warmCodeCache(): Promise<void> {
  await new Promise<void>((resolve) => {
    const child = spawn(stagedLauncher, [], {
      env: {
        ...process.env,
        QIANFAN_NODE: process.env.QIANFAN_NODE ?? process.execPath,
        TF_PLUGIN_MAGIC_COOKIE: MAGIC_COOKIE_VALUE,
        PLUGIN_PROTOCOL_VERSIONS: '6',
      },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    // Give the post-handshake loading a moment, so the cache covers it too.
    child.stdout.once('data', () => setTimeout(() => child.kill('SIGTERM'), 300));
    child.on('exit', () => resolve());
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}

/**
 * A rebuilt provider keeps its version but not its h1: hash, and Terraform refuses a
 * package that does not match the lock file. Lock files of this project's own
 * synthesized stacks are build artifacts: drop the stale ones so `cdktf deploy` and
 * `terraform init` pick up the new build.
 */
export function renewStaleLocks(release: Release): string[] {
  const renewed: string[] = [];
  const stacksDir = join(ROOT, 'cdktf.out', 'stacks');
  if (!existsSync(stacksDir)) return renewed;
  for (const stack of readdirSync(stacksDir)) {
    const lock = join(stacksDir, stack, '.terraform.lock.hcl');
    if (!existsSync(lock)) continue;
    const text = readFileSync(lock, 'utf8');
    if (!text.includes(PROVIDER_SOURCE) || text.includes(release.h1)) continue;
    rmSync(lock);
    rmSync(join(stacksDir, stack, '.terraform', 'providers', PROVIDER_HOST), { recursive: true, force: true });
    renewed.push(stack);
  }
  return renewed;
}

export async function buildAll(): Promise<Release> {
  generateProtocol();
  const metafile = await bundleProvider();
  await stage(bundleHash(), metafile);
  const release = await packRelease();
  installIntoMirror(release);
  renewStaleLocks(release);
  return release;
}

if (require.main === module) {
  const started = Date.now();
  buildAll().then(
    (release) => {
      process.stderr.write(`built ${PROVIDER_SOURCE} ${PROVIDER_VERSION} (${Date.now() - started} ms)\n`);
      for (const a of release.archives) {
        process.stderr.write(`  ${a.file.replace(DIST_DIR, 'dist')}  ${(a.bytes / 1e6).toFixed(1)} MB  ${a.h1}  ${a.zh}\n`);
      }
      process.stderr.write(`  filesystem mirror: ${MIRROR_DIR}\n  CLI config: ${CLI_CONFIG}\n`);
    },
    (error: unknown) => {
      process.stderr.write(`build failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
