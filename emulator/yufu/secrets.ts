// The Yufu slice's random values and key material: ids, client secrets, scrypt password
// hashes (docs/api/yufu-admin.md §7.1), RS256 signing and service-account keys.
import * as crypto from 'node:crypto';

export const randomHex = (bytes: number): string => crypto.randomBytes(bytes).toString('hex');
export const newClientSecret = (): string => crypto.randomBytes(32).toString('base64url');

const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 };

export function hashPassword(password: string): string {
  const salt = crypto.randomBytes(16);
  const hash = crypto.scryptSync(password, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

export function verifyPassword(password: string, stored: string): boolean {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = crypto.scryptSync(password, Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return crypto.timingSafeEqual(expected, actual);
}

export function generateRsaJwk(): crypto.JsonWebKey & { kid: string; alg: 'RS256'; use: 'sig' } {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  // RFC 7638 thumbprint: stable, derived from the key, and what most IdPs use as kid.
  const thumbprintInput = JSON.stringify({ e: jwk.e, kty: 'RSA', n: jwk.n });
  const kid = crypto.createHash('sha256').update(thumbprintInput).digest('base64url');
  return { ...jwk, kid, alg: 'RS256', use: 'sig' };
}

export function publicPart(jwk: crypto.JsonWebKey & { kid: string }): crypto.JsonWebKey & { kid: string } {
  return { kty: jwk.kty, n: jwk.n, e: jwk.e, kid: jwk.kid, alg: 'RS256', use: 'sig' };
}
