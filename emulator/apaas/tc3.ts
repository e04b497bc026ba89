// TC3-HMAC-SHA256 (Tencent Cloud API v3 signing) as fixed by docs/api/apaas-admin.md §1:
// service "apaas", signed headers exactly content-type;host.
import { serverNowSeconds } from '../clock';
import * as crypto from 'node:crypto';
import type * as http from 'node:http';
import { ApiError } from '../http';

export const SERVICE = 'apaas';
export const ALGORITHM = 'TC3-HMAC-SHA256';
export const SIGNED_HEADERS = 'content-type;host';
export const MAX_SKEW_SECONDS = 300;

const sha256Hex = (data: string | Buffer): string => crypto.createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => crypto.createHmac('sha256', key).update(data, 'utf8').digest();

/** RFC 3986 percent-encoding: everything but ALPHA / DIGIT / - . _ ~. */
export function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Parameters sorted by name (then value), each name=value RFC 3986-encoded, joined by '&'. */
export function canonicalQueryString(search: string): string {
  const pairs = [...new URLSearchParams(search)];
  pairs.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`).join('&');
}

export const utcDate = (timestampSeconds: number): string => new Date(timestampSeconds * 1000).toISOString().slice(0, 10);

export interface Tc3Input {
  method: string;
  /** Path as sent, already percent-encoded. */
  path: string;
  /** Query string with or without the leading '?'. */
  search: string;
  contentType: string;
  host: string;
  body: string | Buffer;
  timestamp: number;
}

export function tc3Signature(secretKey: string, input: Tc3Input): { signature: string; scope: string } {
  const date = utcDate(input.timestamp);
  const scope = `${date}/${SERVICE}/tc3_request`;
  const canonicalRequest = [
    input.method.toUpperCase(),
    input.path,
    canonicalQueryString(input.search),
    `content-type:${input.contentType.trim().toLowerCase()}\nhost:${input.host.trim().toLowerCase()}\n`,
    SIGNED_HEADERS,
    sha256Hex(input.body),
  ].join('\n');
  const stringToSign = [ALGORITHM, String(input.timestamp), scope, sha256Hex(canonicalRequest)].join('\n');
  const secretDate = hmac(`TC3${secretKey}`, date);
  const secretService = hmac(secretDate, SERVICE);
  const secretSigning = hmac(secretService, 'tc3_request');
  return { signature: crypto.createHmac('sha256', secretSigning).update(stringToSign, 'utf8').digest('hex'), scope };
}

/** Authorization and X-TC-Timestamp headers for a request (used by the bench and tools). */
export function tc3Headers(secretId: string, secretKey: string, input: Tc3Input): Record<string, string> {
  const { signature, scope } = tc3Signature(secretKey, input);
  return {
    authorization: `${ALGORITHM} Credential=${secretId}/${scope}, SignedHeaders=${SIGNED_HEADERS}, Signature=${signature}`,
    'x-tc-timestamp': String(input.timestamp),
  };
}

const AUTHORIZATION = /^TC3-HMAC-SHA256 +Credential=([^,\s]+) *, *SignedHeaders=([^,\s]+) *, *Signature=([0-9a-fA-F]{64})$/;

const authFailure = (code: string, message: string): ApiError => new ApiError(401, `AuthFailure.${code}`, message);

function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Verifies a signed request and returns the SecretId. Errors name the check that
 * failed; they never echo the signature, a secret or the expected value.
 */
export function verifyTc3(
  req: http.IncomingMessage,
  rawBody: Buffer,
  secretKeyFor: (secretId: string) => string | undefined,
  nowSeconds = serverNowSeconds(),
  /** The host (and port) this service is reached at; a signature over another Host is refused. */
  servedHost?: string,
): string {
  const authorization = header(req, 'authorization');
  if (!authorization) {
    throw authFailure('InvalidAuthorization', 'Authorization: missing; expected "TC3-HMAC-SHA256 Credential=<SecretId>/<date>/apaas/tc3_request, SignedHeaders=content-type;host, Signature=<hex>"');
  }
  const m = AUTHORIZATION.exec(authorization.trim());
  if (!m) {
    throw authFailure('InvalidAuthorization', 'Authorization: malformed; expected "TC3-HMAC-SHA256 Credential=<SecretId>/<date>/apaas/tc3_request, SignedHeaders=content-type;host, Signature=<64 hex>"');
  }
  const [, credential, signedHeaders, signature] = m as unknown as [string, string, string, string];
  const timestampRaw = header(req, 'x-tc-timestamp');
  if (!timestampRaw || !/^[0-9]{1,12}$/.test(timestampRaw)) {
    throw authFailure('InvalidAuthorization', `X-TC-Timestamp: ${timestampRaw === undefined ? 'missing' : `got ${JSON.stringify(timestampRaw.slice(0, 32))}`}; expected unix time in seconds`);
  }
  const timestamp = Number(timestampRaw);
  const parts = credential.split('/');
  if (parts.length !== 4 || parts[2] !== SERVICE || parts[3] !== 'tc3_request' || !/^\d{4}-\d{2}-\d{2}$/.test(parts[1]!)) {
    throw authFailure('InvalidAuthorization', `Authorization: credential scope ${JSON.stringify(parts.slice(1).join('/'))} is malformed; expected <SecretId>/<YYYY-MM-DD>/apaas/tc3_request`);
  }
  if (signedHeaders.toLowerCase() !== SIGNED_HEADERS) {
    throw authFailure('InvalidAuthorization', `Authorization: SignedHeaders=${signedHeaders}; expected SignedHeaders=${SIGNED_HEADERS}`);
  }
  const skew = nowSeconds - timestamp;
  if (Math.abs(skew) > MAX_SKEW_SECONDS) {
    throw authFailure(
      'SignatureExpire',
      `X-TC-Timestamp: ${timestamp} is ${Math.abs(skew)} s ${skew > 0 ? 'behind' : 'ahead of'} the server clock; expected within ${MAX_SKEW_SECONDS} s (check the client clock)`,
    );
  }
  if (parts[1] !== utcDate(timestamp)) {
    throw authFailure('InvalidAuthorization', `Authorization: credential date ${parts[1]} is not the UTC date of X-TC-Timestamp (${utcDate(timestamp)})`);
  }
  const contentType = header(req, 'content-type');
  const host = header(req, 'host');
  if (contentType === undefined || host === undefined) {
    throw authFailure('InvalidAuthorization', `${contentType === undefined ? 'Content-Type' : 'Host'}: missing; it is a signed header (send Content-Type: application/json on every request)`);
  }
  if (servedHost !== undefined && host.trim().toLowerCase() !== servedHost.toLowerCase()) {
    throw authFailure(
      'InvalidAuthorization',
      `Host: got ${JSON.stringify(host.slice(0, 80))}; this service is ${servedHost} and accepts only requests signed for its own host (a signature for another service is not valid here)`,
    );
  }
  const secretId = parts[0]!;
  const secretKey = secretKeyFor(secretId);
  if (secretKey === undefined) throw authFailure('SecretIdNotFound', `SecretId ${JSON.stringify(secretId.slice(0, 64))}: not found; expected the secretId of the credentials file`);

  const rawUrl = req.url ?? '/';
  const q = rawUrl.indexOf('?');
  const expected = tc3Signature(secretKey, {
    method: req.method ?? 'GET',
    path: q === -1 ? rawUrl : rawUrl.slice(0, q),
    search: q === -1 ? '' : rawUrl.slice(q + 1),
    contentType,
    host,
    body: rawBody,
    timestamp,
  }).signature;
  const a = Buffer.from(expected, 'hex');
  const b = Buffer.from(signature.toLowerCase(), 'hex');
  if (!crypto.timingSafeEqual(a, b)) {
    throw authFailure('SignatureFailure', 'Signature: does not match the request; expected a signature with the SecretKey of this SecretId over exactly this method, path, query, content-type, host and body');
  }
  return secretId;
}
