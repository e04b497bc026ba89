/** L1 binding: the `qianfan` provider block. Hand-written against providers/qianfan/config.ts. */
import { TerraformProvider, type Construct } from '../framework';
import { GENERATOR_METADATA, PROVIDER_SOURCE } from './source';

export interface QianfanProviderConfig {
  /** Base URL of the Yufu admin API. @default env QIANFAN_YUFU_ADMIN_URL */
  readonly yufuAdminUrl?: string;
  /** The tenant's Yufu domain, instead of yufuAdminUrl. @default env QIANFAN_YUFU_DOMAIN */
  readonly yufuDomain?: string;
  /** Path to the service-account JSON file. @default env QIANFAN_YUFU_SERVICE_ACCOUNT_FILE */
  readonly yufuServiceAccountFile?: string;
  /** Service-account JSON. Prefer the environment variable: this lands in cdk.tf.json. @default env QIANFAN_YUFU_SERVICE_ACCOUNT */
  readonly yufuServiceAccount?: string;
  /** Base URL of the aPaaS admin API. @default env QIANFAN_APAAS_URL */
  readonly apaasUrl?: string;
  /** Path to {"secretId","secretKey"}. @default env QIANFAN_APAAS_CREDENTIALS_FILE, or QIANFAN_APAAS_SECRET_ID/KEY */
  readonly apaasCredentialsFile?: string;
  /** Per-request timeout, e.g. "30s". @default "30s" */
  readonly requestTimeout?: string;
  /** Provider alias, for several tenants in one stack. @default none */
  readonly alias?: string;
}

export class QianfanProvider extends TerraformProvider {
  // cdktf's TerraformProvider declares alias as a no-op accessor that every provider
  // binding overrides with its own storage; without this the alias is silently lost.
  private aliasValue?: string;

  get alias(): string | undefined {
    return this.aliasValue;
  }

  set alias(value: string | undefined) {
    this.aliasValue = value;
  }

  constructor(
    scope: Construct,
    id: string,
    private readonly config: QianfanProviderConfig = {},
  ) {
    super(scope, id, {
      terraformResourceType: 'qianfan',
      terraformGeneratorMetadata: GENERATOR_METADATA,
      terraformProviderSource: PROVIDER_SOURCE,
    });
    this.alias = config.alias;
  }

  protected synthesizeAttributes(): Record<string, unknown> {
    return {
      yufu_admin_url: this.config.yufuAdminUrl,
      yufu_domain: this.config.yufuDomain,
      yufu_service_account_file: this.config.yufuServiceAccountFile,
      yufu_service_account: this.config.yufuServiceAccount,
      apaas_url: this.config.apaasUrl,
      apaas_credentials_file: this.config.apaasCredentialsFile,
      request_timeout: this.config.requestTimeout,
      alias: this.alias,
    };
  }
}
