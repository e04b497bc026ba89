/**
 * The cty value model.
 *
 *   type            JS representation
 *   ----            -----------------
 *   any, null       `null`
 *   any, unknown    an `Unknown` instance (`unknown()`; refined unknowns keep their bytes)
 *   string          `string` (NFC-normalised on the wire, as cty does)
 *   number          `CtyNumber` (lossless decimal)
 *   bool            `boolean`
 *   list, tuple     `CtyValue[]`
 *   set             `CtyValue[]` (order not significant; see `setEquals`)
 *   map             `Map<string, CtyValue>` — decoders always produce a Map; encoders also
 *                   accept a plain object for convenience
 *   object          plain object `{ [attribute]: CtyValue }` with every attribute present
 *   dynamic         `DynamicValue { dynamicType, value }` for a known type, or plain
 *                   `null` / `Unknown` for a null / unknown value of unknown type
 */
import { CtyNumber } from './number';
import type { CtyPathStep } from './path';
import {
  compareUtf8,
  isObjectType,
  sortedAttributeNames,
  typeToJsonString,
  type CtyType,
} from './types';

export { CtyNumber } from './number';

/**
 * An unknown value. `unknown()` is the plain (wholly unknown) singleton. A refined
 * unknown received from Terraform (msgpack extension 12 with a non-empty refinement map)
 * keeps its raw refinement payload so it can be sent back unchanged; Terraform requires
 * planned values to equal configured ones, refinements included.
 */
export class Unknown {
  private static readonly plain = new Unknown(undefined);

  /** The msgpack-encoded refinement map (payload of extension 12), if any. */
  readonly refinements: Uint8Array | undefined;

  private constructor(refinements: Uint8Array | undefined) {
    this.refinements = refinements;
    Object.freeze(this);
  }

  static get(): Unknown {
    return Unknown.plain;
  }

  /**
   * A refined unknown carrying a msgpack refinement map (at least one entry). An empty
   * payload yields the plain unknown, so an empty extension 12 is never produced.
   */
  static refined(payload: Uint8Array): Unknown {
    if (payload.length === 0) return Unknown.plain;
    return new Unknown(Uint8Array.from(payload));
  }

  get isRefined(): boolean {
    return this.refinements !== undefined;
  }

  toJSON(): string {
    return '(unknown)';
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.refinements ? `Unknown(refined ${Buffer.from(this.refinements).toString('hex')})` : 'Unknown';
  }
}

/** A value of type `dynamic` whose concrete type is known. */
export class DynamicValue {
  constructor(
    readonly dynamicType: CtyType,
    readonly value: CtyValue,
  ) {}
}

export type CtyValue =
  | null
  | Unknown
  | string
  | boolean
  | CtyNumber
  | CtyValue[]
  | Map<string, CtyValue>
  | DynamicValue
  | { [attribute: string]: CtyValue };

/**
 * NFC-normalise a string, as cty.StringVal does for every string. Characters below
 * U+0300 are unchanged by NFC and never compose with each other, so the common
 * (ASCII/Latin-1) case skips the work.
 */
export function normalizeString(s: string): string {
  return /[\u0300-\uffff]/.test(s) ? s.normalize('NFC') : s;
}

/** The plain (unrefined) unknown value. */
export function unknown(): Unknown {
  return Unknown.get();
}

export function isUnknown(v: unknown): v is Unknown {
  return v instanceof Unknown;
}

/** A plain object (an object-typed value), as opposed to the other object-shaped values. */
export function isObjectRecord(v: unknown): v is { [attribute: string]: CtyValue } {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    !(v instanceof Map) &&
    !(v instanceof CtyNumber) &&
    !(v instanceof Unknown) &&
    !(v instanceof DynamicValue) &&
    !(v instanceof Uint8Array)
  );
}

/** True when no unknown value appears anywhere inside `v`. */
export function isWhollyKnown(v: CtyValue | undefined): boolean {
  if (v === null || v === undefined) return true;
  if (v instanceof Unknown) return false;
  if (typeof v !== 'object' || v instanceof CtyNumber) return true;
  if (v instanceof DynamicValue) return isWhollyKnown(v.value);
  if (Array.isArray(v)) return v.every(isWhollyKnown);
  if (v instanceof Map) {
    for (const e of v.values()) if (!isWhollyKnown(e)) return false;
    return true;
  }
  for (const k of Object.keys(v)) if (!isWhollyKnown(v[k])) return false;
  return true;
}

/** Where the first unknown inside `v` is (depth first), or null when it is wholly known. */
export function firstUnknownPath(v: CtyValue | undefined, path: CtyPathStep[] = []): CtyPathStep[] | null {
  if (v instanceof Unknown) return path;
  if (v instanceof DynamicValue) return firstUnknownPath(v.value, path);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const found = firstUnknownPath(v[i], [...path, i]);
      if (found) return found;
    }
  } else if (v instanceof Map) {
    for (const [k, e] of v) {
      const found = firstUnknownPath(e, [...path, { key: k }]);
      if (found) return found;
    }
  } else if (isObjectRecord(v)) {
    for (const k of Object.keys(v)) {
      const found = firstUnknownPath(v[k], [...path, k]);
      if (found) return found;
    }
  }
  return null;
}

/** Entries of a map value (Map or, leniently, plain object), keys in UTF-8 byte order. */
export function mapEntries(v: Map<string, CtyValue> | { [k: string]: CtyValue }): [string, CtyValue][] {
  const entries: [string, CtyValue][] = v instanceof Map ? [...v.entries()] : Object.keys(v).map((k) => [k, v[k] as CtyValue]);
  return entries.sort((a, b) => compareUtf8(a[0], b[0]));
}

/**
 * Raw structural equality under `type`, in the spirit of cty's RawEquals: null equals
 * null, an unknown equals an unknown with identical refinements, numbers compare by
 * value, strings after NFC normalisation, sets ignore order (and duplicates), maps and
 * objects compare key by key. A missing object attribute counts as null.
 */
export function valueEquals(type: CtyType, a: CtyValue | undefined, b: CtyValue | undefined): boolean {
  return canonicalKey(type, a ?? null) === canonicalKey(type, b ?? null);
}

/** Set equality of two element arrays of element type `elementType`. */
export function setEquals(elementType: CtyType, a: readonly CtyValue[], b: readonly CtyValue[]): boolean {
  return valueEquals(['set', elementType], a as CtyValue[], b as CtyValue[]);
}

/**
 * Remove duplicate known elements from a set (first occurrence kept), as cty's set
 * construction does. Unknown elements are never merged with each other.
 */
export function setDedupe(elementType: CtyType, elements: readonly CtyValue[]): CtyValue[] {
  const seen = new Set<string>();
  const out: CtyValue[] = [];
  for (const e of elements) {
    if (!isWhollyKnown(e)) {
      out.push(e);
      continue;
    }
    const k = canonicalKey(elementType, e);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(e);
  }
  return out;
}

/**
 * A deterministic string that identifies `v` under `type`: two values are raw-equal
 * exactly when their keys are equal. Throws when `v` does not conform to `type`.
 */
export function canonicalKey(type: CtyType, v: CtyValue): string {
  if (v === null) return 'n';
  if (v instanceof Unknown) return v.refinements ? 'u' + Buffer.from(v.refinements).toString('hex') : 'u';
  if (type === 'dynamic') {
    if (!(v instanceof DynamicValue)) throw new TypeError('expected DynamicValue for a value of type dynamic');
    if (v.dynamicType === 'dynamic') return canonicalKey('dynamic', v.value);
    if (v.value === null) return `D${typeToJsonString(v.dynamicType)}:n`;
    return `D${typeToJsonString(v.dynamicType)}:${canonicalKey(v.dynamicType, v.value)}`;
  }
  switch (type) {
    case 'string':
      if (typeof v !== 'string') throw new TypeError('expected string');
      return JSON.stringify(normalizeString(v));
    case 'bool':
      if (typeof v !== 'boolean') throw new TypeError('expected boolean');
      return v ? 't' : 'f';
    case 'number':
      if (!(v instanceof CtyNumber)) throw new TypeError('expected CtyNumber');
      return '#' + v.toString();
  }
  switch (type[0]) {
    case 'list': {
      if (!Array.isArray(v)) throw new TypeError('expected array for list');
      return '[' + v.map((e) => canonicalKey(type[1], e)).join(',') + ']';
    }
    case 'tuple': {
      if (!Array.isArray(v) || v.length !== type[1].length) throw new TypeError(`expected array of ${type[1].length} elements for tuple`);
      const ets = type[1];
      return '[' + v.map((e, i) => canonicalKey(ets[i] as CtyType, e)).join(',') + ']';
    }
    case 'set': {
      if (!Array.isArray(v)) throw new TypeError('expected array for set');
      const keys = v.map((e) => canonicalKey(type[1], e));
      // Known elements form a set; unknown ones each count.
      const known = [...new Set(keys.filter((_k, i) => isWhollyKnown(v[i])))];
      const unknowns = keys.filter((_k, i) => !isWhollyKnown(v[i]));
      return '{' + [...known, ...unknowns].sort().join(',') + '}';
    }
    case 'map': {
      if (!(v instanceof Map) && !isObjectRecord(v)) throw new TypeError('expected Map for map');
      return '<' + mapEntries(v).map(([k, e]) => JSON.stringify(k) + ':' + canonicalKey(type[1], e)).join(',') + '>';
    }
    case 'object': {
      if (!isObjectRecord(v) || !isObjectType(type)) throw new TypeError('expected object');
      return (
        '(' +
        sortedAttributeNames(type)
          .map((k) => JSON.stringify(k) + ':' + canonicalKey(type[1][k] as CtyType, Object.prototype.hasOwnProperty.call(v, k) ? (v[k] as CtyValue) : null))
          .join(',') +
        ')'
      );
    }
  }
  throw new TypeError('invalid type');
}
