/**
 * Writes each synthesized stack's .terraform.lock.hcl for the locally built provider.
 *
 * Why: on a stack without a lock file, `cdktf deploy` runs `terraform providers lock`,
 * which ignores filesystem mirrors and asks registry.qianfan.local — offline, that
 * fails. With the lock file present (the h1: hash of the build in dist/release/),
 * cdktf skips that step and `init` verifies the mirror's package against it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from './framework';
import { PROVIDER_SOURCE, GENERATOR_METADATA } from './bindings/source';

const RELEASE_METADATA = join(__dirname, '..', 'dist', 'release', 'network-mirror', PROVIDER_SOURCE, `${GENERATOR_METADATA.providerVersion}.json`);

/**
 * A .terraform.lock.hcl naming the locally built provider with every platform's h1:
 * hash; null before a build. With it, `init` also links the provider from the build's
 * plugin cache instead of copying it.
 */
export function providerLockFile(): { content: string; h1: string[] } | null {
  if (!existsSync(RELEASE_METADATA)) return null;
  const meta = JSON.parse(readFileSync(RELEASE_METADATA, 'utf8')) as { archives: Record<string, { hashes: string[] }> };
  const h1 = [...new Set(Object.values(meta.archives).flatMap((a) => a.hashes.filter((h) => h.startsWith('h1:'))))].sort();
  const version = GENERATOR_METADATA.providerVersion;
  const content = [
    '# This file is maintained automatically by "terraform init".',
    '# Manual edits may be lost in future updates.',
    '',
    `provider "${PROVIDER_SOURCE}" {`,
    `  version     = "${version}"`,
    `  constraints = "${version}"`,
    '  hashes = [',
    ...h1.map((h) => `    "${h}",`),
    '  ]',
    '}',
    '',
  ].join('\n');
  return { content, h1 };
}

export function seedProviderLockFiles(app: App, stacks: string[]): string[] {
  const lock = providerLockFile();
  if (!lock) return [];
  const { content, h1 } = lock;
  const written: string[] = [];
  for (const stack of stacks) {
    const file = join(app.outdir, 'stacks', stack, '.terraform.lock.hcl');
    if (!existsSync(join(app.outdir, 'stacks', stack))) continue;
    if (existsSync(file) && h1.every((h) => readFileSync(file, 'utf8').includes(h))) continue;
    writeFileSync(file, content);
    written.push(file);
  }
  return written;
}
