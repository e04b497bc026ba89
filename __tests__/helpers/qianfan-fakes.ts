/**
 * In-memory stand-ins for the provider's two service clients (YufuAdminClient,
 * ApaasClient), for unit tests that drive the resources through the provider server.
 * They keep the contract of docs/api/yufu-admin.md, apaas-admin.md and ownership.md
 * that the resources rely on: creation keys, claims as compare-and-set, create-only
 * PUTs that answer null when the object exists, conditional deletes answering
 * 'not-ours', labelled rotation, locked user sources. Every call is
 * recorded, so a test can say "nothing was written".
 */
import type { ApaasClient } from '../../providers/qianfan/clients/apaas';
import { DEFAULT_RETRY } from '../../providers/qianfan/clients/http';
import type { YufuAdminClient } from '../../providers/qianfan/clients/yufu';
import type { QianfanClients } from '../../providers/qianfan/config';
import { ProviderError } from '../../providers/runtime/diagnostics';
import { FakeApaas } from './fake-services/apaas';
import { FakeYufu } from './fake-services/yufu';

export { FakeApaas } from './fake-services/apaas';
export { APP_DEFAULTS, FakeYufu } from './fake-services/yufu';
export type { Call } from './fake-services/recorder';

/**
 * QianfanClients over the fakes. A service left out is "not configured": its client
 * fails the way config.ts fails without an endpoint.
 */
export function stubClients(fakes: { yufu?: FakeYufu; apaas?: FakeApaas }): QianfanClients {
  const missing = (what: string) => Promise.reject(new ProviderError(`Missing ${what} endpoint`, `set it in the provider block (stub: ${what} not configured)`));
  return {
    retry: { ...DEFAULT_RETRY, maxRetries: 0, deadlineMs: 5_000 },
    timeoutMs: 2_000,
    yufu: () => (fakes.yufu ? Promise.resolve(fakes.yufu as unknown as YufuAdminClient) : missing('Yufu admin')),
    apaas: () => (fakes.apaas ? Promise.resolve(fakes.apaas as unknown as ApaasClient) : missing('aPaaS')),
  };
}
