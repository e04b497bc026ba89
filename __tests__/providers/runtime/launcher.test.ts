/**
 * The code-cache launcher (dist/provider/launcher.cjs, built by `npm run build`),
 * run on a small bundle of its own: CommonJS semantics for the bundle, a V8 cache
 * written only where its header says (never into the provider's directory, which
 * Terraform checks against the lock file's h1: hash), and a bad cache never fatal.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSea } from '../../../scripts/lib/sea';

const LAUNCHER = resolve(__dirname, '..', '..', '..', 'dist', 'provider', 'launcher.cjs');
const HASH = 'abc123';

let root: string;
let bundleDir: string;
let bundle: string;

beforeAll(() => {
  if (!existsSync(LAUNCHER)) throw new Error(`${LAUNCHER} is missing: run npm run build first`);
  root = mkdtempSync(join(tmpdir(), 'launcher-test'));
  bundleDir = join(root, 'provider');
  mkdirSync(bundleDir);
  bundle = join(bundleDir, 'bundle.cjs');
  // Enough functions for V8 to have something to cache, and a report of what the bundle sees.
  const filler = Array.from({ length: 200 }, (_, i) => `function f${i}(x) { return x * ${i} + ${i}; }`).join('\n');
  writeFileSync(
    bundle,
    `${filler}
const path = require('node:path');
module.exports.answer = 42;
process.stdout.write(JSON.stringify({
  filename: __filename,
  dirname: __dirname,
  args: process.argv.slice(2),
  exportsSeen: module.exports.answer === exports.answer,
  sum: f199(1),
  base: path.basename(__filename),
}));
`,
  );
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Which cache a start used, as the launcher reports it (QIANFAN_CODE_CACHE_DEBUG). */
function cacheReport(command: string[], cacheDir: string): string {
  const r = spawnSync(command[0], command.slice(1), { env: { ...process.env, QIANFAN_CODE_CACHE_DIR: cacheDir, QIANFAN_CODE_CACHE_DEBUG: '1' }, encoding: 'utf8' });
  return r.stderr.trim();
}
const launcherArgs = () => [process.execPath, LAUNCHER, bundle, HASH];

function run(cacheDir: string, ...args: string[]): Record<string, unknown> {
  const out = execFileSync(process.execPath, [LAUNCHER, bundle, HASH, ...args], {
    env: { ...process.env, QIANFAN_CODE_CACHE_DIR: cacheDir },
    encoding: 'utf8',
  });
  return JSON.parse(out) as Record<string, unknown>;
}

const localCacheName = `bundle.cjs.${HASH}.${process.version}.v8cache`;

test('the bundle runs as a CommonJS module and sees only its own arguments', () => {
  const seen = run(join(root, 'cache-a'), '--flag', 'value');
  expect(seen).toEqual({ filename: bundle, dirname: bundleDir, args: ['--flag', 'value'], exportsSeen: true, sum: 199 + 199, base: 'bundle.cjs' });
});

test('without any cache: one is written to the cache directory, keyed by hash and node version, never next to the bundle', () => {
  const cacheDir = join(root, 'cache-b');
  const before = readdirSync(bundleDir).sort();
  run(cacheDir);
  expect(readdirSync(cacheDir)).toEqual([localCacheName]);
  expect(statSync(join(cacheDir, localCacheName)).size).toBeGreaterThan(0);
  expect(readdirSync(bundleDir).sort()).toEqual(before);
});

test('an accepted cache is not rewritten', () => {
  const cacheDir = join(root, 'cache-c');
  run(cacheDir);
  const file = join(cacheDir, localCacheName);
  const first = statSync(file).mtimeMs;
  run(cacheDir);
  expect(statSync(file).mtimeMs).toBe(first);
});

test('a corrupt cache falls back to compiling, and is replaced', () => {
  const cacheDir = join(root, 'cache-d');
  mkdirSync(cacheDir);
  const file = join(cacheDir, localCacheName);
  writeFileSync(file, Buffer.alloc(512, 0x5a));
  expect(run(cacheDir).sum).toBe(398);
  const replaced = readdirSync(cacheDir);
  expect(replaced).toEqual([localCacheName]);
  expect(readFileSync(file).equals(Buffer.alloc(512, 0x5a))).toBe(false);
  expect(statSync(file).size).toBeGreaterThan(0);
});

test('a shipped cache next to the bundle is used, and a local one (covering what the run compiled) is left for later starts', () => {
  const made = join(root, 'cache-e');
  run(made);
  const shipped = `${bundle}.${HASH}.v8cache`;
  copyFileSync(join(made, localCacheName), shipped);
  try {
    const fresh = join(root, 'cache-f');
    expect(cacheReport(launcherArgs(), fresh)).toBe('qianfan code cache: shipped accepted');
    expect(readdirSync(fresh)).toEqual([localCacheName]);
    expect(cacheReport(launcherArgs(), fresh)).toBe('qianfan code cache: local accepted');
  } finally {
    rmSync(shipped);
  }
});

test('an unwritable cache directory is not an error', () => {
  const blocker = join(root, 'not-a-dir');
  writeFileSync(blocker, 'x');
  expect(run(join(blocker, 'cache')).sum).toBe(398);
});

test("the memory report (QIANFAN_REPORT_MAXRSS_DIR) is the process's own peak, not its parent's", () => {
  // getrusage's maxRSS of a child started by a parent holding 400 MB says 400 MB.
  const reports = join(root, 'reports');
  mkdirSync(reports);
  const parent = `const held = Buffer.alloc(400 * 2 ** 20, 1);
require('node:child_process').execFileSync(process.execPath, ${JSON.stringify([LAUNCHER, bundle, HASH])}, { stdio: 'ignore', env: { ...process.env, QIANFAN_REPORT_MAXRSS_DIR: ${JSON.stringify(reports)}, QIANFAN_CODE_CACHE_DIR: ${JSON.stringify(join(root, 'cache-r'))} } });
held.at(0);`;
  execFileSync(process.execPath, ['-e', parent]);
  const [file] = readdirSync(reports);
  const report = JSON.parse(readFileSync(join(reports, file), 'utf8')) as { maxRssKb: number; anonKb: number; fileKb: number; cpuMs: number };
  expect(report.maxRssKb).toBeGreaterThan(10 * 1024);
  expect(report.maxRssKb).toBeLessThan(200 * 1024);
  // What is resident at exit, split into the process's own memory and mapped file pages.
  expect(report.anonKb).toBeGreaterThan(0);
  expect(report.fileKb).toBeGreaterThan(0);
  expect(report.anonKb + report.fileKb).toBeLessThanOrEqual(report.maxRssKb);
  expect(report.cpuMs).toBeGreaterThan(0);
});

describe('as the main script of a single executable (the release form)', () => {
  // Built like the release's linux amd64 provider, around the small bundle above.
  let withCache: string;
  let withoutCache: string;
  beforeAll(async () => {
    const inputs = { launcher: LAUNCHER, bundle, hash: HASH };
    withCache = join(root, 'sea-with-cache');
    withoutCache = join(root, 'sea-without-cache');
    await Promise.all([
      buildSea('linux_amd64', inputs, withCache, { cache: false, codeCache: true }),
      buildSea('linux_amd64', inputs, withoutCache, { cache: false, codeCache: false }),
    ]);
  }, 120_000);

  function runSea(exe: string, cacheDir: string, ...args: string[]): Record<string, unknown> {
    const out = execFileSync(exe, args, { env: { ...process.env, QIANFAN_CODE_CACHE_DIR: cacheDir }, encoding: 'utf8' });
    return JSON.parse(out) as Record<string, unknown>;
  }

  test('the bundle comes from the executable: CommonJS semantics, every argument its own', () => {
    const seen = runSea(withCache, join(root, 'sea-a'), '--flag', 'value');
    expect(seen).toEqual({ filename: withCache, dirname: root, args: ['--flag', 'value'], exportsSeen: true, sum: 398, base: 'sea-with-cache' });
  });

  test('the shipped code cache (made by the build with the embedded node) is accepted on the first start; later starts use the local one it leaves', () => {
    const cacheDir = join(root, 'sea-b');
    expect(cacheReport([withCache], cacheDir)).toBe('qianfan code cache: shipped accepted');
    expect(cacheReport([withCache], cacheDir)).toBe('qianfan code cache: local accepted');
  });

  test('without a shipped cache (the cross-built platforms), the first run makes one in the cache directory and later runs use it', () => {
    const cacheDir = join(root, 'sea-c');
    expect(cacheReport([withoutCache], cacheDir)).toBe('qianfan code cache: none');
    const [made] = readdirSync(cacheDir);
    expect(made).toMatch(new RegExp(`^sea-without-cache\\.${HASH}\\.v22\\.\\d+\\.\\d+\\.v8cache$`));
    const first = statSync(join(cacheDir, made)).mtimeMs;
    runSea(withoutCache, cacheDir);
    expect(statSync(join(cacheDir, made)).mtimeMs).toBe(first);
  });
});
