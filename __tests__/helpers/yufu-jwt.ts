// Signs Yufu service-account JWTs with node:crypto: jest (CommonJS) cannot load the
// ESM-only jose package in-process.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';

export interface ServiceAccountFile {
  clientId: string;
  privateKey: crypto.JsonWebKey & { kid: string; alg?: string };
}

export function readServiceAccount(file: string): ServiceAccountFile {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as ServiceAccountFile;
}

export interface SignOptions {
  /** The admin base URL, exactly as the emulator printed it. */
  audience: string;
  /** Overrides for negative tests. */
  iss?: string;
  kid?: string;
  iat?: number;
  exp?: number;
  accountType?: string;
  /** Sign with this key instead of the service account's (e.g. to forge a bad signature). */
  signingKey?: crypto.KeyObject;
  extraClaims?: Record<string, unknown>;
}

const b64url = (v: object): string => Buffer.from(JSON.stringify(v)).toString('base64url');

export function signServiceAccountJwt(sa: ServiceAccountFile, opts: SignOptions): string {
  const now = Math.floor(Date.now() / 1000);
  const iat = opts.iat ?? now;
  const header = { alg: 'RS256', typ: 'JWT', kid: opts.kid ?? sa.privateKey.kid };
  const payload = {
    iss: opts.iss ?? sa.clientId,
    account_type: opts.accountType ?? 'serviceAccount',
    aud: opts.audience,
    iat,
    exp: opts.exp ?? iat + 300,
    ...opts.extraClaims,
  };
  const signingInput = `${b64url(header)}.${b64url(payload)}`;
  const key = opts.signingKey ?? crypto.createPrivateKey({ key: sa.privateKey, format: 'jwk' });
  const signature = crypto.createSign('RSA-SHA256').update(signingInput).sign(key).toString('base64url');
  return `${signingInput}.${signature}`;
}
