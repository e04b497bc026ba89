/**
 * The provider block's defaults, as a user would write them. The provider protocol has
 * no defaults for provider configuration (it is never planned), so they are applied in
 * code (config.ts, clients/http.ts) and quoted in the attribute descriptions, all from here.
 */
export const PROVIDER_DEFAULTS = {
  max_retries: 5,
  retry_max_wait: '30s',
  operation_timeout: '10m',
  request_timeout: '30s',
} as const;
