// Service-account authentication for the Yufu admin API: an RS256 JWT signed with the
// service account's private JWK, checked against the public key kept in the DB.
import { serverNow, serverNowSeconds } from '../clock';
import type * as http from 'node:http';
import * as jose from 'jose';
import { ApiError } from '../http';
import type { ServiceAccount, YufuStore } from './store';

export const CLOCK_SKEW_SECONDS = 60;
export const MAX_TOKEN_LIFETIME_SECONDS = 3600;

const unauthenticated = (message: string): ApiError =>
  new ApiError(401, 'unauthenticated', message, undefined, { 'www-authenticate': 'Bearer realm="yufu-admin"' });

export async function authenticateServiceAccount(
  req: http.IncomingMessage,
  store: YufuStore,
  audience: string,
): Promise<ServiceAccount> {
  const header = req.headers.authorization;
  if (!header) throw unauthenticated('authorization header: missing; expected "Bearer <service account JWT>"');
  const match = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(header);
  if (!match) throw unauthenticated('authorization header: not "Bearer <compact JWT>"; expected a bearer token with three base64url parts');
  const token = match[1]!;

  let protectedHeader: jose.ProtectedHeaderParameters;
  let claims: jose.JWTPayload;
  try {
    protectedHeader = jose.decodeProtectedHeader(token);
    claims = jose.decodeJwt(token);
  } catch {
    throw unauthenticated('bearer token: not a decodable JWT; expected a JWS compact serialization with a JSON payload');
  }
  if (protectedHeader.alg !== 'RS256') {
    throw unauthenticated(`bearer token: header alg ${JSON.stringify(protectedHeader.alg)}; expected "RS256"`);
  }
  if (typeof claims.iss !== 'string') {
    throw unauthenticated('bearer token: claim iss missing; expected the service account client id');
  }
  const account = store.serviceAccount(claims.iss);
  if (!account) throw unauthenticated(`bearer token: unknown service account ${JSON.stringify(claims.iss)} in claim iss`);
  if (protectedHeader.kid !== account.kid) {
    throw unauthenticated(
      `bearer token: header kid ${JSON.stringify(protectedHeader.kid ?? null)} is not the key of service account ${account.client_id}; expected the kid from the service account file`,
    );
  }

  const key = await jose.importJWK({ ...account.public_jwk, alg: 'RS256' }, 'RS256');
  let payload: jose.JWTPayload;
  try {
    ({ payload } = await jose.jwtVerify(token, key, {
      algorithms: ['RS256'],
      audience,
      clockTolerance: CLOCK_SKEW_SECONDS,
      currentDate: serverNow(),
      requiredClaims: ['iss', 'aud', 'iat', 'exp'],
    }));
  } catch (err) {
    throw unauthenticated(describeJoseFailure(err, claims, audience));
  }

  const now = serverNowSeconds();
  const iat = payload.iat!;
  const exp = payload.exp!;
  if (iat > now + CLOCK_SKEW_SECONDS) {
    throw unauthenticated(
      `bearer token: clock skew, claim iat ${iat} is ${iat - now}s in the future; expected at most ${CLOCK_SKEW_SECONDS}s ahead of the server clock (${now})`,
    );
  }
  if (exp - iat > MAX_TOKEN_LIFETIME_SECONDS) {
    throw unauthenticated(`bearer token: exp - iat is ${exp - iat}s; expected at most ${MAX_TOKEN_LIFETIME_SECONDS}s`);
  }
  if (exp <= iat) throw unauthenticated(`bearer token: exp ${exp} is not after iat ${iat}; expected exp > iat`);
  if (payload.account_type !== 'serviceAccount') {
    throw unauthenticated(`bearer token: claim account_type ${JSON.stringify(payload.account_type ?? null)}; expected "serviceAccount"`);
  }
  return account;
}

function describeJoseFailure(err: unknown, claims: jose.JWTPayload, audience: string): string {
  if (err instanceof jose.errors.JWSSignatureVerificationFailed) {
    return 'bearer token: bad signature; expected a signature by the service account private key';
  }
  if (err instanceof jose.errors.JWTExpired) {
    return `bearer token: expired, claim exp ${String(claims.exp)} is before now (${serverNowSeconds()}) beyond ${CLOCK_SKEW_SECONDS}s leeway; sign a fresh token`;
  }
  if (err instanceof jose.errors.JWTClaimValidationFailed) {
    if (err.claim === 'aud') {
      return `bearer token: wrong audience ${JSON.stringify(claims.aud ?? null)} in claim aud; expected ${JSON.stringify(audience)}`;
    }
    if (err.reason === 'missing') return `bearer token: claim ${err.claim} missing; expected iss, aud, iat and exp`;
    return `bearer token: claim ${err.claim} invalid (${err.message.toLowerCase()})`;
  }
  if (err instanceof jose.errors.JOSEError) return `bearer token: rejected (${err.code.toLowerCase()})`;
  return 'bearer token: rejected';
}
