/**
 * Terraform's JSON value forms (go-cty cty/json), used for `RawState.json` in
 * UpgradeResourceState and for `DynamicValue.json`.
 *
 * - parse.ts      the lossless parser: JSON numbers become CtyNumber, never doubles
 * - unmarshal.ts  JSON → cty value of a type (ctyjson.Unmarshal's rules)
 * - marshal.ts    cty value → JSON text (ctyjson.Marshal's rules)
 *
 * `decodeJsonValue` also accepts plain `JSON.parse` output (its numbers are already
 * doubles; use the lossless parser for state).
 */
export { JsonSyntaxError, MAX_JSON_DEPTH, parseJsonLossless, type JsonValue } from './parse';
export { decodeJsonText, decodeJsonValue } from './unmarshal';
export { encodeJsonValue } from './marshal';
