/**
 * What a tenant set up by hand looks like in the services, read with the provider's own
 * API clients (so from the same QIANFAN_* environment): its aPaaS tenant record, the
 * 【腾讯 HR 助手】 connector, the sync schedule, and the Yufu app the connector's client
 * id belongs to. Read-only: every call here is a GET.
 *
 * Each reason a tenant cannot be adopted as it is comes back as a sentence naming the
 * object and what to do; nothing is decided here about the tenants file.
 */
import { secretSha256, SOURCE_NAMES, type ApaasClient, type Connector, type Schedule, type Tenant } from '../../providers/qianfan/clients/apaas';
import type { YufuAdminClient, YufuApp } from '../../providers/qianfan/clients/yufu';

export interface LiveSetup {
  tenant: Tenant;
  connector: Connector;
  schedule: Schedule | null;
  app: YufuApp;
  /** Whether aPaaS holds the app's current secret (compared by SHA-256, never shown). */
  secretInSync: boolean;
}

export type ReadResult = { ok: true; setup: LiveSetup } | { ok: false; problems: string[] };

const PAGE_SIZE = 100;
export const CONCURRENCY = 8;

/** Runs fn over items, at most `limit` at a time, results in order. */
export async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

const managed = (what: string, claimedAt: string | null | undefined) =>
  `${what} is managed by another Terraform state (claimed ${claimedAt ? `at ${claimedAt}` : 'by a state'}): it is in code already. Manage it from that state; adopting it here too would have two states undo each other's changes.`;

export class LiveReader {
  private readonly connectors = new Map<string, Promise<Connector | null>>();
  private tenantList?: Promise<Tenant[]>;

  constructor(
    private readonly apaas: ApaasClient,
    private readonly yufu: () => Promise<YufuAdminClient>,
    /** Says which Yufu tenant was asked, in messages: e.g. the admin URL. */
    private readonly yufuWhere: string,
  ) {}

  /** Every tenant the aPaaS credentials can see (GET /api/v1/tenants, paged). */
  allTenants(): Promise<Tenant[]> {
    this.tenantList ??= (async () => {
      const all: Tenant[] = [];
      for (let page = 1; ; page++) {
        const { items, total } = await this.apaas.listTenants(page, PAGE_SIZE);
        all.push(...items);
        if (items.length === 0 || all.length >= total) return all;
      }
    })();
    return this.tenantList;
  }

  connector(tenantId: string): Promise<Connector | null> {
    let c = this.connectors.get(tenantId);
    if (!c) {
      c = this.apaas.getConnector(tenantId);
      this.connectors.set(tenantId, c);
    }
    return c;
  }

  /** By client id: every tenant whose connector uses it (a scan of all tenants' connectors). */
  async tenantsUsing(clientIds: string[]): Promise<Map<string, string[]>> {
    const wanted = new Set(clientIds);
    if (wanted.size === 0) return new Map();
    const tenants = (await this.allTenants()).filter((t) => t.user_source === 'hr_assistant');
    const found = new Map<string, string[]>();
    await mapLimited(tenants, CONCURRENCY, async (t) => {
      const c = await this.connector(t.tenant_id);
      if (c && wanted.has(c.client_id)) found.set(c.client_id, [...(found.get(c.client_id) ?? []), t.tenant_id].sort());
    });
    return found;
  }

  /** The live setup of one tenant, or why it cannot be adopted as it is. */
  async read(tenantId: string, options: { repairSecret?: boolean } = {}): Promise<ReadResult> {
    const tenant = await this.apaas.getTenant(tenantId);
    if (!tenant) return { ok: false, problems: [`aPaaS has no tenant "${tenantId}" that these API credentials can see; check the id (as in https://apaas.weworkpro.tencent-cloud.com/{tenant}/) and QIANFAN_APAAS_*.`] };
    if (tenant.user_source !== null && tenant.user_source !== 'hr_assistant') {
      const since = tenant.initialized_at ? ` since ${tenant.initialized_at}` : '';
      const unlocked = tenant.user_source === 'self_registration' && tenant.source_switches_left > 0;
      return {
        ok: false,
        problems: [
          `its user data comes from ${SOURCE_NAMES[tenant.user_source]}${since}, not from 腾讯 HR 助手: there is no HR connector to adopt. ` +
            (unlocked
              ? 'A self-registration tenant may switch once: to move it to the HR assistant, declare it in the tenants file (id, corpKey) without import, and apply.'
              : 'aPaaS never changes an initialised source (not in the console either), and the tenants file declares HR-assistant tenants only: leave this tenant out of it.'),
        ],
      };
    }
    const connector = await this.connector(tenantId);
    if (!connector) {
      return {
        ok: false,
        problems: [
          tenant.user_source === 'hr_assistant'
            ? `it has no 腾讯 HR 助手 connector any more (deleted; its users and source stay): nothing to import. To save a connector again from code, declare the tenant in the tenants file (id and its Corp Key) without import, and apply.`
            : 'it has no 腾讯 HR 助手 connector (用户管理 was never set up): nothing to import. To set it up from code, declare the tenant in the tenants file (id, corpKey) and apply.',
        ],
      };
    }
    const problems: string[] = [];
    if (connector.claimed_by !== null) problems.push(managed('its HR connector', connector.claimed_at));
    const [app, ...others] = await (await this.yufu()).appsByClientId([connector.client_id]);
    if (!app) {
      problems.push(
        `its connector uses the client id ${connector.client_id}, but the Yufu service account at ${this.yufuWhere} sees no app with this client id: the app was deleted, or it belongs to another Yufu tenant. ` +
          'Point QIANFAN_YUFU_ADMIN_URL (or QIANFAN_YUFU_DOMAIN) and the service account at the Yufu tenant that holds the app; if the app is gone, sign-in to this tenant is broken: create an app, save its client id and secret in the connector, then adopt.',
      );
      return { ok: false, problems };
    }
    if (others.length > 0) problems.push(`Yufu answers ${others.length + 1} apps for the client id ${connector.client_id}; a client id names one app. Nothing can be adopted until that is resolved.`);
    if (app.claimed_by !== null) problems.push(managed(`the Yufu app "${app.name}" (${app.id})`, app.claimed_at));
    const schedule = await this.apaas.getSchedule(tenantId);
    if (schedule?.claimed_by) problems.push(managed('its sync schedule', schedule.claimed_at));
    const secretInSync = secretSha256(app.client_secret) === connector.client_secret_sha256;
    if (!secretInSync && !options.repairSecret) {
      problems.push(
        `the secret its connector holds is not the current secret of the Yufu app "${app.name}" (${app.id}) — it was rotated in Yufu after the connector was saved, so sign-in fails today. ` +
          'Adopted as it is, the first apply would send the app\'s current secret to aPaaS (1 to change). Paste the current secret into the connector in the aPaaS console and adopt again, or run adopt with --repair-secret to let that apply repair it.',
      );
    }
    return problems.length > 0 ? { ok: false, problems } : { ok: true, setup: { tenant, connector, schedule, app, secretInSync } };
  }
}

export type { YufuApp, Connector, Schedule, Tenant };
