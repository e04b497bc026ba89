// Yufu (千帆玉符) emulator: tenant admin API + per-app OpenID Providers, persisted in the
// shared emulator SQLite file. Other service emulators plug in beside this directory.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Db, getSetting, openDatabase, setSetting } from '../db';
import { baseUrl, listenRecorded, withRequestLog, type Listening } from '../http';
import { createAdminHandler } from './admin';
import { OwnershipStore } from '../ownership';
import { YufuIdp } from './idp';
import { randomHex, YufuStore, type Tenant } from './store';

export interface YufuEmulatorOptions {
  dataDir: string;
  /** Loopback address to bind; default 127.0.0.1. */
  host?: string;
  /** undefined = the port recorded in the data dir (or a free one on first start); 0 = a free one. */
  adminPort?: number;
  idpPort?: number;
  /** Tenant domain label, used only when the tenant is first created. */
  domain?: string;
  /** Share a database with other slices; when omitted the emulator opens and closes its own. */
  db?: Db;
  /** Request log and notices; default stderr. Receives no secrets. */
  log?: (line: string) => void;
}

export interface YufuEmulator {
  adminUrl: string;
  idpUrl: string;
  tenantId: string;
  domain: string;
  serviceAccountFile: string;
  dataDir: string;
  /** What happened at start that a human should know (e.g. a regenerated key file). */
  notices: string[];
  close(): Promise<void>;
}

export const SEED_USER = { username: 'alice', password: 'alice-password', name: 'Alice 王' } as const;

const SETTING_ADMIN_PORT = 'yufu.admin_port';
const SETTING_IDP_PORT = 'yufu.idp_port';

function writeServiceAccountFile(file: string, clientId: string, privateKey: object): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify({ clientId, privateKey }, null, 2)}\n`, { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
}

export async function startYufuEmulator(options: YufuEmulatorOptions): Promise<YufuEmulator> {
  const dataDir = path.resolve(options.dataDir);
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const ownsDb = options.db === undefined;
  const db = options.db ?? openDatabase(dataDir);
  const notices: string[] = [];
  const serviceAccountFile = path.join(dataDir, 'service-account.json');

  try {
    const store = new YufuStore(db);
    const tenant: Tenant = store.transaction(() => {
      const existing = store.firstTenant();
      if (existing) return existing;
      const t = store.createTenant(options.domain ?? 'qianfan-demo');
      store.addSigningKey(t.id);
      store.addUser(t.id, { ...SEED_USER, email: `alice@${t.domain}.example.com` });
      return t;
    });
    if (store.signingKeys(tenant.id).length === 0) store.addSigningKey(tenant.id);

    const account = store.serviceAccountFor(tenant.id);
    if (!account) {
      const clientId = `sa-${randomHex(16)}`;
      writeServiceAccountFile(serviceAccountFile, clientId, store.putServiceAccountKey(tenant.id, clientId));
    } else if (!fs.existsSync(serviceAccountFile)) {
      // Only the public half is kept in the DB, so a lost file can only be replaced.
      writeServiceAccountFile(serviceAccountFile, account.client_id, store.putServiceAccountKey(tenant.id, account.client_id));
      notices.push(`service account file was missing; issued a new key for ${account.client_id} (old key no longer accepted)`);
    }

    let adminUrl = '';
    let idpUrl = '';
    const idp = new YufuIdp({ store, tenant, idpUrl: () => idpUrl, log });
    const adminHandler = createAdminHandler({
      store,
      ownership: new OwnershipStore(db),
      tenant,
      adminUrl: () => adminUrl,
      idpUrl: () => idpUrl,
      onAppChanged: (clientId) => idp.invalidate(clientId),
    });

    const admin = await listenRecorded(
      'admin',
      withRequestLog('yufu-admin', adminHandler, log),
      host,
      options.adminPort,
      getSetting(db, SETTING_ADMIN_PORT),
      '--admin-port',
    );
    let idpListening: Listening;
    try {
      idpListening = await listenRecorded(
        'idp',
        withRequestLog('yufu-idp', idp.handler, log),
        host,
        options.idpPort,
        getSetting(db, SETTING_IDP_PORT),
        '--idp-port',
      );
    } catch (err) {
      await admin.close();
      throw err;
    }
    adminUrl = baseUrl(host, admin.port);
    idpUrl = baseUrl(host, idpListening.port);
    setSetting(db, SETTING_ADMIN_PORT, String(admin.port));
    setSetting(db, SETTING_IDP_PORT, String(idpListening.port));

    let closed: Promise<void> | undefined;
    return {
      adminUrl,
      idpUrl,
      tenantId: tenant.id,
      domain: tenant.domain,
      serviceAccountFile,
      dataDir,
      notices,
      close: () => {
        closed ??= (async () => {
          await Promise.all([admin.close(), idpListening.close()]);
          if (ownsDb) db.close();
        })();
        return closed;
      },
    };
  } catch (err) {
    if (ownsDb) db.close();
    throw err;
  }
}
