/**
 * TC3-HMAC-SHA256, the Tencent Cloud API v3 request signature, as specified in
 * docs/api/apaas-admin.md §1. Pure: (request, credentials, time) → headers.
 */
import { createHash, createHmac } from 'node:crypto';

export interface Tc3Credentials {
  secretId: string;
  secretKey: string;
}

export interface Tc3Request {
  method: string;
  url: URL;
  /** The exact body bytes that will be sent ('' for none). */
  body: string;
  contentType: string;
}

const sha256hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/** RFC 3986 percent-encoding of a query name or value. */
export function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function canonicalQuery(url: URL): string {
  return [...url.searchParams.entries()]
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

export function canonicalRequest(request: Tc3Request): string {
  return [
    request.method.toUpperCase(),
    request.url.pathname,
    canonicalQuery(request.url),
    `content-type:${request.contentType}\nhost:${request.url.host}\n`,
    'content-type;host',
    sha256hex(request.body),
  ].join('\n');
}

export function signTc3(
  request: Tc3Request,
  credentials: Tc3Credentials,
  service: string,
  timestampSeconds: number,
): { authorization: string; timestamp: string } {
  const date = new Date(timestampSeconds * 1000).toISOString().slice(0, 10);
  const scope = `${date}/${service}/tc3_request`;
  const stringToSign = ['TC3-HMAC-SHA256', String(timestampSeconds), scope, sha256hex(canonicalRequest(request))].join('\n');
  const secretDate = hmac(`TC3${credentials.secretKey}`, date);
  const secretService = hmac(secretDate, service);
  const secretSigning = hmac(secretService, 'tc3_request');
  const signature = createHmac('sha256', secretSigning).update(stringToSign).digest('hex');
  return {
    authorization: `TC3-HMAC-SHA256 Credential=${credentials.secretId}/${scope}, SignedHeaders=content-type;host, Signature=${signature}`,
    timestamp: String(timestampSeconds),
  };
}
