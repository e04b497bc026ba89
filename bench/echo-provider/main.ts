/** Entry point of the echo provider (provider.ts): what bench/floor.ts builds into a single executable. */
import { serve } from '../../providers/runtime/serve';
import { echoProvider } from './provider';

serve(echoProvider).catch((error: unknown) => {
  process.stderr.write(`echo provider failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
