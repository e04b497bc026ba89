/**
 * The example tenant: one Qianfan aPaaS tenant's whole identity setup, declared in
 * code — the Yufu (千帆玉符) OIDC application, the aPaaS 【腾讯 HR 助手】 connector
 * and the organisation sync schedule. `npm start` synthesizes this, deploys it
 * against the local emulator with the real Terraform binary and prints the outputs.
 *
 * Endpoints and credentials come from the environment (QIANFAN_YUFU_ADMIN_URL,
 * QIANFAN_YUFU_SERVICE_ACCOUNT_FILE, QIANFAN_APAAS_URL, QIANFAN_APAAS_CREDENTIALS_FILE),
 * never from this file.
 */
import { QianfanProvider, QianfanTenant, type QianfanTenantProps } from './constructs';
import { App, TerraformOutput, TerraformStack, type Construct } from './constructs/framework';

export class TenantStack extends TerraformStack {
  readonly tenant: QianfanTenant;

  constructor(scope: Construct, id: string, props: QianfanTenantProps) {
    super(scope, id);
    new QianfanProvider(this, 'qianfan');
    const tenant = new QianfanTenant(this, 'Tenant', props);
    this.tenant = tenant;
    const discovery = tenant.sso.discovery;
    new TerraformOutput(this, 'client_id', { value: tenant.sso.clientId });
    new TerraformOutput(this, 'client_secret', { value: tenant.sso.clientSecret, sensitive: true });
    new TerraformOutput(this, 'well_known_url', { value: tenant.sso.wellKnownUrl });
    new TerraformOutput(this, 'issuer', { value: tenant.sso.issuer });
    new TerraformOutput(this, 'authorization_endpoint', { value: discovery.authorizationEndpoint });
    new TerraformOutput(this, 'token_endpoint', { value: discovery.tokenEndpoint });
    new TerraformOutput(this, 'userinfo_endpoint', { value: discovery.userinfoEndpoint });
    new TerraformOutput(this, 'end_session_endpoint', { value: discovery.endSessionEndpoint });
    new TerraformOutput(this, 'jwks_uri', { value: discovery.jwksUri });
    new TerraformOutput(this, 'corp_key', { value: tenant.corpKey });
    new TerraformOutput(this, 'connector_status', { value: tenant.connector.status });
    new TerraformOutput(this, 'user_source', { value: tenant.connector.userSource });
    new TerraformOutput(this, 'departments_synced', { value: tenant.connector.departmentsSynced });
    new TerraformOutput(this, 'employees_synced', { value: tenant.connector.employeesSynced });
    if (tenant.schedule) new TerraformOutput(this, 'next_sync_at', { value: tenant.schedule.nextRunAt });
  }
}

export function buildApp(outdir?: string): App {
  const app = new App(outdir ? { outdir } : {});
  new TenantStack(app, 'tenant-demo', {
    apaasTenantId: 'demo-tenant-001',
    ehrAdminUrl: 'https://ehrnew-apaas.ihr.tencent-cloud.com/employeeInformation',
    sso: { name: 'aPaaS demo tenant SSO' },
    schedule: { cron: '0 2 * * *', timeZone: 'Asia/Shanghai', mode: 'incremental' },
  });
  return app;
}

if (require.main === module) buildApp().synth();
