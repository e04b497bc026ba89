/**
 * The generic planning rules, so that every resource gets them right:
 * configured values pass through unchanged, defaults fill optional+computed
 * attributes, computed values are unknown on create and keep their prior value on
 * update (unless declared to change), write-only values are never planned, and a
 * change to a force-new attribute plans a replacement.
 */
import { isUnknown, unknown, valueEquals, type CtyType, type CtyValue } from './cty';
import type { ObjectValue } from './interfaces';
import { blockType, isOptionalComputed, type BlockSchema } from './schema';

export interface GenericPlan {
  planned: ObjectValue;
  requiresReplace: string[][];
}

export function planObject(block: BlockSchema, prior: ObjectValue | null, config: ObjectValue): GenericPlan {
  const planned: ObjectValue = {};
  const requiresReplace: string[][] = [];

  // First the attributes users set: they decide whether this is an update at all.
  for (const [name, attribute] of Object.entries(block.attributes)) {
    if (attribute.computed && !attribute.optional && attribute.default === undefined) continue;
    const configured = config[name] ?? null;
    let value: CtyValue;
    if (attribute.writeOnly) value = null;
    else if (configured !== null) value = configured;
    else if (attribute.default !== undefined) value = attribute.default;
    else if (isOptionalComputed(attribute)) value = prior ? (prior[name] ?? null) : unknown();
    else value = null;
    planned[name] = value;
  }
  for (const name of Object.keys(block.blocks ?? {})) planned[name] = config[name] ?? null;

  // Compared by type, nested blocks included: a set in another order or an equal
  // number in another form is no change, and a map block's entries count.
  const types = (blockType(block) as ['object', Record<string, CtyType>])[1];
  const changed = prior !== null && Object.keys(planned).some((name) => !valueEquals(types[name], prior[name] ?? null, planned[name]));

  for (const [name, attribute] of Object.entries(block.attributes)) {
    if (!(attribute.computed && !attribute.optional && attribute.default === undefined)) continue;
    if (prior === null) planned[name] = unknown();
    else planned[name] = changed && attribute.changesOnUpdate ? unknown() : (prior[name] ?? null);
  }

  if (prior !== null) {
    for (const [name, attribute] of Object.entries(block.attributes)) {
      if (!attribute.forceNew) continue;
      const next = planned[name];
      if (isUnknown(next) || !valueEquals(attribute.type, prior[name] ?? null, next)) requiresReplace.push([name]);
    }
  }
  return { planned, requiresReplace };
}
