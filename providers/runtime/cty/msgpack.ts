/**
 * go-cty's msgpack value encoding (the `DynamicValue.msgpack` wire format).
 *
 * Rules (go-cty cty/msgpack, vmihailenco/msgpack v5 with compact ints, float64 floats):
 * - null → nil (c0). Unknown → fixext1 type 0 payload 00 (d4 00 00); a refined unknown →
 *   extension 12 whose payload is the refinement map. On decode every extension type is
 *   an unknown; only a non-empty type-12 payload that is a non-empty map is kept.
 * - string → str (fixstr/str8/str16/str32), NFC-normalised; str or bin accepted on decode.
 * - number → integer within int64: the smallest int form (non-negative values use the
 *   positive fixint/uint8..uint64 forms, negative ones negative fixint/int8..int64);
 *   else, when exactly a binary64 value: float64 (cb); else the decimal text as str.
 *   Decode accepts any int/uint width (uint64 above 2^53 stays exact), float32/64 (read
 *   as the double's exact value, like cty.NumberFloatVal, so a float64 goes back out as
 *   the same float64), and decimal strings.
 * - bool → c2/c3. list/set → array; map → map with str keys in byte order; tuple →
 *   array of exactly the tuple's length; object → map with every attribute, keys in
 *   byte order. Decoding requires every attribute and rejects unknown or duplicate ones.
 * - dynamic → [type JSON as bin, value] (a 2-element array); nil is a null of unknown
 *   type; str is accepted for the type JSON on decode.
 *
 * The reader/writer is purpose-built (rather than a generic msgpack decode followed by
 * a walk) so that: every error names the attribute path and the msgpack kind found;
 * map keys never pass through JS object keys ("__proto__" is a legal map key); integer
 * and float forms stay distinct; and duplicate keys are detected.
 */
import { CtyNumber } from './number';
import { CtyCodecError, type CtyPathStep } from './path';
import {
  compareUtf8,
  defineOwn,
  isObjectType,
  objectAttributes,
  sortedAttributeNames,
  typeFriendlyName,
  typeFromJson,
  typeToJson,
  type CtyType,
} from './types';
import { DynamicValue, Unknown, isObjectRecord, mapEntries, normalizeString as nfc, setDedupe, type CtyValue } from './values';

/** Extension type for refined unknown values. */
export const REFINED_UNKNOWN_EXT = 12;

// ===========================================================================
// encoding

class Writer {
  buf: Uint8Array;
  view: DataView;
  pos = 0;

  constructor(size = 256) {
    this.buf = new Uint8Array(size);
    this.view = new DataView(this.buf.buffer);
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  u8(code: number, n: number): void {
    this.ensure(2);
    this.buf[this.pos++] = code;
    this.buf[this.pos++] = n;
  }

  u16(code: number, n: number): void {
    this.ensure(3);
    this.buf[this.pos++] = code;
    this.view.setUint16(this.pos, n);
    this.pos += 2;
  }

  u32(code: number, n: number): void {
    this.ensure(5);
    this.buf[this.pos++] = code;
    this.view.setUint32(this.pos, n);
    this.pos += 4;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  nil(): void {
    this.byte(0xc0);
  }

  bool(v: boolean): void {
    this.byte(v ? 0xc3 : 0xc2);
  }

  /** vmihailenco EncodeInt: smallest form, non-negative values via the uint forms. */
  int(n: bigint): void {
    if (n >= 0n) {
      if (n <= 0x7fn) this.byte(Number(n));
      else if (n <= 0xffn) this.u8(0xcc, Number(n));
      else if (n <= 0xffffn) this.u16(0xcd, Number(n));
      else if (n <= 0xffffffffn) this.u32(0xce, Number(n));
      else {
        this.ensure(9);
        this.buf[this.pos++] = 0xcf;
        this.view.setBigUint64(this.pos, n);
        this.pos += 8;
      }
    } else if (n >= -32n) this.byte(Number(n) & 0xff);
    else if (n >= -0x80n) this.u8(0xd0, Number(n) & 0xff);
    else if (n >= -0x8000n) this.u16(0xd1, Number(n) & 0xffff);
    else if (n >= -0x80000000n) this.u32(0xd2, Number(n) >>> 0);
    else {
      this.ensure(9);
      this.buf[this.pos++] = 0xd3;
      this.view.setBigInt64(this.pos, n);
      this.pos += 8;
    }
  }

  float64(x: number): void {
    this.ensure(9);
    this.buf[this.pos++] = 0xcb;
    this.view.setFloat64(this.pos, x);
    this.pos += 8;
  }

  str(s: string): void {
    const data = Buffer.from(s, 'utf8');
    const l = data.length;
    if (l < 32) this.byte(0xa0 | l);
    else if (l < 256) this.u8(0xd9, l);
    else if (l <= 0xffff) this.u16(0xda, l);
    else this.u32(0xdb, l);
    this.bytes(data);
  }

  bin(data: Uint8Array): void {
    const l = data.length;
    if (l < 256) this.u8(0xc4, l);
    else if (l <= 0xffff) this.u16(0xc5, l);
    else this.u32(0xc6, l);
    this.bytes(data);
  }

  arrayHeader(l: number): void {
    if (l < 16) this.byte(0x90 | l);
    else if (l <= 0xffff) this.u16(0xdc, l);
    else this.u32(0xdd, l);
  }

  mapHeader(l: number): void {
    if (l < 16) this.byte(0x80 | l);
    else if (l <= 0xffff) this.u16(0xde, l);
    else this.u32(0xdf, l);
  }

  ext(type: number, payload: Uint8Array): void {
    const l = payload.length;
    switch (l) {
      case 1:
        this.byte(0xd4);
        break;
      case 2:
        this.byte(0xd5);
        break;
      case 4:
        this.byte(0xd6);
        break;
      case 8:
        this.byte(0xd7);
        break;
      case 16:
        this.byte(0xd8);
        break;
      default:
        if (l <= 0xff) this.u8(0xc7, l);
        else if (l <= 0xffff) this.u16(0xc8, l);
        else this.u32(0xc9, l);
    }
    this.byte(type & 0xff);
    this.bytes(payload);
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

const UNKNOWN_BYTES = Uint8Array.of(0xd4, 0x00, 0x00);

/** Encode `value` as a value of `type` in go-cty's msgpack form. */
export function encodeValue(type: CtyType, value: CtyValue): Uint8Array {
  const w = new Writer();
  encodeAt(w, type, value, []);
  return w.result();
}

function encodeUnknown(w: Writer, u: Unknown, type: CtyType): void {
  // cty.DynamicVal can never carry refinements; never send an empty extension 12.
  if (u.refinements && u.refinements.length > 0 && type !== 'dynamic') w.ext(REFINED_UNKNOWN_EXT, u.refinements);
  else w.bytes(UNKNOWN_BYTES);
}

function encodeAt(w: Writer, type: CtyType, v: CtyValue | undefined, path: CtyPathStep[]): void {
  if (v === undefined) v = null;
  if (type === 'dynamic') {
    if (v === null) return w.nil();
    if (v instanceof Unknown) return encodeUnknown(w, v, type);
    if (!(v instanceof DynamicValue))
      throw new CtyCodecError(path, `expected a DynamicValue for type dynamic, got ${describeJs(v)}`);
    if (v.dynamicType === 'dynamic') return encodeAt(w, 'dynamic', v.value, path);
    let typeJson: Buffer;
    try {
      typeJson = typeToJson(v.dynamicType);
    } catch (e) {
      throw new CtyCodecError(path, (e as Error).message);
    }
    w.arrayHeader(2);
    w.bin(typeJson);
    return encodeAt(w, v.dynamicType, v.value, path);
  }
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

// ===========================================================================
// decoding

type Kind = 'nil' | 'bool' | 'integer' | 'float' | 'string' | 'binary' | 'array' | 'map' | 'extension' | 'invalid';

function kindOf(b: number): Kind {
  if (b <= 0x7f || b >= 0xe0) return 'integer';
  if (b <= 0x8f) return 'map';
  if (b <= 0x9f) return 'array';
  if (b <= 0xbf) return 'string';
  switch (b) {
    case 0xc0:
      return 'nil';
    case 0xc2:
    case 0xc3:
      return 'bool';
    case 0xc4:
    case 0xc5:
    case 0xc6:
      return 'binary';
    case 0xc7:
    case 0xc8:
    case 0xc9:
    case 0xd4:
    case 0xd5:
    case 0xd6:
    case 0xd7:
    case 0xd8:
      return 'extension';
    case 0xca:
    case 0xcb:
      return 'float';
    case 0xcc:
    case 0xcd:
    case 0xce:
    case 0xcf:
    case 0xd0:
    case 0xd1:
    case 0xd2:
    case 0xd3:
      return 'integer';
    case 0xd9:
    case 0xda:
    case 0xdb:
      return 'string';
    case 0xdc:
    case 0xdd:
      return 'array';
    case 0xde:
    case 0xdf:
      return 'map';
    default:
      return 'invalid'; // 0xc1
  }
}

function kindPhrase(k: Kind): string {
  switch (k) {
    case 'nil':
      return 'nil';
    case 'integer':
      return 'integer';
    case 'extension':
      return 'extension';
    case 'array':
      return 'array';
    case 'invalid':
      return 'invalid byte 0xc1';
    default:
      return k;
  }
}

class Reader {
  readonly view: DataView;
  pos = 0;
  readonly path: CtyPathStep[] = [];

  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  fail(detail: string): never {
    throw new CtyCodecError(this.path, detail);
  }

  need(n: number): void {
    if (this.pos + n > this.buf.length) this.fail('unexpected end of msgpack data');
  }

  peek(): number {
    this.need(1);
    return this.buf[this.pos] as number;
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++] as number;
  }

  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  take(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Reads an extension (the header byte is next); returns type and payload. */
  ext(): { type: number; payload: Uint8Array } {
    const b = this.u8();
    let len: number;
    switch (b) {
      case 0xd4:
        len = 1;
        break;
      case 0xd5:
        len = 2;
        break;
      case 0xd6:
        len = 4;
        break;
      case 0xd7:
        len = 8;
        break;
      case 0xd8:
        len = 16;
        break;
      case 0xc7:
        len = this.u8();
        break;
      case 0xc8:
        len = this.u16();
        break;
      default:
        len = this.u32();
    }
    this.need(1);
    const type = this.view.getInt8(this.pos);
    this.pos++;
    return { type, payload: this.take(len) };
  }

  /** Length of an array at the cursor, or the kind found instead. */
  arrayLen(): number | Kind {
    const b = this.peek();
    if (b >= 0x90 && b <= 0x9f) {
      this.pos++;
      return b & 0x0f;
    }
    if (b === 0xdc) {
      this.pos++;
      return this.u16();
    }
    if (b === 0xdd) {
      this.pos++;
      return this.u32();
    }
    return kindOf(b);
  }

  mapLen(): number | Kind {
    const b = this.peek();
    if (b >= 0x80 && b <= 0x8f) {
      this.pos++;
      return b & 0x0f;
    }
    if (b === 0xde) {
      this.pos++;
      return this.u16();
    }
    if (b === 0xdf) {
      this.pos++;
      return this.u32();
    }
    return kindOf(b);
  }

  /** str or bin bytes at the cursor (go's DecodeString/DecodeBytes accept both), or null (cursor unmoved). */
  rawString(): Uint8Array | null {
    const b = this.peek();
    let len: number;
    if (b >= 0xa0 && b <= 0xbf) {
      this.pos++;
      len = b & 0x1f;
    } else if (b === 0xd9 || b === 0xc4) {
      this.pos++;
      len = this.u8();
    } else if (b === 0xda || b === 0xc5) {
      this.pos++;
      len = this.u16();
    } else if (b === 0xdb || b === 0xc6) {
      this.pos++;
      len = this.u32();
    } else return null;
    return this.take(len);
  }

  /** A str/bin decoded as UTF-8 and NFC-normalised, or null (cursor unmoved). */
  string(): string | null {
    const raw = this.rawString();
    if (raw === null) return null;
    return nfc(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8'));
  }
}

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

function expected(r: Reader, what: string, found: Kind): never {
  return r.fail(`expected ${what}, got ${kindPhrase(found)}`);
}

function decodeAt(r: Reader, type: CtyType): CtyValue {
  const b = r.peek();
  const kind = kindOf(b);
  if (kind === 'extension') return decodeUnknown(r, type);
  if (kind === 'invalid') r.fail('invalid msgpack byte 0xc1');
  if (type === 'dynamic') return decodeDynamic(r);
  if (kind === 'nil') {
    r.pos++;
    return null;
  }
  if (typeof type === 'string') {
    switch (type) {
      case 'string': {
        const s = r.string();
        return s === null ? expected(r, 'string', kind) : s;
      }
      case 'bool':
        if (b === 0xc2 || b === 0xc3) {
          r.pos++;
          return b === 0xc3;
        }
        return expected(r, 'bool', kind);
      case 'number':
        return decodeNumber(r, b, kind);
    }
  }
  switch (type[0]) {
    case 'list':
    case 'set': {
      const n = r.arrayLen();
      if (typeof n !== 'number') return expected(r, type[0], n);
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
      if (typeof n !== 'number') return expected(r, `tuple of ${ets.length} elements`, n);
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
      if (typeof n !== 'number') return expected(r, 'map', n);
      const out = new Map<string, CtyValue>();
      for (let i = 0; i < n; i++) {
        const k = r.string();
        if (k === null) return r.fail(`map keys must be strings, got ${kindPhrase(kindOf(r.peek()))}`);
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
      if (typeof n !== 'number') return expected(r, 'object', n);
      const out: { [k: string]: CtyValue } = {};
      const seen = new Set<string>();
      for (let i = 0; i < n; i++) {
        const k = r.string();
        if (k === null) return r.fail(`object keys must be strings, got ${kindPhrase(kindOf(r.peek()))}`);
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

function decodeUnknown(r: Reader, type: CtyType): Unknown {
  const { type: extType, payload } = r.ext();
  // go-cty: length <= 1 is a wholly unknown value; type 12 with a longer payload is a
  // refinement map. Any other extension is treated as wholly unknown too.
  if (extType === REFINED_UNKNOWN_EXT && payload.length > 1 && type !== 'dynamic' && isNonEmptyMapHeader(payload))
    return Unknown.refined(payload);
  return Unknown.get();
}

function isNonEmptyMapHeader(p: Uint8Array): boolean {
  const b = p[0] as number;
  if (b > 0x80 && b <= 0x8f) return true;
  if (b === 0xde && p.length >= 3) return ((p[1] as number) | (p[2] as number)) !== 0;
  if (b === 0xdf && p.length >= 5) return ((p[1] as number) | (p[2] as number) | (p[3] as number) | (p[4] as number)) !== 0;
  return false;
}

function decodeDynamic(r: Reader): CtyValue {
  const b = r.peek();
  if (b === 0xc0) {
    r.pos++;
    return null;
  }
  const n = r.arrayLen();
  if (typeof n !== 'number') return expected(r, 'dynamic value ([type JSON, value] array)', n);
  if (n !== 2) r.fail(`dynamic value array must have exactly two elements, got ${n}`);
  const raw = r.rawString();
  if (raw === null) return expected(r, 'type JSON (bin or str) as first element of a dynamic value', kindOf(r.peek()));
  let t: CtyType;
  try {
    t = typeFromJson(raw);
  } catch (e) {
    return r.fail(`invalid type in dynamic value: ${(e as Error).message}`);
  }
  const inner = decodeAt(r, t);
  if (t === 'dynamic') return inner;
  return new DynamicValue(t, inner);
}

function decodeNumber(r: Reader, b: number, kind: Kind): CtyNumber {
  if (b <= 0x7f) {
    r.pos++;
    return CtyNumber.of(b);
  }
  if (b >= 0xe0) {
    r.pos++;
    return CtyNumber.of(b - 0x100);
  }
  const v = r.view;
  switch (b) {
    case 0xcc:
      r.pos++;
      return CtyNumber.of(r.u8());
    case 0xcd:
      r.pos++;
      return CtyNumber.of(r.u16());
    case 0xce:
      r.pos++;
      return CtyNumber.of(r.u32());
    case 0xcf: {
      r.need(9);
      const n = v.getBigUint64(r.pos + 1);
      r.pos += 9;
      return CtyNumber.of(n);
    }
    case 0xd0: {
      r.need(2);
      const n = v.getInt8(r.pos + 1);
      r.pos += 2;
      return CtyNumber.of(n);
    }
    case 0xd1: {
      r.need(3);
      const n = v.getInt16(r.pos + 1);
      r.pos += 3;
      return CtyNumber.of(n);
    }
    case 0xd2: {
      r.need(5);
      const n = v.getInt32(r.pos + 1);
      r.pos += 5;
      return CtyNumber.of(n);
    }
    case 0xd3: {
      r.need(9);
      const n = v.getBigInt64(r.pos + 1);
      r.pos += 9;
      return CtyNumber.of(n);
    }
    case 0xca:
    case 0xcb: {
      const size = b === 0xca ? 4 : 8;
      r.need(1 + size);
      const x = b === 0xca ? v.getFloat32(r.pos + 1) : v.getFloat64(r.pos + 1);
      if (Number.isNaN(x)) r.fail('expected number, got NaN');
      r.pos += 1 + size;
      // The double's exact value, as go-cty's NumberFloatVal: a float64 received is
      // re-sent as the identical float64.
      return CtyNumber.fromFloat64Exact(x);
    }
  }
  if (kind === 'string' || kind === 'binary') {
    const s = r.string() ?? '';
    try {
      return CtyNumber.parse(s);
    } catch {
      return r.fail(`expected number, got string ${JSON.stringify(s.length > 64 ? s.slice(0, 64) + '…' : s)} that is not a decimal number`);
    }
  }
  return expected(r, 'number', kind);
}

// ===========================================================================
// helpers

function describeJs(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Map) return 'Map';
  if (v instanceof CtyNumber) return `number ${v.toString()}`;
  if (v instanceof DynamicValue) return 'DynamicValue';
  if (typeof v === 'object') return 'object';
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  return `${typeof v} ${String(v)}`;
}
