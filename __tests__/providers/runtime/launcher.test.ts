/**
 * The code-cache launcher (dist/provider/launcher.cjs, built by `npm run build`),
 * run on a small bundle of its own: CommonJS semantics for the bundle, a V8 cache
 * written only where its header says (never into the provider's directory, which
 * Terraform checks against the lock file's h1: hash), and a bad cache never fatal.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

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

test('a shipped cache next to the bundle is used: no local cache is made', () => {
  const made = join(root, 'cache-e');
  run(made);
  const shipped = `${bundle}.${HASH}.v8cache`;
  copyFileSync(join(made, localCacheName), shipped);
  try {
    const fresh = join(root, 'cache-f');
    run(fresh);
    expect(existsSync(fresh)).toBe(false);
  } finally {
    rmSync(shipped);
  }
});

test('an unwritable cache directory is not an error', () => {
  const blocker = join(root, 'not-a-dir');
  writeFileSync(blocker, 'x');
  expect(run(join(blocker, 'cache')).sum).toBe(398);
});
