/**
 * Private data: the opaque bytes Terraform keeps next to a resource instance's state
 * (and an ephemeral resource's open result) and hands back on later calls. This
 * runtime's encoding: UTF-8 JSON of an object; empty bytes are "none" (null).
 */
import type { PrivateData, PrivateState } from './interfaces';
import { log } from './log';

const EMPTY = new Uint8Array(0);

/** Incoming bytes as data; bytes that are not a JSON object are dropped (null) with a warning. */
export function decodePrivate(bytes: Uint8Array | undefined, where: string): PrivateData | null {
  if (!bytes || bytes.length === 0) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as PrivateData;
  // The content is not logged: it is the provider's own data and may be sensitive.
  log('warn', 'ignoring private data that is not a JSON object', { where, bytes: bytes.length });
  return null;
}

export function encodePrivate(data: PrivateData | null): Uint8Array {
  return data === null ? EMPTY : new TextEncoder().encode(JSON.stringify(data));
}

/**
 * The ctx.private / ctx.setPrivate pair of one call. Until setPrivate is called the
 * outgoing bytes are the incoming bytes, unchanged (even ones this runtime could not
 * read, so a newer provider's data survives a call that does not touch it).
 */
export function privateState(incoming: Uint8Array | undefined, where: string): PrivateState & { outgoing(): Uint8Array } {
  const data = decodePrivate(incoming, where);
  let outgoing: Uint8Array = incoming ?? EMPTY;
  return {
    private: data,
    setPrivate(next: PrivateData | null) {
      outgoing = encodePrivate(next);
    },
    outgoing: () => outgoing,
  };
}
