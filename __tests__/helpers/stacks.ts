/** Small stacks the e2e tests synthesize, built from the public constructs. */
import { QianfanProvider, QianfanTenant, YufuOidcApplication, type QianfanTenantProps } from '../../constructs';
import { TerraformOutput, TerraformStack, type Construct } from '../../constructs/framework';

/** Only the Yufu side: the app, its discovery document, and outputs. */
export class SsoStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: { apaasTenantId: string; appName: string }) {
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
    new TerraformOutput(this, 'well_known_url', { value: sso.wellKnownUrl });
    new TerraformOutput(this, 'issuer', { value: sso.issuer });
    new TerraformOutput(this, 'authorization_endpoint', { value: sso.discovery.authorizationEndpoint });
    new TerraformOutput(this, 'token_endpoint', { value: sso.discovery.tokenEndpoint });
    new TerraformOutput(this, 'userinfo_endpoint', { value: sso.discovery.userinfoEndpoint });
    new TerraformOutput(this, 'end_session_endpoint', { value: sso.discovery.endSessionEndpoint });
    new TerraformOutput(this, 'jwks_uri', { value: sso.discovery.jwksUri });
  }
}

/** A whole tenant through QianfanTenant, as main.ts declares one. */
export class WholeTenantStack extends TerraformStack {
  readonly tenant: QianfanTenant;
  constructor(scope: Construct, id: string, props: QianfanTenantProps) {
    super(scope, id);
    new QianfanProvider(this, 'qianfan');
    this.tenant = new QianfanTenant(this, 'Tenant', props);
  }
}
