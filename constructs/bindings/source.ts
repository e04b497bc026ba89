import type { TerraformMetaArguments, TerraformResourceConfig } from '../framework';

/** The provider's fully qualified source address: a host of our own, so no registry is ever asked. */
export const PROVIDER_SOURCE = 'registry.qianfan.local/qianfan/qianfan';
export const GENERATOR_METADATA = { providerName: 'qianfan', providerVersion: '0.1.0' };

/** The Terraform meta-arguments every binding passes through unchanged. */
export function metaArguments(config: {
  provider?: unknown;
  dependsOn?: unknown;
  count?: unknown;
  lifecycle?: unknown;
  forEach?: unknown;
}): Pick<TerraformResourceConfig, 'provider' | 'dependsOn' | 'count' | 'lifecycle' | 'forEach'> {
  const { provider, dependsOn, count, lifecycle, forEach } = config as TerraformMetaArguments;
  return { provider, dependsOn, count, lifecycle, forEach };
}
