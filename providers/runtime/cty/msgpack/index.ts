/**
 * go-cty's msgpack value encoding (the `DynamicValue.msgpack` wire format), split as
 * go-cty's cty/msgpack is:
 *
 * - marshal.ts    cty value → msgpack (value rules: numbers, strings, collections, objects)
 * - unmarshal.ts  msgpack → cty value of a type
 * - unknown.ts    unknown and refined unknown values (extensions 0 and 12)
 * - dynamic.ts    values of type dynamic ([type JSON, value])
 * - writer.ts / reader.ts  the msgpack byte forms, as vmihailenco/msgpack v5 writes them
 *
 * The reader/writer is purpose-built (rather than a generic msgpack decode followed by
 * a walk) so that: every error names the attribute path and the msgpack kind found;
 * map keys never pass through JS object keys ("__proto__" is a legal map key); integer
 * and float forms stay distinct; and duplicate keys are detected.
 */
export { encodeValue } from './marshal';
export { decodeValue } from './unmarshal';
export { REFINED_UNKNOWN_EXT } from './unknown';
