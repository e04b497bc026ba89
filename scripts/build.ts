/**
 * Builds the provider as a distributable and installs it where Terraform and OpenTofu
 * find it offline:
 *   1. generate protocol code from providers/runtime/proto (buf + protoc-gen-es);
 *   2. bundle the provider into one file (no module resolution at launch);
 *   3. stage the plugin directory (launcher script, bundles) and warm the V8 code cache;
 *   4. pack it as terraform-provider-qianfan_{version}_{os}_{arch}.zip per platform,
 *      with SHA256SUMS and network-mirror JSON (h1: and zh: hashes) in dist/release/;
 *   5. install the zips into a project-local filesystem mirror (packed layout) under
 *      a fully qualified source address, and write the CLI config pointing at it.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { ZipFile } from 'yazl';
import { MAGIC_COOKIE_VALUE } from '../providers/runtime/protocol';
import {
  CLI_CONFIG,
  DIST_DIR,
  LAUNCHER_BUNDLE,
  MIRROR_DIR,
  PLUGIN_CACHE,
  PROVIDER_BUNDLE,
  PROVIDER_HOST,
  PROVIDER_NAMESPACE,
  PROVIDER_SOURCE,
  PROVIDER_TYPE,
  PROVIDER_VERSION,
  RELEASE_DIR,
  ROOT,
  STAGE_DIR,
  stagedExecutable,
} from './lib/paths';

const PROTO_DIR = join(ROOT, 'providers', 'runtime', 'proto');
const GEN_DIR = join(ROOT, 'providers', 'runtime', 'gen');
/** The bundle is plain JavaScript: one archive serves every platform with a POSIX shell. */
export const PLATFORMS = ['linux_amd64', 'linux_arm64', 'darwin_amd64', 'darwin_arm64'];
const EXECUTABLE = `terraform-provider-${PROVIDER_TYPE}_v${PROVIDER_VERSION}`;

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

export async function bundleProvider(): Promise<void> {
  await build({
    entryPoints: [join(ROOT, 'providers', 'qianfan', 'main.ts')],
    outfile: PROVIDER_BUNDLE,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: !process.env.QIANFAN_BUILD_NO_MINIFY,
    sourcemap: 'linked',
    legalComments: 'linked',
    logLevel: 'warning',
  });
  await build({
    entryPoints: [join(ROOT, 'providers', 'runtime', 'launcher.ts')],
    outfile: LAUNCHER_BUNDLE,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
  });
}

export function bundleHash(): string {
  return createHash('sha256').update(readFileSync(PROVIDER_BUNDLE)).digest('hex').slice(0, 16);
}

/** The plugin directory as Terraform will unpack it. */
export async function stage(hash: string): Promise<void> {
  rmSync(STAGE_DIR, { recursive: true, force: true });
  mkdirSync(STAGE_DIR, { recursive: true });
  copyFileSync(PROVIDER_BUNDLE, join(STAGE_DIR, 'provider.cjs'));
  copyFileSync(LAUNCHER_BUNDLE, join(STAGE_DIR, 'launcher.cjs'));
  copyFileSync(`${PROVIDER_BUNDLE}.LEGAL.txt`, join(STAGE_DIR, 'THIRD_PARTY_NOTICES.txt'));
  // exec, so that Terraform's kill reaches node itself. QIANFAN_NODE picks a node binary.
  writeFileSync(
    stagedExecutable,
    [
      '#!/bin/sh',
      '# terraform-provider-qianfan: a Node.js (>= 20.19) program. Set QIANFAN_NODE to choose the node binary.',
      'dir=$(dirname "$0")',
      `exec "\${QIANFAN_NODE:-node}" "$dir/launcher.cjs" "$dir/provider.cjs" ${hash} "$@"`,
      '',
    ].join('\n'),
  );
  chmodSync(stagedExecutable, 0o755);
  await warmCodeCache();
}

/**
 * Runs the staged provider once to its handshake, so this machine's code cache
 * (~/.cache/qianfan-provider) is warm before Terraform's first launch. The cache is
 * not shipped in the archive: V8's cache bytes differ between runs, and the archive
 * must be reproducible (its h1: hash goes into every team member's lock file).
 */
async function warmCodeCache(): Promise<void> {
  await new Promise<void>((resolve) => {
    const child = spawn(stagedExecutable, [], {
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

function stagedFiles(): string[] {
  return readdirSync(STAGE_DIR).sort();
}

/** Go's dirhash.Hash1 over the archive's files: what Terraform records as h1:. */
export function h1Hash(files: { name: string; content: Buffer }[]): string {
  const summary = files
    .slice()
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((f) => `${createHash('sha256').update(f.content).digest('hex')}  ${f.name}\n`)
    .join('');
  return `h1:${createHash('sha256').update(summary).digest('base64')}`;
}

async function zipStage(target: string): Promise<void> {
  const zip = new ZipFile();
  // Fixed timestamps: the same input gives the same archive (and zh: hash).
  const mtime = new Date('2000-01-01T00:00:00Z');
  for (const name of stagedFiles()) {
    zip.addBuffer(readFileSync(join(STAGE_DIR, name)), name, { mtime, mode: name === EXECUTABLE ? 0o100755 : 0o100644 });
  }
  zip.end();
  await new Promise<void>((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => {
      writeFileSync(target, Buffer.concat(chunks));
      resolve();
    });
    zip.outputStream.on('error', reject);
  });
}

export interface Release {
  h1: string;
  archives: { platform: string; file: string; zh: string }[];
}

/** Packs the staged build into `out` (dist/release by default; tests pack elsewhere). */
export async function packRelease(out: string = RELEASE_DIR): Promise<Release> {
  rmSync(out, { recursive: true, force: true });
  const mirrorDir = join(out, 'network-mirror', PROVIDER_HOST, PROVIDER_NAMESPACE, PROVIDER_TYPE);
  mkdirSync(mirrorDir, { recursive: true });
  const h1 = h1Hash(stagedFiles().map((name) => ({ name, content: readFileSync(join(STAGE_DIR, name)) })));
  const archives: Release['archives'] = [];
  for (const platform of PLATFORMS) {
    const file = join(out, `terraform-provider-${PROVIDER_TYPE}_${PROVIDER_VERSION}_${platform}.zip`);
    await zipStage(file);
    archives.push({ platform, file, zh: `zh:${createHash('sha256').update(readFileSync(file)).digest('hex')}` });
  }
  writeFileSync(
    join(out, `terraform-provider-${PROVIDER_TYPE}_${PROVIDER_VERSION}_SHA256SUMS`),
    archives.map((a) => `${a.zh.slice(3)}  ${a.file.split('/').pop()}\n`).join(''),
  );
  // Provider network mirror protocol: index.json and {version}.json beside the archives.
  writeFileSync(join(mirrorDir, 'index.json'), JSON.stringify({ versions: { [PROVIDER_VERSION]: {} } }, null, 2) + '\n');
  writeFileSync(
    join(mirrorDir, `${PROVIDER_VERSION}.json`),
    JSON.stringify(
      {
        archives: Object.fromEntries(
          archives.map((a) => [a.platform, { url: a.file.split('/').pop(), hashes: [h1, a.zh] }]),
        ),
      },
      null,
      2,
    ) + '\n',
  );
  for (const a of archives) copyFileSync(a.file, join(mirrorDir, a.file.split('/').pop()!));
  return { h1, archives };
}

/** The project-local filesystem mirror (packed layout) and the CLI config that uses it. */
export function installIntoMirror(release: Release): void {
  rmSync(MIRROR_DIR, { recursive: true, force: true });
  const dir = join(MIRROR_DIR, PROVIDER_HOST, PROVIDER_NAMESPACE, PROVIDER_TYPE);
  mkdirSync(dir, { recursive: true });
  for (const a of release.archives) copyFileSync(a.file, join(dir, a.file.split('/').pop()!));
  mkdirSync(PLUGIN_CACHE, { recursive: true });
  writeFileSync(
    CLI_CONFIG,
    [
      `# Written by scripts/build.ts: install ${PROVIDER_SOURCE} from the project-local mirror; nothing from the network.`,
      'provider_installation {',
      '  filesystem_mirror {',
      `    path    = "${MIRROR_DIR}"`,
      `    include = ["${PROVIDER_HOST}/*/*"]`,
      '  }',
      '  direct {',
      `    exclude = ["${PROVIDER_HOST}/*/*"]`,
      '  }',
      '}',
      '',
    ].join('\n'),
  );
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
  await bundleProvider();
  await stage(bundleHash());
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
      for (const a of release.archives) process.stderr.write(`  ${a.file.replace(DIST_DIR, 'dist')}  ${a.zh}\n`);
      process.stderr.write(`  ${release.h1}\n  filesystem mirror: ${MIRROR_DIR}\n  CLI config: ${CLI_CONFIG}\n`);
    },
    (error: unknown) => {
      process.stderr.write(`build failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
