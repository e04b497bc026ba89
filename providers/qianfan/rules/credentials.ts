/**
 * Credential shapes, checked when the provider loads them (configure), so a pasted
 * value with a line break is a clear message instead of a request the HTTP layer
 * refuses six times. Messages never contain the value itself.
 */
import { createPrivateKey } from 'node:crypto';

const PRINTABLE = /^[\x21-\x7e]+$/;
export const TC3_KEY_MAX = 128;

function checkKeyText(value: string, what: string): string | null {
  if (value.length === 0) return `expected a non-empty ${what}`;
  if (/^[^\r\n]+(\r?\n)+$/.test(value)) {
    return `expected no line break; the ${what} ends with a newline, the usual copy-paste mistake (e.g. "echo" instead of "printf %s", or a file saved with a final newline): remove it`;
  }
  if (/[\r\n]/.test(value)) return `expected one line; the ${what} holds a line break (CR or LF), so it cannot be sent in an HTTP header`;
  if (value.trim() !== value) return `expected no leading or trailing spaces around the ${what}`;
  if (value.length > TC3_KEY_MAX) return `expected at most ${TC3_KEY_MAX} characters, got ${value.length}`;
  if (!PRINTABLE.test(value)) return `expected printable ASCII characters only (letters, digits, punctuation; no spaces or control characters)`;
  return null;
}

/** The aPaaS (Tencent Cloud API) SecretId, e.g. "AKID" followed by 32 letters and digits. */
export const checkSecretId = (value: string): string | null => checkKeyText(value, 'SecretId');
export const checkSecretKey = (value: string): string | null => checkKeyText(value, 'SecretKey');

export const RSA_MIN_BITS = 2048;

/**
 * What a Yufu service-account key must be: an RSA private JWK with a "kid" (the JWT's
 * header names it), at least 2048 bits (RS256 with shorter keys is refused by the
 * service and by the JWT library alike).
 */
export function checkServiceAccountKey(jwk: Record<string, unknown>): string | null {
  if (jwk.kty !== 'RSA') return `expected an RSA key (kty "RSA"), got kty ${JSON.stringify(typeof jwk.kty === 'string' ? jwk.kty.slice(0, 16) : (jwk.kty ?? null))}`;
  if (typeof jwk.kid !== 'string' || jwk.kid.length === 0) return 'expected a "kid" (key id): the service finds the key by it; download the service-account file again from the Yufu console';
  if (typeof jwk.d !== 'string') return 'expected a private key (with "d"), got a public key';
  let bits: number | undefined;
  try {
    bits = createPrivateKey({ key: jwk as never, format: 'jwk' }).asymmetricKeyDetails?.modulusLength;
  } catch (error) {
    return `expected a valid RSA private JWK (n, e, d, p, q, dp, dq, qi): ${(error as Error).message.slice(0, 120)}`;
  }
  if (bits === undefined || bits < RSA_MIN_BITS) {
    return `expected an RSA key of at least ${RSA_MIN_BITS} bits, got ${bits ?? 'an unknown number of'} bits; create a new service-account key in the Yufu console`;
  }
  return null;
}
