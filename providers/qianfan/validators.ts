/** Attribute validators for the provider schema, built on rules.ts. */
import { CtyNumber, isUnknown, type CtyValue } from '../runtime/cty';
import { ProviderError } from '../runtime/diagnostics';
import type { AttributeValidator } from '../runtime/schema';
import { parseDurationMs, shown } from './rules';

/** A validator from a rule on strings; for lists/sets it checks every element. A secret's value is masked in the message. */
export function stringRule(field: string, rule: (value: string) => string | null, summary: string, secret = false): AttributeValidator {
  return (value, path, diagnostics) => {
    const check = (v: CtyValue, p: typeof path) => {
      if (typeof v !== 'string') return;
      const problem = rule(v);
      if (problem) diagnostics.error(summary, `${field}: ${problem}; got ${shown(v, secret)}`, p);
    };
    if (Array.isArray(value)) value.forEach((v, i) => check(v, [...path, i]));
    else check(value, path);
  };
}

export function oneOf(field: string, allowed: readonly string[]): AttributeValidator {
  return stringRule(field, (v) => (allowed.includes(v) ? null : `expected one of ${allowed.join(', ')}`), `Invalid ${field}`);
}

/** A whole number in [min, max]; `what` names the unit in the message. */
export function intRange(field: string, min: number, max: number, what = 'a whole number of seconds'): AttributeValidator {
  return (value, path, diagnostics) => {
    if (!(value instanceof CtyNumber)) return;
    if (!value.isInteger() || value.compare(CtyNumber.of(min)) < 0 || value.compare(CtyNumber.of(max)) > 0) {
      const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
      diagnostics.error(`Invalid ${field}`, `${field}: expected ${what} ${range}, got ${value.toString()}`, path);
    }
  };
}

export function sizeRange(field: string, min: number, max: number): AttributeValidator {
  return (value, path, diagnostics) => {
    if (!Array.isArray(value) || value.some(isUnknown)) return;
    if (value.length < min || value.length > max) {
      diagnostics.error(`Invalid ${field}`, `${field}: expected ${min} to ${max} entries, got ${value.length}`, path);
    }
  };
}

export function durationValidator(field: string): AttributeValidator {
  return stringRule(field, (v) => (parseDurationMs(v) === null ? 'expected a duration such as 30s, 500ms, 2m or 1h' : null), `Invalid ${field}`);
}

export function parseDuration(value: string, field: string): number {
  const ms = parseDurationMs(value);
  if (ms === null || ms <= 0) {
    throw new ProviderError(`Invalid ${field}`, `${field}: expected a positive duration such as 30s, 500ms, 2m or 1h, got ${shown(value)}`);
  }
  return ms;
}
