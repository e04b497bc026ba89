/** Discovery: GetMetadata, GetProviderSchema, GetFunctions, GetResourceIdentitySchemas. */
import { create } from '@bufbuild/protobuf';
import type { ProviderServer } from '../provider-server';
import * as toproto from '../toproto';
import * as pb from '../gen/tfplugin6_pb';
import type { ServerState } from './state';

/**
 * Planned destroys are Terraform's (so a deposed object's destroy gets the private
 * data stored with it); the schema is needed on every start; no MoveResourceState.
 */
const SERVER_CAPABILITIES = { planDestroy: false, getProviderSchemaOptional: false, moveResourceState: false };

type SchemaRpcs = Pick<ProviderServer, 'getMetadata' | 'getProviderSchema' | 'getFunctions' | 'getResourceIdentitySchemas'>;

export function schemaRpcs<Client>({ definition, registry }: ServerState<Client>): SchemaRpcs {
  const names = (m: ReadonlyMap<string, unknown>) => [...m.keys()];
  const schemas = <T extends { schema: Parameters<typeof toproto.schema>[0] }>(m: ReadonlyMap<string, T>) =>
    Object.fromEntries([...m].map(([name, item]) => [name, toproto.schema(item.schema)]));
  const functions = () => Object.fromEntries([...registry.functions].map(([name, f]) => [name, toproto.functionSignature(f)]));

  return {
    async getMetadata() {
      return create(pb.GetMetadata_ResponseSchema, {
        serverCapabilities: SERVER_CAPABILITIES,
        resources: names(registry.resources).map((typeName) => ({ typeName })),
        dataSources: names(registry.dataSources).map((typeName) => ({ typeName })),
        ephemeralResources: names(registry.ephemeralResources).map((typeName) => ({ typeName })),
        functions: names(registry.functions).map((name) => ({ name })),
      });
    },

    async getProviderSchema() {
      return create(pb.GetProviderSchema_ResponseSchema, {
        provider: toproto.schema(definition.schema),
        resourceSchemas: schemas(registry.resources),
        dataSourceSchemas: schemas(registry.dataSources),
        ephemeralResourceSchemas: schemas(registry.ephemeralResources),
        functions: functions(),
        serverCapabilities: SERVER_CAPABILITIES,
      });
    },

    async getFunctions() {
      return create(pb.GetFunctions_ResponseSchema, { functions: functions() });
    },

    // Terraform ≥ 1.12 asks; no resource here has an identity schema.
    async getResourceIdentitySchemas() {
      return create(pb.GetResourceIdentitySchemas_ResponseSchema, {});
    },
  };
}
