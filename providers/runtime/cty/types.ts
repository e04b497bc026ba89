/**
 * The cty type model, as Terraform speaks it on the wire.
 *
 * A type is a plain JSON-like value that mirrors go-cty's type JSON:
 *   'string' | 'number' | 'bool' | 'dynamic'
 *   ['list', T] | ['set', T] | ['map', T]
 *   ['object', { attr: T, ... }] | ['object', { attr: T, ... }, [optional attr names]]
 *   ['tuple', [T, ...]]
 *
 * `typeToJson` produces exactly the bytes go-cty's `Type.MarshalJSON` produces (compact,
 * object attributes and optional-attribute names in byte order, Go's string escaping),
 * because Terraform compares and stores these bytes (schema `type`, dynamic values).
 */

export type CtyPrimitiveType = 'string' | 'number' | 'bool';

export type CtyType =
  | CtyPrimitiveType
  | 'dynamic'
  | readonly ['list', CtyType]
  | readonly ['set', CtyType]
  | readonly ['map', CtyType]
  | readonly ['object', Readonly<Record<string, CtyType>>]
  | readonly ['object', Readonly<Record<string, CtyType>>, readonly string[]]
  | readonly ['tuple', readonly CtyType[]];

export type CtyObjectType = Extract<CtyType, readonly ['object', ...unknown[]]>;

/** Error for a malformed type description (type JSON or a CtyType value). */
export class CtyTypeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CtyTypeError';
  }
}

// ---------------------------------------------------------------------------
// constructors (convenience; a literal works just as well)

export const listOf = (t: CtyType): CtyType => ['list', t];
export const setOf = (t: CtyType): CtyType => ['set', t];
export const mapOf = (t: CtyType): CtyType => ['map', t];
export const tupleOf = (ts: readonly CtyType[]): CtyType => ['tuple', ts];
export function objectOf(attrs: Readonly<Record<string, CtyType>>, optional?: readonly string[]): CtyType {
  return optional && optional.length > 0 ? ['object', attrs, optional] : ['object', attrs];
}

// ---------------------------------------------------------------------------
// inspection

export function isPrimitiveType(t: CtyType): t is CtyPrimitiveType {
  return t === 'string' || t === 'number' || t === 'bool';
}

export function isObjectType(t: CtyType): t is CtyObjectType {
  return Array.isArray(t) && t[0] === 'object';
}

/** Attribute types of an object type (own properties only). */
export function objectAttributes(t: CtyObjectType): Readonly<Record<string, CtyType>> {
  return t[1];
}

/** Optional attribute names of an object type (empty when none). */
export function objectOptionalAttributes(t: CtyObjectType): readonly string[] {
  return t.length === 3 ? t[2] : [];
}

/** Attribute names in the order go-cty uses on the wire: sorted by UTF-8 bytes. */
export function sortedAttributeNames(t: CtyObjectType): string[] {
  return Object.keys(t[1]).sort(compareUtf8);
}

/** A short human description ("list of string", "object", ...) for messages. */
export function typeFriendlyName(t: CtyType): string {
  if (typeof t === 'string') return t;
  switch (t[0]) {
    case 'list':
    case 'set':
    case 'map':
      return `${t[0]} of ${typeFriendlyName(t[1])}`;
    case 'object':
      return 'object';
    case 'tuple':
      return 'tuple';
  }
}

// ---------------------------------------------------------------------------
// string ordering and JSON string escaping that match Go

/**
 * Compare two strings by their UTF-8 byte sequences (Go's `sort.Strings` /
 * `strings.Compare`), which equals Unicode code point order. JavaScript's default
 * `<` compares UTF-16 code units, which differs for characters above U+FFFF.
 */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === cb) continue;
    const sa = ca >= 0xd800 && ca <= 0xdfff;
    const sb = cb >= 0xd800 && cb <= 0xdfff;
    // A surrogate (part of a code point >= U+10000) sorts after every BMP code unit
    // in code point order; between two surrogates, code unit order is right.
    if (sa !== sb) return sa ? 1 : -1;
    return ca < cb ? -1 : 1;
  }
  return a.length - b.length;
}

/** JSON-quote a string exactly as Go's encoding/json does (HTML-safe escaping). */
export function goJsonQuote(s: string): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let esc: string | undefined;
    if (c < 0x20) {
      switch (c) {
        case 0x08:
          esc = '\\b';
          break;
        case 0x0c:
          esc = '\\f';
          break;
        case 0x0a:
          esc = '\\n';
          break;
        case 0x0d:
          esc = '\\r';
          break;
        case 0x09:
          esc = '\\t';
          break;
        default:
          esc = '\\u00' + (c < 0x10 ? '0' : '') + c.toString(16);
      }
    } else if (c === 0x22) esc = '\\"';
    else if (c === 0x5c) esc = '\\\\';
    else if (c === 0x3c) esc = '\\u003c';
    else if (c === 0x3e) esc = '\\u003e';
    else if (c === 0x26) esc = '\\u0026';
    else if (c === 0x2028) esc = '\\u2028';
    else if (c === 0x2029) esc = '\\u2029';
    else if (c >= 0xd800 && c <= 0xdfff) {
      // Lone surrogates cannot be UTF-8 encoded; Go writes U+FFFD for invalid UTF-8.
      const isHigh = c <= 0xdbff;
      const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (isHigh && next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      esc = '\ufffd';
    }
    if (esc !== undefined) {
      out += s.slice(start, i) + esc;
      start = i + 1;
    }
  }
  return out + s.slice(start) + '"';
}

// ---------------------------------------------------------------------------
// type JSON

/** The type-JSON text go-cty writes for `t`. */
export function typeToJsonString(t: CtyType): string {
  if (typeof t === 'string') {
    assertTypeName(t);
    return `"${t}"`;
  }
  if (!Array.isArray(t)) throw new CtyTypeError(`invalid type: ${describe(t)}`);
  switch (t[0]) {
    case 'list':
    case 'set':
    case 'map':
      if (t.length !== 2) throw new CtyTypeError(`invalid ${t[0]} type: expected [${JSON.stringify(t[0])}, T]`);
      return `["${t[0]}",${typeToJsonString(t[1])}]`;
    case 'object': {
      const obj = t as CtyObjectType;
      if ((obj.length !== 2 && obj.length !== 3) || !isPlainRecord(obj[1]))
        throw new CtyTypeError('invalid object type: expected ["object", {attributes}] or ["object", {attributes}, [optional]]');
      const names = sortedAttributeNames(obj);
      let out = '["object",{' + names.map((n) => `${goJsonQuote(n)}:${typeToJsonString(obj[1][n] as CtyType)}`).join(',') + '}';
      const optional = objectOptionalAttributes(obj);
      if (optional.length > 0) {
        validateOptional(obj[1], optional);
        out += ',[' + [...new Set(optional)].sort(compareUtf8).map(goJsonQuote).join(',') + ']';
      }
      return out + ']';
    }
    case 'tuple':
      if (t.length !== 2 || !Array.isArray(t[1])) throw new CtyTypeError('invalid tuple type: expected ["tuple", [types]]');
      return '["tuple",[' + (t[1] as readonly CtyType[]).map(typeToJsonString).join(',') + ']]';
    default:
      throw new CtyTypeError(`invalid type kind ${describe(t[0])}`);
  }
}

/** The type-JSON bytes go-cty writes for `t` (e.g. for `Schema.Attribute.type`). */
export function typeToJson(t: CtyType): Buffer {
  return Buffer.from(typeToJsonString(t), 'utf8');
}

/**
 * Parse and validate type JSON (as found in a dynamic value or a schema). Accepts
 * exactly the forms go-cty's `Type.UnmarshalJSON` accepts.
 */
export function typeFromJson(json: string | Uint8Array): CtyType {
  const text = typeof json === 'string' ? json : Buffer.from(json.buffer, json.byteOffset, json.byteLength).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new CtyTypeError(`invalid type JSON: ${(e as Error).message}`);
  }
  return typeFromParsedJson(parsed);
}

/** Validate an already-parsed type-JSON value (e.g. the "type" member of a JSON dynamic value). */
export function typeFromParsedJson(v: unknown): CtyType {
  if (typeof v === 'string') {
    assertTypeName(v);
    return v as CtyType;
  }
  if (!Array.isArray(v)) throw new CtyTypeError(`invalid type description: ${describe(v)}`);
  const kind: unknown = v[0];
  if (typeof kind !== 'string') throw new CtyTypeError('invalid complex type kind name');
  switch (kind) {
    case 'list':
    case 'set':
    case 'map':
      if (v.length !== 2) throw new CtyTypeError(`invalid ${kind} type: expected exactly one element type`);
      return [kind, typeFromParsedJson(v[1])];
    case 'object': {
      if (v.length !== 2 && v.length !== 3) throw new CtyTypeError('unexpected extra data in object type description');
      if (!isPlainRecord(v[1])) throw new CtyTypeError('invalid object type: attributes must be a JSON object');
      const attrs: Record<string, CtyType> = {};
      for (const name of Object.keys(v[1])) defineOwn(attrs, name, typeFromParsedJson((v[1] as Record<string, unknown>)[name]));
      if (v.length === 3) {
        const opt: unknown = v[2];
        if (!Array.isArray(opt) || !opt.every((o) => typeof o === 'string'))
          throw new CtyTypeError('invalid object type: optional attributes must be an array of strings');
        validateOptional(attrs, opt as string[]);
        if (opt.length > 0) return ['object', attrs, opt as string[]];
      }
      return ['object', attrs];
    }
    case 'tuple':
      if (v.length !== 2) throw new CtyTypeError('unexpected extra data in tuple type description');
      if (!Array.isArray(v[1])) throw new CtyTypeError('invalid tuple type: element types must be a JSON array');
      return ['tuple', (v[1] as unknown[]).map(typeFromParsedJson)];
    default:
      throw new CtyTypeError(`invalid complex type kind name ${JSON.stringify(kind)}`);
  }
}

/** Check that `t` is a well-formed CtyType (throws CtyTypeError otherwise). */
export function validateType(t: CtyType): void {
  typeToJsonString(t);
}

/**
 * Structural type equality. Object attribute order is irrelevant; optional-attribute
 * lists compare as sets (an empty list equals an absent one).
 */
export function typeEquals(a: CtyType, b: CtyType): boolean {
  if (a === b) return true;
  if (typeof a === 'string' || typeof b === 'string') return false;
  if (a[0] !== b[0]) return false;
  switch (a[0]) {
    case 'list':
    case 'set':
    case 'map':
      return typeEquals(a[1], b[1] as CtyType);
    case 'tuple': {
      const ea = a[1];
      const eb = b[1] as readonly CtyType[];
      return ea.length === eb.length && ea.every((t, i) => typeEquals(t, eb[i] as CtyType));
    }
    case 'object': {
      const oa = a as CtyObjectType;
      const ob = b as CtyObjectType;
      const ka = Object.keys(oa[1]);
      const kb = Object.keys(ob[1]);
      if (ka.length !== kb.length) return false;
      for (const k of ka) {
        if (!Object.prototype.hasOwnProperty.call(ob[1], k)) return false;
        if (!typeEquals(oa[1][k] as CtyType, ob[1][k] as CtyType)) return false;
      }
      const pa = new Set(objectOptionalAttributes(oa));
      const pb = new Set(objectOptionalAttributes(ob));
      if (pa.size !== pb.size) return false;
      for (const p of pa) if (!pb.has(p)) return false;
      return true;
    }
  }
}

// ---------------------------------------------------------------------------
// internals

function assertTypeName(v: string): void {
  if (v !== 'string' && v !== 'number' && v !== 'bool' && v !== 'dynamic')
    throw new CtyTypeError(`invalid primitive type name ${JSON.stringify(v)}`);
}

function validateOptional(attrs: Readonly<Record<string, CtyType>>, optional: readonly string[]): void {
  for (const o of optional) {
    if (!Object.prototype.hasOwnProperty.call(attrs, o))
      throw new CtyTypeError(`invalid object type: optional attribute ${JSON.stringify(o)} is not an attribute`);
  }
}

function isPlainRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Set an own property even for the name "__proto__". */
export function defineOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

function describe(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
