/** L1 binding: resource `qianfan_apaas_hr_connector` (providers/qianfan/resources/apaas_hr_connector.ts). */
import { TerraformResource, type Construct, type IResolvable, type TerraformMetaArguments } from '../framework';
import { GENERATOR_METADATA, metaArguments } from './source';

export interface ApaasHrConnectorConfig extends TerraformMetaArguments {
  readonly tenantId: string;
  readonly corpKey: string;
  readonly wellKnownUrl: string;
  readonly clientId: string;
  /** Rotation trigger: the Yufu app's client_secret_version. */
  readonly clientSecretVersion?: number;
  /** Bring your own secret, stored in state (sensitive). Unset: the provider reads the Yufu app's secret. */
  readonly clientSecret?: string;
  /** Write-only (Terraform ≥ 1.11): never stored in state. */
  readonly clientSecretWo?: string;
  /** Change to send clientSecretWo again. */
  readonly clientSecretWoVersion?: number;
  /** @default true */
  readonly waitForInitialSync?: boolean;
  /** @default "10m" */
  readonly initialSyncTimeout?: string;
}

export class ApaasHrConnector extends TerraformResource {
  static readonly tfResourceType = 'qianfan_apaas_hr_connector';

  constructor(
    scope: Construct,
    id: string,
    private readonly config: ApaasHrConnectorConfig,
  ) {
    super(scope, id, {
      terraformResourceType: ApaasHrConnector.tfResourceType,
      terraformGeneratorMetadata: GENERATOR_METADATA,
      ...metaArguments(config),
    });
  }

  get userSource(): string {
    return this.getStringAttribute('user_source');
  }
  get clientSecretInSync(): IResolvable {
    return this.getBooleanAttribute('client_secret_in_sync');
  }
  get createdAt(): string {
    return this.getStringAttribute('created_at');
  }

  protected synthesizeAttributes(): Record<string, unknown> {
    const c = this.config;
    return {
      tenant_id: c.tenantId,
      corp_key: c.corpKey,
      well_known_url: c.wellKnownUrl,
      client_id: c.clientId,
      client_secret_version: c.clientSecretVersion,
      client_secret: c.clientSecret,
      client_secret_wo: c.clientSecretWo,
      client_secret_wo_version: c.clientSecretWoVersion,
      wait_for_initial_sync: c.waitForInitialSync,
      initial_sync_timeout: c.initialSyncTimeout,
    };
  }
}
