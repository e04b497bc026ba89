/**
 * The tfplugin6 Provider service, generic over a ProviderDefinition. Each handler
 * is a plain async function from request message to response message, so it can be
 * tested without gRPC; serve.ts binds them to the socket.
 */
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  CtyCodecError,
  decodeJsonValue,
  decodeValue,
  encodeValue,
  isUnknown,
  isWhollyKnown,
  parseJsonLossless,
  typeToJson,
  type CtyType,
  type CtyValue,
} from './cty';
import { Diagnostics, ProviderError, formatPath, type AttributePath } from './diagnostics';
import type {
  CallContext,
  ClientCapabilities,
  DataSourceDefinition,
  EphemeralContext,
  EphemeralResourceDefinition,
  ObjectValue,
  PlanContext,
  ProviderDefinition,
  ResourceDefinition,
} from './interfaces';
import { FunctionCallError } from './interfaces';
import { log } from './log';
import { planObject } from './plan';
import { decodePrivate, encodePrivate, privateState } from './private';
import { blockType, checkSchema, toProtoSchema, type BlockSchema } from './schema';
import * as pb from './gen/tfplugin6_pb';

type DynamicValueMessage = pb.DynamicValue;

function decodeDynamic(type: CtyType, value: DynamicValueMessage | undefined, what: string): CtyValue {
  if (!value) return null;
  if (value.msgpack.length > 0) return decodeValue(type, value.msgpack);
  if (value.json.length > 0) return decodeJsonValue(type, parseJsonLossless(Buffer.from(value.json).toString('utf8')));
  throw new ProviderError(`empty ${what}`, 'Terraform sent a DynamicValue with neither msgpack nor json content');
}

function encodeDynamic(type: CtyType, value: CtyValue): DynamicValueMessage {
  return create(pb.DynamicValueSchema, { msgpack: encodeValue(type, value) });
}

function toProtoPath(path: AttributePath): pb.AttributePath {
  return create(pb.AttributePathSchema, {
    steps: path.map((step) =>
      create(pb.AttributePath_StepSchema, {
        selector:
          typeof step === 'string'
            ? { case: 'attributeName', value: step }
            : typeof step === 'number'
              ? { case: 'elementKeyInt', value: BigInt(step) }
              : { case: 'elementKeyString', value: step.key },
      }),
    ),
  });
}

function toProtoDiagnostics(diagnostics: Diagnostics): pb.Diagnostic[] {
  return diagnostics.items.map((d) =>
    create(pb.DiagnosticSchema, {
      severity: d.severity === 'error' ? pb.Diagnostic_Severity.ERROR : pb.Diagnostic_Severity.WARNING,
      summary: d.summary,
      detail: d.detail,
      attribute: d.path && d.path.length > 0 ? toProtoPath(d.path) : undefined,
    }),
  );
}

/** Turns any failure into a diagnostic; only ProviderError text is user-facing. */
function report(diagnostics: Diagnostics, error: unknown, operation: string): void {
  if (error instanceof ProviderError) {
    diagnostics.error(error.summary, error.detail, error.path);
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  log('error', `unexpected failure during ${operation}`, { error: message, stack: error instanceof Error ? error.stack : undefined });
  diagnostics.error(`Unexpected provider failure during ${operation}`, `${message}\n\nThis is a bug in the provider; the provider log (TF_LOG=debug) has details.`);
}

function capabilities(message: pb.ClientCapabilities | undefined): ClientCapabilities {
  return {
    deferralAllowed: !!message?.deferralAllowed,
    writeOnlyAttributesAllowed: !!message?.writeOnlyAttributesAllowed,
  };
}

/** Runs attribute validators on the known values of a config object. */
function validateAttributes(block: BlockSchema, config: ObjectValue, diagnostics: Diagnostics, caps?: ClientCapabilities): void {
  for (const [name, attribute] of Object.entries(block.attributes)) {
    const value = config[name] ?? null;
    if (value === null) continue;
    // Checked for unknown values too: an engine without write-only support would
    // otherwise fail later with "Provider produced invalid plan".
    if (attribute.writeOnly && caps && !caps.writeOnlyAttributesAllowed) {
      diagnostics.error(
        'Write-only attribute not supported by this Terraform',
        `"${name}" is write-only, which needs Terraform 1.11 or later. Use the non-write-only form of this argument instead.`,
        [name],
      );
      continue;
    }
    if (isUnknown(value)) continue;
    for (const validator of attribute.validate ?? []) validator(value, [name], diagnostics);
  }
}

function nullWriteOnly(block: BlockSchema, state: ObjectValue): ObjectValue {
  const out = { ...state };
  for (const [name, attribute] of Object.entries(block.attributes)) if (attribute.writeOnly) out[name] = null;
  return out;
}

function findUnknownPath(value: CtyValue, path: AttributePath = []): AttributePath | null {
  if (isUnknown(value)) return path;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnknownPath(value[i], [...path, i]);
      if (found) return found;
    }
  } else if (value !== null && typeof value === 'object' && value.constructor === Object) {
    for (const [k, v] of Object.entries(value as Record<string, CtyValue>)) {
      const found = findUnknownPath(v, [...path, k]);
      if (found) return found;
    }
  }
  return null;
}

export interface ProviderServer {
  handlers: Record<string, (request: never) => Promise<unknown>>;
}

/** Where the provider configuration stands; RPCs can arrive before, during and after ConfigureProvider. */
type Configuration<Client> =
  | { state: 'unconfigured' }
  /** ConfigureProvider came with values Terraform cannot know until apply: `configure` was not called. */
  | { state: 'unknown'; attributes: string[] }
  | { state: 'configured'; client: Client };

const PROVIDER_CONFIG_UNKNOWN = () => create(pb.DeferredSchema, { reason: pb.Deferred_Reason.PROVIDER_CONFIG_UNKNOWN });
const RESOURCE_CONFIG_UNKNOWN = () => create(pb.DeferredSchema, { reason: pb.Deferred_Reason.RESOURCE_CONFIG_UNKNOWN });

/** `"a"`, `"a" and "b"`, `"a", "b" and "c"`. */
function quotedList(names: string[]): string {
  const quoted = names.map((n) => `"${n}"`);
  return quoted.length <= 1 ? (quoted[0] ?? '') : `${quoted.slice(0, -1).join(', ')} and ${quoted[quoted.length - 1]}`;
}

function unknownArguments(names: string[]): string {
  return `the provider argument${names.length === 1 ? '' : 's'} ${quotedList(names)} ${names.length === 1 ? 'is' : 'are'} not known until apply`;
}

export function createProviderServer<Client>(definition: ProviderDefinition<Client>): ProviderServer {
  checkSchema(definition.schema, 'provider');
  const resources = new Map<string, ResourceDefinition<Client>>();
  const dataSources = new Map<string, DataSourceDefinition<Client>>();
  const ephemeralResources = new Map<string, EphemeralResourceDefinition<Client>>();
  for (const r of definition.resources) {
    checkSchema(r.schema, r.typeName);
    resources.set(r.typeName, r);
  }
  for (const d of definition.dataSources) {
    checkSchema(d.schema, d.typeName);
    dataSources.set(d.typeName, d);
  }
  for (const e of definition.ephemeralResources ?? []) {
    checkSchema(e.schema, e.typeName, 'ephemeral resource');
    ephemeralResources.set(e.typeName, e);
  }
  const functions = new Map(definition.functions.map((f) => [f.name, f]));
  const providerType = blockType(definition.schema.block);

  let configuration: Configuration<Client> = { state: 'unconfigured' };
  let stopController = new AbortController();

  /** The configured client, or a ProviderError saying why there is none. */
  function configuredClient(operation: string): Client {
    switch (configuration.state) {
      case 'configured':
        return configuration.client;
      case 'unknown':
        throw new ProviderError(
          'Provider configuration not known yet',
          `${operation} needs the configured provider, but ${unknownArguments(configuration.attributes)}. ` +
            'Apply the resources those arguments come from first (for example with -target), then run this again.',
        );
      default:
        throw new ProviderError('Provider not configured', 'Terraform called an operation before ConfigureProvider succeeded.');
    }
  }

  /** The client when configured; undefined while the configuration is unknown; an error before ConfigureProvider. */
  function clientIfKnown(operation: string): Client | undefined {
    return configuration.state === 'unknown' ? undefined : configuredClient(operation);
  }

  function resource(typeName: string): ResourceDefinition<Client> {
    const r = resources.get(typeName);
    if (!r) throw new ProviderError('Unknown resource type', `this provider has no resource type "${typeName}"`);
    return r;
  }

  function dataSource(typeName: string): DataSourceDefinition<Client> {
    const d = dataSources.get(typeName);
    if (!d) throw new ProviderError('Unknown data source', `this provider has no data source "${typeName}"`);
    return d;
  }

  function ephemeralResource(typeName: string): EphemeralResourceDefinition<Client> {
    const e = ephemeralResources.get(typeName);
    if (!e) throw new ProviderError('Unknown ephemeral resource type', `this provider has no ephemeral resource type "${typeName}"`);
    return e;
  }

  function callContext(client: Client, diagnostics: Diagnostics, incoming: Uint8Array | undefined, where: string) {
    const slot = privateState(incoming, where);
    const ctx: CallContext<Client> = { client, signal: stopController.signal, diagnostics, private: slot.private, setPrivate: slot.setPrivate };
    return { ctx, outgoingPrivate: slot.outgoing };
  }

  const functionMessages = () =>
    Object.fromEntries(
      definition.functions.map((f) => [
        f.name,
        create(pb.FunctionSchema, {
          summary: f.summary,
          description: f.description,
          descriptionKind: pb.StringKind.MARKDOWN,
          parameters: f.parameters.map((p) =>
            create(pb.Function_ParameterSchema, {
              name: p.name,
              type: typeToJson(p.type),
              description: p.description,
              descriptionKind: pb.StringKind.MARKDOWN,
              allowNullValue: !!p.allowNull,
            }),
          ),
          return: create(pb.Function_ReturnSchema, { type: typeToJson(f.returnType) }),
        }),
      ]),
    );

  const serverCapabilities = { planDestroy: false, getProviderSchemaOptional: false, moveResourceState: false };

  const handlers = {
    async getMetadata(): Promise<pb.GetMetadata_Response> {
      return create(pb.GetMetadata_ResponseSchema, {
        serverCapabilities,
        resources: [...resources.keys()].map((typeName) => ({ typeName })),
        dataSources: [...dataSources.keys()].map((typeName) => ({ typeName })),
        ephemeralResources: [...ephemeralResources.keys()].map((typeName) => ({ typeName })),
        functions: [...functions.keys()].map((name) => ({ name })),
      });
    },

    async getProviderSchema(): Promise<pb.GetProviderSchema_Response> {
      return create(pb.GetProviderSchema_ResponseSchema, {
        provider: toProtoSchema(definition.schema),
        resourceSchemas: Object.fromEntries([...resources].map(([k, r]) => [k, toProtoSchema(r.schema)])),
        dataSourceSchemas: Object.fromEntries([...dataSources].map(([k, d]) => [k, toProtoSchema(d.schema)])),
        ephemeralResourceSchemas: Object.fromEntries([...ephemeralResources].map(([k, e]) => [k, toProtoSchema(e.schema)])),
        functions: functionMessages(),
        serverCapabilities,
      });
    },

    async getResourceIdentitySchemas(): Promise<pb.GetResourceIdentitySchemas_Response> {
      return create(pb.GetResourceIdentitySchemas_ResponseSchema, {});
    },

    async getFunctions(): Promise<pb.GetFunctions_Response> {
      return create(pb.GetFunctions_ResponseSchema, { functions: functionMessages() });
    },

    async validateProviderConfig(request: pb.ValidateProviderConfig_Request): Promise<pb.ValidateProviderConfig_Response> {
      const diagnostics = new Diagnostics();
      try {
        const config = decodeDynamic(providerType, request.config, 'provider config') as ObjectValue;
        validateAttributes(definition.schema.block, config, diagnostics);
        definition.validateConfig?.(config, diagnostics);
      } catch (error) {
        report(diagnostics, error, 'provider config validation');
      }
      return create(pb.ValidateProviderConfig_ResponseSchema, { diagnostics: toProtoDiagnostics(diagnostics) });
    },

    async validateResourceConfig(request: pb.ValidateResourceConfig_Request): Promise<pb.ValidateResourceConfig_Response> {
      const diagnostics = new Diagnostics();
      try {
        const r = resource(request.typeName);
        const caps = capabilities(request.clientCapabilities);
        const config = decodeDynamic(blockType(r.schema.block), request.config, 'resource config') as ObjectValue;
        validateAttributes(r.schema.block, config, diagnostics, caps);
        r.validate?.(config, diagnostics, caps);
      } catch (error) {
        report(diagnostics, error, `validation of ${request.typeName}`);
      }
      return create(pb.ValidateResourceConfig_ResponseSchema, { diagnostics: toProtoDiagnostics(diagnostics) });
    },

    async validateDataResourceConfig(request: pb.ValidateDataResourceConfig_Request): Promise<pb.ValidateDataResourceConfig_Response> {
      const diagnostics = new Diagnostics();
      try {
        const d = dataSource(request.typeName);
        const config = decodeDynamic(blockType(d.schema.block), request.config, 'data source config') as ObjectValue;
        validateAttributes(d.schema.block, config, diagnostics);
        d.validate?.(config, diagnostics);
      } catch (error) {
        report(diagnostics, error, `validation of ${request.typeName}`);
      }
      return create(pb.ValidateDataResourceConfig_ResponseSchema, { diagnostics: toProtoDiagnostics(diagnostics) });
    },

    async validateEphemeralResourceConfig(request: pb.ValidateEphemeralResourceConfig_Request): Promise<pb.ValidateEphemeralResourceConfig_Response> {
      const diagnostics = new Diagnostics();
      try {
        const e = ephemeralResource(request.typeName);
        const config = decodeDynamic(blockType(e.schema.block), request.config, 'ephemeral resource config') as ObjectValue;
        validateAttributes(e.schema.block, config, diagnostics);
        e.validate?.(config, diagnostics);
      } catch (error) {
        report(diagnostics, error, `validation of ${request.typeName}`);
      }
      return create(pb.ValidateEphemeralResourceConfig_ResponseSchema, { diagnostics: toProtoDiagnostics(diagnostics) });
    },

    async configureProvider(request: pb.ConfigureProvider_Request): Promise<pb.ConfigureProvider_Response> {
      const diagnostics = new Diagnostics();
      try {
        const config = decodeDynamic(providerType, request.config, 'provider config') as ObjectValue;
        const unknownAttributes = Object.keys(config)
          .filter((name) => !isWhollyKnown(config[name]))
          .sort();
        if (unknownAttributes.length > 0) {
          // Never configure with values Terraform does not know yet: the provider would
          // read them as unset ("missing endpoint") or build a client on a placeholder.
          configuration = { state: 'unknown', attributes: unknownAttributes };
          log('debug', 'provider configuration not known yet', { unknown: unknownAttributes });
        } else {
          const client = await definition.configure(config, diagnostics);
          configuration = client === undefined ? { state: 'unconfigured' } : { state: 'configured', client };
        }
      } catch (error) {
        report(diagnostics, error, 'provider configuration');
      }
      return create(pb.ConfigureProvider_ResponseSchema, { diagnostics: toProtoDiagnostics(diagnostics) });
    },

    async upgradeResourceState(request: pb.UpgradeResourceState_Request): Promise<pb.UpgradeResourceState_Response> {
      const diagnostics = new Diagnostics();
      let upgradedState: DynamicValueMessage | undefined;
      try {
        const r = resource(request.typeName);
        const type = blockType(r.schema.block);
        const raw = request.rawState?.json;
        if (!raw || raw.length === 0) {
          throw new ProviderError('Cannot upgrade state', 'the stored state has no JSON form; flatmap state from Terraform 0.11 is not supported');
        }
        const storedVersion = Number(request.version);
        if (storedVersion > r.schema.version) {
          throw new ProviderError(
            'State written by a newer provider',
            `the stored state has schema version ${request.version}, this provider knows up to ${r.schema.version}; upgrade the provider`,
          );
        }
        const parsed = parseJsonLossless(Buffer.from(raw).toString('utf8'));
        let stored: Record<string, unknown> = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
        if (storedVersion < r.schema.version && r.upgradeState) stored = r.upgradeState(storedVersion, stored);
        // Attributes the current schema does not have are discarded; missing ones become null.
        const known: Record<string, unknown> = {};
        const fields = type[1] as Record<string, CtyType>;
        for (const [k, v] of Object.entries(stored)) if (k in fields) known[k] = v;
        const state = nullWriteOnly(r.schema.block, decodeJsonValue(type, known) as ObjectValue);
        upgradedState = encodeDynamic(type, state);
      } catch (error) {
        report(diagnostics, error, `state upgrade of ${request.typeName}`);
      }
      return create(pb.UpgradeResourceState_ResponseSchema, { upgradedState, diagnostics: toProtoDiagnostics(diagnostics) });
    },

    async readResource(request: pb.ReadResource_Request): Promise<pb.ReadResource_Response> {
      const diagnostics = new Diagnostics();
      let newState: DynamicValueMessage | undefined = request.currentState;
      let outgoingPrivate = request.private;
      let deferred: pb.Deferred | undefined;
      try {
        const r = resource(request.typeName);
        const type = blockType(r.schema.block);
        const current = decodeDynamic(type, request.currentState, 'current state') as ObjectValue | null;
        if (current !== null) {
          if (configuration.state === 'unknown') {
            // Nothing can be read without the configured provider: keep the state as it is.
            if (request.clientCapabilities?.deferralAllowed) deferred = PROVIDER_CONFIG_UNKNOWN();
            else {
              diagnostics.warning(
                'Not refreshed: provider configuration not known yet',
                `${request.typeName} was not read from the service because ${unknownArguments(configuration.attributes)}; ` +
                  'this plan uses the last known state and does not show changes made outside Terraform. Plan again once they are known.',
              );
            }
          } else {
            const call = callContext(configuredClient(`reading ${request.typeName}`), diagnostics, request.private, `read of ${request.typeName}`);
            const next = await r.read(call.ctx, current);
            newState = encodeDynamic(type, next === null ? null : nullWriteOnly(r.schema.block, next));
            outgoingPrivate = call.outgoingPrivate();
          }
        }
      } catch (error) {
        report(diagnostics, error, `read of ${request.typeName}`);
      }
      return create(pb.ReadResource_ResponseSchema, { newState, private: outgoingPrivate, deferred, diagnostics: toProtoDiagnostics(diagnostics) });
    },

    async planResourceChange(request: pb.PlanResourceChange_Request): Promise<pb.PlanResourceChange_Response> {
      const diagnostics = new Diagnostics();
      let plannedState: DynamicValueMessage | undefined = request.proposedNewState;
      let plannedPrivate = request.priorPrivate;
      let deferred: pb.Deferred | undefined;
      const requiresReplace: pb.AttributePath[] = [];
      try {
        const r = resource(request.typeName);
        const type = blockType(r.schema.block);
        const prior = decodeDynamic(type, request.priorState, 'prior state') as ObjectValue | null;
        const config = decodeDynamic(type, request.config, 'config') as ObjectValue | null;
        if (config === null) {
          // Destroy: the planned state is null, nothing to decide.
          return create(pb.PlanResourceChange_ResponseSchema, { plannedState: request.proposedNewState, plannedPrivate: request.priorPrivate });
        }
        const plan = planObject(r.schema.block, prior, config);
        const slot = privateState(request.priorPrivate, `plan of ${request.typeName}`);
        if (r.modifyPlan) {
          const ctx: PlanContext<Client> = {
            client: configuration.state === 'configured' ? configuration.client : undefined,
            signal: stopController.signal,
            diagnostics,
            private: slot.private,
            setPrivate: slot.setPrivate,
          };
          const caps = capabilities(request.clientCapabilities);
          await r.modifyPlan(ctx, { prior, config, planned: plan.planned, requiresReplace: plan.requiresReplace, capabilities: caps });
        }
        if (configuration.state === 'unknown' && request.clientCapabilities?.deferralAllowed) deferred = PROVIDER_CONFIG_UNKNOWN();
        plannedState = encodeDynamic(type, plan.planned);
        plannedPrivate = slot.outgoing();
        for (const path of plan.requiresReplace) requiresReplace.push(toProtoPath(path));
      } catch (error) {
        report(diagnostics, error, `plan of ${request.typeName}`);
      }
      return create(pb.PlanResourceChange_ResponseSchema, {
        plannedState,
        requiresReplace,
        plannedPrivate,
        deferred,
        diagnostics: toProtoDiagnostics(diagnostics),
      });
    },

    async applyResourceChange(request: pb.ApplyResourceChange_Request): Promise<pb.ApplyResourceChange_Response> {
      const diagnostics = new Diagnostics();
      let newState: DynamicValueMessage | undefined;
      let outgoingPrivate = request.plannedPrivate;
      const r = resources.get(request.typeName);
      try {
        if (!r) throw new ProviderError('Unknown resource type', `this provider has no resource type "${request.typeName}"`);
        const type = blockType(r.schema.block);
        const prior = decodeDynamic(type, request.priorState, 'prior state') as ObjectValue | null;
        const planned = decodeDynamic(type, request.plannedState, 'planned state') as ObjectValue | null;
        const config = decodeDynamic(type, request.config, 'config') as ObjectValue | null;
        const what = planned === null ? 'deleting' : prior === null ? 'creating' : 'updating';
        const call = callContext(configuredClient(`${what} ${request.typeName}`), diagnostics, request.plannedPrivate, `apply of ${request.typeName}`);
        try {
          if (planned === null) {
            if (prior !== null) await r.delete(call.ctx, prior);
            newState = encodeDynamic(type, null);
          } else {
            const result =
              prior === null ? await r.create(call.ctx, planned, config ?? {}) : await r.update(call.ctx, prior, planned, config ?? {});
            const state = nullWriteOnly(r.schema.block, result);
            const unknownAt = findUnknownPath(state);
            if (unknownAt) throw new Error(`apply left ${formatPath(unknownAt)} unknown`);
            newState = encodeDynamic(type, state);
          }
        } finally {
          // What the resource recorded is kept even when it failed half-way.
          outgoingPrivate = call.outgoingPrivate();
        }
      } catch (error) {
        report(diagnostics, error, `apply of ${request.typeName}`);
        // On failure Terraform keeps what we return: the prior state, so nothing is forgotten.
        if (newState === undefined) newState = request.priorState;
      }
      return create(pb.ApplyResourceChange_ResponseSchema, {
        newState,
        private: outgoingPrivate,
        diagnostics: toProtoDiagnostics(diagnostics),
      });
    },

    async importResourceState(request: pb.ImportResourceState_Request): Promise<pb.ImportResourceState_Response> {
      const diagnostics = new Diagnostics();
      const importedResources: pb.ImportResourceState_ImportedResource[] = [];
      try {
        const r = resource(request.typeName);
        if (!r.importState) throw new ProviderError('Import not supported', `${request.typeName} cannot be imported`);
        const call = callContext(configuredClient(`importing ${request.typeName}`), diagnostics, undefined, `import of ${request.typeName}`);
        const state = await r.importState(call.ctx, request.id);
        if (state === null) {
          throw new ProviderError('Cannot import non-existent remote object', `no ${request.typeName} with id "${request.id}" exists`);
        }
        importedResources.push(
          create(pb.ImportResourceState_ImportedResourceSchema, {
            typeName: request.typeName,
            state: encodeDynamic(blockType(r.schema.block), nullWriteOnly(r.schema.block, state)),
            private: call.outgoingPrivate(),
          }),
        );
      } catch (error) {
        report(diagnostics, error, `import of ${request.typeName}`);
      }
      return create(pb.ImportResourceState_ResponseSchema, { importedResources, diagnostics: toProtoDiagnostics(diagnostics) });
    },

    async readDataSource(request: pb.ReadDataSource_Request): Promise<pb.ReadDataSource_Response> {
      const diagnostics = new Diagnostics();
      let state: DynamicValueMessage | undefined;
      let deferred: pb.Deferred | undefined;
      try {
        const d = dataSource(request.typeName);
        const type = blockType(d.schema.block);
        const config = decodeDynamic(type, request.config, 'config') as ObjectValue;
        if (configuration.state === 'unknown' && request.clientCapabilities?.deferralAllowed) {
          // Read later: what the configuration says is known, the rest is not yet.
          deferred = PROVIDER_CONFIG_UNKNOWN();
          state = encodeDynamic(type, planObject(d.schema.block, null, config).planned);
        } else {
          const client = clientIfKnown(`reading data source ${request.typeName}`);
          const result = await d.read({ client, signal: stopController.signal, diagnostics }, config);
          if (!isWhollyKnown(result)) throw new Error('data source returned unknown values');
          state = encodeDynamic(type, result);
        }
      } catch (error) {
        report(diagnostics, error, `read of data source ${request.typeName}`);
      }
      return create(pb.ReadDataSource_ResponseSchema, { state, deferred, diagnostics: toProtoDiagnostics(diagnostics) });
    },

    async openEphemeralResource(request: pb.OpenEphemeralResource_Request): Promise<pb.OpenEphemeralResource_Response> {
      const diagnostics = new Diagnostics();
      const response = create(pb.OpenEphemeralResource_ResponseSchema, {});
      try {
        const e = ephemeralResource(request.typeName);
        const type = blockType(e.schema.block);
        const config = decodeDynamic(type, request.config, 'ephemeral resource config') as ObjectValue;
        const unknownAt = findUnknownPath(config);
        const unknownProvider = configuration.state === 'unknown' ? configuration.attributes : null;
        if (unknownAt || unknownProvider) {
          // Terraform itself waits for apply while the config is unknown (so it should
          // never send one); a provider configuration not known yet is ours to defer.
          if (!request.clientCapabilities?.deferralAllowed) {
            throw unknownAt
              ? new ProviderError('Ephemeral resource config not known yet', `${request.typeName} cannot be opened while ${formatPath(unknownAt)} is unknown`, unknownAt)
              : new ProviderError('Provider configuration not known yet', `${request.typeName} cannot be opened because ${unknownArguments(unknownProvider!)}`);
          }
          response.deferred = unknownAt ? RESOURCE_CONFIG_UNKNOWN() : PROVIDER_CONFIG_UNKNOWN();
          response.result = encodeDynamic(type, planObject(e.schema.block, null, config).planned);
        } else {
          const ctx: EphemeralContext<Client> = { client: configuredClient(`opening ${request.typeName}`), signal: stopController.signal, diagnostics };
          const opened = await e.open(ctx, config);
          if (opened.renewAt && !e.renew) throw new Error(`${request.typeName} asked to be renewed but has no renew`);
          response.result = encodeEphemeral(type, opened.result, request.typeName);
          if (opened.renewAt) response.renewAt = timestampFromDate(opened.renewAt);
          if (opened.private !== undefined && opened.private !== null) response.private = encodePrivate(opened.private);
        }
      } catch (error) {
        response.result = undefined;
        report(diagnostics, error, `open of ${request.typeName}`);
      }
      response.diagnostics = toProtoDiagnostics(diagnostics);
      return response;
    },

    async renewEphemeralResource(request: pb.RenewEphemeralResource_Request): Promise<pb.RenewEphemeralResource_Response> {
      const diagnostics = new Diagnostics();
      const response = create(pb.RenewEphemeralResource_ResponseSchema, {});
      try {
        const e = ephemeralResource(request.typeName);
        if (!e.renew) throw new ProviderError('Renewal not supported', `${request.typeName} cannot be renewed`);
        const ctx: EphemeralContext<Client> = { client: configuredClient(`renewing ${request.typeName}`), signal: stopController.signal, diagnostics };
        const renewed = await e.renew(ctx, decodePrivate(request.private, `renew of ${request.typeName}`));
        if (renewed.renewAt) response.renewAt = timestampFromDate(renewed.renewAt);
        if (renewed.private === undefined) response.private = request.private;
        else if (renewed.private !== null) response.private = encodePrivate(renewed.private);
      } catch (error) {
        report(diagnostics, error, `renewal of ${request.typeName}`);
      }
      response.diagnostics = toProtoDiagnostics(diagnostics);
      return response;
    },

    async closeEphemeralResource(request: pb.CloseEphemeralResource_Request): Promise<pb.CloseEphemeralResource_Response> {
      const diagnostics = new Diagnostics();
      try {
        const e = ephemeralResource(request.typeName);
        if (e.close) {
          const ctx: EphemeralContext<Client> = { client: configuredClient(`closing ${request.typeName}`), signal: stopController.signal, diagnostics };
          await e.close(ctx, decodePrivate(request.private, `close of ${request.typeName}`));
        }
      } catch (error) {
        report(diagnostics, error, `close of ${request.typeName}`);
      }
      return create(pb.CloseEphemeralResource_ResponseSchema, { diagnostics: toProtoDiagnostics(diagnostics) });
    },

    async callFunction(request: pb.CallFunction_Request): Promise<pb.CallFunction_Response> {
      const f = functions.get(request.name);
      if (!f) return create(pb.CallFunction_ResponseSchema, { error: { text: `this provider has no function "${request.name}"` } });
      try {
        if (request.arguments.length !== f.parameters.length) {
          throw new FunctionCallError(`expected ${f.parameters.length} arguments, got ${request.arguments.length}`);
        }
        const args = f.parameters.map((p, i) => decodeDynamic(p.type, request.arguments[i], `argument ${p.name}`));
        args.forEach((a, i) => {
          if (a === null && !f.parameters[i].allowNull) throw new FunctionCallError(`argument "${f.parameters[i].name}" must not be null`, i);
        });
        return create(pb.CallFunction_ResponseSchema, { result: encodeDynamic(f.returnType, f.call(args)) });
      } catch (error) {
        const text = error instanceof Error ? error.message : String(error);
        const index = error instanceof FunctionCallError ? error.argumentIndex : undefined;
        return create(pb.CallFunction_ResponseSchema, {
          error: { text, functionArgument: index === undefined ? undefined : BigInt(index) },
        });
      }
    },

    async stopProvider(): Promise<pb.StopProvider_Response> {
      stopController.abort(new Error('Terraform asked the provider to stop'));
      stopController = new AbortController();
      return create(pb.StopProvider_ResponseSchema, { Error: '' });
    },
  };

  return { handlers: handlers as unknown as ProviderServer['handlers'] };
}

/**
 * An ephemeral result, encoded. Its values are never logged or echoed: a codec error
 * names the attribute only (the codec's own message may quote the value).
 */
function encodeEphemeral(type: CtyType, result: ObjectValue, typeName: string): DynamicValueMessage {
  const unknownAt = findUnknownPath(result);
  if (unknownAt) throw new Error(`${typeName} opened with ${formatPath(unknownAt)} unknown; an ephemeral result must be wholly known`);
  try {
    return encodeDynamic(type, result);
  } catch (error) {
    const at = error instanceof CtyCodecError && error.path.length > 0 ? ` at ${formatPath(error.path)}` : '';
    throw new Error(`${typeName} returned a result that does not match its schema${at}`);
  }
}
