/**
 * How the provider schema reads in generated text, shared by the docs (scripts/docs.ts)
 * and the cdktf bindings (scripts/generate-bindings.ts): one rendering of types,
 * defaults and attribute notes, so the two cannot tell a reader different things.
 *
 * A default is written once, as the schema's `default`; descriptions must not restate it.
 */
import { encodeJsonValue, typeFriendlyName, type CtyType } from '../../providers/runtime/cty';
import type { ProviderDefinition } from '../../providers/runtime/interfaces';
import type { AttributeSchema, Schema } from '../../providers/runtime/schema';

/** "string", "set of string", … */
export function typeName(t: CtyType): string {
  return typeFriendlyName(t);
}

/** The schema default as configuration would write it (JSON, which HCL reads the same), or null. */
export function defaultLiteral(a: AttributeSchema): string | null {
  return a.default === undefined ? null : encodeJsonValue(a.type, a.default);
}

/** What happens when the configuration leaves an optional argument unset (of a provider block, or of a resource or data source). */
export function unsetBehaviour(a: AttributeSchema, where: 'provider' | 'type'): string {
  const literal = defaultLiteral(a);
  if (literal !== null && where === 'provider') return `${literal} when unset`;
  if (literal !== null) return `${literal}: the provider plans this when the argument is unset, so removing it resets the service`;
  if (a.writeOnly) return 'not sent';
  if (a.optional && a.computed) return 'the value the service chooses';
  return 'unset (null)';
}

/** Facts about an attribute beyond its type, in the order the docs list them. */
export function attributeNotes(a: AttributeSchema): string[] {
  const notes: string[] = [];
  if (a.sensitive) notes.push('sensitive');
  if (a.writeOnly) notes.push('write-only, Terraform ≥ 1.11');
  if (a.forceNew) notes.push('changing it replaces the resource');
  if (a.deprecated !== undefined) notes.push(`deprecated: ${a.deprecated}`);
  return notes;
}

/** Arguments the configuration may set (required or optional), as opposed to read-only results. */
export function isSettable(a: AttributeSchema): boolean {
  return !!a.required || !!a.optional || a.default !== undefined;
}

/** Every kind of typed object a provider definition lists, and whether the bindings cover it. */
export const TYPE_KINDS = {
  resources: 'resource',
  dataSources: 'data source',
  ephemeralResources: 'ephemeral resource',
} as const;
export type TypeKind = (typeof TYPE_KINDS)[keyof typeof TYPE_KINDS];

export interface TypedSchema {
  kind: TypeKind;
  typeName: string;
  schema: Schema;
}

/**
 * The provider's typed schemas, read from the definition's lists. Ephemeral resources
 * are read where the definition has them (`ephemeralResources`), so the generators
 * need no change when that list appears.
 */
export function typedSchemas(provider: ProviderDefinition<unknown>): TypedSchema[] {
  const out: TypedSchema[] = [];
  for (const [key, kind] of Object.entries(TYPE_KINDS)) {
    const list = (provider as unknown as Record<string, { typeName: string; schema: Schema }[] | undefined>)[key] ?? [];
    for (const t of list) out.push({ kind, typeName: t.typeName, schema: t.schema });
  }
  return out;
}
