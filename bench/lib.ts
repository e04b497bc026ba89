/**
 * Shared pieces of the plan/apply benchmarks: an emulator with N tenants, the
 * tenants' stack, and the same number of objects as terraform_data resources
 * (Terraform's in-process floor), each in its own working directory.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from '../constructs/framework';
import { TenantsStack } from '../constructs/tenants-stack';
import type { TenantEntry } from '../constructs/tenants-file';
import { startEmulator, type RunningEmulator } from '../scripts/lib/emulator';
import { pickEngine, type Engine } from '../scripts/lib/engines';
import { runEngine } from '../scripts/lib/terraform';

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
export const say = (line: string) => process.stdout.write(`${line}\n`);

export const engine = pickEngine;

/**
 * An emulator holding n aPaaS tenants. BENCH_LATENCY_MS adds that much latency to every
 * request it serves (--fault-latency), as a service across a network would: the
 * emulator on loopback answers in well under a millisecond, which hides per-request costs.
 */
export async function emulatorWithTenants(n: number, dir: string): Promise<RunningEmulator> {
  const latency = process.env.BENCH_LATENCY_MS;
  const emulator = await startEmulator(join(dir, 'emulator'), { args: ['--ehr-employees', '10', ...(latency ? ['--fault-latency', latency] : [])] });
  const post = async (url: string, body: unknown) => {
    const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (r.status !== 201) throw new Error(`POST ${url}: HTTP ${r.status} ${await r.text()}`);
  };
  await post(`${emulator.info.ehr_url}/__control/corps`, { corp_key: 'benchcorp', employees: 10, seed: 1 });
  for (let i = 0; i < n; i++) await post(`${emulator.info.apaas_url}/__control/tenants`, { tenant_id: `bench-${i}` });
  return emulator;
}

/**
 * Runs `body` with a fresh scratch directory and an emulator holding n tenants in it;
 * afterwards stops the emulator and removes the directory (BENCH_KEEP=1 keeps it and
 * says where).
 */
export async function withEmulator<T>(name: string, n: number, body: (dir: string, emulator: RunningEmulator) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), `bench-${name}-`));
  const emulator = await emulatorWithTenants(n, dir);
  try {
    return await body(dir, emulator);
  } finally {
    await emulator.stop();
    if (process.env.BENCH_KEEP) say(`  (kept ${dir})`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

export function tenantEntries(n: number): TenantEntry[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `bench-${i}`,
    corpKey: 'benchcorp',
    sso: { name: `bench tenant ${i}` },
    schedule: { cron: '0 2 * * *', timeZone: 'Asia/Shanghai' },
  }));
}

export function synthTenants(n: number): { config: Record<string, unknown>; objects: number } {
  return synthEntries(tenantEntries(n));
}

/** One stack of these tenants, synthesized as main.ts would, without a backend (state in its directory). */
export function synthEntries(entries: TenantEntry[], stack = 'tenants'): { config: Record<string, unknown>; objects: number } {
  const outdir = mkdtempSync(join(tmpdir(), 'bench-synth-'));
  const app = new App({ outdir });
  new TenantsStack(app, stack, entries);
  app.synth();
  const config = JSON.parse(readFileSync(join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8')) as Record<string, unknown> & {
    terraform: { backend?: unknown };
    resource: Record<string, Record<string, unknown>>;
    data: Record<string, Record<string, unknown>>;
  };
  delete config.terraform.backend;
  rmSync(outdir, { recursive: true, force: true });
  const count = (blocks: Record<string, Record<string, unknown>>) => Object.values(blocks).reduce((a, b) => a + Object.keys(b).length, 0);
  return { config, objects: count(config.resource) + count(config.data) };
}

/** The floor: the same number of objects, as terraform_data (no plugin process at all). */
export function terraformDataConfig(objects: number): Record<string, unknown> {
  const resource: Record<string, unknown> = {};
  for (let i = 0; i < objects; i++) resource[`o${i}`] = { input: { name: `object ${i}`, cron: '0 2 * * *', uris: ['https://apaas.weworkpro.tencent-cloud.com/t/'] } };
  return { resource: { terraform_data: resource } };
}

/** A reference to a qianfan object (`data.` for a data source), with the attribute it reads if any. */
const REFERENCE = /(?<![\w.])(data\.)?(qianfan_[a-z_]+)\.([A-Za-z0-9_-]+)((?:\.[a-z_]+)?)/g;
const mirrorName = (data: boolean, type: string, name: string) => `${data ? 'data_' : ''}${type}__${name}`;
const rewrite = (text: string) =>
  text.replace(REFERENCE, (_all, data: string | undefined, type: string, name: string, attribute: string) => `terraform_data.${mirrorName(!!data, type, name)}${attribute ? `.output${attribute}` : ''}`);

/** The part of a terraform.tfstate file the floors read. */
export interface StateFile {
  resources: { mode: string; type: string; name: string; instances: { attributes: Record<string, unknown> }[] }[];
}

/**
 * The middle floor: `config` (a synthesized tenants stack) with every qianfan resource and
 * data source turned into a terraform_data whose input is what the real apply stored
 * (stateFile), and whose references, depends_on, outputs and checks point at the
 * terraform_data copies. Terraform walks the same graph, evaluates the same expressions
 * and checks, and stores about as much state, with no plugin at all.
 */
export function terraformDataMirror(config: Record<string, unknown>, stateFile: string): Record<string, unknown> {
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as StateFile;
  const stored = new Map(state.resources.map((r) => [`${r.mode === 'data' ? 'data.' : ''}${r.type}.${r.name}`, r.instances[0]?.attributes ?? {}]));
  const resource: Record<string, unknown> = {};
  for (const data of [false, true]) {
    const blocks = (config[data ? 'data' : 'resource'] ?? {}) as Record<string, Record<string, Record<string, unknown>>>;
    for (const [type, instances] of Object.entries(blocks)) {
      for (const [name, body] of Object.entries(instances)) {
        const input: Record<string, unknown> = { ...stored.get(`${data ? 'data.' : ''}${type}.${name}`) };
        for (const [key, value] of Object.entries(body)) {
          if (typeof value === 'string' && value.includes('${')) input[key] = rewrite(value);
        }
        const dependsOn = body.depends_on as string[] | undefined;
        resource[mirrorName(data, type, name)] = { input, ...(dependsOn ? { depends_on: dependsOn.map(rewrite) } : {}) };
      }
    }
  }
  const rest = JSON.parse(rewrite(JSON.stringify({ output: config.output ?? {}, check: config.check ?? {} }))) as Record<string, unknown>;
  return { resource: { terraform_data: resource }, ...rest };
}

export class BenchDir {
  constructor(
    readonly engine: Engine,
    readonly dir: string,
    readonly env: Record<string, string> = {},
  ) {
    mkdirSync(dir, { recursive: true });
  }

  write(config: Record<string, unknown>): void {
    writeFileSync(join(this.dir, 'main.tf.json'), JSON.stringify(config));
  }

  async time(args: string[], extraEnv: Record<string, string> = {}): Promise<number> {
    const r = await runEngine(this.engine, args, { cwd: this.dir, env: { ...this.env, ...extraEnv }, timeoutMs: 1_800_000 });
    if (r.code !== 0 && !(args[0] === 'plan' && r.code === 2)) throw new Error(`${args.join(' ')} failed (${r.code}):\n${r.stderr.slice(-3000)}`);
    return r.ms;
  }
}

interface MemoryReport {
  maxRssKb: number;
  anonKb?: number;
  fileKb?: number;
}

/** The provider process with the highest peak RSS among those that reported into dir (MB): its peak, and its anonymous and file-backed memory at exit. */
export function peakProviderMemory(dir: string): { peakMb: number; anonMb: number; fileMb: number } {
  const reports = readdirSync(dir).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as MemoryReport);
  if (reports.length === 0) return { peakMb: NaN, anonMb: NaN, fileMb: NaN };
  const top = reports.reduce((a, b) => (b.maxRssKb > a.maxRssKb ? b : a));
  return { peakMb: top.maxRssKb / 1024, anonMb: (top.anonKb ?? NaN) / 1024, fileMb: (top.fileKb ?? NaN) / 1024 };
}
