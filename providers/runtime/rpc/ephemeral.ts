/**
 * Ephemeral resources: Open, Renew, Close. Open needs a wholly known config (Terraform
 * waits for apply otherwise, so it should never send another) and the configured
 * provider; either missing is a deferral where Terraform allows one, an error
 * otherwise. A result's values are never logged nor quoted in a message.
 */
import { callerPresent } from '../lifecycle';
import { create } from '@bufbuild/protobuf';
import { CtyCodecError, firstUnknownPath, type CtyType } from '../cty';
import { ProviderError, formatPath, type Diagnostics } from '../diagnostics';
import * as fromproto from '../fromproto';
import type { EphemeralContext, ObjectValue } from '../interfaces';
import { planObject } from '../plan';
import { decodePrivate, encodePrivate } from '../private';
import type { ProviderServer } from '../provider-server';
import { blockType } from '../schema';
import * as toproto from '../toproto';
import * as pb from '../gen/tfplugin6_pb';
import { answer } from './answer';
import type { ServerState } from './state';

/** An open result, encoded; a codec error names the attribute only (the codec's own message may quote the value). */
function encodeResult(type: CtyType, result: ObjectValue, typeName: string): pb.DynamicValue {
  const unknownAt = firstUnknownPath(result);
  if (unknownAt) throw new Error(`${typeName} opened with ${formatPath(unknownAt)} unknown; an ephemeral result must be wholly known`);
  try {
    return toproto.dynamicValue(type, result);
  } catch (error) {
    const at = error instanceof CtyCodecError && error.path.length > 0 ? ` at ${formatPath(error.path)}` : '';
    throw new Error(`${typeName} returned a result that does not match its schema${at}`);
  }
}

type EphemeralRpcs = Pick<ProviderServer, 'openEphemeralResource' | 'renewEphemeralResource' | 'closeEphemeralResource'>;

export function ephemeralRpcs<Client>(state: ServerState<Client>): EphemeralRpcs {
  const { registry, configuration } = state;
  const context = (operation: string, diagnostics: Diagnostics): EphemeralContext<Client> => ({
    client: configuration.client(operation),
    signal: state.signal(), callerPresent,
    diagnostics,
  });

  return {
    async openEphemeralResource(request) {
      const response = create(pb.OpenEphemeralResource_ResponseSchema, {});
      const clear = () => (response.result = undefined);
      return answer(response, `open of ${request.typeName}`, async (diagnostics) => {
        const e = registry.ephemeralResource(request.typeName);
        const type = blockType(e.schema.block);
        const config = fromproto.objectValue(e.schema.block, request.config, 'ephemeral resource config') ?? {};
        const unknownAt = firstUnknownPath(config);
        if (unknownAt || configuration.isUnknown) {
          if (!fromproto.clientCapabilities(request.clientCapabilities).deferralAllowed) {
            throw unknownAt
              ? new ProviderError('Ephemeral resource config not known yet', `${request.typeName} cannot be opened while ${formatPath(unknownAt)} is unknown`, unknownAt)
              : new ProviderError('Provider configuration not known yet', `${request.typeName} cannot be opened because ${configuration.notKnownYet}`);
          }
          response.deferred = toproto.deferred(unknownAt ? 'resource config unknown' : 'provider config unknown');
          response.result = toproto.dynamicValue(type, planObject(e.schema.block, null, config).planned);
          return;
        }
        const opened = await e.open(context(`opening ${request.typeName}`, diagnostics), config);
        if (opened.renewAt && !e.renew) throw new Error(`${request.typeName} asked to be renewed but has no renew`);
        response.result = encodeResult(type, opened.result, request.typeName);
        if (opened.renewAt) response.renewAt = toproto.timestamp(opened.renewAt);
        if (opened.private) response.private = encodePrivate(opened.private);
      }, clear);
    },

    async renewEphemeralResource(request) {
      const response = create(pb.RenewEphemeralResource_ResponseSchema, {});
      return answer(response, `renewal of ${request.typeName}`, async (diagnostics) => {
        const e = registry.ephemeralResource(request.typeName);
        if (!e.renew) throw new ProviderError('Renewal not supported', `${request.typeName} cannot be renewed`);
        const renewed = await e.renew(context(`renewing ${request.typeName}`, diagnostics), decodePrivate(request.private, `renew of ${request.typeName}`));
        if (renewed.renewAt) response.renewAt = toproto.timestamp(renewed.renewAt);
        // Left out: the incoming data stays; null: cleared.
        if (renewed.private === undefined) response.private = request.private;
        else if (renewed.private !== null) response.private = encodePrivate(renewed.private);
      });
    },

    async closeEphemeralResource(request) {
      const response = create(pb.CloseEphemeralResource_ResponseSchema, {});
      return answer(response, `close of ${request.typeName}`, async (diagnostics) => {
        const e = registry.ephemeralResource(request.typeName);
        if (e.close) await e.close(context(`closing ${request.typeName}`, diagnostics), decodePrivate(request.private, `close of ${request.typeName}`));
      });
    },
  };
}
