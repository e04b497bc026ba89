/**
 * Text rules: control characters, lengths (in Unicode code points, as the services
 * count them), and how a received value is shown in a message — shortened, secrets
 * masked, and the user-info part of any URL removed.
 */

/** Unicode "Cc": C0 controls, DEL and the C1 controls. */
const CONTROL = /\p{Cc}/u;
/** Bidirectional overrides and isolates: they make a name read differently from what it is. */
const BIDI = /[\u202a-\u202e\u2066-\u2069]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Code points in `value`, counting no further than `stopAt` (a 5 MB string costs nothing). */
export function codePoints(value: string, stopAt = Number.POSITIVE_INFINITY): number {
  let n = 0;
  for (let i = 0; i < value.length && n <= stopAt; i++, n++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < value.length) {
      const d = value.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
  }
  return n;
}

/** Longer values are reported as "more than" this, without counting on. */
const COUNT_MAX = 1_000_000;

export interface TextLimits {
  min?: number;
  max: number;
  /** Control characters allowed anyway (e.g. "\n\t" in a description). */
  allowControl?: string;
  what?: string;
}

/**
 * The shared text rule: valid Unicode, length within limits, no control characters
 * (beyond those allowed), no bidirectional overrides.
 */
export function checkText(value: string, limits: TextLimits): string | null {
  const min = limits.min ?? 0;
  const length = codePoints(value, COUNT_MAX);
  if (length < min) return min === 1 ? `expected a non-empty ${limits.what ?? 'value'}` : `expected at least ${min} characters, got ${length}`;
  if (length > limits.max) return `expected at most ${limits.max} characters, got ${length > COUNT_MAX ? `more than ${COUNT_MAX}` : length}`;
  if (LONE_SURROGATE.test(value)) return 'expected valid Unicode text (it holds a lone surrogate)';
  const rest = limits.allowControl ? value.replace(new RegExp(`[${limits.allowControl}]`, 'g'), '') : value;
  if (CONTROL.test(rest)) return `expected no control characters (found ${describeControl(rest)})`;
  if (BIDI.test(value)) return 'expected no bidirectional override characters (U+202A–U+202E, U+2066–U+2069)';
  return null;
}

export function hasControl(value: string): boolean {
  return CONTROL.test(value);
}

function describeControl(value: string): string {
  const c = CONTROL.exec(value)![0].charCodeAt(0);
  const names: Record<number, string> = { 0: 'NUL', 9: 'a tab', 10: 'a line feed', 13: 'a carriage return', 27: 'ESC', 127: 'DEL' };
  return names[c] ?? `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
}

const SHOWN_MAX = 120;
const INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;
/** `scheme://user:pass@` → `scheme://…@`: user-info is never shown, even of a refused URL. */
const USER_INFO = /([a-z][a-z0-9+.-]*:\/\/)[^/?#\s@]*@/gi;

export function withoutUserInfo(text: string): string {
  return text.replace(USER_INFO, '$1(user-info removed)@');
}

/** Shows a received value in an error message: secrets masked, user-info removed, long values cut. */
export function shown(value: unknown, secret = false): string {
  if (secret) return typeof value === 'string' ? `"${'*'.repeat(Math.min(8, value.length))}" (${value.length} characters, masked)` : '(masked)';
  if (typeof value === 'string' && value.length > 4 * SHOWN_MAX) value = value.slice(0, 4 * SHOWN_MAX);
  let text: string | undefined;
  try {
    text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'string' && v.length > SHOWN_MAX ? v.slice(0, SHOWN_MAX) : v));
  } catch {
    text = undefined;
  }
  if (text === undefined) return String(value);
  // Invisible and direction-changing characters are shown as escapes, never applied.
  text = withoutUserInfo(text).replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return text.length > SHOWN_MAX ? `${text.slice(0, SHOWN_MAX - 3)}...` : text;
}

/** A value from a fixed list (an enum of the API). */
export const oneOfRule =
  (allowed: readonly string[]) =>
  (value: string): string | null =>
    allowed.includes(value) ? null : `expected one of ${allowed.join(', ')}`;

/** The one way a rule's problem reads: `field: expected …; got …`. */
export function describeProblem(field: string, problem: string, value: unknown, secret = false): string {
  return `${field}: ${problem}; got ${shown(value, secret)}`;
}

export const NAME_MAX = 64;
export const DESCRIPTION_MAX = 256;

/** A Yufu application name: 1–64 characters, no control characters. */
export function checkName(value: string): string | null {
  if (value.trim().length === 0) return 'expected a non-empty name';
  return checkText(value, { min: 1, max: NAME_MAX, what: 'name' });
}

/** Free text; line feeds and tabs are fine, other control characters are not. */
export function checkDescription(value: string): string | null {
  return checkText(value, { max: DESCRIPTION_MAX, allowControl: '\\n\\t' });
}
