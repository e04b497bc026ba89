/**
 * qianfan_oidc_discovery — reads an OpenID Provider's discovery document with
 * openid-client, which checks that the issuer it states is the one the URL names
 * (OpenID Connect Discovery 1.0 §4.3). Nothing here needs Yufu credentials.
 */
import type { CtyValue } from '../../runtime/cty';
import { ProviderError } from '../../runtime/diagnostics';
import type { DataSourceDefinition, ObjectValue } from '../../runtime/interfaces';
import type { Schema } from '../../runtime/schema';
import { isLoopbackHost, retryingFetch } from '../clients/http';
import { resolveClients, type QianfanClients } from '../config';
import { checkWellKnownUrl, shown } from '../rules';
import { stringRule } from '../validators';
import { attr } from '../values';

export const TYPE_NAME = 'qianfan_oidc_discovery';
const SUFFIX = '/.well-known/openid-configuration';

const ENDPOINTS = [
  ['authorization_endpoint', 'The authorization endpoint.'],
  ['token_endpoint', 'The token endpoint.'],
  ['userinfo_endpoint', 'The userinfo endpoint, or null when not published.'],
  ['revocation_endpoint', 'The token revocation endpoint, or null when not published.'],
  ['end_session_endpoint', 'The RP-initiated logout endpoint, or null when not published.'],
  ['jwks_uri', 'Where the issuer publishes its signing keys.'],
] as const;

const LISTS = [
  ['scopes_supported', 'Scopes the issuer supports.'],
  ['response_types_supported', 'Response types the issuer supports.'],
  ['grant_types_supported', 'Grant types the issuer supports.'],
  ['id_token_signing_alg_values_supported', 'ID-token signing algorithms.'],
  ['code_challenge_methods_supported', 'PKCE code-challenge methods.'],
  ['token_endpoint_auth_methods_supported', 'Client authentication methods at the token endpoint.'],
  ['claims_supported', 'Claims the issuer can return.'],
  ['subject_types_supported', 'Subject identifier types.'],
] as const;

export const schema: Schema = {
  version: 0,
  block: {
    description: 'Reads an OpenID Connect discovery document (for Yufu apps: the app\'s Well-known URL) and exposes the issuer and its endpoints.',
    attributes: {
      well_known_url: attr.required('string', 'The discovery URL, ending in `/.well-known/openid-configuration`. https, or http for loopback addresses.', {
        validate: [stringRule('well_known_url', checkWellKnownUrl, 'Invalid well-known URL')],
      }),
      issuer: attr.computed('string', 'The issuer identifier the document states (checked to match the URL).'),
      ...Object.fromEntries(ENDPOINTS.map(([name, description]) => [name, attr.computed('string', description)])),
      ...Object.fromEntries(LISTS.map(([name, description]) => [name, attr.computed(['list', 'string'], description)])),
    },
  },
};

export const oidcDiscoveryDataSource: DataSourceDefinition<QianfanClients> = {
  typeName: TYPE_NAME,
  schema,

  async read(ctx, config) {
    const wellKnown = config.well_known_url as string;
    const problem = checkWellKnownUrl(wellKnown);
    if (problem) throw new ProviderError('Invalid well-known URL', `well_known_url: ${problem}; got ${shown(wellKnown)}`, ['well_known_url']);
    const url = new URL(wellKnown);
    const issuer = new URL(url.href.slice(0, -SUFFIX.length));
    const client = await import('openid-client');
    // While the provider configuration is not known yet there is no configured client:
    // discovery needs no credentials, so it runs with the environment's and the default settings.
    const { retry, timeoutMs } = ctx.client ?? resolveClients({});
    let metadata: Record<string, unknown>;
    try {
      const configuration = await client.discovery(issuer, 'qianfan-discovery', undefined, undefined, {
        // Each attempt has request_timeout; all of them together operation_timeout.
        timeout: Math.ceil(retry.deadlineMs / 1000),
        execute: isLoopbackHost(url.hostname) ? [client.allowInsecureRequests] : [],
        // 429, 5xx and lost connections are retried like every other call of the provider.
        [client.customFetch]: retryingFetch('OIDC discovery', retry, timeoutMs),
      });
      metadata = configuration.serverMetadata() as Record<string, unknown>;
    } catch (error) {
      // A timeout, an answer over the limit or an untrusted certificate, said by the fetch itself.
      const own = error instanceof ProviderError ? error : (error as { cause?: unknown })?.cause instanceof ProviderError ? ((error as { cause: ProviderError }).cause) : undefined;
      if (own) throw new ProviderError(`OIDC discovery failed: ${own.summary}`, `well_known_url ${shown(wellKnown)}: ${own.detail}`, ['well_known_url']);
      throw new ProviderError('OIDC discovery failed', `${shown(wellKnown)}: ${describe(error)}`, ['well_known_url']);
    }
    const state: ObjectValue = { well_known_url: wellKnown, issuer: String(metadata.issuer) };
    for (const [name] of ENDPOINTS) state[name] = typeof metadata[name] === 'string' ? (metadata[name] as string) : null;
    for (const [name] of LISTS) {
      const value = metadata[name];
      state[name] = Array.isArray(value) ? (value.filter((v) => typeof v === 'string') as CtyValue[]) : null;
    }
    return state;
  },
};

/** openid-client's errors, said in terms of what the user can check. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const e = error as Error & { code?: string; cause?: unknown };
  const cause = e.cause as { status?: number; expected?: string; body?: { issuer?: unknown } } | Response | undefined;
  if (e.code === 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED' && cause && 'expected' in cause) {
    return `the document's issuer ${shown(cause.body?.issuer)} does not match the issuer this URL belongs to ("${cause.expected}"); this is not the discovery document of that issuer`;
  }
  if (e.code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' && cause instanceof Response) {
    return `expected HTTP 200 with a JSON discovery document, got HTTP ${cause.status}`;
  }
  if (e.code === 'OAUTH_RESPONSE_IS_NOT_JSON' || e.code === 'OAUTH_PARSE_ERROR' || /JSON/.test(e.message)) return `the answer is not a JSON discovery document (${e.message})`;
  return e.message;
}
