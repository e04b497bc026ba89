// Input rules for OIDC apps, shared by create and patch. Every failure names the field,
// the value received and what was expected (see docs/api/yufu-admin.md).
import { ApiError, describeJsonType } from '../http';
import type { AppRecord, AppSettings, ApplicationType } from './store';

export const APPLICATION_TYPES: readonly ApplicationType[] = ['web', 'native', 'spa'];
export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const;
export const SCOPES = ['openid', 'profile', 'email', 'offline_access', 'phone'] as const;

export const DEFAULTS: Omit<AppSettings, 'name' | 'redirect_uris'> = {
  description: '',
  application_type: 'web',
  post_logout_redirect_uris: [],
  grant_types: ['authorization_code'],
  scopes: ['openid', 'profile', 'email'],
  require_pkce: true,
  access_token_lifetime: 7200,
  id_token_lifetime: 3600,
  refresh_token_lifetime: 2592000,
};

const MUTABLE_FIELDS = [
  'name',
  'description',
  'redirect_uris',
  'post_logout_redirect_uris',
  'grant_types',
  'scopes',
  'require_pkce',
  'access_token_lifetime',
  'id_token_lifetime',
  'refresh_token_lifetime',
] as const;
type MutableField = (typeof MUTABLE_FIELDS)[number];

const READ_ONLY_FIELDS = new Set(['id', 'client_id', 'client_secret', 'issuer', 'well_known_url', 'created_at', 'updated_at']);

const LIFETIMES: Record<'access_token_lifetime' | 'id_token_lifetime' | 'refresh_token_lifetime', [number, number]> = {
  access_token_lifetime: [60, 86400],
  id_token_lifetime: [60, 86400],
  refresh_token_lifetime: [3600, 31536000],
};

const show = (v: unknown): string => {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 120 ? `${s.slice(0, 117)}...` : s;
};

const invalid = (field: string, message: string): ApiError => new ApiError(400, 'invalid_argument', message, field);

function checkKnownFields(body: Record<string, unknown>, allowed: ReadonlySet<string>): void {
  for (const key of Object.keys(body)) {
    if (allowed.has(key)) continue;
    if (READ_ONLY_FIELDS.has(key)) {
      throw new ApiError(400, 'unknown_field', `${key}: is read-only and cannot be set; remove it from the request body`, key);
    }
    const expected = [...allowed].join(', ');
    throw new ApiError(400, 'unknown_field', `${key}: unknown field; expected only: ${expected}`, key);
  }
}

// Unicode "Cc" covers C0, DEL and C1 controls; Yufu's console rejects them in names.
const CONTROL_CHARS = /\p{Cc}/u;

function checkName(v: unknown): string {
  if (typeof v !== 'string') throw invalid('name', `name: got ${describeJsonType(v)}; expected a string of 1 to 64 characters`);
  const length = [...v].length;
  if (length < 1 || length > 64) {
    throw invalid('name', `name: got ${show(v)} (${length} characters); expected 1 to 64 characters`);
  }
  if (CONTROL_CHARS.test(v)) throw invalid('name', `name: got ${show(v)}; expected no control characters`);
  return v;
}

function checkDescription(v: unknown): string {
  if (typeof v !== 'string') throw invalid('description', `description: got ${describeJsonType(v)}; expected a string of at most 256 characters`);
  const length = [...v].length;
  if (length > 256) throw invalid('description', `description: got ${length} characters; expected at most 256`);
  return v;
}

function checkApplicationType(v: unknown): ApplicationType {
  if (typeof v !== 'string' || !(APPLICATION_TYPES as readonly string[]).includes(v)) {
    throw invalid('application_type', `application_type: got ${show(v)}; expected one of ${APPLICATION_TYPES.join(', ')}`);
  }
  return v as ApplicationType;
}

/** The only hosts Yufu accepts over plain http: the loopback IP literals. */
function isLoopbackIp(hostname: string): boolean {
  return hostname === '127.0.0.1' || hostname === '[::1]';
}

function checkUri(field: string, index: number, v: unknown): string {
  const at = `${field}[${index}]`;
  if (typeof v !== 'string') throw invalid(field, `${at}: got ${describeJsonType(v)}; expected an absolute https URL string`);
  if (v.length > 2048) throw invalid(field, `${at}: got ${v.length} characters; expected at most 2048`);
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw invalid(field, `${at}: got ${show(v)}; expected an absolute URL such as https://app.example.com/callback`);
  }
  if (v.includes('#')) throw invalid(field, `${at}: got ${show(v)}; expected no fragment (#...)`);
  if (url.username || url.password) throw invalid(field, `${at}: got a URL with user info; expected no user:password@ part`);
  if (url.hostname === 'localhost' || url.hostname.endsWith('.localhost')) {
    throw invalid(
      field,
      `${at}: got ${show(v)}; Yufu rejects the host localhost, use 127.0.0.1 (or [::1]) instead`,
    );
  }
  if (url.protocol === 'https:') return v;
  if (url.protocol === 'http:') {
    if (isLoopbackIp(url.hostname)) return v;
    throw invalid(field, `${at}: got ${show(v)}; expected https, or http only for the loopback hosts 127.0.0.1 and [::1]`);
  }
  throw invalid(field, `${at}: got scheme ${show(url.protocol.slice(0, -1))}; expected https (or http on 127.0.0.1 / [::1])`);
}

function checkUriList(field: 'redirect_uris' | 'post_logout_redirect_uris', v: unknown, min: number): string[] {
  if (!Array.isArray(v)) throw invalid(field, `${field}: got ${describeJsonType(v)}; expected an array of ${min} to 20 URLs`);
  if (v.length < min || v.length > 20) throw invalid(field, `${field}: got ${v.length} entries; expected ${min} to 20`);
  const out = v.map((u, i) => checkUri(field, i, u));
  const seen = new Set<string>();
  out.forEach((u, i) => {
    if (seen.has(u)) throw invalid(field, `${field}[${i}]: got ${show(u)} twice; expected each URL once`);
    seen.add(u);
  });
  return out;
}

function checkEnumList(field: 'grant_types' | 'scopes', v: unknown, allowed: readonly string[]): string[] {
  if (!Array.isArray(v)) throw invalid(field, `${field}: got ${describeJsonType(v)}; expected an array with values from ${allowed.join(', ')}`);
  if (v.length === 0) throw invalid(field, `${field}: got an empty array; expected at least one of ${allowed.join(', ')}`);
  const seen = new Set<string>();
  v.forEach((item, i) => {
    if (typeof item !== 'string' || !allowed.includes(item)) {
      throw invalid(field, `${field}[${i}]: got ${show(item)}; expected one of ${allowed.join(', ')}`);
    }
    if (seen.has(item)) throw invalid(field, `${field}[${i}]: got ${show(item)} twice; expected each value once`);
    seen.add(item);
  });
  return v as string[];
}

function checkLifetime(field: keyof typeof LIFETIMES, v: unknown): number {
  const [min, max] = LIFETIMES[field];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw invalid(field, `${field}: got ${show(v)}; expected an integer number of seconds from ${min} to ${max}`);
  }
  return v;
}

function checkField(field: MutableField, v: unknown): Partial<AppSettings> {
  switch (field) {
    case 'name':
      return { name: checkName(v) };
    case 'description':
      return { description: checkDescription(v) };
    case 'redirect_uris':
      return { redirect_uris: checkUriList('redirect_uris', v, 1) };
    case 'post_logout_redirect_uris':
      return { post_logout_redirect_uris: checkUriList('post_logout_redirect_uris', v, 0) };
    case 'grant_types':
      return { grant_types: checkEnumList('grant_types', v, GRANT_TYPES) };
    case 'scopes': {
      const scopes = checkEnumList('scopes', v, SCOPES);
      if (!scopes.includes('openid')) throw invalid('scopes', `scopes: got ${show(scopes)}; expected it to include "openid"`);
      return { scopes };
    }
    case 'require_pkce':
      if (typeof v !== 'boolean') throw invalid('require_pkce', `require_pkce: got ${show(v)}; expected true or false`);
      return { require_pkce: v };
    case 'access_token_lifetime':
    case 'id_token_lifetime':
    case 'refresh_token_lifetime':
      return { [field]: checkLifetime(field, v) };
  }
}

function checkCombination(s: AppSettings): void {
  if (s.grant_types.includes('refresh_token') && !s.grant_types.includes('authorization_code')) {
    throw invalid('grant_types', `grant_types: got ${show(s.grant_types)}; refresh_token needs authorization_code too`);
  }
}

export function validateCreate(body: Record<string, unknown>): AppSettings {
  checkKnownFields(body, new Set<string>([...MUTABLE_FIELDS, 'application_type']));
  if (body.name === undefined) throw invalid('name', 'name: missing; expected a string of 1 to 64 characters');
  if (body.redirect_uris === undefined) throw invalid('redirect_uris', 'redirect_uris: missing; expected an array of 1 to 20 URLs');
  const settings: AppSettings = { ...DEFAULTS, name: '', redirect_uris: [] };
  if (body.application_type !== undefined) settings.application_type = checkApplicationType(body.application_type);
  for (const field of MUTABLE_FIELDS) {
    if (body[field] !== undefined) Object.assign(settings, checkField(field, body[field]));
  }
  checkCombination(settings);
  return settings;
}

/** Validates a PATCH body against the stored app and returns the merged settings. */
export function validatePatch(body: Record<string, unknown>, current: AppRecord): AppSettings {
  checkKnownFields(body, new Set<string>([...MUTABLE_FIELDS, 'application_type']));
  if (body.application_type !== undefined && body.application_type !== current.application_type) {
    throw new ApiError(
      400,
      'immutable_field',
      `application_type: got ${show(body.application_type)}; it cannot change after creation (current value ${show(current.application_type)}); delete and recreate the app instead`,
      'application_type',
    );
  }
  const settings: AppSettings = {
    name: current.name,
    description: current.description,
    application_type: current.application_type,
    redirect_uris: current.redirect_uris,
    post_logout_redirect_uris: current.post_logout_redirect_uris,
    grant_types: current.grant_types,
    scopes: current.scopes,
    require_pkce: current.require_pkce,
    access_token_lifetime: current.access_token_lifetime,
    id_token_lifetime: current.id_token_lifetime,
    refresh_token_lifetime: current.refresh_token_lifetime,
  };
  for (const field of MUTABLE_FIELDS) {
    if (body[field] === null) throw invalid(field, `${field}: got null; omit the field to keep its value`);
    if (body[field] !== undefined) Object.assign(settings, checkField(field, body[field]));
  }
  checkCombination(settings);
  return settings;
}

export function sameSettings(a: AppSettings, b: AppSettings): boolean {
  return (
    a.name === b.name &&
    a.description === b.description &&
    a.application_type === b.application_type &&
    JSON.stringify(a.redirect_uris) === JSON.stringify(b.redirect_uris) &&
    JSON.stringify(a.post_logout_redirect_uris) === JSON.stringify(b.post_logout_redirect_uris) &&
    JSON.stringify(a.grant_types) === JSON.stringify(b.grant_types) &&
    JSON.stringify(a.scopes) === JSON.stringify(b.scopes) &&
    a.require_pkce === b.require_pkce &&
    a.access_token_lifetime === b.access_token_lifetime &&
    a.id_token_lifetime === b.id_token_lifetime &&
    a.refresh_token_lifetime === b.refresh_token_lifetime
  );
}
