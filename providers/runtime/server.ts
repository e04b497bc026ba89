/**
 * The tfplugin6 Provider service, generic over a ProviderDefinition. Each handler
 * is a plain async function from request message to response message, so it can be
 * tested without gRPC; serve.ts binds them to the socket.
 */
import { create } from '@bufbuild/protobuf';
import {
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
  ObjectValue,
  ProviderDefinition,
  ResourceDefinition,
} from './interfaces';
import { FunctionCallError } from './interfaces';
import { log } from './log';
import { planObject } from './plan';
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

export function createProviderServer<Client>(definition: ProviderDefinition<Client>): ProviderServer {
  checkSchema(definition.schema, 'provider');
  const resources = new Map<string, ResourceDefinition<Client>>();
  const dataSources = new Map<string, DataSourceDefinition<Client>>();
  for (const r of definition.resources) {
    checkSchema(r.schema, r.typeName);
    resources.set(r.typeName, r);
  }
  for (const d of definition.dataSources) {
    checkSchema(d.schema, d.typeName);
    dataSources.set(d.typeName, d);
  }
  const functions = new Map(definition.functions.map((f) => [f.name, f]));
  const providerType = blockType(definition.schema.block);

  let client: Client | undefined;
  let stopController = new AbortController();

  function context(diagnostics: Diagnostics): CallContext<Client> {
    if (client === undefined) {
      throw new ProviderError('Provider not configured', 'Terraform called an operation before ConfigureProvider succeeded.');
    }
    return { client, signal: stopController.signal, diagnostics };
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

  const handlers = {
    async getMetadata(): Promise<pb.GetMetadata_Response> {
      return create(pb.GetMetadata_ResponseSchema, {
        serverCapabilities: { planDestroy: false, getProviderSchemaOptional: false, moveResourceState: false },
        resources: [...resources.keys()].map((typeName) => ({ typeName })),
        dataSources: [...dataSources.keys()].map((typeName) => ({ typeName })),
        functions: [...functions.keys()].map((name) => ({ name })),
      });
    },

    async getProviderSchema(): Promise<pb.GetProviderSchema_Response> {
      return create(pb.GetProviderSchema_ResponseSchema, {
        provider: toProtoSchema(definition.schema),
        resourceSchemas: Object.fromEntries([...resources].map(([k, r]) => [k, toProtoSchema(r.schema)])),
        dataSourceSchemas: Object.fromEntries([...dataSources].map(([k, d]) => [k, toProtoSchema(d.schema)])),
        functions: functionMessages(),
        serverCapabilities: { planDestroy: false, getProviderSchemaOptional: false, moveResourceState: false },
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

    async configureProvider(request: pb.ConfigureProvider_Request): Promise<pb.ConfigureProvider_Response> {
      const diagnostics = new Diagnostics();
      try {
        const config = decodeDynamic(providerType, request.config, 'provider config') as ObjectValue;
        client = await definition.configure(config, diagnostics);
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
        if (Number(request.version) > r.schema.version) {
          throw new ProviderError(
            'State written by a newer provider',
            `the stored state has schema version ${request.version}, this provider knows up to ${r.schema.version}; upgrade the provider`,
          );
        }
        const parsed = parseJsonLossless(Buffer.from(raw).toString('utf8'));
        // Attributes a newer schema dropped are discarded; missing ones become null.
        const known: Record<string, unknown> = {};
        if (parsed && typeof parsed === 'object') {
          const fields = type[1] as Record<string, CtyType>;
          for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) if (k in fields) known[k] = v;
        }
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
      try {
        const r = resource(request.typeName);
        const type = blockType(r.schema.block);
        const current = decodeDynamic(type, request.currentState, 'current state') as ObjectValue | null;
        if (current !== null) {
          const next = await r.read(context(diagnostics), current);
          newState = encodeDynamic(type, next === null ? null : nullWriteOnly(r.schema.block, next));
        }
      } catch (error) {
        report(diagnostics, error, `read of ${request.typeName}`);
      }
      return create(pb.ReadResource_ResponseSchema, { newState, private: request.private, diagnostics: toProtoDiagnostics(diagnostics) });
    },

    async planResourceChange(request: pb.PlanResourceChange_Request): Promise<pb.PlanResourceChange_Response> {
      const diagnostics = new Diagnostics();
      let plannedState: DynamicValueMessage | undefined = request.proposedNewState;
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
        if (r.modifyPlan) {
          await r.modifyPlan(
            { client: client as Client, signal: stopController.signal, diagnostics },
            { prior, config, planned: plan.planned, requiresReplace: plan.requiresReplace, capabilities: capabilities(request.clientCapabilities) },
          );
        }
        plannedState = encodeDynamic(type, plan.planned);
        for (const path of plan.requiresReplace) requiresReplace.push(toProtoPath(path));
      } catch (error) {
        report(diagnostics, error, `plan of ${request.typeName}`);
      }
      return create(pb.PlanResourceChange_ResponseSchema, {
        plannedState,
        requiresReplace,
        plannedPrivate: request.priorPrivate,
        diagnostics: toProtoDiagnostics(diagnostics),
      });
    },

    async applyResourceChange(request: pb.ApplyResourceChange_Request): Promise<pb.ApplyResourceChange_Response> {
      const diagnostics = new Diagnostics();
      let newState: DynamicValueMessage | undefined;
      const r = resources.get(request.typeName);
      try {
        if (!r) throw new ProviderError('Unknown resource type', `this provider has no resource type "${request.typeName}"`);
        const type = blockType(r.schema.block);
        const prior = decodeDynamic(type, request.priorState, 'prior state') as ObjectValue | null;
        const planned = decodeDynamic(type, request.plannedState, 'planned state') as ObjectValue | null;
        const config = decodeDynamic(type, request.config, 'config') as ObjectValue | null;
        const ctx = context(diagnostics);
        if (planned === null) {
          if (prior !== null) await r.delete(ctx, prior);
          newState = encodeDynamic(type, null);
        } else {
          const result =
            prior === null ? await r.create(ctx, planned, config ?? {}) : await r.update(ctx, prior, planned, config ?? {});
          const state = nullWriteOnly(r.schema.block, result);
          const unknownAt = findUnknownPath(state);
          if (unknownAt) throw new Error(`apply left ${formatPath(unknownAt)} unknown`);
          newState = encodeDynamic(type, state);
        }
      } catch (error) {
        report(diagnostics, error, `apply of ${request.typeName}`);
        // On failure Terraform keeps what we return: the prior state, so nothing is forgotten.
        if (newState === undefined) newState = request.priorState;
      }
      return create(pb.ApplyResourceChange_ResponseSchema, {
        newState,
        private: request.plannedPrivate,
        diagnostics: toProtoDiagnostics(diagnostics),
      });
    },

    async importResourceState(request: pb.ImportResourceState_Request): Promise<pb.ImportResourceState_Response> {
      const diagnostics = new Diagnostics();
      const importedResources: pb.ImportResourceState_ImportedResource[] = [];
      try {
        const r = resource(request.typeName);
        if (!r.importState) throw new ProviderError('Import not supported', `${request.typeName} cannot be imported`);
        const state = await r.importState(context(diagnostics), request.id);
        if (state === null) {
          throw new ProviderError('Cannot import non-existent remote object', `no ${request.typeName} with id "${request.id}" exists`);
        }
        importedResources.push(
          create(pb.ImportResourceState_ImportedResourceSchema, {
            typeName: request.typeName,
            state: encodeDynamic(blockType(r.schema.block), nullWriteOnly(r.schema.block, state)),
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
      try {
        const d = dataSource(request.typeName);
        const type = blockType(d.schema.block);
        const config = decodeDynamic(type, request.config, 'config') as ObjectValue;
        const result = await d.read(context(diagnostics), config);
        if (!isWhollyKnown(result)) throw new Error('data source returned unknown values');
        state = encodeDynamic(type, result);
      } catch (error) {
        report(diagnostics, error, `read of data source ${request.typeName}`);
      }
      return create(pb.ReadDataSource_ResponseSchema, { state, diagnostics: toProtoDiagnostics(diagnostics) });
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
