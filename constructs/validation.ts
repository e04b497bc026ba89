/**
 * zod-validated construct props. Errors name the construct, the prop path, the
 * value received (secrets masked) and what was expected, and list every problem at
 * once so a user fixes them in one pass.
 */
import { z } from 'zod';
import { shown } from '../providers/qianfan/rules';
import { Token } from './framework';

export class PropsError extends Error {
  constructor(
    readonly construct: string,
    readonly problems: { path: string; message: string }[],
  ) {
    super(`invalid props for ${construct}:\n${problems.map((p) => `  - ${p.path}: ${p.message}`).join('\n')}`);
    this.name = 'PropsError';
  }
}

/** Unresolved tokens (references to other resources) are checked by the provider at plan time. */
export const isToken = (value: unknown): boolean => typeof value === 'string' && Token.isUnresolved(value);

/** A string checked by one of the shared service rules, unless it is a token. */
export function ruled(rule: (value: string) => string | null): z.ZodType<string> {
  return z.string().superRefine((value, ctx) => {
    if (isToken(value)) return;
    const problem = rule(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
}

export function parseProps<S extends z.ZodType>(
  schema: S,
  props: unknown,
  construct: string,
  secretPaths: string[] = [],
): z.infer<S> {
  const result = schema.safeParse(props, { reportInput: true });
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path = issue.path.length === 0 ? 'props' : issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
    const secret = secretPaths.some((s) => path === s || path.startsWith(`${s}[`) || path.startsWith(`${s}.`));
    const got = 'input' in issue ? `; got ${issue.input === undefined ? 'undefined' : shown(issue.input, secret)}` : '';
    return { path, message: `${lowerFirst(issue.message)}${got}` };
  });
  throw new PropsError(construct, problems);
}

function lowerFirst(text: string): string {
  return text.length > 0 ? text[0].toLowerCase() + text.slice(1) : text;
}
