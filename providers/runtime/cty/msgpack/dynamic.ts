/**
 * Values of type dynamic (go-cty dynamic.go): a 2-element array [type JSON as bin,
 * value]; nil is a null of unknown type; str is accepted for the type JSON on decode.
 */
import { CtyCodecError, type CtyPathStep } from '../path';
import { typeFromJson, typeToJson, type CtyType } from '../types';
import { DynamicValue, Unknown, type CtyValue } from '../values';
import { describeJs } from './describe';
import { kindOf, type Reader } from './reader';
import { encodeUnknown } from './unknown';
import type { Writer } from './writer';

type EncodeAt = (w: Writer, type: CtyType, v: CtyValue | undefined, path: CtyPathStep[]) => void;
type DecodeAt = (r: Reader, type: CtyType) => CtyValue;

export function encodeDynamic(w: Writer, v: CtyValue, path: CtyPathStep[], encodeAt: EncodeAt): void {
  if (v === null) return w.nil();
  if (v instanceof Unknown) return encodeUnknown(w, v, 'dynamic');
  if (!(v instanceof DynamicValue)) throw new CtyCodecError(path, `expected a DynamicValue for type dynamic, got ${describeJs(v)}`);
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

export function decodeDynamic(r: Reader, decodeAt: DecodeAt): CtyValue {
  const b = r.peek();
  if (b === 0xc0) {
    r.pos++;
    return null;
  }
  const n = r.arrayLen();
  if (typeof n !== 'number') return r.expected('dynamic value ([type JSON, value] array)', n);
  if (n !== 2) r.fail(`dynamic value array must have exactly two elements, got ${n}`);
  const raw = r.rawString();
  if (raw === null) return r.expected('type JSON (bin or str) as first element of a dynamic value', kindOf(r.peek()));
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
