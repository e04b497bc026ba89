// Sync benchmark: `npm run bench:sync` (= npx tsx bench/sync.ts --employees 10000,100000).
// Starts the three emulated services in this process on a fresh data dir (as main.ts
// does, with the seeded corp of N employees), saves an HR connector over the signed
// aPaaS API (which really checks Yufu and E-HR), and times the initial full run, an
// incremental run after 100 changes, and a second full run. Not part of the test suite.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { startApaasEmulator } from '../emulator/apaas/index';
import { tc3Headers } from '../emulator/apaas/tc3';
import { openDatabase } from '../emulator/db';
import { startEhrEmulator } from '../emulator/ehr/index';
import { startYufuEmulator } from '../emulator/yufu/index';
import { YufuStore } from '../emulator/yufu/store';
import { DEFAULTS } from '../emulator/yufu/validation';

interface Run {
  id: string;
  status: string;
  mode: string;
  started_at: string | null;
  finished_at: string | null;
  counts: Record<string, number>;
  error: string | null;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { employees: { type: 'string', default: '10000,100000' }, verbose: { type: 'boolean', default: false } } });
  const sizes = values.employees.split(',').map((s) => Number(s.trim()));
  if (sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 200_000)) throw new Error('--employees: expected comma-separated integers from 1 to 200000');
  const log = values.verbose ? (line: string) => process.stderr.write(`${line}\n`) : () => undefined;

  const results: string[] = [];
  for (const n of sizes) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-sync-${n}-`));
    const db = openDatabase(dataDir);
    const t0 = Date.now();
    const yufu = await startYufuEmulator({ dataDir, db, log });
    const ehr = await startEhrEmulator({ db, employees: n, seed: 'bench', log });
    const seedMs = Date.now() - t0;
    const apaas = await startApaasEmulator({
      db,
      dataDir,
      log,
      ehr: { baseUrlTemplate: ehr.baseUrlTemplate, appKey: ehr.platformApp.app_key, token: ehr.platformApp.token },
    });
    const creds = JSON.parse(fs.readFileSync(apaas.credentialsFile, 'utf8')) as { secretId: string; secretKey: string };
    const app = new YufuStore(db).insertApp(yufu.tenantId, {
      ...DEFAULTS,
      name: 'bench',
      redirect_uris: ['https://apaas.weworkpro.tencent-cloud.com/demo-tenant-001/'],
      grant_types: ['authorization_code', 'client_credentials'],
    });
    const issuer = `${yufu.idpUrl}/sso/tn-${yufu.tenantId}/${app.client_id}/oidc`;

    const call = async <T>(method: string, p: string, body?: unknown): Promise<{ status: number; body: T }> => {
      const url = new URL(`${apaas.url}${p}`);
      const text = body === undefined ? '' : JSON.stringify(body);
      const headers = tc3Headers(creds.secretId, creds.secretKey, {
        method,
        path: url.pathname,
        search: url.search,
        contentType: 'application/json',
        host: url.host,
        body: text,
        timestamp: Math.floor(Date.now() / 1000),
      });
      const res = await fetch(url, { method, headers: { ...headers, 'content-type': 'application/json' }, body: text || undefined });
      return { status: res.status, body: (await res.json()) as T };
    };
    const wait = async (runId: string): Promise<{ run: Run; wallMs: number }> => {
      const started = Date.now();
      for (;;) {
        const r = await call<Run>('GET', `/api/v1/tenants/demo-tenant-001/sync-runs/${runId}`);
        if (r.body.status === 'succeeded' || r.body.status === 'failed') {
          if (r.body.status === 'failed') throw new Error(`run ${runId} failed: ${r.body.error}`);
          return { run: r.body, wallMs: Date.now() - started };
        }
        await new Promise((res) => setTimeout(res, 20));
      }
    };
    const runMs = (run: Run) => Date.parse(run.finished_at!) - Date.parse(run.started_at!);

    const putStarted = Date.now();
    const put = await call<{ initial_run_id: string; error?: unknown }>('PUT', '/api/v1/tenants/demo-tenant-001/hr-connector', {
      corp_key: 'apaas',
      well_known_url: `${issuer}/.well-known/openid-configuration`,
      client_id: app.client_id,
      client_secret: app.client_secret,
    });
    if (put.status !== 200) throw new Error(`PUT hr-connector: HTTP ${put.status} ${JSON.stringify(put.body)}`);
    const initial = await wait(put.body.initial_run_id);
    const putToDoneMs = Date.now() - putStarted;

    // 100 changes: 50 hires, 30 leavers, 20 moves.
    const store = ehr.store;
    for (let i = 0; i < 50; i++) store.addEmployee('apaas', { name: `新员工${i}`, department_id: 'd0002' });
    for (let i = 0; i < 30; i++) store.updateEmployee('apaas', `e${String(100 + i * 7).padStart(6, '0')}`, { status: 'left' });
    for (let i = 0; i < 20; i++) store.updateEmployee('apaas', `e${String(5000 + i * 3).padStart(6, '0')}`, { department_id: 'd0002' });

    const inc = await call<Run>('POST', '/api/v1/tenants/demo-tenant-001/sync-runs', { mode: 'incremental' });
    const incremental = await wait(inc.body.id);
    const fl = await call<Run>('POST', '/api/v1/tenants/demo-tenant-001/sync-runs', { mode: 'full' });
    const full = await wait(fl.body.id);

    const c = initial.run.counts;
    results.push(
      [
        `employees ${n} (departments ${c.departments_total}):`,
        `  seed directory + start           ${(seedMs / 1000).toFixed(2)} s`,
        `  initial full sync (run)          ${(runMs(initial.run) / 1000).toFixed(2)} s  (PUT connector → run finished: ${(putToDoneMs / 1000).toFixed(2)} s)`,
        `    users +${c.users_added} disabled ${c.users_disabled}, active ${c.users_active}`,
        `  incremental after 100 changes    ${(runMs(incremental.run) / 1000).toFixed(2)} s  (users +${incremental.run.counts.users_added} ~${incremental.run.counts.users_updated} -${incremental.run.counts.users_disabled})`,
        `  second full sync, no changes     ${(runMs(full.run) / 1000).toFixed(2)} s`,
      ].join('\n'),
    );
    process.stdout.write(`${results[results.length - 1]}\n`);

    await apaas.close();
    await ehr.close();
    await yufu.close();
    db.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  process.stdout.write(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench-sync: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
