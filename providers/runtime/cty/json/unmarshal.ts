/**
 * Decoding (go-cty's ctyjson.Unmarshal): JSON null is a null of any type; an object
 * may omit attributes (they become null) but may not carry attributes the type lacks;
 * string accepts a JSON string, number (its text) or bool ("true"/"false"); number
 * accepts a JSON number or a decimal string; bool accepts true/false or the strings
 * "true"/"false"/"1"/"0" (cty's string→bool conversion); list/set/tuple are arrays
 * (a tuple of exactly its length); map is an object; dynamic is `{"value": …,
 * "type": …}`, both required, no other keys.
 */
import { CtyNumber } from '../number';
import { CtyCodecError, type CtyPathStep } from '../path';
import { defineOwn, isObjectType, objectAttributes, sortedAttributeNames, typeFromParsedJson, type CtyType } from '../types';
import { DynamicValue, normalizeString as nfc, setDedupe, type CtyValue } from '../values';
import { parseJsonLossless, type JsonValue } from './parse';

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
