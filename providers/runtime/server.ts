/**
 * The runtime's tfplugin6 Provider service, generic over a ProviderDefinition: every
 * RPC of ProviderServer, from request message to response message, testable without
 * gRPC (serve.ts binds it to the socket). Each group of RPCs and its rules is a
 * module of rpc/; what they share (registry, configuration, stop signal) is
 * rpc/state.ts; wire conversions are fromproto.ts / toproto.ts.
 */
import { create } from '@bufbuild/protobuf';
import * as fromproto from './fromproto';
import type { ProviderDefinition } from './interfaces';
import type { ProviderServer } from './provider-server';
import * as pb from './gen/tfplugin6_pb';
import { dataSourceRpcs } from './rpc/data-sources';
import { ephemeralRpcs } from './rpc/ephemeral';
import { answer } from './rpc/answer';
import { functionRpcs } from './rpc/functions';
import { resourceRpcs } from './rpc/resources';
import { schemaRpcs } from './rpc/schemas';
import { createServerState, type ServerState } from './rpc/state';
import { validationRpcs } from './rpc/validation';

export type { ProviderServer } from './provider-server';

/** The two RPCs that change the server's own state: ConfigureProvider and StopProvider. */
function providerRpcs<Client>(state: ServerState<Client>): Pick<ProviderServer, 'configureProvider' | 'stopProvider'> {
  return {
    async configureProvider(request) {
      return answer(create(pb.ConfigureProvider_ResponseSchema), 'provider configuration', async (diagnostics) => {
        const config = fromproto.objectValue(state.definition.schema.block, request.config, 'provider config') ?? {};
        await state.configuration.configure(config, diagnostics);
      });
    },

    // Ctrl-C: operations in flight see their signal aborted; the process is stopped separately.
    async stopProvider() {
      state.stop();
      return create(pb.StopProvider_ResponseSchema, { Error: '' });
    },
  };
}

export function createProviderServer<Client>(definition: ProviderDefinition<Client>): ProviderServer {
  const state = createServerState(definition);
  return {
    ...schemaRpcs(state),
    ...validationRpcs(state),
    ...providerRpcs(state),
    ...resourceRpcs(state),
    ...dataSourceRpcs(state),
    ...ephemeralRpcs(state),
    ...functionRpcs(state),
  };
}
