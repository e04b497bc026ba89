/**
 * TC3-HMAC-SHA256 request signing for the aPaaS admin API, written from
 * docs/api/apaas-admin.md §1 with node:crypto only (usable from jest's CommonJS).
 * Reusable by provider tests: `signTc3` for headers, `ApaasApi` for whole calls.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';

export interface Tc3Credentials {
  secretId: string;
  secretKey: string;
}

/** Reads the emulator's `apaas-credentials.json` ({"secretId","secretKey"}). */
export function readApaasCredentials(file: string): Tc3Credentials {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Tc3Credentials;
}

const sha256Hex = (s: string): string => crypto.createHash('sha256').update(s, 'utf8').digest('hex');
const hmacSha256 = (key: crypto.BinaryLike, s: string): Buffer => crypto.createHmac('sha256', key).update(s, 'utf8').digest();

/** RFC 3986: only ALPHA / DIGIT / "-" / "." / "_" / "~" stay unencoded. */
export const rfc3986Encode = (s: string): string =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Query parameters sorted by name, each name=value RFC 3986-encoded, joined by '&'. */
export function canonicalQuery(searchParams: URLSearchParams): string {
  return [...searchParams]
    .sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : av > bv ? 1 : 0) : a < b ? -1 : 1))
    .map(([k, v]) => `${rfc3986Encode(k)}=${rfc3986Encode(v)}`)
    .join('&');
}

export interface SignInput {
  method: string;
  url: string | URL;
  /** Exactly the bytes sent; '' (the default) for GET and DELETE. */
  body?: string;
  /** Unix seconds; default now. Override to test clock skew. */
  timestamp?: number;
  /** Default application/json, as the contract requires on every request. */
  contentType?: string;
  /** Default the URL's host (with port), which is what fetch sends. */
  host?: string;
  service?: string;
}

export interface SignedHeaders {
  authorization: string;
  'x-tc-timestamp': string;
  'content-type': string;
}

export function signTc3(creds: Tc3Credentials, input: SignInput): SignedHeaders {
  const url = typeof input.url === 'string' ? new URL(input.url) : input.url;
  const timestamp = input.timestamp ?? Math.floor(Date.now() / 1000);
  const contentType = input.contentType ?? 'application/json';
  const host = input.host ?? url.host;
  const service = input.service ?? 'apaas';
  const date = new Date(timestamp * 1000).toISOString().slice(0, 10);
  const canonicalRequest = [
    input.method.toUpperCase(),
    url.pathname,
    canonicalQuery(url.searchParams),
    `content-type:${contentType.toLowerCase()}\nhost:${host.toLowerCase()}\n`,
    'content-type;host',
    sha256Hex(input.body ?? ''),
  ].join('\n');
  const credentialScope = `${date}/${service}/tc3_request`;
  const stringToSign = ['TC3-HMAC-SHA256', String(timestamp), credentialScope, sha256Hex(canonicalRequest)].join('\n');
  const secretDate = hmacSha256(`TC3${creds.secretKey}`, date);
  const secretService = hmacSha256(secretDate, service);
  const secretSigning = hmacSha256(secretService, 'tc3_request');
  const signature = crypto.createHmac('sha256', secretSigning).update(stringToSign, 'utf8').digest('hex');
  return {
    authorization: `TC3-HMAC-SHA256 Credential=${creds.secretId}/${credentialScope}, SignedHeaders=content-type;host, Signature=${signature}`,
    'x-tc-timestamp': String(timestamp),
    'content-type': contentType,
  };
}

export interface ApiResult<T> {
  status: number;
  body: T;
  headers: Headers;
}

export interface ApiErrorBody {
  error: { code: string; message: string; field?: string };
}

/** A signed client for the aPaaS admin API (emulator or real, same contract). */
export class ApaasApi {
  constructor(
    readonly baseUrl: string,
    readonly creds: Tc3Credentials,
  ) {}

  async call<T = unknown>(
    method: string,
    pathAndQuery: string,
    body?: unknown,
    sign: Partial<SignInput> = {},
    extraHeaders: Record<string, string> = {},
  ): Promise<ApiResult<T>> {
    const url = new URL(`${this.baseUrl}${pathAndQuery}`);
    const text = body === undefined ? '' : JSON.stringify(body);
    const headers = signTc3(this.creds, { method, url, body: text, ...sign });
    const res = await fetch(url, { method, headers: { ...headers, ...extraHeaders }, body: text === '' ? undefined : text });
    const raw = await res.text();
    return { status: res.status, body: (raw ? JSON.parse(raw) : undefined) as T, headers: res.headers };
  }
}
