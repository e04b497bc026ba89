/**
 * How the plugin process ends: the parent watch (with a stand-in for getppid), and
 * the clean-up on every exit path that runs code, in real node processes (fatal
 * errors included). The provider itself is tested the same way in serve.test.ts.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { watchParent } from '../../../providers/runtime/lifecycle';

const ROOT = resolve(__dirname, '..', '..', '..');
/** tsx's require hook, in the process itself (its CLI is a wrapper that does not pass every signal on). */
const TSX_REQUIRE = join(ROOT, 'node_modules', 'tsx', 'dist', 'cjs', 'index.cjs');

describe('watchParent', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test('calls back once when the parent pid changes, not before', () => {
    let ppid = 4242;
    const gone: [number, number][] = [];
    watchParent((parent, now) => gone.push([parent, now]), { intervalMs: 500, ppid: () => ppid });
    jest.advanceTimersByTime(5000);
    expect(gone).toEqual([]);
    ppid = 1; // re-parented to init
    jest.advanceTimersByTime(499);
    expect(gone).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(gone).toEqual([[4242, 1]]);
    ppid = 7;
    jest.advanceTimersByTime(5000);
    expect(gone).toHaveLength(1);
  });

  test('the stop function ends the watch', () => {
    let ppid = 10;
    const gone: number[] = [];
    const stop = watchParent((parent) => gone.push(parent), { intervalMs: 100, ppid: () => ppid });
    stop();
    ppid = 1;
    jest.advanceTimersByTime(1000);
    expect(gone).toEqual([]);
  });
});

describe('onEveryExit removes the directory on each way out', () => {
  let root: string;
  beforeAll(() => (root = mkdtempSync(join(tmpdir(), 'lifecycle-test'))));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  /** Runs a process that makes a directory, registers its removal, then does `ending`. */
  function run(name: string, ending: string, signal?: NodeJS.Signals): Promise<{ code: number | null; dir: string }> {
    const dir = join(root, name);
    mkdirSync(dir);
    const script = `
      const { rmSync } = require('node:fs');
      const { onEveryExit } = require(${JSON.stringify(join(ROOT, 'providers', 'runtime', 'lifecycle.ts'))});
      onEveryExit(() => rmSync(${JSON.stringify(dir)}, { recursive: true, force: true }));
      process.stdout.write('ready\\n');
      setInterval(() => undefined, 1000);
      ${ending}`;
    const child = spawn(process.execPath, ['--require', TSX_REQUIRE, '-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
    // A process that does not end would hang the suite: it fails the test instead.
    setTimeout(() => child.kill('SIGKILL'), 20_000).unref();
    return new Promise((resolvePromise) => {
      child.stdout.on('data', (chunk: Buffer) => {
        if (signal && chunk.toString().includes('ready')) child.kill(signal);
      });
      child.on('exit', (code) => resolvePromise({ code, dir }));
    });
  }

  test.each([
    ['an uncaught exception', 'setTimeout(() => { throw new Error("fatal"); }, 50);', undefined, 1],
    ['an unhandled rejection', 'setTimeout(() => { void Promise.reject(new Error("fatal")); }, 50);', undefined, 1],
    ['process.exit from anywhere', 'setTimeout(() => process.exit(3), 50);', undefined, 3],
    ['SIGTERM', '', 'SIGTERM', 0],
    ['SIGHUP', '', 'SIGHUP', 129],
  ] as [string, string, NodeJS.Signals | undefined, number][])('%s', async (what, ending, signal, expectedCode) => {
    const { code, dir } = await run(what.replace(/\W+/g, '-'), ending, signal);
    expect(code).toBe(expectedCode);
    expect(existsSync(dir)).toBe(false);
  }, 30_000);
});
