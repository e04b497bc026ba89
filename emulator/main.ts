// Entry point: `npx tsx emulator/main.ts [--data-dir DIR] [--admin-port N] [--idp-port N] [--host H] [--domain D]`.
// Writes DIR/emulator.json so tests and tools find the running instance.
import * as fs from 'node:fs';
import * as path from 'node:path';

const USAGE = `usage: tsx emulator/main.ts [--data-dir DIR] [--admin-port N] [--idp-port N] [--host 127.0.0.1] [--domain qianfan-demo]
  --data-dir    where state lives (default .emulator-data)
  --admin-port  Yufu admin API port; 0 = any free port (default: the port recorded in DIR, else free)
  --idp-port    Yufu IdP port; same rules
  --host        address to bind (default 127.0.0.1)
  --domain      tenant domain label, used only when DIR is new (default qianfan-demo)`;

interface Args {
  dataDir: string;
  host: string;
  adminPort?: number;
  idpPort?: number;
  domain?: string;
}

function fail(message: string): never {
  process.stderr.write(`emulator: ${message}\n`);
  process.exit(2);
}

function parsePort(flag: string, raw: string): number {
  if (!/^[0-9]+$/.test(raw) || Number(raw) > 65535) fail(`${flag}: got ${JSON.stringify(raw)}; expected an integer port from 0 to 65535`);
  return Number(raw);
}

function parseArgs(argv: string[]): Args {
  const args: Args = { dataDir: '.emulator-data', host: '127.0.0.1' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    }
    const eq = arg.indexOf('=');
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    const value = (): string => {
      if (eq !== -1) return arg.slice(eq + 1);
      const next = argv[++i];
      if (next === undefined) fail(`${flag}: missing value`);
      return next;
    };
    switch (flag) {
      case '--data-dir':
        args.dataDir = value();
        break;
      case '--admin-port':
        args.adminPort = parsePort(flag, value());
        break;
      case '--idp-port':
        args.idpPort = parsePort(flag, value());
        break;
      case '--host':
        args.host = value();
        break;
      case '--domain': {
        const d = value();
        if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(d)) fail(`--domain: got ${JSON.stringify(d)}; expected a lowercase DNS label (letters, digits, hyphens)`);
        args.domain = d;
        break;
      }
      default:
        fail(`unknown argument ${JSON.stringify(arg)}\n${USAGE}`);
    }
  }
  return args;
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
  const args = parseArgs(process.argv.slice(2));
  const dataDir = path.resolve(args.dataDir);
  fs.mkdirSync(dataDir, { recursive: true });
  const infoFile = path.join(dataDir, 'emulator.json');
  checkNotRunning(infoFile);

  // Loaded after argument checks so --help and usage errors skip oidc-provider's
  // import-time runtime warning.
  const { startYufuEmulator } = require('./yufu/index') as typeof import('./yufu/index');
  const yufu = await startYufuEmulator({
    dataDir,
    host: args.host,
    adminPort: args.adminPort,
    idpPort: args.idpPort,
    domain: args.domain,
  });

  const info = {
    admin_url: yufu.adminUrl,
    idp_url: yufu.idpUrl,
    tenant_id: yufu.tenantId,
    domain: yufu.domain,
    service_account_file: yufu.serviceAccountFile,
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
  for (const notice of yufu.notices) out(`notice: ${notice}`);
  out(`emulator info: ${infoFile}  (pid ${process.pid}; Ctrl-C to stop)`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`emulator: second ${signal}, exiting now\n`);
      process.exit(1);
    }
    stopping = true;
    out(`emulator: ${signal} received, shutting down`);
    void yufu
      .close()
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
