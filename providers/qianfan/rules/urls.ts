/**
 * URL rules: redirect URIs (Yufu's rules), Well-known URLs, service base URLs and the
 * E-HR admin URL. Plain http is for loopback IP literals only (127.0.0.0/8, [::1]);
 * "localhost" is a name that /etc/hosts or DNS can point anywhere, so it does not count.
 * User-info (`user:pass@`) is refused everywhere and never shown back (text.ts).
 */
import { hasControl } from './text';

export const URL_MAX = 2048;
export const WELL_KNOWN_SUFFIX = '/.well-known/openid-configuration';

/** 127.0.0.0/8 or ::1 (brackets allowed): the only hosts plain http may reach. */
export function isLoopbackIp(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  return host === '::1' || /^127(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(host);
}

/**
 * Parses an absolute URL, or says why not. WHATWG parsing silently drops tabs and line
 * feeds and trims spaces, so those are refused before parsing: the service would store
 * the string as sent, not as parsed.
 */
function parse(value: string, example: string): URL | string {
  if (value.length > URL_MAX) return `expected at most ${URL_MAX} characters, got ${value.length}`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `expected an absolute URL such as ${example}`;
  }
  if (hasControl(value) || /\s/.test(value)) return 'expected a URL without spaces or control characters';
  if (url.username !== '' || url.password !== '') return 'expected no user:password@ part (credentials never belong in a URL)';
  return url;
}

const httpsOrLoopback = (url: URL): boolean => url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackIp(url.hostname));

/** Yufu's rules for redirect and post-logout redirect URIs. */
export function checkRedirectUri(value: string): string | null {
  const url = parse(value, 'https://apaas.weworkpro.tencent-cloud.com/{tenant}/');
  if (typeof url === 'string') return url;
  if (url.hostname === 'localhost' || url.hostname.endsWith('.localhost')) {
    return 'Yufu rejects "localhost" in redirect URIs; use 127.0.0.1 instead';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `expected an https URL, got scheme "${url.protocol.replace(':', '')}"`;
  if (!httpsOrLoopback(url)) return 'expected https (http is only allowed for 127.0.0.1 or [::1])';
  if (value.includes('#')) return 'expected no #fragment';
  return null;
}

/** The discovery URL of an OpenID Provider (the Yufu app's Well-known URL). */
export function checkWellKnownUrl(value: string): string | null {
  const url = parse(value, `https://{domain}-idp.cig.tencentcs.com/sso/tn-{tenant}/{client_id}/oidc${WELL_KNOWN_SUFFIX}`);
  if (typeof url === 'string') return url;
  if (!httpsOrLoopback(url)) return 'expected https (http is only allowed for loopback addresses such as 127.0.0.1)';
  if (value.includes('?') || value.includes('#')) return 'expected no query string or fragment';
  if (!url.pathname.endsWith(WELL_KNOWN_SUFFIX)) return `expected the path to end in ${WELL_KNOWN_SUFFIX}`;
  return null;
}

/** A URL a service fetches or calls: https, or http to a loopback IP; no user-info. */
export function checkFetchableUrl(value: string, example = 'https://idp.example.com/token'): string | null {
  const url = parse(value, example);
  if (typeof url === 'string') return url;
  return httpsOrLoopback(url) ? null : 'expected https (http is only allowed for loopback addresses such as 127.0.0.1)';
}

/** A service's base URL (yufu_admin_url, apaas_url): fetchable, and no query or fragment to append paths to. */
export function checkServiceUrl(value: string): string | null {
  const problem = checkFetchableUrl(value, 'https://{domain}-admin.cig.tencentcs.com');
  if (problem) return problem;
  if (value.includes('?') || value.includes('#')) return 'expected a base URL without query string or fragment';
  return null;
}

const EHR_HOST = /^ehrnew-([a-z0-9]{1,63})\.ihr\.tencent-cloud\.com$/;

/**
 * The Corp Key from an E-HR admin URL such as
 * https://ehrnew-apaas.ihr.tencent-cloud.com/employeeInformation → "apaas".
 * Returns a message instead when the URL is not an E-HR admin URL.
 */
export function corpKeyFromUrl(value: string): { corpKey: string } | { problem: string } {
  const url = parse(value.trim(), 'https://ehrnew-apaas.ihr.tencent-cloud.com/employeeInformation');
  if (typeof url === 'string') return { problem: url };
  if (url.protocol !== 'https:') return { problem: 'expected an https URL of the E-HR admin console' };
  const match = EHR_HOST.exec(url.hostname);
  if (!match) {
    return {
      problem: `expected the host ehrnew-{corpKey}.ihr.tencent-cloud.com with a lowercase alphanumeric Corp Key, got host ${JSON.stringify(url.hostname.slice(0, 80))}`,
    };
  }
  return { corpKey: match[1]! };
}
