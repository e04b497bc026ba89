/**
 * Diagnostics as Terraform shows them: a summary, a detail, and optionally the
 * attribute path the problem is about (so Terraform underlines the right line).
 */
export type PathStep = string | number | { key: string };
export type AttributePath = PathStep[];

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  severity: Severity;
  summary: string;
  detail: string;
  path?: AttributePath;
}

export class Diagnostics {
  readonly items: Diagnostic[] = [];

  error(summary: string, detail = '', path?: AttributePath): this {
    this.items.push({ severity: 'error', summary, detail, path });
    return this;
  }

  warning(summary: string, detail = '', path?: AttributePath): this {
    this.items.push({ severity: 'warning', summary, detail, path });
    return this;
  }
}

/**
 * An error a resource or client throws to stop an operation with a diagnostic.
 * Its message is shown to the user as-is, so it must never carry secrets.
 */
export class ProviderError extends Error {
  constructor(
    readonly summary: string,
    readonly detail = '',
    readonly path?: AttributePath,
  ) {
    super(detail ? `${summary}: ${detail}` : summary);
    this.name = 'ProviderError';
  }
}

/** "redirect_uris[2]" style rendering, for messages and logs. */
export function formatPath(path: AttributePath): string {
  let out = '';
  for (const step of path) {
    if (typeof step === 'number') out += `[${step}]`;
    else if (typeof step === 'string') out += out ? `.${step}` : step;
    else out += `[${JSON.stringify(step.key)}]`;
  }
  return out;
}
