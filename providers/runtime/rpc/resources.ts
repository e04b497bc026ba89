/**
 * Managed resources: UpgradeResourceState, ReadResource, PlanResourceChange,
 * ApplyResourceChange, ImportResourceState. The generic rules live here once:
 * write-only values never leave in a state, a failed apply keeps the prior state,
 * private data passes through unless the resource sets it (private.ts), and a
 * provider configuration not known yet keeps states as they are (configuration.ts).
 */
import { callerPresent } from '../lifecycle';
import { create } from '@bufbuild/protobuf';
import { decodeJsonValue, firstUnknownPath, type CtyType } from '../cty';
import { ProviderError, formatPath, type Diagnostics } from '../diagnostics';
import * as fromproto from '../fromproto';
import type { CallContext, ObjectValue, PlanContext, ResourceDefinition } from '../interfaces';
import { planObject } from '../plan';
import { privateState } from '../private';
import type { ProviderServer } from '../provider-server';
import { blockType, withoutWriteOnly } from '../schema';
import * as toproto from '../toproto';
import * as pb from '../gen/tfplugin6_pb';
import { answer } from './answer';
import type { ServerState } from './state';

type ResourceRpcs = Pick<ProviderServer, 'upgradeResourceState' | 'readResource' | 'planResourceChange' | 'applyResourceChange' | 'importResourceState'>;

export function resourceRpcs<Client>(state: ServerState<Client>): ResourceRpcs {
  const { registry, configuration } = state;

  /** A resource call's context and the private bytes it leaves (incoming ones unless it sets them). */
  function callContext(client: Client, diagnostics: Diagnostics, incoming: Uint8Array | undefined, where: string) {
    const slot = privateState(incoming, where);
    const ctx: CallContext<Client> = { client, signal: state.signal(), callerPresent, diagnostics, private: slot.private, setPrivate: slot.setPrivate };
    return { ctx, outgoingPrivate: slot.outgoing };
  }

  /** A state as it may go back: write-only values nulled and, after an apply, nothing unknown. */
  function outgoingState(r: ResourceDefinition<Client>, result: ObjectValue | null, applied = false): pb.DynamicValue {
    const final = result === null ? null : withoutWriteOnly(r.schema.block, result);
    const unknownAt = applied ? firstUnknownPath(final) : null;
    if (unknownAt) throw new Error(`apply left ${formatPath(unknownAt)} unknown`);
    return toproto.dynamicValue(blockType(r.schema.block), final);
  }

  /** The resource a plan or apply names, with the prior state and config it carries. */
  function change(request: pb.PlanResourceChange_Request | pb.ApplyResourceChange_Request) {
    const r = registry.resource(request.typeName);
    const prior = fromproto.objectValue(r.schema.block, request.priorState, 'prior state');
    const config = fromproto.objectValue(r.schema.block, request.config, 'config');
    return { r, prior, config };
  }

  return {
    async upgradeResourceState(request) {
      const response = create(pb.UpgradeResourceState_ResponseSchema, {});
      return answer(response, `state upgrade of ${request.typeName}`, () => {
        const r = registry.resource(request.typeName);
        const storedVersion = Number(request.version);
        if (storedVersion > r.schema.version) {
          throw new ProviderError(
            'State written by a newer provider',
            `the stored state has schema version ${request.version}, this provider knows up to ${r.schema.version}; upgrade the provider`,
          );
        }
        let stored = fromproto.storedStateJson(request.rawState);
        if (storedVersion < r.schema.version && r.upgradeState) stored = r.upgradeState(storedVersion, stored);
        // Attributes the current schema does not have are discarded; missing ones become null.
        const type = blockType(r.schema.block);
        const fields = type[1] as Record<string, CtyType>;
        const current = Object.fromEntries(Object.entries(stored).filter(([k]) => k in fields));
        response.upgradedState = outgoingState(r, decodeJsonValue(type, current) as ObjectValue);
      });
    },

    async readResource(request) {
      const response = create(pb.ReadResource_ResponseSchema, { newState: request.currentState, private: request.private });
      return answer(response, `read of ${request.typeName}`, async (diagnostics) => {
        const r = registry.resource(request.typeName);
        const current = fromproto.objectValue(r.schema.block, request.currentState, 'current state');
        if (current === null) return;
        if (configuration.isUnknown) {
          // Nothing can be read without the configured provider: the state stays as it is.
          if (fromproto.clientCapabilities(request.clientCapabilities).deferralAllowed) response.deferred = toproto.deferred('provider config unknown');
          else {
            diagnostics.warning(
              'Not refreshed: provider configuration not known yet',
              `${request.typeName} was not read from the service because ${configuration.notKnownYet}; ` +
                'this plan uses the last known state and does not show changes made outside Terraform. Plan again once they are known.',
            );
          }
          return;
        }
        const call = callContext(configuration.client(`reading ${request.typeName}`), diagnostics, request.private, `read of ${request.typeName}`);
        response.newState = outgoingState(r, await r.read(call.ctx, current));
        response.private = call.outgoingPrivate();
      });
    },

    async planResourceChange(request) {
      const response = create(pb.PlanResourceChange_ResponseSchema, { plannedState: request.proposedNewState, plannedPrivate: request.priorPrivate });
      return answer(response, `plan of ${request.typeName}`, async (diagnostics) => {
        const { r, prior, config } = change(request);
        // A destroy plans null; there is nothing to decide (and Terraform plans destroys itself).
        if (config === null) return;
        const plan = planObject(r.schema.block, prior, config);
        const slot = privateState(request.priorPrivate, `plan of ${request.typeName}`);
        const capabilities = fromproto.clientCapabilities(request.clientCapabilities);
        if (r.modifyPlan) {
          const ctx: PlanContext<Client> = {
            client: configuration.clientIfConfigured(),
            signal: state.signal(), callerPresent,
            diagnostics,
            private: slot.private,
            setPrivate: slot.setPrivate,
          };
          await r.modifyPlan(ctx, { prior, config, planned: plan.planned, requiresReplace: plan.requiresReplace, capabilities });
        }
        if (configuration.isUnknown && capabilities.deferralAllowed) response.deferred = toproto.deferred('provider config unknown');
        response.plannedState = toproto.dynamicValue(blockType(r.schema.block), plan.planned);
        response.plannedPrivate = slot.outgoing();
        response.requiresReplace = plan.requiresReplace.map(toproto.attributePath);
      });
    },

    async applyResourceChange(request) {
      // On failure Terraform keeps what comes back: the prior state, so nothing is forgotten.
      const response = create(pb.ApplyResourceChange_ResponseSchema, { newState: request.priorState, private: request.plannedPrivate });
      return answer(response, `apply of ${request.typeName}`, async (diagnostics) => {
        const { r, prior, config } = change(request);
        const planned = fromproto.objectValue(r.schema.block, request.plannedState, 'planned state');
        const what = planned === null ? 'deleting' : prior === null ? 'creating' : 'updating';
        const call = callContext(configuration.client(`${what} ${request.typeName}`), diagnostics, request.plannedPrivate, `apply of ${request.typeName}`);
        try {
          if (planned === null) {
            if (prior !== null) await r.delete(call.ctx, prior);
            response.newState = outgoingState(r, null);
          } else {
            const result = prior === null ? await r.create(call.ctx, planned, config ?? {}) : await r.update(call.ctx, prior, planned, config ?? {});
            response.newState = outgoingState(r, result, true);
          }
        } finally {
          // What the resource recorded is kept even when it failed half-way.
          response.private = call.outgoingPrivate();
        }
      });
    },

    async importResourceState(request) {
      const response = create(pb.ImportResourceState_ResponseSchema, {});
      return answer(response, `import of ${request.typeName}`, async (diagnostics) => {
        const r = registry.resource(request.typeName);
        if (!r.importState) throw new ProviderError('Import not supported', `${request.typeName} cannot be imported`);
        const call = callContext(configuration.client(`importing ${request.typeName}`), diagnostics, undefined, `import of ${request.typeName}`);
        const imported = await r.importState(call.ctx, request.id);
        if (imported === null) {
          throw new ProviderError('Cannot import non-existent remote object', `no ${request.typeName} with id "${request.id}" exists`);
        }
        response.importedResources = [
          create(pb.ImportResourceState_ImportedResourceSchema, { typeName: request.typeName, state: outgoingState(r, imported), private: call.outgoingPrivate() }),
        ];
      });
    },
  };
}
