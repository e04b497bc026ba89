/** The provider's fully qualified source address: a host of our own, so no registry is ever asked. */
export const PROVIDER_SOURCE = 'registry.qianfan.local/qianfan/qianfan';
export const GENERATOR_METADATA = { providerName: 'qianfan', providerVersion: '0.1.0' };
