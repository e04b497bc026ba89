/**
 * How much of an answer the provider reads, per endpoint, and how long it waits for
 * the whole of it. An answer past its limit is a misbehaving service (or something
 * pretending to be one): the provider stops reading at the limit, so an endless body
 * costs at most that much memory, and says which endpoint and which limit.
 *
 * The limits can only be raised (QIANFAN_MAX_RESPONSE_BYTES), for a service that
 * really sends more than this project's contract allows; a lower value is refused.
 */
import { ProviderError } from '../../runtime/diagnostics';
import { formatBytes } from '../files';

const MIB = 1024 * 1024;

/** Per endpoint, with the reason for the number. */
export const RESPONSE_LIMITS = {
  /** One object: the largest is a Yufu app with 40 URIs of 2,048 characters, about 90 KB. */
  object: MIB,
  /** A page of 100 Yufu apps of that size. */
  appList: 16 * MIB,
  /** An OpenID Provider's discovery document: a few KB in practice (Yufu's is about 2 KB). */
  discovery: MIB,
} as const;

export const RESPONSE_LIMIT_ENV = 'QIANFAN_MAX_RESPONSE_BYTES';

/** The limit in force: the endpoint's own, or the raised one from the environment. */
export function responseLimit(own: number, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[RESPONSE_LIMIT_ENV];
  if (raw === undefined || raw === '') return own;
  if (!/^\d{1,15}$/.test(raw)) {
    throw new ProviderError(`Invalid ${RESPONSE_LIMIT_ENV}`, `${RESPONSE_LIMIT_ENV}: expected a whole number of bytes, got ${JSON.stringify(raw.slice(0, 40))}`);
  }
  const raised = Number(raw);
  if (raised < RESPONSE_LIMITS.object) {
    throw new ProviderError(
      `Invalid ${RESPONSE_LIMIT_ENV}`,
      `${RESPONSE_LIMIT_ENV}: expected at least ${RESPONSE_LIMITS.object} (${formatBytes(RESPONSE_LIMITS.object)}), got ${raised}; it can only raise the response limits, never lower or disable them`,
    );
  }
  return Math.max(own, raised);
}

export class ResponseTooLarge extends ProviderError {
  constructor(service: string, where: string, limit: number, announced?: number) {
    super(
      `${service} answer too large`,
      `${where}: the answer ${announced !== undefined ? `announces ${formatBytes(announced)}` : `goes on past ${formatBytes(limit)}`}; ` +
        `the limit for this endpoint is ${formatBytes(limit)} (${limit} bytes). The service is misbehaving, or answers far more than its contract allows; ` +
        `if it really must, raise the limit with ${RESPONSE_LIMIT_ENV}`,
    );
  }
}

export class ResponseTimeout extends Error {
  constructor(readonly ms: number) {
    super(`no complete answer within ${ms} ms (request_timeout)`);
  }
}

/**
 * Reads a body stream up to `limit` bytes within `deadline` (epoch ms). Stops reading
 * (and destroys the stream) at whichever comes first.
 */
export async function readLimited(
  body: AsyncIterable<Uint8Array> & { destroy?: (error?: Error) => void },
  limit: number,
  deadline: number,
  tooLarge: () => Error,
  timeoutMs: number,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  const iterator = body[Symbol.asyncIterator]();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ResponseTimeout(timeoutMs)), Math.max(0, deadline - Date.now()));
  });
  timedOut.catch(() => undefined);
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), timedOut]);
      if (next.done) break;
      const chunk = Buffer.from(next.value);
      size += chunk.length;
      if (size > limit) throw tooLarge();
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  } catch (error) {
    // Not awaited: a stream with a read in flight may only settle when that read does.
    body.destroy?.();
    void iterator.return?.()?.catch(() => undefined);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
