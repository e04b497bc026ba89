/** Attribute validators for the provider schema, built on the shared rules (rules/). */
import { CtyNumber, isUnknown, type CtyValue } from '../runtime/cty';
import { ProviderError } from '../runtime/diagnostics';
import type { AttributeValidator } from '../runtime/schema';
import { checkDuration, describeProblem, oneOfRule, parseDurationMs, shown, type ListProblem } from './rules';

/** A validator from a rule on strings; for lists/sets it checks every element. */
export function stringRule(field: string, rule: (value: string) => string | null, summary: string, secret = false): AttributeValidator {
  return (value, path, diagnostics) => {
    const check = (v: CtyValue, p: typeof path) => {
      if (typeof v !== 'string') return;
      const problem = rule(v);
      if (problem) diagnostics.error(summary, describeProblem(field, problem, v, secret), p);
    };
    if (Array.isArray(value)) value.forEach((v, i) => check(v, [...path, i]));
    else check(value, path);
  };
}

/** A validator from a rule on a whole list or set of strings (sizes, duplicates, combinations). */
export function listRule(field: string, rule: (values: string[]) => ListProblem[], summary: string): AttributeValidator {
  return (value, path, diagnostics) => {
    if (!Array.isArray(value) || value.some(isUnknown) || !value.every((v) => typeof v === 'string')) return;
    const values = value as string[];
    for (const found of rule(values)) {
      const at = found.index === undefined ? path : [...path, found.index];
      const got = found.got ?? shown(found.index === undefined ? values : values[found.index]);
      diagnostics.error(summary, `${field}: ${found.problem}; got ${got}`, at);
    }
  };
}

export function oneOf(field: string, allowed: readonly string[]): AttributeValidator {
  return stringRule(field, oneOfRule(allowed), `Invalid ${field}`);
}

/** A whole number in [min, max]; `what` names the unit in the message. */
export function intRange(field: string, min: number, max: number, what = 'a whole number of seconds'): AttributeValidator {
  return (value, path, diagnostics) => {
    if (!(value instanceof CtyNumber)) return;
    if (!value.isInteger() || value.compare(CtyNumber.of(min)) < 0 || value.compare(CtyNumber.of(max)) > 0) {
      const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
      diagnostics.error(`Invalid ${field}`, `${field}: expected ${what} ${range}; got ${value.toString()}`, path);
    }
  };
}

export function sizeRange(field: string, min: number, max: number): AttributeValidator {
  return (value, path, diagnostics) => {
    if (!Array.isArray(value) || value.some(isUnknown)) return;
    if (value.length < min || value.length > max) {
      diagnostics.error(`Invalid ${field}`, `${field}: expected ${min} to ${max} entries; got ${value.length}`, path);
    }
  };
}

export function durationValidator(field: string): AttributeValidator {
  return stringRule(field, checkDuration, `Invalid ${field}`);
}

export function parseDuration(value: string, field: string): number {
  const problem = checkDuration(value);
  if (problem) throw new ProviderError(`Invalid ${field}`, `${field}: ${problem}; got ${shown(value)}`);
  return parseDurationMs(value)!;
}
