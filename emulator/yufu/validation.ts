// Input rules for OIDC apps, shared by create and patch: the JSON types are checked
// here, the values by the rules the provider and the constructs use too
// (providers/qianfan/rules/), so a plan and the service never disagree. Every failure
// names the field, a short excerpt of the value and what was expected (docs/api/yufu-admin.md).
import {
  APPLICATION_TYPES,
  checkDescription,
  checkGrantTypes,
  checkLifetime,
  checkName,
  checkRedirectUris,
  checkScopes,
  describeProblem,
  isApplicationType,
  LIFETIME_LIMITS,
  lifetimeExpectation,
  oneOfRule,
  REDIRECT_URIS_MAX,
  shown,
  type ListProblem,
} from '../../providers/qianfan/rules';
import { ApiError, describeJsonType } from '../http';
import type { AppRecord, AppSettings, ApplicationType } from './store';

export { APPLICATION_TYPES, GRANT_TYPES, SCOPES } from '../../providers/qianfan/rules';

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

const show = shown;

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

function text(field: 'name' | 'description', v: unknown, rule: (value: string) => string | null, expected: string): string {
  if (typeof v !== 'string') throw invalid(field, `${field}: got ${describeJsonType(v)}; expected ${expected}`);
  const problem = rule(v);
  if (problem) throw invalid(field, describeProblem(field, problem, v));
  return v;
}

function checkApplicationType(v: unknown): ApplicationType {
  if (typeof v !== 'string' || !isApplicationType(v)) {
    throw invalid('application_type', describeProblem('application_type', oneOfRule(APPLICATION_TYPES)(String(v))!, v));
  }
  return v;
}

/** A JSON array of strings, checked by one of the shared list rules. */
function checkList(field: string, v: unknown, rule: (values: string[]) => ListProblem[], expected: string): string[] {
  if (!Array.isArray(v)) throw invalid(field, `${field}: got ${describeJsonType(v)}; expected ${expected}`);
  const bad = v.findIndex((item) => typeof item !== 'string');
  if (bad >= 0) throw invalid(field, `${field}[${bad}]: got ${describeJsonType(v[bad])}; expected a string`);
  const values = v as string[];
  const [found] = rule(values);
  if (found) {
    const at = found.index === undefined ? field : `${field}[${found.index}]`;
    const got = found.got ?? show(found.index === undefined ? values : values[found.index]);
    throw invalid(field, `${at}: ${found.problem}; got ${got}`);
  }
  return values;
}

function checkLifetimeField(field: keyof typeof LIFETIME_LIMITS, v: unknown): number {
  if (typeof v !== 'number' || checkLifetime(field, v)) throw invalid(field, describeProblem(field, lifetimeExpectation(field), v));
  return v;
}

function checkField(field: MutableField, v: unknown): Partial<AppSettings> {
  switch (field) {
    case 'name':
      return { name: text('name', v, checkName, 'a string of 1 to 64 characters') };
    case 'description':
      return { description: text('description', v, checkDescription, 'a string of at most 256 characters') };
    case 'redirect_uris':
      return { redirect_uris: checkList('redirect_uris', v, (u) => checkRedirectUris(u, 1), `an array of 1 to ${REDIRECT_URIS_MAX} URLs`) };
    case 'post_logout_redirect_uris':
      return { post_logout_redirect_uris: checkList('post_logout_redirect_uris', v, (u) => checkRedirectUris(u, 0), `an array of 0 to ${REDIRECT_URIS_MAX} URLs`) };
    case 'grant_types':
      return { grant_types: checkList('grant_types', v, checkGrantTypes, 'an array of grant types') };
    case 'scopes':
      return { scopes: checkList('scopes', v, checkScopes, 'an array of scopes') };
    case 'require_pkce':
      if (typeof v !== 'boolean') throw invalid('require_pkce', `require_pkce: got ${show(v)}; expected true or false`);
      return { require_pkce: v };
    case 'access_token_lifetime':
    case 'id_token_lifetime':
    case 'refresh_token_lifetime':
      return { [field]: checkLifetimeField(field, v) };
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
