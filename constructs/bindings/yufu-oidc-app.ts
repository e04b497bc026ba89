/** L1 binding: resource `qianfan_yufu_oidc_app` (providers/qianfan/resources/yufu_oidc_app.ts). */
import { TerraformResource, type Construct, type TerraformMetaArguments } from '../framework';
import { GENERATOR_METADATA, metaArguments } from './source';

export interface YufuOidcAppConfig extends TerraformMetaArguments {
  readonly name: string;
  /** @default "" */
  readonly description?: string;
  /** Changing it replaces the app. @default "web" */
  readonly applicationType?: string;
  readonly redirectUris: string[];
  /** @default [] */
  readonly postLogoutRedirectUris?: string[];
  /** @default ["authorization_code"] */
  readonly grantTypes?: string[];
  /** @default ["openid","profile","email"] */
  readonly scopes?: string[];
  /** @default true */
  readonly requirePkce?: boolean;
  /** Seconds. @default 7200 */
  readonly accessTokenLifetime?: number;
  /** Seconds. @default 3600 */
  readonly idTokenLifetime?: number;
  /** Seconds. @default 2592000 */
  readonly refreshTokenLifetime?: number;
  /** Change to rotate the client secret. @default none */
  readonly clientSecretVersion?: number;
}

export class YufuOidcApp extends TerraformResource {
  static readonly tfResourceType = 'qianfan_yufu_oidc_app';

  constructor(
    scope: Construct,
    id: string,
    private readonly config: YufuOidcAppConfig,
  ) {
    super(scope, id, {
      terraformResourceType: YufuOidcApp.tfResourceType,
      terraformGeneratorMetadata: GENERATOR_METADATA,
      ...metaArguments(config),
    });
  }

  get id(): string {
    return this.getStringAttribute('id');
  }
  get clientId(): string {
    return this.getStringAttribute('client_id');
  }
  get clientSecretVersion(): number {
    return this.getNumberAttribute('client_secret_version');
  }
  get issuer(): string {
    return this.getStringAttribute('issuer');
  }
  get wellKnownUrl(): string {
    return this.getStringAttribute('well_known_url');
  }

  protected synthesizeAttributes(): Record<string, unknown> {
    const c = this.config;
    return {
      name: c.name,
      description: c.description,
      application_type: c.applicationType,
      redirect_uris: c.redirectUris,
      post_logout_redirect_uris: c.postLogoutRedirectUris,
      grant_types: c.grantTypes,
      scopes: c.scopes,
      require_pkce: c.requirePkce,
      access_token_lifetime: c.accessTokenLifetime,
      id_token_lifetime: c.idTokenLifetime,
      refresh_token_lifetime: c.refreshTokenLifetime,
      client_secret_version: c.clientSecretVersion,
    };
  }
}
