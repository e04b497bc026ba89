/**
 * A stack of tenants from the tenants file: one qianfan provider, one QianfanTenant
 * per tenant (construct id = tenant id, a public contract), per-tenant outputs and a
 * `check` block per tenant that warns when its organisation sync failed.
 */
import { QianfanProvider } from './bindings/provider';
import { TerraformOutput, TerraformStack, type Construct } from './framework';
import { QianfanTenant } from './qianfan-tenant';
import { addSyncCheck } from './sync-check';
import { applyStateBackend } from './state-backend';
import type { TenantEntry } from './tenants-file';

export class TenantsStack extends TerraformStack {
  readonly tenants = new Map<string, QianfanTenant>();

  constructor(scope: Construct, id: string, entries: TenantEntry[]) {
    super(scope, id);
    applyStateBackend(this, id);
    new QianfanProvider(this, 'qianfan');
    for (const entry of entries) {
      const tenant = new QianfanTenant(this, entry.id, {
        apaasTenantId: entry.id,
        ehrAdminUrl: entry.ehrAdminUrl,
        corpKey: entry.corpKey,
        sso: entry.sso,
        schedule: entry.schedule,
        secretHandling: entry.secretHandling,
        secretVersion: entry.secretVersion,
        waitForInitialSync: entry.waitForInitialSync,
        importExisting: entry.import,
      });
      this.tenants.set(entry.id, tenant);
      const discovery = tenant.sso.discovery;
      // Output names must start with a letter; tenant ids may not.
      const name = `tenant_${entry.id.replace(/-/g, '_')}`;
      // Only values that change when the declared setup changes: a sync run must not make
      // `plan -detailed-exitcode` report changes. Sync health is the check below.
      new TerraformOutput(this, name, {
        value: {
          apaas_url: tenant.apaasUrl,
          client_id: tenant.sso.clientId,
          well_known_url: tenant.sso.wellKnownUrl,
          issuer: tenant.sso.issuer,
          authorization_endpoint: discovery.authorizationEndpoint,
          token_endpoint: discovery.tokenEndpoint,
          userinfo_endpoint: discovery.userinfoEndpoint,
          end_session_endpoint: discovery.endSessionEndpoint,
          jwks_uri: discovery.jwksUri,
          corp_key: tenant.corpKey,
          user_source: tenant.connector.userSource,
        },
      });
      addSyncCheck(this, name, tenant);
    }
  }
}
