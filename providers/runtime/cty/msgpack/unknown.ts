/**
 * Unknown values (go-cty unknown.go): a wholly unknown value is fixext1 type 0 payload
 * 00 (d4 00 00); a refined unknown is extension 12 whose payload is the refinement
 * map. On decode every extension is an unknown; only a non-empty type-12 payload that
 * is a non-empty map is kept as refinements, and an empty extension 12 is never sent.
 */
import type { CtyType } from '../types';
import { Unknown } from '../values';
import type { Reader } from './reader';
import type { Writer } from './writer';

/** Extension type for refined unknown values. */
export const REFINED_UNKNOWN_EXT = 12;

const UNKNOWN_BYTES = Uint8Array.of(0xd4, 0x00, 0x00);

export function encodeUnknown(w: Writer, u: Unknown, type: CtyType): void {
  // cty.DynamicVal can never carry refinements; never send an empty extension 12.
  if (u.refinements && u.refinements.length > 0 && type !== 'dynamic') w.ext(REFINED_UNKNOWN_EXT, u.refinements);
  else w.bytes(UNKNOWN_BYTES);
}

export function decodeUnknown(r: Reader, type: CtyType): Unknown {
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
