/**
 * Conversions between cty values and the plain JS values the clients use. Numbers
 * stay exact: toNumber() refuses anything a JS number would round.
 */
import { CtyNumber, isUnknown, type CtyValue } from '../runtime/cty';
import type { AttributeSchema, BlockSchema } from '../runtime/schema';

export const str = (v: CtyValue | undefined): string | null => (typeof v === 'string' ? v : null);

export const bool = (v: CtyValue | undefined): boolean | null => (typeof v === 'boolean' ? v : null);

export const num = (v: CtyValue | undefined): number | null => (v instanceof CtyNumber ? v.toNumber() : null);

export const strings = (v: CtyValue | undefined): string[] | null =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : null;

export const number = (n: number): CtyNumber => CtyNumber.of(n);

export const known = (v: CtyValue | undefined): boolean => v !== undefined && v !== null && !isUnknown(v);

/** Small schema builders keep resource files about the resource, not the syntax. */
export const attr = {
  required: (type: AttributeSchema['type'], description: string, extra: Partial<AttributeSchema> = {}): AttributeSchema => ({
    type,
    description,
    required: true,
    ...extra,
  }),
  optional: (type: AttributeSchema['type'], description: string, extra: Partial<AttributeSchema> = {}): AttributeSchema => ({
    type,
    description,
    optional: true,
    ...extra,
  }),
  computed: (type: AttributeSchema['type'], description: string, extra: Partial<AttributeSchema> = {}): AttributeSchema => ({
    type,
    description,
    computed: true,
    ...extra,
  }),
};

/** The schema's declared defaults, by attribute name: the one place a default is written. */
export function schemaDefaults(block: BlockSchema): Record<string, CtyValue> {
  const out: Record<string, CtyValue> = {};
  for (const [name, a] of Object.entries(block.attributes)) if (a.default !== undefined) out[name] = a.default;
  return out;
}
