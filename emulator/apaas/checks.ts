// The connector's "check for real" steps (docs/api/apaas-admin.md §3): OIDC discovery at
// the Well-known URL, a client_credentials token request with the client's secret, and
// the Corp Key's existence in the HR directory. Real HTTP; plain http only to loopback
// IPs (the shared URL rules); answers are read up to 1 MiB, each check within 10 s.
import { request } from 'undici';
import { checkFetchableUrl, shown, WELL_KNOWN_SUFFIX } from '../../providers/qianfan/rules';
import { ApiError } from '../http';
import { EhrClientError, type EhrClient } from './ehr-client';

const TIMEOUT_MS = 10_000;
const ANSWER_MAX_BYTES = 1 << 20;

async function fetchWithTimeout(url: string, init: { method: string; headers: Record<string, string>; body?: string }) {
  const res = await request(url, {
    method: init.method as 'GET' | 'POST',
    headers: init.headers,
    body: init.body,
    headersTimeout: TIMEOUT_MS,
    bodyTimeout: TIMEOUT_MS,
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += (chunk as Buffer).length;
    if (size > ANSWER_MAX_BYTES) {
      res.body.destroy();
      throw new Error(`the answer is larger than ${ANSWER_MAX_BYTES} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return { status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') };
}

const discoveryFailed = (message: string): ApiError => new ApiError(422, 'discovery_failed', message, 'well_known_url');

/** Step 1: returns the token endpoint of the OpenID Provider behind the Well-known URL. */
export async function checkDiscovery(wellKnownUrl: string): Promise<{ issuer: string; tokenEndpoint: string }> {
  const expectedIssuer = wellKnownUrl.slice(0, -WELL_KNOWN_SUFFIX.length);
  let res;
  try {
    res = await fetchWithTimeout(wellKnownUrl, { method: 'GET', headers: { accept: 'application/json' } });
  } catch (err) {
    throw discoveryFailed(`well_known_url: GET ${wellKnownUrl} failed (${(err as Error).message}); expected an OpenID Provider configuration document`);
  }
  if (res.status !== 200) {
    throw discoveryFailed(`well_known_url: GET ${wellKnownUrl} answered HTTP ${res.status}; expected 200 with an OpenID Provider configuration document`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(res.text);
  } catch {
    doc = undefined;
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw discoveryFailed(`well_known_url: GET ${wellKnownUrl} answered 200 but not with a JSON object; expected an OpenID Provider configuration document`);
  }
  const { issuer, token_endpoint: tokenEndpoint } = doc as { issuer?: unknown; token_endpoint?: unknown };
  if (issuer !== expectedIssuer) {
    throw discoveryFailed(`well_known_url: the document's issuer is ${shown(issuer)}; expected ${shown(expectedIssuer)} (the URL without ${WELL_KNOWN_SUFFIX})`);
  }
  if (typeof tokenEndpoint !== 'string' || checkFetchableUrl(tokenEndpoint) !== null) {
    throw discoveryFailed(`well_known_url: the document's token_endpoint is ${shown(tokenEndpoint)}; expected an https URL (http only on loopback)`);
  }
  return { issuer, tokenEndpoint };
}

/**
 * Step 2: a client_credentials token request with HTTP basic client authentication.
 * Success, or an OAuth error that a server only returns after authenticating the client
 * (unauthorized_client, invalid_request, invalid_grant, invalid_scope: e.g. an app whose
 * grant types lack client_credentials), proves the secret. 401 / invalid_client means it
 * is wrong. Anything else could not prove it, which also fails the save.
 */
export async function checkClientCredentials(tokenEndpoint: string, clientId: string, clientSecret: string): Promise<void> {
  const form = (s: string) => encodeURIComponent(s);
  const redact = (s: string) => s.split(clientSecret).join('[redacted]');
  let res;
  try {
    res = await fetchWithTimeout(tokenEndpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        authorization: `Basic ${Buffer.from(`${form(clientId)}:${form(clientSecret)}`).toString('base64')}`,
      },
      body: 'grant_type=client_credentials',
    });
  } catch (err) {
    throw new ApiError(422, 'client_authentication_failed', `client_secret: the token request to ${tokenEndpoint} failed (${redact((err as Error).message)}); could not verify the client credentials`, 'client_secret');
  }
  if (res.status === 200) return;
  let error: string | undefined;
  try {
    const body = JSON.parse(res.text) as { error?: unknown };
    if (typeof body.error === 'string') error = body.error;
  } catch {
    // not JSON: fall through with no OAuth error code
  }
  if (res.status === 400 && error !== undefined && ['unauthorized_client', 'invalid_request', 'invalid_grant', 'invalid_scope'].includes(error)) return;
  if (res.status === 401 || error === 'invalid_client') {
    throw new ApiError(
      422,
      'client_authentication_failed',
      `client_secret: the OpenID Provider rejected client ${clientId} (HTTP ${res.status} ${error ?? ''}); expected the client secret of this client id`.replace(' )', ')'),
      'client_secret',
    );
  }
  throw new ApiError(
    422,
    'client_authentication_failed',
    `client_secret: the token endpoint ${tokenEndpoint} answered HTTP ${res.status}${error ? ` ${redact(error)}` : ''}; could not verify the client credentials`,
    'client_secret',
  );
}

/** Step 3: the Corp Key names a company in the HR directory. */
export async function checkCorp(ehr: EhrClient, corpKey: string): Promise<void> {
  try {
    await ehr.corp(corpKey);
  } catch (err) {
    if (err instanceof EhrClientError && err.status === 404) {
      throw new ApiError(422, 'corp_key_not_found', `corp_key: ${JSON.stringify(corpKey)} is not a company in the HR directory (${ehr.baseUrl(corpKey)})`, 'corp_key');
    }
    throw new ApiError(502, 'ehr_unavailable', `corp_key: could not check ${JSON.stringify(corpKey)} in the HR directory: ${(err as Error).message}`, 'corp_key');
  }
}
