/**
 * Encoding (go-cty marshal.go): null is nil; strings NFC-normalised; numbers as the
 * smallest int form within int64, else float64 when the value is exactly a binary64,
 * else the decimal text as str; list/set as arrays (a set without duplicates); map
 * keys and object attributes in byte order, every attribute present; a tuple of
 * exactly its length. Unknown values: unknown.ts; dynamic: dynamic.ts.
 */
import { CtyNumber } from '../number';
import { CtyCodecError, type CtyPathStep } from '../path';
import { compareUtf8, isObjectType, objectAttributes, sortedAttributeNames, typeFriendlyName, type CtyType } from '../types';
import { DynamicValue, Unknown, isObjectRecord, mapEntries, normalizeString as nfc, setDedupe, type CtyValue } from '../values';
import { describeJs } from './describe';
import { encodeDynamic } from './dynamic';
import { encodeUnknown } from './unknown';
import { Writer } from './writer';

/** Encode `value` as a value of `type` in go-cty's msgpack form. */
export function encodeValue(type: CtyType, value: CtyValue): Uint8Array {
  const w = new Writer();
  encodeAt(w, type, value, []);
  return w.result();
}

function encodeAt(w: Writer, type: CtyType, v: CtyValue | undefined, path: CtyPathStep[]): void {
  if (v === undefined) v = null;
  if (type === 'dynamic') return encodeDynamic(w, v, path, encodeAt);
  if (v instanceof Unknown) return encodeUnknown(w, v, type);
  if (v === null) return w.nil();
  if (v instanceof DynamicValue) throw new CtyCodecError(path, `expected ${typeFriendlyName(type)}, got a DynamicValue`);

  if (typeof type === 'string') {
    switch (type) {
      case 'string':
        if (typeof v !== 'string') throw new CtyCodecError(path, `expected string, got ${describeJs(v)}`);
        return w.str(nfc(v));
      case 'bool':
        if (typeof v !== 'boolean') throw new CtyCodecError(path, `expected bool, got ${describeJs(v)}`);
        return w.bool(v);
      case 'number':
        if (!(v instanceof CtyNumber)) throw new CtyCodecError(path, `expected number (CtyNumber), got ${describeJs(v)}`);
        return encodeNumber(w, v);
    }
  }

  switch (type[0]) {
    case 'list':
    case 'set': {
      if (!Array.isArray(v)) throw new CtyCodecError(path, `expected ${type[0]} (array), got ${describeJs(v)}`);
      const elems = type[0] === 'set' ? setDedupe(type[1], v) : v;
      w.arrayHeader(elems.length);
      elems.forEach((e, i) => {
        path.push(i);
        encodeAt(w, type[1], e, path);
        path.pop();
      });
      return;
    }
    case 'tuple': {
      const ets = type[1];
      if (!Array.isArray(v)) throw new CtyCodecError(path, `expected tuple (array), got ${describeJs(v)}`);
      if (v.length !== ets.length)
        throw new CtyCodecError(path, `expected tuple of ${ets.length} elements, got ${v.length} elements`);
      w.arrayHeader(ets.length);
      ets.forEach((et, i) => {
        path.push(i);
        encodeAt(w, et, v[i], path);
        path.pop();
      });
      return;
    }
    case 'map': {
      if (!(v instanceof Map) && !isObjectRecord(v)) throw new CtyCodecError(path, `expected map (Map), got ${describeJs(v)}`);
      const entries = mapEntries(v).map(([k, e]) => [nfc(k), e] as const);
      for (let i = 1; i < entries.length; i++)
        if (entries[i]?.[0] === entries[i - 1]?.[0])
          throw new CtyCodecError(path, `duplicate map key ${JSON.stringify(entries[i]?.[0])} after NFC normalisation`);
      entries.sort((a, b) => compareUtf8(a[0], b[0]));
      w.mapHeader(entries.length);
      for (const [k, e] of entries) {
        path.push({ key: k });
        w.str(k);
        encodeAt(w, type[1], e, path);
        path.pop();
      }
      return;
    }
    case 'object': {
      if (!isObjectType(type)) break;
      if (!isObjectRecord(v)) throw new CtyCodecError(path, `expected object, got ${describeJs(v)}`);
      const attrs = objectAttributes(type);
      for (const k of Object.keys(v)) {
        if (!Object.prototype.hasOwnProperty.call(attrs, k)) throw new CtyCodecError([...path, k], 'unsupported attribute');
      }
      const names = sortedAttributeNames(type);
      w.mapHeader(names.length);
      for (const k of names) {
        path.push(k);
        w.str(k);
        encodeAt(w, attrs[k] as CtyType, Object.prototype.hasOwnProperty.call(v, k) ? v[k] : null, path);
        path.pop();
      }
      return;
    }
  }
  throw new CtyCodecError(path, `invalid type ${JSON.stringify(type)}`);
}

function encodeNumber(w: Writer, n: CtyNumber): void {
  if (!n.isFinite()) return w.float64(n.sign() > 0 ? Infinity : -Infinity);
  const i = n.toInt64();
  if (i !== undefined) return w.int(i);
  const f = n.toExactFloat64();
  if (f !== undefined) return w.float64(f);
  return w.str(n.toString());
}
