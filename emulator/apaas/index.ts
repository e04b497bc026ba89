// aPaaS user-management emulator: the TC3-signed admin API for tenants, the 腾讯 HR 助手
// connector, sync runs and schedules. Syncs pull the E-HR emulator over real HTTP with a
// platform app key, like a consumer of the real data API.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Db, getSetting, setSetting } from '../db';
import { baseUrl, listenRecorded, withRequestLog } from '../http';
import { createApaasHandler } from './api';
import { OwnershipStore } from '../ownership';
import { EhrClient } from './ehr-client';
import { Scheduler } from './schedules';
import { SigninPages } from './signin';
import { ApaasStore } from './store';
import { SyncEngine } from './sync';

export interface ApaasEmulatorOptions {
  db: Db;
  dataDir: string;
  host?: string;
  /** undefined = the port recorded in the DB (or a free one on first start); 0 = a free one. */
  port?: number;
  /** How the platform reaches E-HR: base URL template with `{corpKey}`, and its app key/token. */
  ehr: { baseUrlTemplate: string; appKey: string; token: string };
  log?: (line: string) => void;
}

export interface ApaasEmulator {
  url: string;
  credentialsFile: string;
  defaultTenantId: string;
  notices: string[];
  close(): Promise<void>;
}

export const DEFAULT_TENANT = { tenant_id: 'demo-tenant-001', name: '千帆 aPaaS 演示租户' } as const;
const SETTING_PORT = 'apaas.port';
/** Signs the sign-in pages' flow and session cookies; kept so sessions survive a restart. */
const SETTING_COOKIE_KEY = 'apaas.cookie_key';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomAlnum(length: number): string {
  const bytes = crypto.randomBytes(length * 2);
  let out = '';
  // Rejection sampling keeps the alphabet uniform.
  for (let i = 0; i < bytes.length && out.length < length; i++) if (bytes[i]! < 248) out += ALNUM[bytes[i]! % 62];
  return out.length === length ? out : out + randomAlnum(length - out.length);
}

function writeCredentialsFile(file: string, secretId: string, secretKey: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify({ secretId, secretKey }, null, 2)}\n`, { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
}

function credentialsFileMatches(file: string, secretId: string, secretKey: string): boolean {
  try {
    const current = JSON.parse(fs.readFileSync(file, 'utf8')) as { secretId?: unknown; secretKey?: unknown };
    return current.secretId === secretId && current.secretKey === secretKey && (fs.statSync(file).mode & 0o777) === 0o600;
  } catch {
    return false;
  }
}

export async function startApaasEmulator(options: ApaasEmulatorOptions): Promise<ApaasEmulator> {
  const { db } = options;
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const store = new ApaasStore(db);
  const notices: string[] = [];

  if (!getSetting(db, 'apaas.seeded')) {
    store.transaction(() => {
      if (!store.tenant(DEFAULT_TENANT.tenant_id)) store.createTenant(DEFAULT_TENANT.tenant_id, DEFAULT_TENANT.name, null);
      setSetting(db, 'apaas.seeded', new Date().toISOString());
    });
  }
  let credential = store.firstCredential();
  if (!credential) {
    credential = { secret_id: `AKID${randomAlnum(32)}`, secret_key: randomAlnum(32) };
    store.addCredential(credential.secret_id, credential.secret_key);
  }
  const credentialsFile = path.join(path.resolve(options.dataDir), 'apaas-credentials.json');
  if (!credentialsFileMatches(credentialsFile, credential.secret_id, credential.secret_key)) {
    if (fs.existsSync(credentialsFile)) notices.push(`aPaaS credentials file did not match the stored credentials; rewrote ${credentialsFile}`);
    writeCredentialsFile(credentialsFile, credential.secret_id, credential.secret_key);
  }

  const ehr = new EhrClient(options.ehr);
  const engine = new SyncEngine(store, ehr, log);
  const scheduler = new Scheduler((tenantId) => {
    const connector = store.connector(tenantId);
    const schedule = store.schedule(tenantId);
    if (!connector || !schedule?.enabled) return;
    if (store.hasPendingRun(tenantId)) {
      log(`apaas schedule tick for tenant ${tenantId}: skipped, a run is already queued or running`);
      return;
    }
    engine.enqueue(tenantId, connector.corp_key, 'schedule', schedule.mode);
  }, log);

  let cookieKey = getSetting(db, SETTING_COOKIE_KEY);
  if (!cookieKey) {
    cookieKey = crypto.randomBytes(32).toString('base64url');
    setSetting(db, SETTING_COOKIE_KEY, cookieKey);
  }
  let url = '';
  const signin = new SigninPages({ store, baseUrl: () => url, cookieKey: Buffer.from(cookieKey, 'base64url'), log });

  let listening;
  try {
    listening = await listenRecorded(
      'apaas',
      withRequestLog('apaas', createApaasHandler({ store, ownership: new OwnershipStore(db), engine, scheduler, ehr, signin, servedHost: () => new URL(url).host }), log),
      host,
      options.port,
      getSetting(db, SETTING_PORT),
      '--apaas-port',
    );
  } catch (err) {
    await ehr.close();
    throw err;
  }
  setSetting(db, SETTING_PORT, String(listening.port));
  url = baseUrl(host, listening.port);

  // Only now that requests can be served: resume queued runs and arm schedules.
  engine.recover();
  for (const schedule of store.schedules()) {
    if (!store.connector(schedule.tenant_id)) continue;
    try {
      scheduler.set(schedule);
    } catch (err) {
      // Validated when written; a zone dropped from a newer ICU is the only way here.
      notices.push(`sync schedule of tenant ${schedule.tenant_id} not armed: ${(err as Error).message}`);
    }
  }

  let closed: Promise<void> | undefined;
  return {
    url,
    credentialsFile,
    defaultTenantId: DEFAULT_TENANT.tenant_id,
    notices,
    close: () => {
      closed ??= (async () => {
        scheduler.stopAll();
        await engine.close();
        await listening.close();
        await ehr.close();
      })();
      return closed;
    },
  };
}
