/**
 * The schema model: what a provider declares, the rules a declaration must follow,
 * and the cty type Terraform encodes its values with. How it is sent in
 * GetProviderSchema is toproto.ts.
 */
import type { CtyType, CtyValue } from './cty';
import type { AttributePath, Diagnostics } from './diagnostics';
import type { ObjectValue } from './interfaces';

export type AttributeValidator = (value: CtyValue, path: AttributePath, diagnostics: Diagnostics) => void;

export interface AttributeSchema {
  type: CtyType;
  /** Markdown; also feeds the generated docs. */
  description: string;
  required?: boolean;
  optional?: boolean;
  computed?: boolean;
  sensitive?: boolean;
  /** Only in config, never in state (Terraform >= 1.11). */
  writeOnly?: boolean;
  /** The service cannot change it in place: a change plans a replacement. */
  forceNew?: boolean;
  /**
   * Planned when the configuration leaves the attribute null. Declaring one makes the
   * attribute optional+computed, so removing it from config resets the service value
   * instead of leaving a perpetual diff.
   */
  default?: CtyValue;
  /**
   * For computed attributes: the service may change the value on update, so an
   * update plans it unknown. Without it a computed value keeps its prior value.
   */
  changesOnUpdate?: boolean;
  /** Runs at validate time, on known values only. */
  validate?: AttributeValidator[];
  /**
   * Why the attribute is deprecated and what to use instead: shown in the schema's
   * description, and as a warning wherever a configuration sets it.
   */
  deprecated?: string;
}

export type NestingMode = 'single' | 'list' | 'set' | 'map' | 'group';

export interface NestedBlockSchema {
  nesting: NestingMode;
  block: BlockSchema;
  minItems?: number;
  maxItems?: number;
}

export interface BlockSchema {
  description: string;
  attributes: Record<string, AttributeSchema>;
  blocks?: Record<string, NestedBlockSchema>;
  deprecated?: boolean;
}

export interface Schema {
  version: number;
  block: BlockSchema;
}

export function isOptionalComputed(attribute: AttributeSchema): boolean {
  return attribute.default !== undefined || (!!attribute.optional && !!attribute.computed);
}

const blockTypes = new WeakMap<BlockSchema, CtyType>();

/** The object type Terraform encodes a block's values with (made once per block: every RPC needs it). */
export function blockType(block: BlockSchema): CtyType {
  let type = blockTypes.get(block);
  if (!type) blockTypes.set(block, (type = makeBlockType(block)));
  return type;
}

function makeBlockType(block: BlockSchema): CtyType {
  const attributes: Record<string, CtyType> = {};
  for (const [name, attribute] of Object.entries(block.attributes)) attributes[name] = attribute.type;
  for (const [name, nested] of Object.entries(block.blocks ?? {})) {
    const inner = blockType(nested.block);
    switch (nested.nesting) {
      case 'single':
      case 'group':
        attributes[name] = inner;
        break;
      case 'list':
        attributes[name] = ['list', inner];
        break;
      case 'set':
        attributes[name] = ['set', inner];
        break;
      case 'map':
        attributes[name] = ['map', inner];
        break;
    }
  }
  return ['object', attributes];
}

/** What a schema describes; write-only attributes exist in managed resources only. */
export type SchemaKind = 'provider' | 'resource' | 'data source' | 'ephemeral resource';

/**
 * Every attribute must be exactly one of required / optional / computed, with
 * optional+computed allowed; a mistake here is a provider bug, caught at start-up
 * by the schema tests rather than by Terraform at plan time.
 */
export function checkSchema(schema: Schema, where: string, kind: SchemaKind = 'resource'): void {
  const visit = (block: BlockSchema, prefix: string) => {
    for (const [name, a] of Object.entries(block.attributes)) {
      const path = `${where}.${prefix}${name}`;
      const oc = isOptionalComputed(a);
      const kinds = [a.required, a.optional || oc, a.computed || oc].filter(Boolean).length;
      if (a.required && (a.optional || a.computed || a.default !== undefined)) {
        throw new Error(`schema ${path}: required cannot be combined with optional, computed or default`);
      }
      if (kinds === 0) throw new Error(`schema ${path}: must be required, optional or computed`);
      if (a.writeOnly && (a.computed || a.default !== undefined)) {
        throw new Error(`schema ${path}: write-only attributes cannot be computed`);
      }
      if (a.writeOnly && kind === 'ephemeral resource') {
        throw new Error(`schema ${path}: write-only attributes exist in managed resources only, not in an ${kind}`);
      }
    }
    for (const [name, nested] of Object.entries(block.blocks ?? {})) visit(nested.block, `${prefix}${name}.`);
  };
  visit(schema.block, '');
}

/** A state as it may be returned to Terraform: write-only attributes are never in state. */
export function withoutWriteOnly(block: BlockSchema, state: ObjectValue): ObjectValue {
  const out = { ...state };
  for (const [name, attribute] of Object.entries(block.attributes)) if (attribute.writeOnly) out[name] = null;
  return out;
}
