// Entry point: `npx tsx emulator/main.ts [--data-dir DIR] [options]` starts the Yufu, E-HR
// and aPaaS emulators in one process, each on its own loopback listener, over one SQLite
// file. Writes DIR/emulator.json so tests and tools find the running instance.
import { setClockOffset } from './clock';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { checkYufuDomain, isLoopbackIp } from '../providers/qianfan/rules';
import { setControlEndpoints } from './http';
import { describeSpec, emulatorFaults, FAULT_FLAGS, FAULT_USAGE, FaultSpecError, specFromFlags, type FaultFlagValues, type FaultSpec } from './faults';

const USAGE = `usage: tsx emulator/main.ts [--data-dir DIR] [--host 127.0.0.1] [--admin-port N] [--idp-port N]
                           [--ehr-port N] [--apaas-port N] [--domain qianfan-demo] [--ehr-employees N] [--ehr-seed S]
                           [--faults SPEC | --fault-… flags]
  --data-dir       where state lives (default .emulator-data)
  --host           address to bind (default 127.0.0.1); on a non-loopback address the
                   unauthenticated /__control/ test hooks are off
  --admin-port     Yufu admin API port; 0 = any free port (default: the port recorded in DIR, else free)
  --idp-port       Yufu IdP port; same rules
  --ehr-port       E-HR directory API port; same rules
  --apaas-port     aPaaS admin API port; same rules
  --domain         Yufu tenant domain label, used only when DIR is new (default qianfan-demo)
  --ehr-employees  employees in the seeded E-HR corp "apaas", used only when DIR is new (default 200, at most 200000)
  --ehr-seed       seed of that corp's generated directory, used only when DIR is new (default 1)
  --clock-offset   run the services' clock SECONDS ahead (negative: behind) of this machine's
${FAULT_USAGE}`;

interface Args {
  dataDir: string;
  host: string;
  adminPort?: number;
  idpPort?: number;
  ehrPort?: number;
  apaasPort?: number;
  domain?: string;
  ehrEmployees?: number;
  ehrSeed?: string;
  faults: FaultSpec | null;
}

function fail(message: string): never {
  process.stderr.write(`emulator: ${message}\n`);
  process.exit(2);
}

function parsePort(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^[0-9]+$/.test(raw) || Number(raw) > 65535) fail(`${flag}: got ${JSON.stringify(raw)}; expected an integer port from 0 to 65535`);
  return Number(raw);
}

function readArgs(argv: string[]): Args {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        'data-dir': { type: 'string' },
        host: { type: 'string' },
        'admin-port': { type: 'string' },
        'idp-port': { type: 'string' },
        'ehr-port': { type: 'string' },
        'apaas-port': { type: 'string' },
        domain: { type: 'string' },
        'ehr-employees': { type: 'string' },
        'ehr-seed': { type: 'string' },
        'clock-offset': { type: 'string' },
        ...FAULT_FLAGS,
      },
    }));
  } catch (err) {
    fail(`${(err as Error).message}\n${USAGE}`);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const domain = values.domain;
  const domainProblem = domain === undefined ? null : checkYufuDomain(domain);
  if (domainProblem) fail(`--domain: ${domainProblem}; got ${JSON.stringify(domain)}`);
  const employees = values['ehr-employees'];
  if (employees !== undefined && (!/^[0-9]+$/.test(employees) || Number(employees) > 200_000)) {
    fail(`--ehr-employees: got ${JSON.stringify(employees)}; expected an integer from 0 to 200000`);
  }
  const offset = values['clock-offset'];
  if (offset !== undefined) {
    if (!/^-?[0-9]{1,9}$/.test(offset)) fail(`--clock-offset: got ${JSON.stringify(offset)}; expected a whole number of seconds`);
    setClockOffset(Number(offset));
  }
  const seed = values['ehr-seed'];
  if (seed !== undefined && (seed.length < 1 || seed.length > 64)) fail(`--ehr-seed: got ${JSON.stringify(seed)}; expected 1 to 64 characters`);
  let faults: FaultSpec | null;
  try {
    const flagValues: FaultFlagValues = {};
    for (const name of Object.keys(FAULT_FLAGS) as (keyof typeof FAULT_FLAGS)[]) flagValues[name] = values[name];
    faults = specFromFlags(flagValues, (file) => fs.readFileSync(file, 'utf8'));
  } catch (err) {
    if (err instanceof FaultSpecError) fail(err.message);
    fail(`--faults: ${(err as Error).message}`);
  }
  return {
    dataDir: values['data-dir'] ?? '.emulator-data',
    host: values.host ?? '127.0.0.1',
    adminPort: parsePort('--admin-port', values['admin-port']),
    idpPort: parsePort('--idp-port', values['idp-port']),
    ehrPort: parsePort('--ehr-port', values['ehr-port']),
    apaasPort: parsePort('--apaas-port', values['apaas-port']),
    domain,
    ehrEmployees: employees === undefined ? undefined : Number(employees),
    ehrSeed: seed,
    faults,
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Refuses to share a data dir with a running emulator: both would fight over ports and state. */
function checkNotRunning(infoFile: string): void {
  let info: { pid?: unknown };
  try {
    info = JSON.parse(fs.readFileSync(infoFile, 'utf8')) as { pid?: unknown };
  } catch {
    return;
  }
  if (typeof info.pid === 'number' && info.pid !== process.pid && isAlive(info.pid)) {
    fail(`data dir ${path.dirname(infoFile)} is in use by a running emulator (pid ${info.pid}); stop it or use another --data-dir`);
  }
}

async function main(): Promise<void> {
  const args = readArgs(process.argv.slice(2));
  // Everything the emulator writes holds or names secrets: private to this user.
  process.umask(0o077);
  const dataDir = path.resolve(args.dataDir);
  const { privateDataDir } = require('./db') as typeof import('./db');
  privateDataDir(dataDir);
  // Unauthenticated test hooks: only where nothing but this machine can reach them.
  const controlOn = args.host === 'localhost' || isLoopbackIp(args.host);
  setControlEndpoints(controlOn, args.host);
  const infoFile = path.join(dataDir, 'emulator.json');
  checkNotRunning(infoFile);

  // Loaded after argument checks so --help and usage errors skip oidc-provider's
  // import-time runtime warning.
  const { openDatabase } = require('./db') as typeof import('./db');
  const { startYufuEmulator } = require('./yufu/index') as typeof import('./yufu/index');
  const { startEhrEmulator } = require('./ehr/index') as typeof import('./ehr/index');
  const { startApaasEmulator } = require('./apaas/index') as typeof import('./apaas/index');

  // Before the listeners open, so the very first request is already subject to them.
  if (args.faults) emulatorFaults.set(args.faults);
  const db = openDatabase(dataDir);
  const closers: Array<() => Promise<void>> = [];
  const closeAll = async () => {
    // Reverse start order: aPaaS stops its runs while E-HR still answers them.
    for (const close of closers.splice(0).reverse()) await close();
    db.close();
  };

  let yufu, ehr, apaas;
  try {
    yufu = await startYufuEmulator({ dataDir, db, host: args.host, adminPort: args.adminPort, idpPort: args.idpPort, domain: args.domain });
    closers.push(() => yufu!.close());
    ehr = await startEhrEmulator({ db, host: args.host, port: args.ehrPort, employees: args.ehrEmployees, seed: args.ehrSeed });
    closers.push(() => ehr!.close());
    apaas = await startApaasEmulator({
      db,
      dataDir,
      host: args.host,
      port: args.apaasPort,
      ehr: { baseUrlTemplate: ehr.baseUrlTemplate, appKey: ehr.platformApp.app_key, token: ehr.platformApp.token },
    });
    closers.push(() => apaas!.close());
  } catch (err) {
    await closeAll().catch(() => undefined);
    throw err;
  }

  const info = {
    admin_url: yufu.adminUrl,
    idp_url: yufu.idpUrl,
    tenant_id: yufu.tenantId,
    domain: yufu.domain,
    service_account_file: yufu.serviceAccountFile,
    ehr_url: ehr.url,
    ehr_base_url_template: ehr.baseUrlTemplate,
    ehr_corp_key: ehr.defaultCorpKey,
    apaas_url: apaas.url,
    apaas_credentials_file: apaas.credentialsFile,
    apaas_tenant_id: apaas.defaultTenantId,
    data_dir: dataDir,
    pid: process.pid,
  };
  // Readers poll for this file; rename makes it appear complete or not at all.
  const tmp = `${infoFile}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(info, null, 2)}\n`);
  fs.renameSync(tmp, infoFile);

  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`yufu admin API listening on ${yufu.adminUrl}  (tenant ${yufu.tenantId}, domain ${yufu.domain})`);
  out(`yufu IdP listening on ${yufu.idpUrl}  (issuers: ${yufu.idpUrl}/sso/tn-${yufu.tenantId}/{client_id}/oidc)`);
  out(`service account file: ${yufu.serviceAccountFile}`);
  out(`e-hr directory API listening on ${ehr.url}  (corps under ${ehr.baseUrlTemplate}; seeded corp ${ehr.defaultCorpKey})`);
  out(`apaas admin API listening on ${apaas.url}  (tenant ${apaas.defaultTenantId})`);
  out(`apaas credentials file: ${apaas.credentialsFile}`);
  for (const notice of [...yufu.notices, ...apaas.notices]) out(`notice: ${notice}`);
  if (!controlOn) out(`notice: control endpoints (/__control/) are off: --host ${args.host} is not a loopback address`);
  if (args.faults) out(`${describeSpec(args.faults)}  (GET/PUT/DELETE {any url}/__control/faults)`);
  out(`emulator info: ${infoFile}  (pid ${process.pid}; Ctrl-C to stop)`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`emulator: second ${signal}, exiting now\n`);
      process.exit(1);
    }
    stopping = true;
    out(`emulator: ${signal} received, shutting down`);
    void closeAll()
      .then(() => {
        try {
          // Only remove the info file if it is still ours.
          const current = JSON.parse(fs.readFileSync(infoFile, 'utf8')) as { pid?: unknown };
          if (current.pid === process.pid) fs.rmSync(infoFile);
        } catch {
          // Already gone or unreadable: nothing to clean up.
        }
        process.exit(0);
      })
      .catch((err: unknown) => {
        process.stderr.write(`emulator: error while closing: ${(err as Error).message}\n`);
        process.exit(1);
      });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`emulator: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
