/**
 * zod-validated construct props. Errors name the construct, the prop path, the
 * value received (secrets masked) and what was expected, and list every problem at
 * once so a user fixes them in one pass.
 */
import { z } from 'zod';
import { LIFETIME_LIMITS, lifetimeExpectation, shown, type LifetimeField, type ListProblem } from '../providers/qianfan/rules';
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

/**
 * Unresolved tokens (references to other resources) are checked by the provider at
 * plan time. A token can be a string, a number (Token.asNumber), a whole list
 * (Token.asList: an array holding one encoded element) or a resolvable object.
 */
export const isToken = (value: unknown): boolean => value !== undefined && value !== null && Token.isUnresolved(value);

/** True when the value at `path` in `props`, or a value on the way to it, is a token. */
function underToken(props: unknown, path: readonly PropertyKey[]): boolean {
  let value = props;
  for (const step of path) {
    if (isToken(value)) return true;
    if (value === null || typeof value !== 'object') return false;
    value = (value as Record<PropertyKey, unknown>)[step];
  }
  return isToken(value);
}

/** A string checked by one of the shared service rules, unless it is a token. */
export function ruled<T extends string = string>(rule: (value: string) => string | null): z.ZodType<T> {
  const schema = z.string().superRefine((value, ctx) => {
    if (isToken(value)) return;
    const problem = rule(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
  // The rule has checked the value (e.g. against an enum's values).
  return schema as unknown as z.ZodType<T>;
}

/** A token lifetime in whole seconds, within the service's limits for it. */
export function lifetimeSchema(field: LifetimeField) {
  const [min, max] = LIFETIME_LIMITS[field];
  const expected = lifetimeExpectation(field);
  return z.number({ error: expected }).int(expected).min(min, expected).max(max, expected).optional();
}

/**
 * `false`, or a value of `schema`, with the schema's own issues (a z.union would say
 * only "invalid input" about the whole object).
 */
export function falseOr<S extends z.ZodType>(schema: S): z.ZodType<false | z.infer<S>> {
  return z.custom<false | z.infer<S>>().superRefine((value, ctx) => {
    if (value === false) return;
    const result = schema.safeParse(value, { reportInput: true });
    if (!result.success) for (const issue of result.error.issues) ctx.addIssue({ ...issue } as never);
  });
}

/**
 * A list checked by one of the shared list rules (sizes, duplicates, combinations).
 * With tokens among the elements only the literal ones are checked, one by one.
 */
export function ruledList<T extends string = string>(rule: (values: string[]) => ListProblem[], element: (value: string) => string | null): z.ZodType<T[]> {
  const schema = z.array(z.string(), { error: 'expected a list of strings' }).superRefine((values, ctx) => {
    if (isToken(values)) return;
    if (values.some(isToken)) {
      values.forEach((v, i) => {
        const problem = isToken(v) ? null : element(v);
        if (problem) ctx.addIssue({ code: 'custom', message: problem, path: [i], input: v });
      });
      return;
    }
    for (const found of rule(values)) {
      ctx.addIssue({
        code: 'custom',
        message: found.problem,
        path: found.index === undefined ? [] : [found.index],
        input: found.index === undefined ? values : values[found.index],
        ...(found.got !== undefined ? { params: { got: found.got } } : {}),
      });
    }
  });
  // The rule has checked every element against the allowed values.
  return schema as unknown as z.ZodType<T[]>;
}

const MESSAGE_MAX = 300;

/** "problem; got value" for one zod issue: the rules' own wording, zod's lower-cased. */
export function issueMessage(issue: z.core.$ZodIssue, secret = false): string {
  const got = (issue as { params?: { got?: unknown } }).params?.got;
  const input = 'input' in issue ? issue.input : undefined;
  const suffix = typeof got === 'string' ? `; got ${got}` : 'input' in issue ? `; got ${input === undefined ? 'undefined' : shown(input, secret)}` : '';
  // The rules' own messages are written as they should read ("Yufu rejects …");
  // zod's built-in ones start with a capital ("Invalid option: …").
  const message = issue.code === 'custom' ? issue.message : lowerFirst(issue.message);
  // zod lists every unrecognized key: a file with 100,000 of them must not make a 2 MB message.
  return `${message.length > MESSAGE_MAX ? `${message.slice(0, MESSAGE_MAX - 3)}...` : message}${suffix}`;
}

export function parseProps<S extends z.ZodType>(
  schema: S,
  props: unknown,
  construct: string,
  secretPaths: string[] = [],
): z.infer<S> {
  const result = schema.safeParse(props, { reportInput: true });
  if (result.success) return result.data;
  // A token's value is unknown until apply: whatever the schema says about it is moot.
  const issues = result.error.issues.filter((issue) => !underToken(props, issue.path));
  // The prop schemas only check (no transforms or defaults), so the props are the data.
  if (issues.length === 0) return props as z.infer<S>;
  const seen = new Set<string>();
  const problems = issues.map((issue) => {
    const path = issue.path.length === 0 ? 'props' : issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
    const secret = secretPaths.some((s) => path === s || path.startsWith(`${s}[`) || path.startsWith(`${s}.`));
    return { path, message: issueMessage(issue, secret) };
  }).filter((p) => {
    // .int() and .max() can both reject one number with the same text.
    const key = `${p.path}\n${p.message}`;
    return !seen.has(key) && !!seen.add(key);
  });
  throw new PropsError(construct, problems);
}

function lowerFirst(text: string): string {
  return text.length > 0 ? text[0].toLowerCase() + text.slice(1) : text;
}
