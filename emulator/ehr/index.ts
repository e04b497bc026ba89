// E-HR (腾讯 HR 助手) emulator: the signed directory data API for every corp, served as
// `{ehr_url}/c/{corpKey}`, plus emulator-only control endpoints. Persisted in the
// shared emulator SQLite file.
import { type Db, getSetting, setSetting } from '../db';
import { baseUrl, listenRecorded, withRequestLog } from '../http';
import { createEhrHandler } from './api';
import { EhrStore, type EhrApp } from './store';

export interface EhrEmulatorOptions {
  db: Db;
  host?: string;
  /** undefined = the port recorded in the DB (or a free one on first start); 0 = a free one. */
  port?: number;
  /** Size of the seeded default corp; used only on first start. */
  employees?: number;
  seed?: string;
  log?: (line: string) => void;
}

export interface EhrEmulator {
  url: string;
  /** `{ehr_url}/c/{corpKey}`: how a consumer builds a corp's base URL. */
  baseUrlTemplate: string;
  defaultCorpKey: string;
  /** The key the emulated aPaaS platform signs with; authorised for every corp. */
  platformApp: EhrApp;
  store: EhrStore;
  close(): Promise<void>;
}

export const DEFAULT_CORP = { corp_key: 'apaas', name: '腾讯 HR 助手演示公司' } as const;
export const DEFAULT_EMPLOYEES = 200;
const SETTING_PORT = 'ehr.port';
const PLATFORM_LABEL = 'apaas-platform';

export async function startEhrEmulator(options: EhrEmulatorOptions): Promise<EhrEmulator> {
  const { db } = options;
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const store = new EhrStore(db);

  if (!getSetting(db, 'ehr.seeded')) {
    if (!store.corp(DEFAULT_CORP.corp_key)) {
      store.createCorp(DEFAULT_CORP.corp_key, DEFAULT_CORP.name, options.employees ?? DEFAULT_EMPLOYEES, options.seed ?? '1');
    }
    setSetting(db, 'ehr.seeded', new Date().toISOString());
  }
  const platformApp = store.appByLabel(PLATFORM_LABEL) ?? store.createApp('*', PLATFORM_LABEL);

  const listening = await listenRecorded(
    'ehr',
    withRequestLog('ehr', createEhrHandler({ store }), log),
    host,
    options.port,
    getSetting(db, SETTING_PORT),
    '--ehr-port',
  );
  setSetting(db, SETTING_PORT, String(listening.port));
  const url = baseUrl(host, listening.port);
  return {
    url,
    baseUrlTemplate: `${url}/c/{corpKey}`,
    defaultCorpKey: DEFAULT_CORP.corp_key,
    platformApp,
    store,
    close: () => listening.close(),
  };
}
