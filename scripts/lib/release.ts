/**
 * Packs the staged plugin directories (dist/stage/<platform>/) as release archives:
 * terraform-provider-qianfan_{version}_{os}_{arch}.zip per platform, SHA256SUMS and the
 * provider network-mirror metadata (h1: and zh: hashes), and installs the archives into
 * the project-local filesystem mirror with the CLI config that uses it.
 *
 * Reproducible: fixed timestamps and modes, files in name order; the same staged bytes
 * give the same archives (their zh: hashes go into every team member's lock file).
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ZipFile } from 'yazl';
import { hostPlatform, SEA_PLATFORMS } from './node-binaries';
import { packageVersion } from './sea';
import {
  BUILD_CACHE,
  CLI_CONFIG,
  EXECUTABLE,
  MIRROR_DIR,
  PLUGIN_CACHE,
  PROVIDER_HOST,
  PROVIDER_NAMESPACE,
  PROVIDER_SOURCE,
  PROVIDER_TYPE,
  PROVIDER_VERSION,
  RELEASE_DIR,
  stageDir,
} from './paths';

/** darwin arm64 keeps the launcher form: the registry has no current Node binary for it. */
export const LAUNCHER_PLATFORMS = ['darwin_arm64'] as const;
export const PLATFORMS: string[] = [...SEA_PLATFORMS, ...LAUNCHER_PLATFORMS].sort();

/** Terraform looks for terraform-provider-<name>_v<version>[.exe] in the unpacked archive. */
export const executableName = (platform: string) => (platform.startsWith('windows') ? `${EXECUTABLE}.exe` : EXECUTABLE);

function stagedFiles(platform: string): { name: string; content: Buffer }[] {
  return readdirSync(stageDir(platform))
    .sort()
    .map((name) => ({ name, content: readFileSync(join(stageDir(platform), name)) }));
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

function zip(files: { name: string; content: Buffer }[], executable: string): Promise<Buffer> {
  const archive = new ZipFile();
  const mtime = new Date('2000-01-01T00:00:00Z');
  for (const f of files) archive.addBuffer(f.content, f.name, { mtime, mode: f.name === executable ? 0o100755 : 0o100644 });
  archive.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    archive.outputStream.on('data', (c: Buffer) => chunks.push(c));
    archive.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    archive.outputStream.on('error', reject);
  });
}

const ZIP_CACHE = join(BUILD_CACHE, 'release');

/**
 * The archive of one platform's files. Deflating 120 MB takes seconds, so a build reuses
 * the archive of identical content (keyed by its h1: hash, which covers names and
 * bytes); `cache: false` packs afresh (the reproducibility test).
 */
async function archive(platform: string, files: { name: string; content: Buffer }[], h1: string, cache: boolean): Promise<Buffer> {
  const key = createHash('sha256').update(`${h1}\0${executableName(platform)}\0yazl ${packageVersion('yazl')}`).digest('hex').slice(0, 24);
  const cached = join(ZIP_CACHE, `${platform}-${key}.zip`);
  if (cache && existsSync(cached)) return readFileSync(cached);
  const bytes = await zip(files, executableName(platform));
  if (cache) {
    mkdirSync(ZIP_CACHE, { recursive: true });
    for (const old of readdirSync(ZIP_CACHE).filter((f) => f.startsWith(`${platform}-`))) rmSync(join(ZIP_CACHE, old), { force: true });
    writeFileSync(`${cached}.${process.pid}.tmp`, bytes);
    renameSync(`${cached}.${process.pid}.tmp`, cached);
  }
  return bytes;
}

/** A second name for a file (same disk: no copy of a 50 MB archive), or a copy. */
function place(from: string, to: string): void {
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
}

export interface Archive {
  platform: string;
  file: string;
  /** sha256 of the zip, as Terraform records it for a registry or network mirror. */
  zh: string;
  /** Hash of the unpacked content, as Terraform records it for a filesystem mirror. */
  h1: string;
  bytes: number;
}

export interface Release {
  /** This machine's archive's h1: (what a local `terraform init` writes into a lock file). */
  h1: string;
  archives: Archive[];
}

/** Packs dist/stage into `out` (dist/release by default; tests pack elsewhere). */
export async function packRelease(out: string = RELEASE_DIR, options: { cache?: boolean } = {}): Promise<Release> {
  rmSync(out, { recursive: true, force: true });
  const mirrorDir = join(out, 'network-mirror', PROVIDER_HOST, PROVIDER_NAMESPACE, PROVIDER_TYPE);
  mkdirSync(mirrorDir, { recursive: true });
  const archives = await Promise.all(
    PLATFORMS.map(async (platform): Promise<Archive> => {
      const files = stagedFiles(platform);
      const file = join(out, `terraform-provider-${PROVIDER_TYPE}_${PROVIDER_VERSION}_${platform}.zip`);
      const h1 = h1Hash(files);
      const bytes = await archive(platform, files, h1, options.cache !== false);
      writeFileSync(file, bytes);
      return { platform, file, zh: `zh:${createHash('sha256').update(bytes).digest('hex')}`, h1, bytes: bytes.length };
    }),
  );
  writeFileSync(join(out, `terraform-provider-${PROVIDER_TYPE}_${PROVIDER_VERSION}_SHA256SUMS`), archives.map((a) => `${a.zh.slice(3)}  ${basename(a.file)}\n`).join(''));
  // Provider network mirror protocol: index.json and {version}.json beside the archives.
  writeFileSync(join(mirrorDir, 'index.json'), JSON.stringify({ versions: { [PROVIDER_VERSION]: {} } }, null, 2) + '\n');
  const meta = { archives: Object.fromEntries(archives.map((a) => [a.platform, { url: basename(a.file), hashes: [a.h1, a.zh] }])) };
  writeFileSync(join(mirrorDir, `${PROVIDER_VERSION}.json`), JSON.stringify(meta, null, 2) + '\n');
  for (const a of archives) place(a.file, join(mirrorDir, basename(a.file)));
  const host = archives.find((a) => a.platform === hostPlatform()) ?? archives[0];
  return { h1: host.h1, archives };
}

/**
 * A plugin cache (TF_PLUGIN_CACHE_DIR), filled with this build's unpacked provider for
 * this machine's platform as `init` would unpack the archive. Test directories whose
 * lock file holds this build's hashes use it: init then links the provider (~100 MB)
 * instead of copying it, and never writes the cache — a directory without such a lock
 * entry would (re)install into it, which fails with ETXTBSY while another process runs
 * the executable, so the CLI config does not name it. Emptied on every rebuild.
 */
function fillPluginCache(): void {
  rmSync(PLUGIN_CACHE, { recursive: true, force: true });
  const platform = hostPlatform();
  if (!platform) return;
  const target = join(PLUGIN_CACHE, PROVIDER_HOST, PROVIDER_NAMESPACE, PROVIDER_TYPE, PROVIDER_VERSION, platform);
  mkdirSync(target, { recursive: true });
  // Copied, not linked: a test that rebuilds the stage in place must not change the cache under running inits.
  for (const name of readdirSync(stageDir(platform))) copyFileSync(join(stageDir(platform), name), join(target, name));
}

/** The project-local filesystem mirror (packed layout) and the CLI config that uses it. */
export function installIntoMirror(release: Release): void {
  rmSync(MIRROR_DIR, { recursive: true, force: true });
  const dir = join(MIRROR_DIR, PROVIDER_HOST, PROVIDER_NAMESPACE, PROVIDER_TYPE);
  mkdirSync(dir, { recursive: true });
  for (const a of release.archives) place(a.file, join(dir, basename(a.file)));
  fillPluginCache();
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
