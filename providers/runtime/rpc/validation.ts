/**
 * The validate RPCs: the schema's attribute validators on the known values, the
 * write-only and deprecation rules, then the definition's own validate hook. The
 * config may hold unknown values; only what is known is checked.
 */
import { create } from '@bufbuild/protobuf';
import { isUnknown } from '../cty';
import { Diagnostics } from '../diagnostics';
import type { ClientCapabilities, ObjectValue } from '../interfaces';
import * as fromproto from '../fromproto';
import type { ProviderServer } from '../provider-server';
import type { BlockSchema } from '../schema';
import * as pb from '../gen/tfplugin6_pb';
import { answer } from './answer';
import type { ServerState } from './state';

/** Runs the attribute rules on a config object; `capabilities` only where write-only attributes may appear. */
export function validateAttributes(block: BlockSchema, config: ObjectValue, diagnostics: Diagnostics, capabilities?: ClientCapabilities): void {
  for (const [name, attribute] of Object.entries(block.attributes)) {
    const value = config[name] ?? null;
    if (value === null) continue;
    if (attribute.deprecated !== undefined) diagnostics.warning('Deprecated argument', `"${name}" is deprecated: ${attribute.deprecated}`, [name]);
    // Checked for unknown values too: an engine without write-only support would
    // otherwise fail later with "Provider produced invalid plan".
    if (attribute.writeOnly && capabilities && !capabilities.writeOnlyAttributesAllowed) {
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

type ValidationRpcs = Pick<ProviderServer, 'validateProviderConfig' | 'validateResourceConfig' | 'validateDataResourceConfig' | 'validateEphemeralResourceConfig'>;

/** Decodes a config, runs the attribute rules on it, then the definition's own hook. */
function validateConfig(
  block: BlockSchema,
  message: pb.DynamicValue | undefined,
  what: string,
  diagnostics: Diagnostics,
  hook: ((config: ObjectValue) => void) | undefined,
  capabilities?: ClientCapabilities,
): void {
  const config = fromproto.objectValue(block, message, what) ?? {};
  validateAttributes(block, config, diagnostics, capabilities);
  hook?.(config);
}

export function validationRpcs<Client>({ definition, registry }: ServerState<Client>): ValidationRpcs {
  return {
    async validateProviderConfig(request) {
      return answer(create(pb.ValidateProviderConfig_ResponseSchema), 'provider config validation', (diagnostics) =>
        validateConfig(definition.schema.block, request.config, 'provider config', diagnostics, (c) => definition.validateConfig?.(c, diagnostics)),
      );
    },

    async validateResourceConfig(request) {
      return answer(create(pb.ValidateResourceConfig_ResponseSchema), `validation of ${request.typeName}`, (diagnostics) => {
        const r = registry.resource(request.typeName);
        const capabilities = fromproto.clientCapabilities(request.clientCapabilities);
        validateConfig(r.schema.block, request.config, 'resource config', diagnostics, (c) => r.validate?.(c, diagnostics, capabilities), capabilities);
      });
    },

    async validateDataResourceConfig(request) {
      return answer(create(pb.ValidateDataResourceConfig_ResponseSchema), `validation of ${request.typeName}`, (diagnostics) => {
        const d = registry.dataSource(request.typeName);
        validateConfig(d.schema.block, request.config, 'data source config', diagnostics, (c) => d.validate?.(c, diagnostics));
      });
    },

    async validateEphemeralResourceConfig(request) {
      return answer(create(pb.ValidateEphemeralResourceConfig_ResponseSchema), `validation of ${request.typeName}`, (diagnostics) => {
        const e = registry.ephemeralResource(request.typeName);
        validateConfig(e.schema.block, request.config, 'ephemeral resource config', diagnostics, (c) => e.validate?.(c, diagnostics));
      });
    },
  };
}
