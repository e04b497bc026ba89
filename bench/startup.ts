/**
 * Provider start-up: time from launch to the handshake line on stdout, the cost
 * Terraform pays on each of its three or four launches per plan or apply.
 *
 * Cases, interleaved run by run so that machine noise hits all alike: the single
 * executable as released for this machine on a first start (shipped code cache) and on
 * later ones (the local cache a start leaves), the same kind of executable without a
 * shipped cache on its first start (the cross-built platforms), the launcher form on
 * the machine's node (the darwin arm64 archive, and the only form before), baselines
 * `node -e 0` of the machine's node and of the embedded node, the embedded node doing
 * only what any plugin serving gRPC over mTLS must (load node:http2 and node:tls, make a
 * key pair: the floor for a provider on Node), and the single executable
 * stopping at the magic-cookie check right after loading the bundle (time to its
 * refusal on stderr: the most a startup snapshot could save is that minus `node -e 0`).
 * Each with and without NODE_EXTRA_CA_CERTS, which Node 20 parses at every start.
 * Usage: npm run bench:startup [-- runs]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAGIC_COOKIE_VALUE } from '../providers/runtime/protocol';
import { createServerCertificate } from '../providers/runtime/tls';
import { nodeBinary } from '../scripts/lib/node-binaries';
import { LAUNCHER_BUNDLE, PROVIDER_BUNDLE, stagedExecutable, stagedLauncher } from '../scripts/lib/paths';
import { buildSea } from '../scripts/lib/sea';
import { bundleHash } from '../scripts/build';

const runs = Number(process.argv[2] ?? 25);

function timeUntil(command: string, args: string[], env: NodeJS.ProcessEnv, ready: (out: string) => boolean, stream: 'stdout' | 'stderr' = 'stdout'): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { env, stdio: ['ignore', stream === 'stdout' ? 'pipe' : 'ignore', stream === 'stderr' ? 'pipe' : 'ignore'] });
    let out = '';
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      resolve(Number(process.hrtime.bigint() - started) / 1e6);
      child.kill('SIGTERM'); // lets the provider remove its socket directory
    };
    child[stream]!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (ready(out)) finish();
    });
    child.on('exit', () => (ready(out) || out === '' ? finish() : reject(new Error(`exited early: ${out}`))));
    child.on('error', reject);
  });
}

const MINIMUM = "require('node:http2'); require('node:tls'); require('node:crypto').generateKeyPairSync('ec', { namedCurve: 'P-256' })";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  readFileSync(stagedExecutable); // fail early when not built
  const work = mkdtempSync(join(tmpdir(), 'bench-startup-'));
  const uncached = join(work, 'sea-without-shipped-cache');
  await buildSea('linux_amd64', { launcher: LAUNCHER_BUNDLE, bundle: PROVIDER_BUNDLE, hash: bundleHash() }, uncached, { cache: false, codeCache: false });
  const node22 = nodeBinary('linux_amd64');
  const NO_CACHE = '/dev/null/no-cache'; // unwritable: no local cache is ever made or read

  const caCerts = process.env.NODE_EXTRA_CA_CERTS;
  const withoutCa = { ...process.env };
  delete withoutCa.NODE_EXTRA_CA_CERTS;
  const plugin = { TF_PLUGIN_MAGIC_COOKIE: MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS: '5,6', PLUGIN_CLIENT_CERT: createServerCertificate().certPem };
  const envs: [string, NodeJS.ProcessEnv][] = [['without NODE_EXTRA_CA_CERTS', withoutCa]];
  if (caCerts) envs.push([`with NODE_EXTRA_CA_CERTS=${caCerts}`, { ...process.env }]);
  else process.stdout.write('!! NODE_EXTRA_CA_CERTS is not set here: measured without it only\n');

  const handshake = (o: string) => o.includes('\n');
  const cases: [string, (env: NodeJS.ProcessEnv) => Promise<number>][] = [
    [`node -e 0 (machine's node ${process.version})`, (env) => timeUntil(process.execPath, ['-e', '0'], env, () => false)],
    [`node -e 0 (embedded node v${node22.version})`, (env) => timeUntil(node22.executable, ['-e', '0'], env, () => false)],
    // The least any plugin on Node needs before its handshake: an HTTP/2 server, TLS, a key pair.
    [`embedded node loading node:http2 and node:tls, making a P-256 key`, (env) => timeUntil(node22.executable, ['-e', MINIMUM], env, () => false)],
    ['single executable, first start (shipped code cache)', (env) => timeUntil(stagedExecutable, [], { ...env, ...plugin, QIANFAN_CODE_CACHE_DIR: NO_CACHE }, handshake)],
    ['single executable, later starts (local code cache)', (env) => timeUntil(stagedExecutable, [], { ...env, ...plugin, QIANFAN_CODE_CACHE_DIR: work }, handshake)],
    // What a startup snapshot could save at most: loading the bundle, up to the cookie check's message.
    ['single executable, bundle loaded (no cookie: its refusal)', (env) => timeUntil(stagedExecutable, [], { ...env, QIANFAN_CODE_CACHE_DIR: work }, (o) => o.includes('plugin'), 'stderr')],
    ['cross-built kind, first start (no code cache at all)', (env) => timeUntil(uncached, [], { ...env, ...plugin, QIANFAN_CODE_CACHE_DIR: NO_CACHE }, handshake)],
    ["launcher form on the machine's node (local cache warm)", (env) => timeUntil(stagedLauncher, [], { ...env, ...plugin, QIANFAN_NODE: process.execPath }, handshake)],
  ];
  const results: Record<string, number[]> = {};
  const key = (c: string, e: string) => `${c}\0${e}`;
  for (let i = 0; i < 3; i++) for (const [, run] of cases) for (const [, env] of envs) await run(env); // page cache, local caches
  for (let i = 0; i < runs; i++) {
    for (const [name, run] of cases) for (const [envName, env] of envs) (results[key(name, envName)] ??= []).push(await run(env));
  }
  rmSync(work, { recursive: true, force: true });

  process.stdout.write(`provider start-up to handshake, median of ${runs} interleaved runs each (${process.platform}/${process.arch})\n`);
  for (const [envName] of envs) {
    const base = median(results[key(cases[0][0], envName)]);
    process.stdout.write(`\n${envName}\n`);
    for (const [name] of cases) {
      const m = median(results[key(name, envName)]);
      process.stdout.write(`  ${name.padEnd(58)} ${m.toFixed(1).padStart(7)} ms   ${(m / base).toFixed(2)}× machine's node -e 0\n`);
    }
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
