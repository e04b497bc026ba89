/**
 * Where the provider's configuration stands. RPCs arrive before, during and after
 * ConfigureProvider, and a configuration may hold values Terraform cannot know until
 * apply (an argument built from another resource's output). Then the provider is not
 * configured at all: `configure` would read those values as unset ("missing
 * endpoint") or build a client on a placeholder. What each RPC does instead is the
 * RPC's rule (rpc/resources.ts, rpc/data-sources.ts, rpc/ephemeral.ts); the words
 * that explain it are here, once.
 */
import { isWhollyKnown } from '../cty';
import { ProviderError, type Diagnostics } from '../diagnostics';
import type { ObjectValue, ProviderDefinition } from '../interfaces';
import { log } from '../log';

type State<Client> =
  | { state: 'unconfigured' }
  | { state: 'unknown'; attributes: string[] }
  | { state: 'configured'; client: Client };

/** `"a"`, `"a" and "b"`, `"a", "b" and "c"`. */
function quotedList(names: readonly string[]): string {
  const quoted = names.map((n) => `"${n}"`);
  return quoted.length <= 1 ? (quoted[0] ?? '') : `${quoted.slice(0, -1).join(', ')} and ${quoted[quoted.length - 1]}`;
}

export class ProviderConfiguration<Client> {
  private current: State<Client> = { state: 'unconfigured' };

  constructor(private readonly definition: ProviderDefinition<Client>) {}

  /** ConfigureProvider: configures with a wholly known configuration, else remembers which arguments are unknown. */
  async configure(config: ObjectValue, diagnostics: Diagnostics): Promise<void> {
    const unknownAttributes = Object.keys(config)
      .filter((name) => !isWhollyKnown(config[name]))
      .sort();
    if (unknownAttributes.length > 0) {
      this.current = { state: 'unknown', attributes: unknownAttributes };
      log('debug', 'provider configuration not known yet', { unknown: unknownAttributes });
      return;
    }
    const client = await this.definition.configure(config, diagnostics);
    this.current = client === undefined ? { state: 'unconfigured' } : { state: 'configured', client };
  }

  /** True while the configuration holds values not known until apply. */
  get isUnknown(): boolean {
    return this.current.state === 'unknown';
  }

  /** `the provider argument "x" is not known until apply` (for messages); empty when known. */
  get notKnownYet(): string {
    if (this.current.state !== 'unknown') return '';
    const names = this.current.attributes;
    return `the provider argument${names.length === 1 ? '' : 's'} ${quotedList(names)} ${names.length === 1 ? 'is' : 'are'} not known until apply`;
  }

  /** The configured client, or a ProviderError saying why there is none. */
  client(operation: string): Client {
    switch (this.current.state) {
      case 'configured':
        return this.current.client;
      case 'unknown':
        throw new ProviderError(
          'Provider configuration not known yet',
          `${operation} needs the configured provider, but ${this.notKnownYet}. ` +
            'Apply the resources those arguments come from first (for example with -target), then run this again.',
        );
      default:
        throw new ProviderError('Provider not configured', 'Terraform called an operation before ConfigureProvider succeeded.');
    }
  }

  /** The client; undefined while the configuration is not known; an error before ConfigureProvider. */
  clientIfKnown(operation: string): Client | undefined {
    return this.current.state === 'unknown' ? undefined : this.client(operation);
  }

  /** For planning, which never fails for want of a client: the client if configured. */
  clientIfConfigured(): Client | undefined {
    return this.current.state === 'configured' ? this.current.client : undefined;
  }
}
