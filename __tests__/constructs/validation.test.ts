/**
 * parseProps / ruled / isToken: every problem at once, each naming the prop path,
 * the value received (secrets masked) and what was expected; unresolved tokens
 * (values known only at apply) are never judged at synthesis.
 */
import { z } from 'zod';
import { Fn } from '../../constructs/framework';
import { PropsError, isToken, parseProps, ruled } from '../../constructs/validation';

const noX = ruled((v) => (v.includes('x') ? 'Value must not contain "x" (Yufu says so)' : null));

const schema = z.object({
  name: noX,
  count: z.number().int('expected a whole number').max(10, 'expected a whole number').optional(),
  tags: z.array(noX).optional(),
  nested: z.object({ items: z.array(z.object({ label: noX })) }).optional(),
  token: z.string().optional(),
  kind: z.enum(['a', 'b']).optional(),
});

function problems(props: unknown, secretPaths: string[] = []): PropsError['problems'] {
  try {
    parseProps(schema, props, 'Thing "root/t"', secretPaths);
  } catch (error) {
    expect(error).toBeInstanceOf(PropsError);
    const e = error as PropsError;
    expect(e.construct).toBe('Thing "root/t"');
    for (const p of e.problems) expect(e.message).toContain(`  - ${p.path}: ${p.message}`);
    return e.problems;
  }
  throw new Error('expected a PropsError');
}

describe('parseProps', () => {
  test('valid props come back as parsed', () => {
    expect(parseProps(schema, { name: 'ok', count: 3 }, 'Thing')).toEqual({ name: 'ok', count: 3 });
  });

  test('every problem at once, with paths in prop syntax, the value received and what was expected', () => {
    const got = problems({ name: 'x', tags: ['ok', 'x'], nested: { items: [{ label: 'ok' }, { label: 'xx' }] }, kind: 'c' });
    expect(got).toEqual([
      { path: 'name', message: 'Value must not contain "x" (Yufu says so); got "x"' },
      { path: 'tags[1]', message: 'Value must not contain "x" (Yufu says so); got "x"' },
      { path: 'nested.items[1].label', message: 'Value must not contain "x" (Yufu says so); got "xx"' },
      { path: 'kind', message: expect.stringMatching(/^invalid option: expected one of "a"\|"b"; got "c"$/) },
    ]);
  });

  test('a missing required prop says "got undefined"', () => {
    expect(problems({})).toEqual([{ path: 'name', message: expect.stringMatching(/expected string.*; got undefined$/) }]);
  });

  test('one problem reported twice by two checks is listed once', () => {
    expect(problems({ name: 'ok', count: 10.5 })).toEqual([{ path: 'count', message: 'expected a whole number; got 10.5' }]);
  });

  test('values under a secret path are masked', () => {
    const got = problems({ name: 'hunter2-x' }, ['name']);
    expect(got[0].message).not.toContain('hunter2');
    expect(got[0].message).toContain('(9 characters, masked)');
  });
});

describe('tokens', () => {
  const stringToken = Fn.upper('a');
  const numberToken = Fn.lengthOf(['a']);
  const listToken = Fn.split(',', 'a,b');

  test('isToken recognises string, number and list tokens, and nothing else', () => {
    expect([isToken(stringToken), isToken(`https://${stringToken}/cb`), isToken(numberToken), isToken(listToken)]).toEqual([true, true, true, true]);
    expect([isToken('x'), isToken(1), isToken(['a']), isToken([]), isToken({}), isToken(null), isToken(undefined)]).toEqual([false, false, false, false, false, false, false]);
  });

  test('tokens pass whatever the schema expects of their value; problems beside them are still reported', () => {
    expect(parseProps(schema, { name: stringToken, count: numberToken, tags: listToken, kind: stringToken }, 'Thing')).toMatchObject({ name: stringToken });
    expect(problems({ name: stringToken, tags: [stringToken, 'x'], count: numberToken })).toEqual([
      { path: 'tags[1]', message: 'Value must not contain "x" (Yufu says so); got "x"' },
    ]);
  });
});
