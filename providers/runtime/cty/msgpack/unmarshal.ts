/**
 * Decoding (go-cty unmarshal.go): any int or uint width (uint64 above 2^53 stays
 * exact), float32/64 as the double's exact value (so a float64 goes back out as the
 * same float64), decimal strings as numbers; str or bin as strings; objects must
 * carry every attribute and no other, once; trailing bytes are an error. Every error
 * names the attribute path and the msgpack kind found. Map keys never pass through
 * JS object keys ("__proto__" is a legal key). Unknown values: unknown.ts; dynamic:
 * dynamic.ts.
 */
import { CtyNumber } from '../number';
import { defineOwn, isObjectType, objectAttributes, sortedAttributeNames, type CtyType } from '../types';
import { setDedupe, type CtyValue } from '../values';
import { decodeDynamic } from './dynamic';
import { Reader, kindOf, type Kind } from './reader';
import { decodeUnknown } from './unknown';

/**
 * Decode go-cty msgpack bytes as a value of `type`. Throws CtyCodecError naming the
 * attribute path on any mismatch, and on trailing bytes.
 */
export function decodeValue(type: CtyType, bytes: Uint8Array): CtyValue {
  const r = new Reader(bytes);
  const v = decodeAt(r, type);
  if (r.pos !== bytes.length) r.fail(`unexpected ${bytes.length - r.pos} trailing byte(s) after the value`);
  return v;
}

function decodeAt(r: Reader, type: CtyType): CtyValue {
  const b = r.peek();
  const kind = kindOf(b);
  if (kind === 'extension') return decodeUnknown(r, type);
  if (kind === 'invalid byte 0xc1') r.fail('invalid msgpack byte 0xc1');
  if (type === 'dynamic') return decodeDynamic(r, decodeAt);
  if (kind === 'nil') {
    r.pos++;
    return null;
  }
  if (typeof type === 'string') {
    switch (type) {
      case 'string': {
        const s = r.string();
        return s === null ? r.expected('string', kind) : s;
      }
      case 'bool':
        if (b === 0xc2 || b === 0xc3) {
          r.pos++;
          return b === 0xc3;
        }
        return r.expected('bool', kind);
      case 'number':
        return decodeNumber(r, b, kind);
    }
  }
  switch (type[0]) {
    case 'list':
    case 'set': {
      const n = r.arrayLen();
      if (typeof n !== 'number') return r.expected(type[0], n);
      const out: CtyValue[] = [];
      for (let i = 0; i < n; i++) {
        r.path.push(i);
        out.push(decodeAt(r, type[1]));
        r.path.pop();
      }
      return type[0] === 'set' ? setDedupe(type[1], out) : out;
    }
    case 'tuple': {
      const ets = type[1];
      const n = r.arrayLen();
      if (typeof n !== 'number') return r.expected(`tuple of ${ets.length} elements`, n);
      if (n !== ets.length) r.fail(`expected tuple of ${ets.length} elements, got array of ${n}`);
      const out: CtyValue[] = [];
      for (let i = 0; i < n; i++) {
        r.path.push(i);
        out.push(decodeAt(r, ets[i] as CtyType));
        r.path.pop();
      }
      return out;
    }
    case 'map': {
      const n = r.mapLen();
      if (typeof n !== 'number') return r.expected('map', n);
      const out = new Map<string, CtyValue>();
      for (let i = 0; i < n; i++) {
        const k = r.string();
        if (k === null) return r.fail(`map keys must be strings, got ${kindOf(r.peek())}`);
        if (out.has(k)) {
          r.path.push({ key: k });
          r.fail('duplicate map key');
        }
        r.path.push({ key: k });
        out.set(k, decodeAt(r, type[1]));
        r.path.pop();
      }
      return out;
    }
    case 'object': {
      if (!isObjectType(type)) break;
      const attrs = objectAttributes(type);
      const n = r.mapLen();
      if (typeof n !== 'number') return r.expected('object', n);
      const out: { [k: string]: CtyValue } = {};
      const seen = new Set<string>();
      for (let i = 0; i < n; i++) {
        const k = r.string();
        if (k === null) return r.fail(`object keys must be strings, got ${kindOf(r.peek())}`);
        r.path.push(k);
        if (!Object.prototype.hasOwnProperty.call(attrs, k)) r.fail('unsupported attribute');
        if (seen.has(k)) r.fail('duplicate attribute');
        seen.add(k);
        defineOwn(out, k, decodeAt(r, attrs[k] as CtyType));
        r.path.pop();
      }
      if (seen.size !== Object.keys(attrs).length) {
        for (const k of sortedAttributeNames(type)) {
          if (!seen.has(k)) {
            r.path.push(k);
            r.fail('attribute is missing (objects must carry every attribute, null included)');
          }
        }
      }
      return out;
    }
  }
  return r.fail(`invalid type ${JSON.stringify(type)}`);
}

/** The fixed-width integer forms: header byte → payload size and how to read it (big-endian). */
const INTEGER_FORMS: Record<number, [number, (view: DataView, at: number) => number | bigint]> = {
  0xcc: [1, (d, at) => d.getUint8(at)],
  0xcd: [2, (d, at) => d.getUint16(at)],
  0xce: [4, (d, at) => d.getUint32(at)],
  0xcf: [8, (d, at) => d.getBigUint64(at)],
  0xd0: [1, (d, at) => d.getInt8(at)],
  0xd1: [2, (d, at) => d.getInt16(at)],
  0xd2: [4, (d, at) => d.getInt32(at)],
  0xd3: [8, (d, at) => d.getBigInt64(at)],
};

function decodeNumber(r: Reader, b: number, kind: Kind): CtyNumber {
  if (b <= 0x7f) {
    r.pos++;
    return CtyNumber.of(b);
  }
  if (b >= 0xe0) {
    r.pos++;
    return CtyNumber.of(b - 0x100);
  }
  const int = INTEGER_FORMS[b];
  if (int) {
    const [size, read] = int;
    r.need(1 + size);
    const n = read(r.view, r.pos + 1);
    r.pos += 1 + size;
    return CtyNumber.of(n);
  }
  if (b === 0xca || b === 0xcb) {
    const size = b === 0xca ? 4 : 8;
    r.need(1 + size);
    const x = b === 0xca ? r.view.getFloat32(r.pos + 1) : r.view.getFloat64(r.pos + 1);
    if (Number.isNaN(x)) r.fail('expected number, got NaN');
    r.pos += 1 + size;
    // The double's exact value, as go-cty's NumberFloatVal: a float64 received is
    // re-sent as the identical float64.
    return CtyNumber.fromFloat64Exact(x);
  }
  if (kind === 'string' || kind === 'binary') {
    const s = r.string() ?? '';
    try {
      return CtyNumber.parse(s);
    } catch {
      return r.fail(`expected number, got string ${JSON.stringify(s.length > 64 ? s.slice(0, 64) + '…' : s)} that is not a decimal number`);
    }
  }
  return r.expected('number', kind);
}
