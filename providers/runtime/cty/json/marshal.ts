/**
 * Encoding (go-cty's ctyjson.Marshal): compact, object attributes and map keys in
 * byte order, numbers in canonical decimal text, dynamic as `{"value":…,"type":…}`.
 * Unknown values cannot be encoded.
 */
import { CtyNumber } from '../number';
import { CtyCodecError, type CtyPathStep } from '../path';
import { compareUtf8, goJsonQuote, isObjectType, objectAttributes, sortedAttributeNames, typeFriendlyName, typeToJsonString, type CtyType } from '../types';
import { DynamicValue, Unknown, isObjectRecord, mapEntries, normalizeString as nfc, setDedupe, type CtyValue } from '../values';

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
