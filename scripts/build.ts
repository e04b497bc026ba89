/**
 * Builds the provider and installs it where Terraform and OpenTofu find it offline:
 *   1. generate protocol code from providers/runtime/proto (buf + protoc-gen-es),
 *   2. bundle the provider into one file (start-up: no module resolution at launch),
 *   3. place a launcher in a project-local filesystem mirror under a fully
 *      qualified source address, and write the CLI config that points at it.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import {
  CLI_CONFIG,
  LAUNCHER_BUNDLE,
  MIRROR_DIR,
  PLUGIN_CACHE,
  PROVIDER_BUNDLE,
  PROVIDER_HOST,
  ROOT,
  mirrorExecutable,
} from './lib/paths';
import { MAGIC_COOKIE_VALUE } from '../providers/runtime/protocol';

const PROTO_DIR = join(ROOT, 'providers', 'runtime', 'proto');
const GEN_DIR = join(ROOT, 'providers', 'runtime', 'gen');

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
    minify: true,
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

/** Runs the provider once to its handshake so the first real launch finds a code cache. */
export async function warmCodeCache(hash: string): Promise<void> {
  const dir = dirname(PROVIDER_BUNDLE);
  for (const f of readdirSync(dir)) if (f.endsWith('.v8cache') && !f.includes(hash)) rmSync(join(dir, f));
  await new Promise<void>((resolve) => {
    const child = spawn(mirrorExecutable, [], {
      env: { ...process.env, TF_PLUGIN_MAGIC_COOKIE: MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS: '6' },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    child.stdout.once('data', () => child.kill('SIGTERM'));
    child.on('exit', () => resolve());
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}

export function installIntoMirror(hash: string): void {
  mkdirSync(dirname(mirrorExecutable), { recursive: true });
  // exec, so that Terraform's kill reaches node itself.
  writeFileSync(
    mirrorExecutable,
    `#!/bin/sh\nexec "\${QIANFAN_NODE:-${process.execPath}}" "${LAUNCHER_BUNDLE}" "${PROVIDER_BUNDLE}" ${hash} "$@"\n`,
  );
  chmodSync(mirrorExecutable, 0o755);
  mkdirSync(PLUGIN_CACHE, { recursive: true });
  writeFileSync(
    CLI_CONFIG,
    [
      '# Written by scripts/build.ts: install the qianfan provider from the project-local mirror; nothing from the network.',
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

export async function buildAll(): Promise<void> {
  generateProtocol();
  await bundleProvider();
  const hash = bundleHash();
  installIntoMirror(hash);
  await warmCodeCache(hash);
}

if (require.main === module) {
  const started = Date.now();
  buildAll().then(
    () => process.stderr.write(`built provider → ${mirrorExecutable} (${Date.now() - started} ms)\n`),
    (error: unknown) => {
      process.stderr.write(`build failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
