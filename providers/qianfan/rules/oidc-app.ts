/**
 * Yufu OIDC application rules (docs/api/yufu-admin.md): grant types, scopes, the
 * application type, token lifetimes and redirect-URI lists. List rules see the whole
 * list, so combinations ("refresh_token needs authorization_code") live here too.
 */
import { checkRedirectUri } from './urls';

export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const;
export const SCOPES = ['openid', 'profile', 'email', 'offline_access', 'phone'] as const;
export const APPLICATION_TYPES = ['web', 'native', 'spa'] as const;
export const REDIRECT_URIS_MAX = 20;

export type GrantType = (typeof GRANT_TYPES)[number];
export type Scope = (typeof SCOPES)[number];
export type ApplicationType = (typeof APPLICATION_TYPES)[number];

export const LIFETIME_LIMITS = {
  access_token_lifetime: [60, 86_400],
  id_token_lifetime: [60, 86_400],
  refresh_token_lifetime: [3_600, 31_536_000],
} as const;
export type LifetimeField = keyof typeof LIFETIME_LIMITS;

export const lifetimeExpectation = (field: LifetimeField): string => {
  const [min, max] = LIFETIME_LIMITS[field];
  return `expected a whole number of seconds from ${min} to ${max}`;
};

export function checkLifetime(field: LifetimeField, value: number): string | null {
  const [min, max] = LIFETIME_LIMITS[field];
  return Number.isInteger(value) && value >= min && value <= max ? null : lifetimeExpectation(field);
}

/** A problem with one element (index) or with the list as a whole (index undefined). */
export interface ListProblem {
  index?: number;
  problem: string;
  /** What to show as "got" instead of the value (e.g. a count). */
  got?: string;
}

/** Every problem of a list, in order (a service answers with the first; the provider and constructs list all). */
export type ListRule = (values: readonly string[]) => ListProblem[];

function elements(values: readonly string[], check: (value: string) => string | null, duplicate: string): ListProblem[] {
  const seen = new Set<string>();
  const problems: ListProblem[] = [];
  for (const [index, v] of values.entries()) {
    const problem = check(v);
    if (problem) problems.push({ index, problem });
    else if (seen.has(v)) problems.push({ index, problem: duplicate });
    seen.add(v);
  }
  return problems;
}

function enumList(values: readonly string[], allowed: readonly string[]): ListProblem[] {
  if (values.length === 0) return [{ problem: `expected at least one of ${allowed.join(', ')}`, got: 'none' }];
  return elements(values, (v) => (allowed.includes(v) ? null : `expected one of ${allowed.join(', ')}`), 'expected each value once');
}

export const checkGrantTypes: ListRule = (values) => {
  const problems = enumList(values, GRANT_TYPES);
  if (problems.length === 0 && values.includes('refresh_token') && !values.includes('authorization_code')) {
    problems.push({ problem: 'expected authorization_code too: refresh_token is only issued with the authorization-code flow' });
  }
  return problems;
};

export const checkScopes: ListRule = (values) => {
  const problems = enumList(values, SCOPES);
  if (problems.length === 0 && !values.includes('openid')) problems.push({ problem: 'expected the scopes to include "openid"' });
  return problems;
};

/** Redirect URIs (min 1) or post-logout redirect URIs (min 0): up to 20 distinct URIs, each valid. */
export function checkRedirectUris(values: readonly string[], min: 0 | 1): ListProblem[] {
  if (values.length < min || values.length > REDIRECT_URIS_MAX) {
    return [{ problem: values.length < min ? 'expected at least one URI' : `expected at most ${REDIRECT_URIS_MAX} URIs`, got: `${values.length}` }];
  }
  return elements(values, checkRedirectUri, 'expected each URI once');
}

export function isApplicationType(value: string): value is ApplicationType {
  return (APPLICATION_TYPES as readonly string[]).includes(value);
}
