/**
 * What the services accept, as pure functions. The provider's validate RPCs and
 * the constructs' zod schemas both use these, so synth time and plan time agree.
 * Each returns null when the value is fine, or a message saying what was expected.
 */

export const NAME_MAX = 64;
export const DESCRIPTION_MAX = 256;
export const REDIRECT_URIS_MAX = 20;

export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const;
export const SCOPES = ['openid', 'profile', 'email', 'offline_access', 'phone'] as const;
export const APPLICATION_TYPES = ['web', 'native', 'spa'] as const;

export const LIFETIME_LIMITS = {
  access_token_lifetime: [60, 86_400],
  id_token_lifetime: [60, 86_400],
  refresh_token_lifetime: [3_600, 31_536_000],
} as const;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

export function checkName(value: string): string | null {
  if (value.trim().length === 0) return 'expected a non-empty name';
  if (value.length > NAME_MAX) return `expected at most ${NAME_MAX} characters, got ${value.length}`;
  if (CONTROL.test(value)) return 'expected no control characters';
  return null;
}

export function checkDescription(value: string): string | null {
  if (value.length > DESCRIPTION_MAX) return `expected at most ${DESCRIPTION_MAX} characters, got ${value.length}`;
  if (CONTROL.test(value.replace(/[\n\t]/g, ''))) return 'expected no control characters';
  return null;
}

/** 127.0.0.0/8 or ::1 (brackets allowed): the only hosts plain http may reach. */
export function isLoopbackIp(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  return host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** Yufu's rules for redirect and post-logout redirect URIs. */
export function checkRedirectUri(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'expected an absolute URL such as https://apaas.weworkpro.tencent-cloud.com/{tenant}/';
  }
  if (url.hostname === 'localhost' || url.hostname.endsWith('.localhost')) {
    return 'Yufu rejects "localhost" in redirect URIs; use 127.0.0.1 instead';
  }
  if (url.protocol === 'http:' && !isLoopbackIp(url.hostname)) return 'expected https (http is only allowed for 127.0.0.1 or [::1])';
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `expected an https URL, got scheme "${url.protocol.replace(':', '')}"`;
  if (url.hash) return 'expected no #fragment';
  if (url.username || url.password) return 'expected no user:password@ part';
  return null;
}

export function checkWellKnownUrl(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'expected an absolute URL ending in /.well-known/openid-configuration';
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackIp(url.hostname))) {
    return 'expected https (http is only allowed for loopback addresses)';
  }
  if (!url.pathname.endsWith('/.well-known/openid-configuration')) return 'expected the path to end in /.well-known/openid-configuration';
  if (url.search || url.hash) return 'expected no query string or fragment';
  return null;
}

const DURATION = /^(\d+)(ms|s|m|h)$/;

export function parseDurationMs(value: string): number | null {
  const match = DURATION.exec(value.trim());
  if (!match) return null;
  const n = Number(match[1]);
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[match[2] as 'ms' | 's' | 'm' | 'h'];
  return n * unit;
}

/** Shows a received value in an error message, with secrets masked. */
export function shown(value: unknown, secret = false): string {
  if (secret) return typeof value === 'string' ? `"${'*'.repeat(Math.min(8, value.length))}" (${value.length} characters, masked)` : '(masked)';
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 120 ? text.slice(0, 117) + '...' : text;
}

/** E-HR Corp Keys are the host label in ehrnew-{corpKey}.ihr.tencent-cloud.com. */
export const CORP_KEY = /^[a-z0-9]{1,63}$/;
const EHR_HOST = /^ehrnew-([a-z0-9]{1,63})\.ihr\.tencent-cloud\.com$/;

export function checkCorpKey(value: string): string | null {
  if (CORP_KEY.test(value)) return null;
  if (/[A-Z]/.test(value)) return 'expected lowercase letters and digits only (Corp Keys are lowercase host labels)';
  return 'expected 1–63 lowercase letters and digits, e.g. "apaas" or "6241corptest"';
}

/**
 * The Corp Key from an E-HR admin URL such as
 * https://ehrnew-apaas.ihr.tencent-cloud.com/employeeInformation → "apaas".
 * Returns a message instead when the URL is not an E-HR admin URL.
 */
export function corpKeyFromUrl(value: string): { corpKey: string } | { problem: string } {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return { problem: 'expected an absolute URL such as https://ehrnew-apaas.ihr.tencent-cloud.com/employeeInformation' };
  }
  if (url.protocol !== 'https:') return { problem: 'expected an https URL of the E-HR admin console' };
  const match = EHR_HOST.exec(url.hostname);
  if (!match) {
    return {
      problem: `expected the host ehrnew-{corpKey}.ihr.tencent-cloud.com with a lowercase alphanumeric Corp Key, got host ${JSON.stringify(url.hostname)}`,
    };
  }
  return { corpKey: match[1] };
}

export const SYNC_MODES = ['full', 'incremental'] as const;

/** Validation runs once per resource per Terraform phase; the answers never change. */
function memo<A extends unknown[]>(fn: (...args: A) => string | null): (...args: A) => string | null {
  const cache = new Map<string, string | null>();
  return (...args: A) => {
    const key = JSON.stringify(args);
    if (!cache.has(key)) cache.set(key, fn(...args));
    return cache.get(key)!;
  };
}

/** Cron and time zone, checked with croner (the same library the service uses). */
export const checkCron = memo(function checkCron(expression: string, timeZone: string = 'UTC'): string | null {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) {
    return `expected 5 fields (minute hour day month weekday) or 6 with seconds, got ${fields.length}`;
  }
  try {
    const { Cron } = require('croner') as typeof import('croner');
    const job = new Cron(expression, { timezone: timeZone, paused: true });
    if (job.nextRun() === null) return 'expected a cron expression that fires at least once in the future';
  } catch (error) {
    return `expected a valid cron expression (${(error as Error).message})`;
  }
  return null;
});

export const checkTimeZone = memo(function checkTimeZone(value: string): string | null {
  try {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
    return resolved ? null : 'expected an IANA time zone such as "Asia/Shanghai"';
  } catch {
    return 'expected an IANA time zone such as "Asia/Shanghai" or "UTC"';
  }
});

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

export function checkClientId(value: string): string | null {
  if (value.trim().length === 0) return 'expected a non-empty client id (Yufu client ids look like ai- followed by 32 hex characters)';
  if (value.length > 256 || CONTROL_CHARS.test(value)) return 'expected at most 256 printable characters';
  return null;
}

export function checkClientSecret(value: string): string | null {
  if (value.length === 0) return 'expected a non-empty client secret';
  if (value.length > 256 || CONTROL_CHARS.test(value)) return 'expected at most 256 printable characters';
  return null;
}
