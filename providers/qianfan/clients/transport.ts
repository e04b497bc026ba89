/**
 * The one connection pool every client of the provider uses (admin APIs and OIDC
 * discovery alike), and the rules it keeps whatever the process environment says:
 *
 * - Certificates are always verified. `NODE_TLS_REJECT_UNAUTHORIZED=0` is ignored (and
 *   removed from the environment, so no library can pick it up); a private CA is
 *   trusted the documented way, `NODE_EXTRA_CA_CERTS=/path/to/ca.pem`, which Node.js
 *   adds to its root store at start-up. Both are logged.
 * - No proxy is taken from HTTP(S)_PROXY: requests go where the configured URL says.
 * - A TLS failure is not retried: it will not heal in a second, and nothing was sent.
 */
import type { Dispatcher } from 'undici';
import { log } from '../../runtime/log';

const undici = () => require('undici') as typeof import('undici');

let agent: Dispatcher | undefined;

/** What the environment asked for and what the provider does about it (also shown as configure warnings). */
export function tlsEnvironmentNotes(env: NodeJS.ProcessEnv = process.env): { warnings: string[]; info: string[] } {
  const warnings: string[] = [];
  const info: string[] = [];
  if (env.NODE_TLS_REJECT_UNAUTHORIZED !== undefined && env.NODE_TLS_REJECT_UNAUTHORIZED !== '1') {
    warnings.push(
      `NODE_TLS_REJECT_UNAUTHORIZED=${JSON.stringify(env.NODE_TLS_REJECT_UNAUTHORIZED)} is ignored: the provider always verifies TLS certificates. ` +
        'To trust a private CA, set NODE_EXTRA_CA_CERTS to the path of its PEM file.',
    );
  }
  if (env.NODE_EXTRA_CA_CERTS) info.push(`TLS: trusting the system CA certificates plus those in NODE_EXTRA_CA_CERTS=${env.NODE_EXTRA_CA_CERTS}`);
  return { warnings, info };
}

/** The shared pool; created on first use (schema and validate calls never need undici). */
export function dispatcher(): Dispatcher {
  if (!agent) {
    const notes = tlsEnvironmentNotes();
    for (const line of notes.info) log('info', line);
    for (const line of notes.warnings) log('warn', line);
    // Defence in depth: the explicit option below already wins over the variable.
    delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    agent = new (undici().Agent)({
      keepAliveTimeout: 10_000,
      connections: 16,
      connect: { timeout: 10_000, rejectUnauthorized: true },
    });
  }
  return agent;
}

/** undici's fetch through the shared pool (certificate checks and all). */
export function poolFetch(url: string, init: Record<string, unknown>): Promise<import('undici').Response> {
  return undici().fetch(url, { ...init, dispatcher: dispatcher() } as never);
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);

/** The error code of a failed request, looking through undici's and fetch's wrappers. */
export function errorCode(error: unknown): string {
  let e = error as { code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 4; depth++, e = e.cause as typeof e) {
    if (typeof e.code === 'string' && e.code !== 'UND_ERR_SOCKET') return e.code;
  }
  return '';
}

/** A message for a certificate the provider does not trust, or null when the failure is not about TLS. */
export function tlsProblem(error: unknown, where: string): string | null {
  const code = errorCode(error);
  if (!TLS_CODES.has(code)) return null;
  const why =
    code === 'ERR_TLS_CERT_ALTNAME_INVALID'
      ? 'the certificate is for another host name'
      : code === 'CERT_HAS_EXPIRED'
        ? 'the certificate has expired'
        : code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'EPROTO'
          ? 'the server does not speak TLS on this port'
          : 'the certificate is not signed by a trusted CA (self-signed, or a private CA)';
  return (
    `${where}: TLS certificate not accepted (${code}: ${why}); nothing was sent. ` +
    'The provider always verifies certificates (NODE_TLS_REJECT_UNAUTHORIZED is ignored); to trust a private CA, set NODE_EXTRA_CA_CERTS to its PEM file'
  );
}
