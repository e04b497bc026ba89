/**
 * The tfplugin6 Provider service as a typed interface: one method per RPC, each from
 * its request message to its response message, in the spirit of terraform-plugin-go's
 * tfprotov6.ProviderServer. The method set and every signature come from the
 * project's protocol definition (proto/tfplugin6.proto, generated into gen/): an RPC
 * added there must be implemented here, or listed as not served, before this compiles.
 *
 * The runtime's implementation is server.ts; serve.ts routes each gRPC method of
 * tfplugin6.Provider to the method of the same name.
 */
import type { MessageShape } from '@bufbuild/protobuf';
import type { Provider } from './gen/tfplugin6_pb';

type Methods = (typeof Provider)['method'];

/** The RPCs this runtime does not serve; they answer UNIMPLEMENTED (Terraform only calls them for features the provider does not declare). */
export const NOT_SERVED = ['moveResourceState', 'upgradeResourceIdentity'] as const;

export type RpcName = Exclude<keyof Methods, (typeof NOT_SERVED)[number]>;
export type RpcRequest<K extends RpcName> = MessageShape<Methods[K]['input']>;
export type RpcResponse<K extends RpcName> = MessageShape<Methods[K]['output']>;

/** One RPC: its request message in, its response message out. */
export type Rpc<K extends RpcName> = (request: RpcRequest<K>) => Promise<RpcResponse<K>>;

export type ProviderServer = { [K in RpcName]: Rpc<K> };
