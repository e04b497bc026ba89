/**
 * Attribute paths for codec errors. The step shape matches tfplugin6 AttributePath
 * steps (and the runtime's diagnostics `PathStep`): a string is `attribute_name`, a
 * number is `element_key_int`, `{ key }` is `element_key_string`.
 */
export type CtyPathStep = string | number | { readonly key: string };
export type CtyPath = readonly CtyPathStep[];

/** `.redirect_uris[2]`, `.tags["env"]`; the empty path renders as "". */
export function formatCtyPath(path: CtyPath): string {
  let out = '';
  for (const step of path) {
    if (typeof step === 'number') out += `[${step}]`;
    else if (typeof step === 'string') out += `.${step}`;
    else out += `[${JSON.stringify(step.key)}]`;
  }
  return out;
}

/** A value that cannot be encoded or decoded; `path` says where. */
export class CtyCodecError extends Error {
  readonly path: CtyPathStep[];
  readonly detail: string;

  constructor(path: CtyPath, detail: string) {
    const where = formatCtyPath(path);
    super(where ? `${where}: ${detail}` : detail);
    this.name = 'CtyCodecError';
    this.path = [...path];
    this.detail = detail;
  }
}
