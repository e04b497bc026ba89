/** What every group of RPCs shares: the definition, its registry, the configuration and the stop signal. */
import type { ProviderDefinition } from '../interfaces';
import { ProviderConfiguration } from './configuration';
import { Registry } from './registry';

export interface ServerState<Client> {
  readonly definition: ProviderDefinition<Client>;
  readonly registry: Registry<Client>;
  readonly configuration: ProviderConfiguration<Client>;
  /** Aborted when Terraform sends StopProvider; each stop starts a new one. */
  signal(): AbortSignal;
  stop(): void;
}

export function createServerState<Client>(definition: ProviderDefinition<Client>): ServerState<Client> {
  let controller = new AbortController();
  return {
    definition,
    registry: new Registry(definition),
    configuration: new ProviderConfiguration(definition),
    signal: () => controller.signal,
    stop() {
      controller.abort(new Error('Terraform asked the provider to stop'));
      controller = new AbortController();
    },
  };
}
