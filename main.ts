/**
 * The example tenant: one Qianfan aPaaS tenant's Yufu (千帆玉符) OIDC application,
 * declared in code. `npm start` synthesizes this, deploys it against the local
 * emulator with the real Terraform binary and prints the outputs.
 *
 * Endpoints and credentials come from the environment (QIANFAN_YUFU_ADMIN_URL,
 * QIANFAN_YUFU_SERVICE_ACCOUNT_FILE), never from this file.
 */
import { App, TerraformOutput, TerraformStack, type Construct } from './constructs/framework';
import { QianfanProvider, YufuOidcApplication } from './constructs';

export interface TenantStackProps {
  /** The aPaaS tenant id, as in https://apaas.weworkpro.tencent-cloud.com/{tenant}/ */
  apaasTenantId: string;
  appName: string;
}

export class TenantStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: TenantStackProps) {
    super(scope, id);
    new QianfanProvider(this, 'qianfan');
    const apaasUrl = `https://apaas.weworkpro.tencent-cloud.com/${props.apaasTenantId}/`;
    const sso = new YufuOidcApplication(this, 'Sso', {
      name: props.appName,
      description: `Single sign-on for aPaaS tenant ${props.apaasTenantId}`,
      redirectUris: [apaasUrl],
      postLogoutRedirectUris: [apaasUrl],
      grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
      scopes: ['openid', 'profile', 'email', 'offline_access'],
    });
    new TerraformOutput(this, 'client_id', { value: sso.clientId });
    new TerraformOutput(this, 'client_secret', { value: sso.clientSecret, sensitive: true });
    new TerraformOutput(this, 'well_known_url', { value: sso.wellKnownUrl });
    new TerraformOutput(this, 'issuer', { value: sso.issuer });
    new TerraformOutput(this, 'authorization_endpoint', { value: sso.discovery.authorizationEndpoint });
    new TerraformOutput(this, 'token_endpoint', { value: sso.discovery.tokenEndpoint });
    new TerraformOutput(this, 'userinfo_endpoint', { value: sso.discovery.userinfoEndpoint });
    new TerraformOutput(this, 'end_session_endpoint', { value: sso.discovery.endSessionEndpoint });
    new TerraformOutput(this, 'jwks_uri', { value: sso.discovery.jwksUri });
  }
}

export function buildApp(outdir?: string): App {
  const app = new App(outdir ? { outdir } : {});
  new TenantStack(app, 'tenant-demo', { apaasTenantId: 'demo-tenant-001', appName: 'aPaaS demo tenant SSO' });
  return app;
}

if (require.main === module) buildApp().synth();
