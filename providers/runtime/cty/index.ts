/**
 * The cty codec: Terraform's type system, value model and wire formats.
 *
 * - types.ts   CtyType, type JSON (typeToJson / typeFromJson), typeEquals
 * - number.ts  CtyNumber, the lossless number
 * - values.ts  CtyValue model: null, Unknown, string, boolean, CtyNumber, arrays
 *              (list/set/tuple), Map (map), plain objects (object), DynamicValue
 * - msgpack/   encodeValue / decodeValue (DynamicValue.msgpack)
 * - json/      encodeJsonValue / decodeJsonValue / parseJsonLossless (RawState.json,
 *              DynamicValue.json)
 * - path.ts    attribute paths and CtyCodecError
 */
export {
  type CtyType,
  type CtyPrimitiveType,
  type CtyObjectType,
  CtyTypeError,
  typeToJson,
  typeToJsonString,
  typeFromJson,
  typeFromParsedJson,
  typeEquals,
  validateType,
  typeFriendlyName,
  isPrimitiveType,
  isObjectType,
  objectAttributes,
  objectOptionalAttributes,
  sortedAttributeNames,
  compareUtf8,
  listOf,
  setOf,
  mapOf,
  objectOf,
  tupleOf,
} from './types';
export { CtyNumber } from './number';
export {
  type CtyValue,
  Unknown,
  DynamicValue,
  unknown,
  isUnknown,
  isWhollyKnown,
  firstUnknownPath,
  isObjectRecord,
  normalizeString,
  valueEquals,
  setEquals,
  setDedupe,
  canonicalKey,
  mapEntries,
} from './values';
export { type CtyPath, type CtyPathStep, CtyCodecError, formatCtyPath } from './path';
export { encodeValue, decodeValue, REFINED_UNKNOWN_EXT } from './msgpack';
export {
  type JsonValue,
  JsonSyntaxError,
  parseJsonLossless,
  decodeJsonValue,
  decodeJsonText,
  encodeJsonValue,
} from './json';
