/** Entry point of terraform-provider-qianfan: Terraform launches this as a plugin. */
import { serve } from '../runtime/serve';
import { qianfanProvider } from './provider';

serve(qianfanProvider).catch((error: unknown) => {
  process.stderr.write(`terraform-provider-qianfan failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
