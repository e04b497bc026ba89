/**
 * Terraform's JSON value forms (go-cty cty/json), used for `RawState.json` in
 * UpgradeResourceState and for `DynamicValue.json`.
 *
 * Decoding (as go-cty's ctyjson.Unmarshal):
 * - JSON null is a null of any type; an object may omit attributes (they become null)
 *   but may not carry attributes the type lacks.
 * - string accepts a JSON string, number (its text) or bool ("true"/"false");
 *   number accepts a JSON number or a decimal string; bool accepts true/false or the
 *   strings "true"/"false"/"1"/"0" (cty's string→bool conversion).
 * - list/set/tuple are arrays (a tuple of exactly its length); map is an object.
 * - dynamic is `{"value": …, "type": …}`, both required, no other keys.
 *
 * Encoding (as ctyjson.Marshal): compact, object attributes and map keys in byte order,
 * numbers in canonical decimal text, dynamic as `{"value":…,"type":…}`. Unknown values
 * cannot be encoded.
 *
 * Numbers stay lossless: `parseJsonLossless` turns JSON numbers into CtyNumber instead
 * of JS numbers. `decodeJsonValue` also accepts plain `JSON.parse` output (its numbers
 * are already doubles; use the lossless parser for state).
 */
import { CtyNumber } from './number';
import { CtyCodecError, type CtyPathStep } from './path';
import {
  compareUtf8,
  defineOwn,
  goJsonQuote,
  isObjectType,
  objectAttributes,
  sortedAttributeNames,
  typeFriendlyName,
  typeFromParsedJson,
  typeToJsonString,
  type CtyType,
} from './types';
import { DynamicValue, Unknown, isObjectRecord, mapEntries, normalizeString as nfc, setDedupe, type CtyValue } from './values';

/** A parsed JSON document with lossless numbers. */
export type JsonValue = null | boolean | string | CtyNumber | JsonValue[] | { [key: string]: JsonValue };

/** Maximum nesting depth accepted by `parseJsonLossless`. */
export const MAX_JSON_DEPTH = 1000;

// ===========================================================================
// lossless JSON parser (RFC 8259)

/** Thrown for malformed JSON text. */
export class JsonSyntaxError extends SyntaxError {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at offset ${offset}`);
    this.name = 'JsonSyntaxError';
  }
}

/**
 * Parse JSON text, keeping every number as a CtyNumber (exact: `0.1`, `1e400`,
 * `18446744073709551617` all survive). Objects are plain objects ("__proto__" becomes
 * an ordinary own key); for duplicate keys the last one wins, as in JSON.parse and Go.
 */
export function parseJsonLossless(text: string | Uint8Array): JsonValue {
  const src = typeof text === 'string' ? text : Buffer.from(text.buffer, text.byteOffset, text.byteLength).toString('utf8');
  const p = new JsonParser(src);
  p.ws();
  const v = p.value(0);
  p.ws();
  if (p.pos !== src.length) p.fail('unexpected data after JSON value');
  return v;
}

class JsonParser {
  pos = 0;
  constructor(readonly s: string) {}

  fail(msg: string): never {
    if (this.pos >= this.s.length && msg !== 'unterminated string') msg = 'unexpected end of JSON input';
    throw new JsonSyntaxError(msg, this.pos);
  }

  ws(): void {
    const s = this.s;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++;
      else break;
    }
  }

  value(depth: number): JsonValue {
    if (depth > MAX_JSON_DEPTH) this.fail('JSON nested too deeply');
    const c = this.s[this.pos];
    switch (c) {
      case '{':
        return this.object(depth);
      case '[':
        return this.array(depth);
      case '"':
        return this.string();
      case 't':
        return this.literal('true', true);
      case 'f':
        return this.literal('false', false);
      case 'n':
        return this.literal('null', null);
      case undefined:
        return this.fail('unexpected end of JSON input');
      default:
        if (c === '-' || (c >= '0' && c <= '9')) return this.number();
        return this.fail(`unexpected character ${JSON.stringify(c)}`);
    }
  }

  literal<T extends JsonValue>(word: string, v: T): T {
    if (this.s.startsWith(word, this.pos)) {
      this.pos += word.length;
      return v;
    }
    return this.fail('invalid literal');
  }

  number(): CtyNumber {
    const re = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    re.lastIndex = this.pos;
    const m = re.exec(this.s);
    if (!m) return this.fail('invalid number');
    const start = this.pos;
    this.pos += m[0].length;
    try {
      return CtyNumber.parse(m[0]);
    } catch (e) {
      this.pos = start;
      return this.fail((e as Error).message);
    }
  }

  string(): string {
    const s = this.s;
    this.pos++; // opening quote
    let out = '';
    let start = this.pos;
    for (;;) {
      if (this.pos >= s.length) this.fail('unterminated string');
      const c = s.charCodeAt(this.pos);
      if (c === 0x22) {
        out += s.slice(start, this.pos);
        this.pos++;
        return out;
      }
      if (c < 0x20) this.fail('control character in string');
      if (c !== 0x5c) {
        this.pos++;
        continue;
      }
      out += s.slice(start, this.pos);
      const e = s[this.pos + 1];
      this.pos += 2;
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          const hex = s.slice(this.pos, this.pos + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('invalid \\u escape');
          out += String.fromCharCode(parseInt(hex, 16));
          this.pos += 4;
          break;
        }
        default:
          this.pos -= 2;
          this.fail('invalid escape');
      }
      start = this.pos;
    }
  }

  array(depth: number): JsonValue[] {
    this.pos++;
    const out: JsonValue[] = [];
    this.ws();
    if (this.s[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.ws();
      out.push(this.value(depth + 1));
      this.ws();
      const c = this.s[this.pos];
      if (c === ',') this.pos++;
      else if (c === ']') {
        this.pos++;
        return out;
      } else this.fail("expected ',' or ']'");
    }
  }

  object(depth: number): { [key: string]: JsonValue } {
    this.pos++;
    const out: { [key: string]: JsonValue } = {};
    this.ws();
    if (this.s[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.s[this.pos] !== '"') this.fail('expected object key string');
      const k = this.string();
      this.ws();
      if (this.s[this.pos] !== ':') this.fail("expected ':'");
      this.pos++;
      this.ws();
      defineOwn(out, k, this.value(depth + 1));
      this.ws();
      const c = this.s[this.pos];
      if (c === ',') this.pos++;
      else if (c === '}') {
        this.pos++;
        return out;
      } else this.fail("expected ',' or '}'");
    }
  }
}

// ===========================================================================
// decoding

/**
 * Interpret a parsed JSON value (from `parseJsonLossless`, or `JSON.parse`) as a value
 * of `type`. Throws CtyCodecError naming the attribute path.
 */
export function decodeJsonValue(type: CtyType, json: unknown): CtyValue {
  return decodeAt(type, json, []);
}

/** `decodeJsonValue(type, parseJsonLossless(text))`, e.g. for `RawState.json` bytes. */
export function decodeJsonText(type: CtyType, text: string | Uint8Array): CtyValue {
  let parsed: JsonValue;
  try {
    parsed = parseJsonLossless(text);
  } catch (e) {
    throw new CtyCodecError([], `invalid JSON: ${(e as Error).message}`);
  }
  return decodeJsonValue(type, parsed);
}

function isJsonObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof CtyNumber);
}

function jsonKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (v instanceof CtyNumber || typeof v === 'number' || typeof v === 'bigint') return 'number';
  if (typeof v === 'object') return 'object';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'boolean';
  return typeof v;
}

function asNumber(v: unknown): CtyNumber | undefined {
  if (v instanceof CtyNumber) return v;
  if (typeof v === 'number' || typeof v === 'bigint') return CtyNumber.of(v);
  return undefined;
}

function decodeAt(type: CtyType, v: unknown, path: CtyPathStep[]): CtyValue {
  if (v === null || v === undefined) return null;
  if (type === 'dynamic') return decodeDynamic(v, path);
  if (typeof type === 'string') {
    switch (type) {
      case 'string': {
        if (typeof v === 'string') return nfc(v);
        if (typeof v === 'boolean') return v ? 'true' : 'false';
        const n = asNumber(v);
        if (n) return n.toString();
        break;
      }
      case 'number': {
        const n = asNumber(v);
        if (n) return n;
        if (typeof v === 'string') {
          try {
            return CtyNumber.parse(v);
          } catch {
            throw new CtyCodecError(path, `expected number, got string ${JSON.stringify(v)} that is not a decimal number`);
          }
        }
        break;
      }
      case 'bool':
        if (typeof v === 'boolean') return v;
        if (v === 'true' || v === '1') return true;
        if (v === 'false' || v === '0') return false;
        if (typeof v === 'string') throw new CtyCodecError(path, `expected bool, got string ${JSON.stringify(v)}`);
        break;
    }
    throw new CtyCodecError(path, `expected ${type}, got ${jsonKind(v)}`);
  }
  switch (type[0]) {
    case 'list':
    case 'set': {
      if (!Array.isArray(v)) throw new CtyCodecError(path, `expected ${type[0]} (JSON array), got ${jsonKind(v)}`);
      const out = v.map((e: unknown, i) => {
        path.push(i);
        const d = decodeAt(type[1], e, path);
        path.pop();
        return d;
      });
      return type[0] === 'set' ? setDedupe(type[1], out) : out;
    }
    case 'tuple': {
      const ets = type[1];
      if (!Array.isArray(v)) throw new CtyCodecError(path, `expected tuple (JSON array), got ${jsonKind(v)}`);
      if (v.length !== ets.length) throw new CtyCodecError(path, `expected tuple of ${ets.length} elements, got ${v.length}`);
      return ets.map((et, i) => {
        path.push(i);
        const d = decodeAt(et, v[i], path);
        path.pop();
        return d;
      });
    }
    case 'map': {
      if (!isJsonObject(v)) throw new CtyCodecError(path, `expected map (JSON object), got ${jsonKind(v)}`);
      const out = new Map<string, CtyValue>();
      for (const k of Object.keys(v)) {
        path.push({ key: k });
        out.set(nfc(k), decodeAt(type[1], v[k], path));
        path.pop();
      }
      return out;
    }
    case 'object': {
      if (!isObjectType(type)) break;
      if (!isJsonObject(v)) throw new CtyCodecError(path, `expected object, got ${jsonKind(v)}`);
      const attrs = objectAttributes(type);
      for (const k of Object.keys(v)) {
        if (!Object.prototype.hasOwnProperty.call(attrs, k)) throw new CtyCodecError([...path, k], 'unsupported attribute');
      }
      const out: { [k: string]: CtyValue } = {};
      for (const k of sortedAttributeNames(type)) {
        path.push(k);
        defineOwn(out, k, Object.prototype.hasOwnProperty.call(v, k) ? decodeAt(attrs[k] as CtyType, v[k], path) : null);
        path.pop();
      }
      return out;
    }
  }
  throw new CtyCodecError(path, `invalid type ${JSON.stringify(type)}`);
}

function decodeDynamic(v: unknown, path: CtyPathStep[]): CtyValue {
  if (!isJsonObject(v)) throw new CtyCodecError(path, `expected dynamic value ({"value":…,"type":…}), got ${jsonKind(v)}`);
  for (const k of Object.keys(v)) {
    if (k !== 'type' && k !== 'value') throw new CtyCodecError(path, `invalid key ${JSON.stringify(k)} in dynamically-typed value`);
  }
  if (!Object.prototype.hasOwnProperty.call(v, 'type')) throw new CtyCodecError(path, 'missing type in dynamically-typed value');
  if (!Object.prototype.hasOwnProperty.call(v, 'value')) throw new CtyCodecError(path, 'missing value in dynamically-typed value');
  let t: CtyType;
  try {
    t = typeFromParsedJson(v['type']);
  } catch (e) {
    throw new CtyCodecError(path, `failed to decode type for dynamic value: ${(e as Error).message}`);
  }
  const inner = decodeAt(t, v['value'], path);
  return t === 'dynamic' ? inner : new DynamicValue(t, inner);
}

// ===========================================================================
// encoding

/** Encode `value` of `type` as compact JSON text, as go-cty's ctyjson.Marshal does. */
export function encodeJsonValue(type: CtyType, value: CtyValue): string {
  return encodeAt(type, value, []);
}

function encodeAt(type: CtyType, v: CtyValue | undefined, path: CtyPathStep[]): string {
  if (v === undefined) v = null;
  if (type === 'dynamic') {
    if (v === null) return 'null';
    if (v instanceof Unknown) throw new CtyCodecError(path, 'value is not known (unknown values cannot be represented in JSON)');
    if (!(v instanceof DynamicValue)) throw new CtyCodecError(path, 'expected a DynamicValue for type dynamic');
    if (v.dynamicType === 'dynamic') return encodeAt('dynamic', v.value, path);
    let typeJson: string;
    try {
      typeJson = typeToJsonString(v.dynamicType);
    } catch (e) {
      throw new CtyCodecError(path, (e as Error).message);
    }
    return `{"value":${encodeAt(v.dynamicType, v.value, path)},"type":${typeJson}}`;
  }
  if (v === null) return 'null';
  if (v instanceof Unknown) throw new CtyCodecError(path, 'value is not known (unknown values cannot be represented in JSON)');
  if (v instanceof DynamicValue) throw new CtyCodecError(path, `expected ${typeFriendlyName(type)}, got a DynamicValue`);
  if (typeof type === 'string') {
    switch (type) {
      case 'string':
        if (typeof v !== 'string') throw new CtyCodecError(path, 'expected string');
        return goJsonQuote(nfc(v));
      case 'bool':
        if (typeof v !== 'boolean') throw new CtyCodecError(path, 'expected bool');
        return v ? 'true' : 'false';
      case 'number':
        if (!(v instanceof CtyNumber)) throw new CtyCodecError(path, 'expected number (CtyNumber)');
        if (!v.isFinite()) throw new CtyCodecError(path, `${v.toString()} cannot be represented in JSON`);
        return v.toString();
    }
  }
  switch (type[0]) {
    case 'list':
    case 'set': {
      if (!Array.isArray(v)) throw new CtyCodecError(path, `expected ${type[0]} (array)`);
      const elems = type[0] === 'set' ? setDedupe(type[1], v) : v;
      return '[' + elems.map((e, i) => withStep(path, i, () => encodeAt(type[1], e, path))).join(',') + ']';
    }
    case 'tuple': {
      const ets = type[1];
      if (!Array.isArray(v) || v.length !== ets.length) throw new CtyCodecError(path, `expected tuple of ${ets.length} elements`);
      return '[' + ets.map((et, i) => withStep(path, i, () => encodeAt(et, v[i], path))).join(',') + ']';
    }
    case 'map': {
      if (!(v instanceof Map) && !isObjectRecord(v)) throw new CtyCodecError(path, 'expected map (Map)');
      const entries = mapEntries(v).map(([k, e]) => [nfc(k), e] as const);
      entries.sort((a, b) => compareUtf8(a[0], b[0]));
      return '{' + entries.map(([k, e]) => goJsonQuote(k) + ':' + withStep(path, { key: k }, () => encodeAt(type[1], e, path))).join(',') + '}';
    }
    case 'object': {
      if (!isObjectType(type)) break;
      if (!isObjectRecord(v)) throw new CtyCodecError(path, 'expected object');
      const attrs = objectAttributes(type);
      for (const k of Object.keys(v)) {
        if (!Object.prototype.hasOwnProperty.call(attrs, k)) throw new CtyCodecError([...path, k], 'unsupported attribute');
      }
      return (
        '{' +
        sortedAttributeNames(type)
          .map(
            (k) =>
              goJsonQuote(k) +
              ':' +
              withStep(path, k, () => encodeAt(attrs[k] as CtyType, Object.prototype.hasOwnProperty.call(v, k) ? v[k] : null, path)),
          )
          .join(',') +
        '}'
      );
    }
  }
  throw new CtyCodecError(path, `invalid type ${JSON.stringify(type)}`);
}

function withStep<T>(path: CtyPathStep[], step: CtyPathStep, f: () => T): T {
  path.push(step);
  try {
    return f();
  } finally {
    path.pop();
  }
}
