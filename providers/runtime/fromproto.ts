/**
 * From the wire to the runtime's own forms: DynamicValue to cty values, the client
 * capabilities, a stored state's JSON. The reverse direction is toproto.ts.
 */
import { CtyNumber, decodeJsonValue, decodeValue, parseJsonLossless, type CtyType, type CtyValue } from './cty';
import { ProviderError } from './diagnostics';
import type { ClientCapabilities, ObjectValue } from './interfaces';
import { blockType, type BlockSchema } from './schema';
import type * as pb from './gen/tfplugin6_pb';

/** A value of `type`; a missing DynamicValue is null. Terraform sends msgpack, JSON on a few old paths. */
export function dynamicValue(type: CtyType, value: pb.DynamicValue | undefined, what: string): CtyValue {
  if (!value) return null;
  if (value.msgpack.length > 0) return decodeValue(type, value.msgpack);
  if (value.json.length > 0) return decodeJsonValue(type, parseJsonLossless(Buffer.from(value.json).toString('utf8')));
  throw new ProviderError(`empty ${what}`, 'Terraform sent a DynamicValue with neither msgpack nor json content');
}

/** A block's object value (config, state, plan), or null. */
export function objectValue(block: BlockSchema, value: pb.DynamicValue | undefined, what: string): ObjectValue | null {
  return dynamicValue(blockType(block), value, what) as ObjectValue | null;
}

/** What Terraform said it can handle; absent means nothing. */
export function clientCapabilities(message: pb.ClientCapabilities | undefined): ClientCapabilities {
  return {
    deferralAllowed: !!message?.deferralAllowed,
    writeOnlyAttributesAllowed: !!message?.writeOnlyAttributesAllowed,
  };
}

/**
 * A stored state's JSON (UpgradeResourceState), numbers lossless. Flatmap state
 * (Terraform 0.11) is refused; JSON that is not an object reads as an empty object.
 */
export function storedStateJson(raw: pb.RawState | undefined): Record<string, unknown> {
  const json = raw?.json;
  if (!json || json.length === 0) {
    throw new ProviderError('Cannot upgrade state', 'the stored state has no JSON form; flatmap state from Terraform 0.11 is not supported');
  }
  const parsed = parseJsonLossless(Buffer.from(json).toString('utf8'));
  return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) && !(parsed instanceof CtyNumber) ? parsed : {};
}
