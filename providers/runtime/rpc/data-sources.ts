/**
 * ReadDataSource: a wholly known state from the data source. While the provider
 * configuration is not known yet, Terraform either takes a deferral (where it allows
 * one) or the data source reads without a client (DataSourceContext).
 */
import { callerPresent } from '../lifecycle';
import { create } from '@bufbuild/protobuf';
import { isWhollyKnown } from '../cty';
import * as fromproto from '../fromproto';
import { planObject } from '../plan';
import type { ProviderServer } from '../provider-server';
import { blockType } from '../schema';
import * as toproto from '../toproto';
import * as pb from '../gen/tfplugin6_pb';
import { answer } from './answer';
import type { ServerState } from './state';

export function dataSourceRpcs<Client>(state: ServerState<Client>): Pick<ProviderServer, 'readDataSource'> {
  const { registry, configuration } = state;
  return {
    async readDataSource(request) {
      const response = create(pb.ReadDataSource_ResponseSchema, {});
      const clear = () => (response.state = undefined);
      return answer(response, `read of data source ${request.typeName}`, async (diagnostics) => {
        const d = registry.dataSource(request.typeName);
        const type = blockType(d.schema.block);
        const config = fromproto.objectValue(d.schema.block, request.config, 'config') ?? {};
        if (configuration.isUnknown && fromproto.clientCapabilities(request.clientCapabilities).deferralAllowed) {
          // Read later: what the configuration says is known, the rest is not yet.
          response.deferred = toproto.deferred('provider config unknown');
          response.state = toproto.dynamicValue(type, planObject(d.schema.block, null, config).planned);
          return;
        }
        const client = configuration.clientIfKnown(`reading data source ${request.typeName}`);
        const result = await d.read({ client, signal: state.signal(), callerPresent, diagnostics }, config);
        if (!isWhollyKnown(result)) throw new Error('data source returned unknown values');
        response.state = toproto.dynamicValue(type, result);
      }, clear);
    },
  };
}
