/**
 * Where a `plan` of N tenants spends its time: a V8 CPU profile of every provider
 * process the engine starts (NODE_OPTIONS=--cpu-prof, which the single executable
 * honours), mapped back to our sources through the bundle's source map, and the CPU
 * time of the engine, the providers and the emulator measured apart, so the figure
 * for the provider is the provider's.
 *
 * The same for the echo provider (bench/floor.ts: our runtime, no service calls) and
 * for terraform_data, so the engine's own share of the CPU shows too.
 *
 * Usage: npm run bench:profile -- [tenants=100] [runs=3]   (BENCH_KEEP=1 keeps the profiles)
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';
import { buildAll } from '../scripts/build';
import { buildEchoProvider, echoDir } from './floor';
import { BenchDir, engine, median, say, synthTenants, terraformDataConfig, withEmulator } from './lib';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const ROOT = join(__dirname, '..');
const MAP_FILE = join(ROOT, 'dist', 'provider', 'terraform-provider-qianfan.cjs.map');

/** CPU seconds (user + system) a process has used, from /proc (Linux only). */
function cpuSeconds(pid: number | 'self', children = false): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // Fields after "(comm)": utime is the 12th, stime 13th, cutime 14th, cstime 15th (0-based 11..14).
  const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((i) => Number(fields[i]));
  return (children ? cutime + cstime : utime + stime) / 100; // USER_HZ is 100 on Linux
}

/** Self time in ms per label, over every profile in dir. */
function selfTimes(dir: string, label: (frame: ProfileNode['callFrame']) => string): { byLabel: Map<string, number>; totalMs: number; processes: number } {
  const byLabel = new Map<string, number>();
  let totalMs = 0;
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  for (const file of files) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    const labels = new Map<number, string>();
    profile.samples.forEach((id, i) => {
      const ms = (profile.timeDeltas[i] ?? 0) / 1000;
      let l = labels.get(id);
      if (l === undefined) labels.set(id, (l = label(nodes.get(id)!.callFrame)));
      byLabel.set(l, (byLabel.get(l) ?? 0) + ms);
      if (l !== '(idle)') totalMs += ms;
    });
  }
  return { byLabel, totalMs, processes: files.length };
}

/** A frame's place in our sources ("providers/runtime/cty/msgpack.ts"), a package ("node_modules/zod") or node's internals. */
function locator(mapFile: string): { fn: (f: ProfileNode['callFrame']) => string; module: (f: ProfileNode['callFrame']) => string } {
  const map = new TraceMap(readFileSync(mapFile, 'utf8'));
  const source = (f: ProfileNode['callFrame']) => {
    if (f.url === '' || f.url.startsWith('node:')) return f.url === '' ? f.functionName : f.url;
    const pos = originalPositionFor(map, { line: f.lineNumber + 1, column: f.columnNumber });
    if (!pos.source) return f.url;
    return { file: relative(ROOT, join(dirname(mapFile), pos.source)), name: pos.name ?? f.functionName, line: pos.line };
  };
  const packageOf = (file: string) => {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
    return m ? `node_modules/${m[1]}` : file;
  };
  return {
    fn: (f) => {
      const s = source(f);
      return typeof s === 'string' ? s : `${s.name || '(anonymous)'}  ${packageOf(s.file) === s.file ? `${s.file}:${s.line}` : packageOf(s.file)}`;
    },
    module: (f) => {
      const s = source(f);
      return typeof s === 'string' ? (s.startsWith('node:') ? 'node internals' : s) : packageOf(s.file);
    },
  };
}

function top(title: string, byLabel: Map<string, number>, totalMs: number, n: number): void {
  say(`  ${title}`);
  for (const [label, ms] of [...byLabel].filter(([l]) => l !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, n)) {
    say(`    ${ms.toFixed(0).padStart(6)} ms ${((100 * ms) / totalMs).toFixed(1).padStart(5)} %  ${label}`);
  }
}

interface Split {
  wall: number;
  engine: number;
  providers: number;
  emulator: number;
  processes: number;
}

/** One plan, unprofiled: wall time and CPU seconds of the engine itself, of the provider processes it started, and of the emulator. */
async function split(d: BenchDir, emulatorPid: number, reports: string): Promise<Split> {
  rmSync(reports, { recursive: true, force: true });
  mkdirSync(reports);
  const emulatorBefore = cpuSeconds(emulatorPid);
  // The engine's CPU and that of the providers it waited for land in our children's total.
  const childrenBefore = cpuSeconds('self', true);
  const wall = await d.time(['plan', '-input=false', '-detailed-exitcode'], { QIANFAN_REPORT_MAXRSS_DIR: reports });
  const children = cpuSeconds('self', true) - childrenBefore;
  const files = readdirSync(reports);
  const providers = files.reduce((sum, f) => sum + (JSON.parse(readFileSync(join(reports, f), 'utf8')) as { cpuMs: number }).cpuMs / 1000, 0);
  return { wall: wall / 1000, engine: children - providers, providers, emulator: cpuSeconds(emulatorPid) - emulatorBefore, processes: files.length };
}

const medianSplit = (runs: Split[]): Split => {
  const m = (k: keyof Split) => median(runs.map((r) => r[k]));
  return { wall: m('wall'), engine: m('engine'), providers: m('providers'), emulator: m('emulator'), processes: m('processes') };
};

async function profileOf(d: BenchDir, dir: string, mapFile: string, title: string): Promise<void> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  const wall = await d.time(['plan', '-input=false', '-detailed-exitcode'], { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${dir}` });
  const where = locator(mapFile);
  const byFn = selfTimes(dir, where.fn);
  const byModule = selfTimes(dir, where.module);
  say(`${title}: profiled plan ${(wall / 1000).toFixed(2)} s wall, ${(byFn.totalMs / 1000).toFixed(2)} s sampled over ${byFn.processes} provider processes`);
  top('self time by module', byModule.byLabel, byModule.totalMs, 12);
  top('self time by function', byFn.byLabel, byFn.totalMs, 20);
}

async function main() {
  const tenants = Number(process.argv[2] ?? 100);
  const runs = Number(process.argv[3] ?? 3);
  await buildAll();
  const e = engine();
  await withEmulator(`profile-${tenants}`, tenants, async (dir, emulator) => {
    const { config, objects } = synthTenants(tenants);
    const ours = new BenchDir(e, join(dir, 'tenants'), emulator.providerEnv);
    ours.write(config);
    const floor = new BenchDir(e, join(dir, 'floor'));
    floor.write(terraformDataConfig(objects));
    for (const d of [ours, floor]) {
      await d.time(['init', '-input=false']);
      await d.time(['apply', '-input=false', '-auto-approve']);
    }
    const { cliConfig, mapFile: echoMap } = await buildEchoProvider(join(dir, 'echo-provider'));
    const echo = echoDir(e, join(dir, 'echo'), cliConfig, config, join(ours.dir, 'terraform.tfstate'));
    // Warm: code caches written, files in the page cache.
    for (const d of [ours, floor, echo]) await d.time(['plan', '-input=false', '-detailed-exitcode']);

    const sides: [string, BenchDir][] = [['qianfan', ours], ['echo provider', echo], ['terraform_data', floor]];
    const measured = new Map<string, Split[]>(sides.map(([name]) => [name, []]));
    for (let i = 0; i < runs; i++) for (const [name, d] of sides) measured.get(name)!.push(await split(d, emulator.info.pid, join(dir, 'reports')));
    say(`plan of ${tenants} tenants (${objects} objects), ${e.name} ${e.version}, Node ${process.version}; median of ${runs} unprofiled runs, CPU seconds by process:`);
    for (const [name] of sides) {
      const r = medianSplit(measured.get(name)!);
      say(
        `  ${name.padEnd(15)} wall ${r.wall.toFixed(2)} s   engine ${r.engine.toFixed(2)} s   providers ${r.providers.toFixed(2)} s (${r.processes} processes)   emulator ${r.emulator.toFixed(2)} s`,
      );
    }
    await profileOf(ours, join(dir, 'profiles'), MAP_FILE, 'qianfan');
    await profileOf(echo, join(dir, 'echo-profiles'), echoMap, 'echo provider');
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
