/**
 * Provider configuration: where the services are and how to authenticate. Every
 * credential can come from the environment so that nothing secret needs to be
 * written into configuration (or into cdktf's synthesized JSON).
 */
import { ProviderError } from '../runtime/diagnostics';
import type { ObjectValue } from '../runtime/interfaces';
import type { BlockSchema } from '../runtime/schema';
import type { YufuAdminClient } from './clients/yufu';
import { attr, num, str } from './values';
import { durationValidator, intRange, parseDuration, stringRule } from './validators';
import { checkServiceUrl, DEFAULT_RETRY, type RetryPolicy } from './clients/http';
import { ENV as CREDENTIAL_ENV, loadApaasCredentials, loadServiceAccount, pick } from './credentials';
import { checkYufuDomain, parseDurationMs } from './rules';
import { PROVIDER_DEFAULTS } from './defaults';
import { RESPONSE_LIMITS, responseLimit } from './clients/limits';

/** Required on first use, so a schema or validate call never loads the client, zod or undici. */
const yufuModule = () => require('./clients/yufu') as typeof import('./clients/yufu');

export const ENV = {
  yufuAdminUrl: 'QIANFAN_YUFU_ADMIN_URL',
  yufuDomain: 'QIANFAN_YUFU_DOMAIN',
  requestTimeout: 'QIANFAN_REQUEST_TIMEOUT',
  maxRetries: 'QIANFAN_MAX_RETRIES',
  apaasUrl: 'QIANFAN_APAAS_URL',
  ...CREDENTIAL_ENV,
} as const;

const apaasModule = () => require('./clients/apaas') as typeof import('./clients/apaas');

export const providerBlock: BlockSchema = {
  description: 'Manages a Tencent Qianfan aPaaS tenant\'s identity setup: Yufu (千帆玉符) OpenID Connect applications, OIDC discovery, the aPaaS 用户管理 【腾讯 HR 助手】 connector and its organisation sync schedule.',
  attributes: {
    yufu_admin_url: attr.optional('string', `Base URL of the tenant's Yufu admin API, e.g. \`https://{domain}-admin.cig.tencentcs.com\`. Environment: \`${ENV.yufuAdminUrl}\`. Plain http is accepted for loopback addresses only.`),
    yufu_domain: attr.optional('string', `The tenant's Yufu domain (the \`{domain}\` in \`{domain}-admin.cig.tencentcs.com\`); an alternative to \`yufu_admin_url\`; setting both in the provider block is an error. Environment: \`${ENV.yufuDomain}\`.`, {
      validate: [stringRule('yufu_domain', checkYufuDomain, 'Invalid Yufu domain')],
    }),
    yufu_service_account_file: attr.optional('string', `Path to the Yufu service-account JSON file (\`{clientId, privateKey}\`). Environment: \`${ENV.yufuServiceAccountFile}\`.`),
    yufu_service_account: attr.optional('string', `The Yufu service-account JSON itself. Prefer the environment variable \`${ENV.yufuServiceAccount}\` so the key stays out of configuration.`, { sensitive: true }),
    apaas_url: attr.optional('string', `Base URL of the aPaaS user-management admin API. Environment: \`${ENV.apaasUrl}\`. Plain http is accepted for loopback addresses only.`),
    apaas_credentials_file: attr.optional('string', `Path to a JSON file \`{"secretId","secretKey"}\` with the aPaaS API key pair. Environment: \`${ENV.apaasCredentialsFile}\`; or set \`${ENV.apaasSecretId}\` and \`${ENV.apaasSecretKey}\`. The SecretKey is never read from provider arguments.`),
    max_retries: attr.optional('number', `How often a request is retried after a rate limit (429, honouring Retry-After), 500/502/503/504 or a lost connection; requests that may have been processed are retried only when idempotent. Default \`${PROVIDER_DEFAULTS.max_retries}\`. Environment: \`${ENV.maxRetries}\`.`, {
      validate: [intRange('max_retries', 0, 20, 'a whole number')],
    }),
    retry_max_wait: attr.optional('string', `Longest single wait between retries (exponential backoff with jitter, or the service's Retry-After), e.g. \`30s\`. Default \`${PROVIDER_DEFAULTS.retry_max_wait}\`.`, {
      validate: [durationValidator('retry_max_wait')],
    }),
    operation_timeout: attr.optional('string', `Deadline for one operation including all retries, e.g. \`10m\`. Default \`${PROVIDER_DEFAULTS.operation_timeout}\`.`, {
      validate: [durationValidator('operation_timeout')],
    }),
    request_timeout: attr.optional('string', `Timeout of a single API request, as a duration such as \`30s\` or \`2m\`. Default \`${PROVIDER_DEFAULTS.request_timeout}\`. Environment: \`${ENV.requestTimeout}\`.`, {
      validate: [durationValidator('request_timeout')],
    }),
  },
};

export interface QianfanClients {
  retry: RetryPolicy;
  /** Loaded on first use, like yufu. */
  apaas: () => Promise<import('./clients/apaas').ApaasClient>;
  /** Loaded on first use: the client and its zod schemas are not needed to serve schemas or validate. */
  yufu: () => Promise<YufuAdminClient>;
  timeoutMs: number;
}

export function resolveClients(config: ObjectValue): QianfanClients {
  // A bad QIANFAN_MAX_RESPONSE_BYTES fails here, not at the first answer.
  responseLimit(RESPONSE_LIMITS.object);
  const timeout = pick(config, 'request_timeout', ENV.requestTimeout);
  const timeoutMs = timeout ? parseDuration(timeout.value, timeout.source) : parseDurationMs(PROVIDER_DEFAULTS.request_timeout)!;
  const maxRetriesEnv = process.env[ENV.maxRetries];
  if (maxRetriesEnv !== undefined && maxRetriesEnv !== '' && !(/^\d{1,2}$/.test(maxRetriesEnv) && Number(maxRetriesEnv) <= 20)) {
    throw new ProviderError(`Invalid ${ENV.maxRetries}`, `${ENV.maxRetries}: expected a whole number from 0 to 20; got ${JSON.stringify(maxRetriesEnv.slice(0, 40))}`);
  }
  const maxRetries = num(config.max_retries) ?? (maxRetriesEnv ? Number(maxRetriesEnv) : DEFAULT_RETRY.maxRetries);
  const retry: RetryPolicy = {
    ...DEFAULT_RETRY,
    maxRetries,
    maxDelayMs: str(config.retry_max_wait) ? parseDuration(str(config.retry_max_wait)!, 'retry_max_wait') : DEFAULT_RETRY.maxDelayMs,
    deadlineMs: str(config.operation_timeout) ? parseDuration(str(config.operation_timeout)!, 'operation_timeout') : DEFAULT_RETRY.deadlineMs,
  };
  let yufu: Promise<YufuAdminClient> | undefined;
  let apaas: Promise<import('./clients/apaas').ApaasClient> | undefined;
  return {
    timeoutMs,
    retry,
    apaas: () => {
      apaas ??= makeApaas();
      return apaas;
    },
    // Built on first use: a data source that only reads discovery needs no credentials.
    yufu: () => {
      yufu ??= makeYufu();
      return yufu;
    },
  };

  async function makeApaas(): Promise<import('./clients/apaas').ApaasClient> {
    const url = pick(config, 'apaas_url', ENV.apaasUrl);
    if (!url) throw new ProviderError('Missing aPaaS endpoint', `set apaas_url in the provider block or ${ENV.apaasUrl}`);
    const baseUrl = checkServiceUrl(url.value, url.source);
    const { ApaasClient } = apaasModule();
    const credentials = loadApaasCredentials(config);
    return new ApaasClient({ baseUrl, credentials, timeoutMs, retry });
  }

  async function makeYufu(): Promise<YufuAdminClient> {
    const explicit = pick(config, 'yufu_admin_url', ENV.yufuAdminUrl);
    const domain = pick(config, 'yufu_domain', ENV.yufuDomain);
    if (!explicit && !domain) {
      throw new ProviderError('Missing Yufu admin endpoint', `set yufu_admin_url or yufu_domain in the provider block, or ${ENV.yufuAdminUrl} / ${ENV.yufuDomain}`);
    }
    const raw = explicit ? explicit.value : `https://${domain!.value}-admin.cig.tencentcs.com`;
    const adminUrl = checkServiceUrl(raw, explicit ? explicit.source : 'yufu_domain');
    const audience = adminUrl.origin + adminUrl.pathname.replace(/\/$/, '');
    const { YufuAdminClient } = yufuModule();
    return new YufuAdminClient({ adminUrl, serviceAccount: loadServiceAccount(config), audience, timeoutMs, retry });
  }
}
