/**
 * From the runtime's own forms to the wire: cty values to DynamicValue (always
 * msgpack), attribute paths, diagnostics, schemas and function signatures, deferral
 * reasons, timestamps. The reverse direction is fromproto.ts.
 */
import { create } from '@bufbuild/protobuf';
import { timestampFromDate, type Timestamp } from '@bufbuild/protobuf/wkt';
import { encodeValue, typeToJson, type CtyType, type CtyValue } from './cty';
import type { AttributePath, Diagnostics } from './diagnostics';
import type { FunctionDefinition } from './interfaces';
import { isOptionalComputed, type AttributeSchema, type BlockSchema, type NestingMode, type Schema } from './schema';
import * as pb from './gen/tfplugin6_pb';

export function dynamicValue(type: CtyType, value: CtyValue): pb.DynamicValue {
  return create(pb.DynamicValueSchema, { msgpack: encodeValue(type, value) });
}

export function attributePath(path: AttributePath): pb.AttributePath {
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

export function diagnostics(collected: Diagnostics): pb.Diagnostic[] {
  return collected.items.map((d) =>
    create(pb.DiagnosticSchema, {
      severity: d.severity === 'error' ? pb.Diagnostic_Severity.ERROR : pb.Diagnostic_Severity.WARNING,
      summary: d.summary,
      detail: d.detail,
      attribute: d.path && d.path.length > 0 ? attributePath(d.path) : undefined,
    }),
  );
}

export function deferred(reason: 'provider config unknown' | 'resource config unknown'): pb.Deferred {
  return create(pb.DeferredSchema, {
    reason: reason === 'provider config unknown' ? pb.Deferred_Reason.PROVIDER_CONFIG_UNKNOWN : pb.Deferred_Reason.RESOURCE_CONFIG_UNKNOWN,
  });
}

export function timestamp(date: Date): Timestamp {
  return timestampFromDate(date);
}

const NESTING: Record<NestingMode, pb.Schema_NestedBlock_NestingMode> = {
  single: pb.Schema_NestedBlock_NestingMode.SINGLE,
  list: pb.Schema_NestedBlock_NestingMode.LIST,
  set: pb.Schema_NestedBlock_NestingMode.SET,
  map: pb.Schema_NestedBlock_NestingMode.MAP,
  group: pb.Schema_NestedBlock_NestingMode.GROUP,
};

/**
 * The description Terraform shows (in `terraform providers schema`, editors and the
 * registry docs): a deprecated attribute's message is appended, since the protocol
 * itself carries only a flag.
 */
export function attributeDescription(a: AttributeSchema): string {
  if (a.deprecated === undefined) return a.description;
  const note = `**Deprecated:** ${a.deprecated}`;
  return a.description ? `${a.description}\n\n${note}` : note;
}

function attribute(name: string, a: AttributeSchema): pb.Schema_Attribute {
  const oc = isOptionalComputed(a);
  return create(pb.Schema_AttributeSchema, {
    name,
    type: typeToJson(a.type),
    description: attributeDescription(a),
    descriptionKind: pb.StringKind.MARKDOWN,
    required: !!a.required,
    optional: !!a.optional || oc,
    computed: !!a.computed || oc,
    sensitive: !!a.sensitive,
    writeOnly: !!a.writeOnly,
    deprecated: a.deprecated !== undefined,
  });
}

function block(b: BlockSchema, version: number): pb.Schema_Block {
  return create(pb.Schema_BlockSchema, {
    version: BigInt(version),
    description: b.description,
    descriptionKind: pb.StringKind.MARKDOWN,
    deprecated: !!b.deprecated,
    attributes: Object.entries(b.attributes)
      .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
      .map(([name, a]) => attribute(name, a)),
    blockTypes: Object.entries(b.blocks ?? {}).map(([typeName, nested]) =>
      create(pb.Schema_NestedBlockSchema, {
        typeName,
        nesting: NESTING[nested.nesting],
        block: block(nested.block, 0),
        minItems: BigInt(nested.minItems ?? 0),
        maxItems: BigInt(nested.maxItems ?? 0),
      }),
    ),
  });
}

export function schema(s: Schema): pb.Schema {
  return create(pb.SchemaSchema, { version: BigInt(s.version), block: block(s.block, s.version) });
}

export function functionSignature(f: FunctionDefinition): pb.Function {
  return create(pb.FunctionSchema, {
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
  });
}
