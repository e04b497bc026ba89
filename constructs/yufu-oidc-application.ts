/**
 * YufuOidcApplication — the Yufu (千帆玉符) side of SSO for an aPaaS tenant, as one
 * construct: the OIDC application plus a read of its discovery document, so the
 * issuer and endpoints are available as real values (not derived strings).
 */
import { z } from 'zod';
import {
  APPLICATION_TYPES,
  checkDescription,
  checkGrantTypes,
  checkName,
  checkRedirectUri,
  checkRedirectUris,
  checkScopes,
  GRANT_TYPES,
  type GrantType,
  type Scope,
  oneOfRule,
  SCOPES,
  type ApplicationType,
} from '../providers/qianfan/rules';
import { DataQianfanOidcDiscovery } from './bindings/data-oidc-discovery';
import { YufuOidcApp } from './bindings/yufu-oidc-app';
import { Construct, type TerraformProvider } from './framework';
import { lifetimeSchema, parseProps, ruled, ruledList } from './validation';

export interface YufuOidcApplicationProps {
  /** Display name in the Yufu console, 1–64 characters (two apps may share one). */
  readonly name: string;
  /** Free text shown in the Yufu console. @default - the provider's default for `description` (docs/resources/yufu_oidc_app.md) */
  readonly description?: string;
  /**
   * Where Yufu may send users back after login. https (http only for 127.0.0.1);
   * Yufu rejects `localhost`. For aPaaS: `https://apaas.weworkpro.tencent-cloud.com/{tenant}/`.
   */
  readonly redirectUris: string[];
  /** Same rules as redirectUris. @default - the provider's default for `post_logout_redirect_uris` (docs/resources/yufu_oidc_app.md) */
  readonly postLogoutRedirectUris?: string[];
  /** @default - the provider's default for `grant_types` (docs/resources/yufu_oidc_app.md) */
  readonly grantTypes?: (typeof GRANT_TYPES)[number][];
  /** Must include "openid". @default - the provider's default for `scopes` (docs/resources/yufu_oidc_app.md) */
  readonly scopes?: (typeof SCOPES)[number][];
  /** @default - the provider's default for `require_pkce` (docs/resources/yufu_oidc_app.md) */
  readonly requirePkce?: boolean;
  /** Changing it replaces the app (new client id and secret). @default - the provider's default for `application_type` (docs/resources/yufu_oidc_app.md) */
  readonly applicationType?: (typeof APPLICATION_TYPES)[number];
  /** Seconds, 60–86400. @default - the provider's default for `access_token_lifetime` (docs/resources/yufu_oidc_app.md) */
  readonly accessTokenLifetime?: number;
  /** Seconds, 60–86400. @default - the provider's default for `id_token_lifetime` (docs/resources/yufu_oidc_app.md) */
  readonly idTokenLifetime?: number;
  /** Seconds, 3600–31536000. @default - the provider's default for `refresh_token_lifetime` (docs/resources/yufu_oidc_app.md) */
  readonly refreshTokenLifetime?: number;
  /** Change to rotate the client secret; a connector given clientSecretVersion follows in the same apply. @default - the secret is never rotated */
  readonly clientSecretVersion?: number;
  /** The qianfan provider to use. @default - the stack's default qianfan provider */
  readonly provider?: TerraformProvider;
}

const lifetime = lifetimeSchema;

const isGrantType = oneOfRule(GRANT_TYPES);
const isScope = oneOfRule(SCOPES);

const propsSchema = z.object({
  name: ruled(checkName),
  description: ruled(checkDescription).optional(),
  redirectUris: ruledList((v) => checkRedirectUris(v, 1), checkRedirectUri),
  postLogoutRedirectUris: ruledList((v) => checkRedirectUris(v, 0), checkRedirectUri).optional(),
  grantTypes: ruledList<GrantType>(checkGrantTypes, isGrantType).optional(),
  // A token element may be "openid": that is for the provider to check at plan time.
  scopes: ruledList<Scope>(checkScopes, isScope).optional(),
  requirePkce: z.boolean().optional(),
  applicationType: ruled<ApplicationType>(oneOfRule(APPLICATION_TYPES)).optional(),
  accessTokenLifetime: lifetime('access_token_lifetime'),
  idTokenLifetime: lifetime('id_token_lifetime'),
  refreshTokenLifetime: lifetime('refresh_token_lifetime'),
  clientSecretVersion: z.number().int('expected a whole number').optional(),
  provider: z.any().optional(),
});

export class YufuOidcApplication extends Construct {
  /** The L1 resource, for escape hatches. Construct id "App" is a public contract. */
  readonly app: YufuOidcApp;
  /** The discovery document read back from the app's Well-known URL. */
  readonly discovery: DataQianfanOidcDiscovery;

  constructor(scope: Construct, id: string, props: YufuOidcApplicationProps) {
    super(scope, id);
    const p = parseProps(propsSchema, props, `YufuOidcApplication "${this.node.path}"`);
    this.app = new YufuOidcApp(this, 'App', {
      name: p.name,
      description: p.description,
      applicationType: p.applicationType,
      redirectUris: p.redirectUris,
      postLogoutRedirectUris: p.postLogoutRedirectUris,
      grantTypes: p.grantTypes,
      scopes: p.scopes,
      requirePkce: p.requirePkce,
      accessTokenLifetime: p.accessTokenLifetime,
      idTokenLifetime: p.idTokenLifetime,
      refreshTokenLifetime: p.refreshTokenLifetime,
      clientSecretVersion: p.clientSecretVersion,
      provider: props.provider,
    });
    this.discovery = new DataQianfanOidcDiscovery(this, 'Discovery', {
      wellKnownUrl: this.app.wellKnownUrl,
      provider: props.provider,
    });
  }

  get clientId(): string {
    return this.app.clientId;
  }
  /** The rotation trigger, for the connector's `clientSecretVersion`. */
  get clientSecretVersion(): number {
    return this.app.clientSecretVersion;
  }
  get wellKnownUrl(): string {
    return this.app.wellKnownUrl;
  }
  get issuer(): string {
    return this.discovery.issuer;
  }
}
