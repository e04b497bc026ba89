/**
 * Provider start-up: time from launch to the handshake line on stdout, the cost
 * Terraform pays on each of its ~4 launches per apply. Baseline: `node -e 0`,
 * measured in the same run. Usage: npm run bench:startup [-- runs]
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { PROVIDER_BUNDLE, stagedExecutable } from '../scripts/lib/paths';
import { MAGIC_COOKIE_VALUE } from '../providers/runtime/protocol';
import { createServerCertificate } from '../providers/runtime/tls';

const runs = Number(process.argv[2] ?? 30);

function timeUntil(command: string, args: string[], env: NodeJS.ProcessEnv, ready: (out: string) => boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      resolve(Number(process.hrtime.bigint() - started) / 1e6);
      child.kill('SIGTERM'); // lets the provider remove its socket directory
    };
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (ready(out)) finish();
    });
    child.on('exit', () => (ready(out) || out === '' ? finish() : reject(new Error(`exited early: ${out}`))));
    child.on('error', reject);
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const clientCert = createServerCertificate().certPem; // any certificate: the provider only loads it
  const pluginEnv = { ...process.env, TF_PLUGIN_MAGIC_COOKIE: MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS: '5,6', PLUGIN_CLIENT_CERT: clientCert };
  const cases: [string, () => Promise<number>][] = [
    ['node -e 0 (baseline)', () => timeUntil(process.execPath, ['-e', '0'], process.env, () => false)],
    ['provider bundle → handshake (mTLS)', () => timeUntil(process.execPath, [PROVIDER_BUNDLE], pluginEnv, (o) => o.includes('\n'))],
    ['installed provider (launcher + code cache) → handshake', () => timeUntil(stagedExecutable, [], { ...pluginEnv, QIANFAN_NODE: process.execPath }, (o) => o.includes('\n'))],
  ];
  readFileSync(PROVIDER_BUNDLE); // fail early when not built
  const results: Record<string, number[]> = {};
  for (let i = 0; i < 3; i++) for (const [, run] of cases) await run(); // warm the page cache
  for (let i = 0; i < runs; i++) {
    // Interleaved so that machine noise hits every case alike.
    for (const [name, run] of cases) (results[name] ??= []).push(await run());
  }
  const base = median(results[cases[0][0]]);
  process.stdout.write(`provider start-up, ${runs} runs each, median (Node ${process.version}, ${process.platform}/${process.arch})\n`);
  for (const [name] of cases) {
    const m = median(results[name]);
    process.stdout.write(`  ${name.padEnd(56)} ${m.toFixed(1).padStart(7)} ms   ${(m / base).toFixed(2)}×\n`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
