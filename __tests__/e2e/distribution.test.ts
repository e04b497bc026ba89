/**
 * The distributable provider: release zips in the layout Terraform expects, a single
 * executable per platform (the launcher form for darwin arm64), hashes that
 * `terraform init` and `terraform providers lock` agree with, license notices, and
 * reproducible bytes.
 *
 * Only linux amd64 runs here. The other executables are checked by their headers
 * (ELF machine, Mach-O CPU type and the absence of a code signature, PE machine),
 * postject's flipped fuse and the bundle's hash inside them.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { nodeBinary, nodeLicense, SEA_PLATFORMS, type SeaPlatform } from '../../scripts/lib/node-binaries';
import { MAGIC_COOKIE_VALUE } from '../../providers/runtime/protocol';
import { EXECUTABLE, PROVIDER_BUNDLE, ROOT, stageDir, stagedExecutable } from '../../scripts/lib/paths';
import { executableName, packRelease, PLATFORMS, type Release } from '../../scripts/lib/release';
import { buildSea, SEA_FUSE } from '../../scripts/lib/sea';
import { bundleHash } from '../../scripts/build';
import { runEngine } from '../../scripts/lib/terraform';
import { enginesForTests } from '../helpers/engines';
import { tempDir } from '../helpers/workdir';

const engines = enginesForTests();
const config = {
  terraform: { required_providers: { qianfan: { source: 'registry.qianfan.local/qianfan/qianfan', version: '0.1.0' } } },
  output: { key: { value: 'ok' } },
};
/** `providers schema` starts the provider and prints what it answered (OpenTofu 1.6 has no provider functions to call). */
const SCHEMA = ['providers', 'schema', '-json'];
const servedSchema = (stdout: string) => Object.keys((JSON.parse(stdout) as { provider_schemas: Record<string, { resource_schemas: object }> }).provider_schemas['registry.qianfan.local/qianfan/qianfan'].resource_schemas);

// Packed from the staged build `npm test` made, into this test's own directory: other
// test files read dist/release/ (main.ts seeds lock files from it) at the same time.
let RELEASE_DIR: string;
let release: Release;
beforeAll(async () => {
  RELEASE_DIR = tempDir('release');
  release = await packRelease(RELEASE_DIR);
});

const unzip = (zip: string, dir: string) => execFileSync('unzip', ['-q', '-o', zip, '-d', dir]);

test('one zip per platform, SHA256SUMS and network-mirror metadata agree', () => {
  expect(release.archives.map((a) => a.platform)).toEqual(['darwin_amd64', 'darwin_arm64', 'linux_amd64', 'linux_arm64', 'windows_amd64']);
  const sums = readFileSync(join(RELEASE_DIR, 'terraform-provider-qianfan_0.1.0_SHA256SUMS'), 'utf8');
  expect(sums.trim().split('\n')).toHaveLength(PLATFORMS.length);
  for (const a of release.archives) expect(sums).toContain(`${a.zh.slice(3)}  terraform-provider-qianfan_0.1.0_${a.platform}.zip`);
  const meta = JSON.parse(readFileSync(join(RELEASE_DIR, 'network-mirror/registry.qianfan.local/qianfan/qianfan/0.1.0.json'), 'utf8')) as {
    archives: Record<string, { url: string; hashes: string[] }>;
  };
  expect(Object.keys(meta.archives).sort()).toEqual(PLATFORMS);
  for (const a of release.archives) expect(meta.archives[a.platform]).toEqual({ url: `terraform-provider-qianfan_0.1.0_${a.platform}.zip`, hashes: [a.h1, a.zh] });
  // Different executables per platform: one h1: each.
  expect(new Set(release.archives.map((a) => a.h1)).size).toBe(PLATFORMS.length);
});

/** Reads the CPU a binary is for from its header, and whether a Mach-O carries a code signature. */
function header(bytes: Buffer): { format: string; cpu: string; signed?: boolean } {
  if (bytes.readUInt32BE(0) === 0x7f454c46) return { format: 'ELF', cpu: { 0x3e: 'x86-64', 0xb7: 'aarch64' }[bytes.readUInt16LE(18)] ?? 'other' };
  if (bytes.readUInt32LE(0) === 0xfeedfacf) {
    const cpu = bytes.readUInt32LE(4) === 0x01000007 ? 'x86-64' : 'other';
    let signed = false;
    for (let i = 0, at = 32; i < bytes.readUInt32LE(16); i++, at += bytes.readUInt32LE(at + 4)) if (bytes.readUInt32LE(at) === 0x1d) signed = true; // LC_CODE_SIGNATURE
    return { format: 'Mach-O', cpu, signed };
  }
  if (bytes.toString('latin1', 0, 2) === 'MZ') {
    const pe = bytes.readUInt32LE(0x3c);
    return { format: 'PE', cpu: bytes.readUInt16LE(pe + 4) === 0x8664 ? 'x86-64' : 'other' };
  }
  return { format: bytes.toString('latin1', 0, 2) === '#!' ? 'script' : 'unknown', cpu: '' };
}

const expected: Record<string, { format: string; cpu: string }> = {
  linux_amd64: { format: 'ELF', cpu: 'x86-64' },
  linux_arm64: { format: 'ELF', cpu: 'aarch64' },
  darwin_amd64: { format: 'Mach-O', cpu: 'x86-64' },
  windows_amd64: { format: 'PE', cpu: 'x86-64' },
};

describe.each(SEA_PLATFORMS.map((p) => [p] as const))('%s archive', (platform: SeaPlatform) => {
  let dir: string;
  let exe: Buffer;
  beforeAll(() => {
    dir = tempDir(`unzip-${platform}`);
    unzip(release.archives.find((a) => a.platform === platform)!.file, dir);
    exe = readFileSync(join(dir, executableName(platform)));
  });

  test('holds only the single executable Terraform looks for, for its CPU, and the notices', () => {
    expect(readdirSync(dir).sort()).toEqual(['THIRD_PARTY_NOTICES.txt', executableName(platform)].sort());
    expect(header(exe)).toMatchObject(expected[platform]);
    const mode = execFileSync('zipinfo', [release.archives.find((a) => a.platform === platform)!.file, executableName(platform)], { encoding: 'utf8' });
    expect(mode).toMatch(/^-rwxr-xr-x/);
  });

  test("is the platform's pinned Node binary with this build's provider injected (postject flipped the fuse)", () => {
    const node = readFileSync(nodeBinary(platform).executable);
    expect(node.includes(`${SEA_FUSE}:0`)).toBe(true);
    expect(exe.includes(`${SEA_FUSE}:1`)).toBe(true);
    expect(exe.includes(`${SEA_FUSE}:0`)).toBe(false);
    expect(exe.includes(readFileSync(PROVIDER_BUNDLE).subarray(0, 4096))).toBe(true);
    expect(exe.includes(bundleHash())).toBe(true);
    expect(exe.length).toBeGreaterThan(node.length);
  });

  if (platform === 'darwin_amd64') {
    test("carries no code signature (injection would have broken Node's; a broken one is killed at launch)", () => {
      expect(header(readFileSync(nodeBinary(platform).executable)).signed).toBe(true);
      expect(header(exe).signed).toBe(false);
    });
  }
});

test('the linux amd64 executable ships a code cache its node accepts', async () => {
  const cacheDir = join(tempDir('sea-cache'), 'cache');
  const child = spawn(stagedExecutable, [], {
    env: { ...process.env, TF_PLUGIN_MAGIC_COOKIE: MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS: '6', QIANFAN_CODE_CACHE_DIR: cacheDir, QIANFAN_CODE_CACHE_DEBUG: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const line = await new Promise<string>((resolve) => child.stdout.once('data', (c: Buffer) => resolve(c.toString())));
  expect(line).toMatch(/^1\|6\|unix\|/);
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  expect(stderr).toContain('qianfan code cache: shipped accepted');
});

test('the darwin arm64 archive is the launcher form: shell script, launcher, bundle and notices', () => {
  const dir = tempDir('unzip-darwin_arm64');
  unzip(release.archives.find((a) => a.platform === 'darwin_arm64')!.file, dir);
  expect(readdirSync(dir).sort()).toEqual(['THIRD_PARTY_NOTICES.txt', EXECUTABLE, 'launcher.cjs', 'provider.cjs'].sort());
  expect(readFileSync(join(dir, EXECUTABLE), 'utf8')).toMatch(/^#!\/bin\/sh\n[\s\S]*exec "\$\{QIANFAN_NODE:-node\}"/);
});

describe('THIRD_PARTY_NOTICES.txt', () => {
  // The packages in the bundle, read from its source map (independent of the metafile the build used).
  const map = JSON.parse(readFileSync(`${PROVIDER_BUNDLE}.map`, 'utf8')) as { sources: string[] };
  const packageDirs = [...new Set(map.sources.filter((s) => s.includes('node_modules/')).map((s) => s.replace(/^.*?node_modules\/((?:@[^/]+\/)?[^/]+)\/.*$/, '$1')))];

  test('the bundle holds the packages the notices must cover', () => {
    expect(packageDirs).toEqual(expect.arrayContaining(['zod', 'undici', 'jose', 'openid-client', '@bufbuild/protobuf', 'croner']));
  });

  test.each(PLATFORMS.map((p) => [p] as const))('%s: every bundled package with its license text; Node.js LICENSE where Node is embedded', (platform) => {
    const text = readFileSync(join(stageDir(platform), 'THIRD_PARTY_NOTICES.txt'), 'utf8');
    for (const dir of packageDirs) {
      const root = join(__dirname, '..', '..', 'node_modules', dir);
      const { name, version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string };
      expect(text).toContain(`\n${name}@${version} — `);
      const licenseFile = readdirSync(root).find((f) => /^(licen[cs]e|copying)/i.test(f));
      if (licenseFile) expect(text).toContain(readFileSync(join(root, licenseFile), 'utf8').trim().split('\n').slice(0, 3).join('\n'));
      else expect(text).toContain(`(${name}@${version} ships no license file.`);
    }
    const node = nodeLicense();
    if (platform === 'darwin_arm64') expect(text).not.toContain('Node.js is licensed for use as follows');
    else expect(text).toContain(`Node.js ${node.version}\n\n${node.text.trim().split('\n').slice(0, 5).join('\n')}`);
  });
});

describe('what the README says about the archives', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

  test.each(PLATFORMS.map((p) => [p] as const))('%s: its size, to within 10 %%', (platform) => {
    const stated = new RegExp(`^\\| \`${platform}\` \\|.*\\| ([0-9.]+) MB \\|`, 'm').exec(readme);
    expect(stated).not.toBeNull();
    const mb = release.archives.find((a) => a.platform === platform)!.bytes / 1e6;
    expect(Math.abs(mb - Number(stated![1]))).toBeLessThanOrEqual(Math.max(0.1 * Number(stated![1]), 0.05));
  });

  test('the embedded Node.js is the pinned LTS release it names', () => {
    const node = nodeBinary('linux_amd64');
    expect(execFileSync(node.executable, ['-p', 'process.version + " " + process.release.lts'], { encoding: 'utf8' }).trim()).toBe(`v${node.version} Jod`);
    expect(readme).toContain(`Node.js ${node.version} (LTS "Jod")`);
  });

  test('SHA256SUMS verifies with sha256sum -c', () => {
    const out = execFileSync('sha256sum', ['-c', 'terraform-provider-qianfan_0.1.0_SHA256SUMS'], { cwd: RELEASE_DIR, encoding: 'utf8' });
    expect(out.trim().split('\n')).toEqual(release.archives.map((a) => `${basename(a.file)}: OK`));
  });
});

test('reproducible: the same inputs give byte-identical executables and archives', async () => {
  const hash = bundleHash();
  const dir = tempDir('sea-again');
  await Promise.all(
    SEA_PLATFORMS.map(async (platform) => {
      const again = join(dir, platform);
      await buildSea(platform, { launcher: join(PROVIDER_BUNDLE, '..', 'launcher.cjs'), bundle: PROVIDER_BUNDLE, hash }, again, { cache: false });
      expect(readFileSync(again).equals(readFileSync(join(stageDir(platform), executableName(platform))))).toBe(true);
    }),
  );
  const repacked = await packRelease(tempDir('release-again'), { cache: false });
  expect(repacked.archives.map((a) => [a.platform, a.h1, a.zh])).toEqual(release.archives.map((a) => [a.platform, a.h1, a.zh]));
}, 300_000);

describe.each(engines.map((e) => [e.name, e] as const))('%s', (_name, engine) => {
  test('init installs the single executable from the filesystem mirror, records the build\'s h1:, and runs it', async () => {
    const dir = tempDir(`${engine.name}-dist`);
    writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(config));
    const init = await runEngine(engine, ['init', '-input=false', '-no-color'], { cwd: dir });
    expect(init.code).toBe(0);
    expect(readFileSync(join(dir, '.terraform.lock.hcl'), 'utf8')).toContain(release.archives.find((a) => a.platform === 'linux_amd64')!.h1);
    const installed = join(dir, '.terraform/providers/registry.qianfan.local/qianfan/qianfan/0.1.0/linux_amd64', EXECUTABLE);
    expect(header(readFileSync(installed))).toEqual({ format: 'ELF', cpu: 'x86-64' });
    const schema = await runEngine(engine, SCHEMA, { cwd: dir });
    expect(schema.code).toBe(0);
    expect(servedSchema(schema.stdout)).toContain('qianfan_yufu_oidc_app');
  });

  test('the Windows transport (TCP on loopback) works with the engine too', async () => {
    const dir = tempDir(`${engine.name}-tcp`);
    writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(config));
    expect((await runEngine(engine, ['init', '-input=false', '-no-color'], { cwd: dir })).code).toBe(0);
    const schema = await runEngine(engine, SCHEMA, { cwd: dir, env: { QIANFAN_PLUGIN_NETWORK: 'tcp', TF_LOG_PROVIDER: 'DEBUG' } });
    expect(schema.code).toBe(0);
    expect(servedSchema(schema.stdout)).toContain('qianfan_yufu_oidc_app');
    expect(schema.stderr).toMatch(/address=tcp\|127\.0\.0\.1:\d+/);
  });

  test('the launcher form runs too (unpacked mirror, with the machine\'s node)', async () => {
    const dir = tempDir(`${engine.name}-launcher`);
    const mirror = join(dir, 'mirror');
    const unpacked = join(mirror, 'registry.qianfan.local/qianfan/qianfan/0.1.0/linux_amd64');
    mkdirSync(unpacked, { recursive: true });
    unzip(release.archives.find((a) => a.platform === 'darwin_arm64')!.file, unpacked);
    const cli = join(dir, 'terraform.rc');
    writeFileSync(cli, `provider_installation {\n  filesystem_mirror {\n    path = "${mirror}"\n  }\n}\n`);
    writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(config));
    const env = { TF_CLI_CONFIG_FILE: cli, QIANFAN_NODE: process.execPath };
    expect((await runEngine(engine, ['init', '-input=false', '-no-color'], { cwd: dir, env })).code).toBe(0);
    const schema = await runEngine(engine, SCHEMA, { cwd: dir, env });
    expect(schema.code).toBe(0);
    expect(servedSchema(schema.stdout)).toContain('qianfan_yufu_oidc_app');
  });

  test('providers lock computes one hash per platform from the release zips', async () => {
    const dir = tempDir(`${engine.name}-lock`);
    writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(config));
    const mirror = join(RELEASE_DIR, 'network-mirror');
    const lock = await runEngine(engine, ['providers', 'lock', '-no-color', `-fs-mirror=${mirror}`, ...PLATFORMS.map((p) => `-platform=${p}`)], {
      cwd: dir,
      env: { TF_CLI_CONFIG_FILE: '/dev/null' },
    });
    expect(lock.stderr).toBe('');
    expect(lock.code).toBe(0);
    // From a filesystem mirror the engine records h1: (content) hashes: the build's, one per platform.
    const hcl = readFileSync(join(dir, '.terraform.lock.hcl'), 'utf8');
    expect((hcl.match(/"h1:[^"]+"/g) ?? []).sort()).toEqual(release.archives.map((a) => `"${a.h1}"`).sort());
  });
});
