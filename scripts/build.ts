/**
 * Builds the provider and installs it where Terraform and OpenTofu find it offline:
 *   1. generate protocol code from providers/runtime/proto (buf + protoc-gen-es),
 *   2. bundle the provider into one file (start-up: no module resolution at launch),
 *   3. place a launcher in a project-local filesystem mirror under a fully
 *      qualified source address, and write the CLI config that points at it.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import {
  CLI_CONFIG,
  MIRROR_DIR,
  PLUGIN_CACHE,
  PROVIDER_BUNDLE,
  PROVIDER_HOST,
  ROOT,
  mirrorExecutable,
} from './lib/paths';

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
}

export function installIntoMirror(): void {
  mkdirSync(dirname(mirrorExecutable), { recursive: true });
  // exec, so that Terraform's kill reaches node itself.
  writeFileSync(
    mirrorExecutable,
    `#!/bin/sh\nexec "\${QIANFAN_NODE:-${process.execPath}}" "${PROVIDER_BUNDLE}" "$@"\n`,
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
  installIntoMirror();
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
