/**
 * How every RPC answers: whatever fails inside becomes a diagnostic on the response,
 * never a failed gRPC call. Only a ProviderError's text is meant for users; anything
 * else is a provider bug: its message is shown, its stack goes to the log.
 */
import { Diagnostics, ProviderError } from '../diagnostics';
import { log } from '../log';
import * as toproto from '../toproto';
import type * as pb from '../gen/tfplugin6_pb';

export function report(diagnostics: Diagnostics, error: unknown, operation: string): void {
  if (error instanceof ProviderError) {
    diagnostics.error(error.summary, error.detail, error.path);
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  log('error', `unexpected failure during ${operation}`, { error: message, stack: error instanceof Error ? error.stack : undefined });
  diagnostics.error(`Unexpected provider failure during ${operation}`, `${message}\n\nThis is a bug in the provider; the provider log (TF_LOG=debug) has details.`);
}

/**
 * Runs an RPC's body against its response, then puts the diagnostics on it. On a
 * failure `onFailure` undoes what must not go out half-made (a result, a state).
 */
export async function answer<R extends { diagnostics: pb.Diagnostic[] }>(
  response: R,
  operation: string,
  body: (diagnostics: Diagnostics) => Promise<void> | void,
  onFailure?: () => void,
): Promise<R> {
  const diagnostics = new Diagnostics();
  try {
    await body(diagnostics);
  } catch (error) {
    onFailure?.();
    report(diagnostics, error, operation);
  }
  response.diagnostics = toproto.diagnostics(diagnostics);
  return response;
}
