/** L1 binding: data source `qianfan_oidc_discovery` (providers/qianfan/data-sources/oidc_discovery.ts). */
import { TerraformDataSource, type Construct, type TerraformMetaArguments } from '../framework';
import { GENERATOR_METADATA, metaArguments } from './source';

export interface DataQianfanOidcDiscoveryConfig extends TerraformMetaArguments {
  readonly wellKnownUrl: string;
}

export class DataQianfanOidcDiscovery extends TerraformDataSource {
  static readonly tfResourceType = 'qianfan_oidc_discovery';

  constructor(
    scope: Construct,
    id: string,
    private readonly config: DataQianfanOidcDiscoveryConfig,
  ) {
    super(scope, id, {
      terraformResourceType: DataQianfanOidcDiscovery.tfResourceType,
      terraformGeneratorMetadata: GENERATOR_METADATA,
      ...metaArguments(config),
    });
  }

  get issuer(): string {
    return this.getStringAttribute('issuer');
  }
  get authorizationEndpoint(): string {
    return this.getStringAttribute('authorization_endpoint');
  }
  get tokenEndpoint(): string {
    return this.getStringAttribute('token_endpoint');
  }
  get userinfoEndpoint(): string {
    return this.getStringAttribute('userinfo_endpoint');
  }
  get revocationEndpoint(): string {
    return this.getStringAttribute('revocation_endpoint');
  }
  get endSessionEndpoint(): string {
    return this.getStringAttribute('end_session_endpoint');
  }
  get jwksUri(): string {
    return this.getStringAttribute('jwks_uri');
  }
  get scopesSupported(): string[] {
    return this.getListAttribute('scopes_supported');
  }

  protected synthesizeAttributes(): Record<string, unknown> {
    return { well_known_url: this.config.wellKnownUrl };
  }
}
