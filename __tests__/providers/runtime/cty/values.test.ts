import {
  CtyNumber,
  DynamicValue,
  Unknown,
  firstUnknownPath,
  isUnknown,
  isWhollyKnown,
  setDedupe,
  setEquals,
  unknown,
  valueEquals,
  type CtyPathStep,
  type CtyType,
  type CtyValue,
} from '../../../../providers/runtime/cty';

const n = (x: number | string) => CtyNumber.of(x);

describe('unknown', () => {
  test('singleton and refined instances', () => {
    expect(unknown()).toBe(unknown());
    expect(isUnknown(unknown())).toBe(true);
    expect(isUnknown(null)).toBe(false);
    expect(isUnknown('x')).toBe(false);
    const r = Unknown.refined(Uint8Array.of(0x81, 0x01, 0xc2));
    expect(isUnknown(r)).toBe(true);
    expect(r.isRefined).toBe(true);
    expect(unknown().isRefined).toBe(false);
  });
});

describe('isWhollyKnown', () => {
  test.each([
    [null, true],
    ['x', true],
    [n(1), true],
    [[], true],
    [['a', null], true],
    [{ a: { b: [n(1)] } }, true],
    [new Map([['k', 'v']]), true],
    [new DynamicValue('string', 'x'), true],
    [unknown(), false],
    [['a', unknown()], false],
    [{ a: { b: [n(1), unknown()] } }, false],
    [new Map([['k', unknown()]]), false],
    [new DynamicValue(['list', 'string'], [unknown()]), false],
  ])('%p → %p', (v, known) => {
    expect(isWhollyKnown(v)).toBe(known);
  });
});

describe('valueEquals', () => {
  test('primitives', () => {
    expect(valueEquals('string', 'a', 'a')).toBe(true);
    expect(valueEquals('string', 'a', 'b')).toBe(false);
    expect(valueEquals('string', '\u00e9', 'e\u0301')).toBe(true); // NFC
    expect(valueEquals('number', n('1.0'), n(1))).toBe(true);
    expect(valueEquals('number', n('0.1'), n('0.11'))).toBe(false);
    expect(valueEquals('bool', true, false)).toBe(false);
    expect(valueEquals('string', null, null)).toBe(true);
    expect(valueEquals('string', null, '')).toBe(false);
    expect(valueEquals('string', undefined, null)).toBe(true);
  });

  test('unknowns are equal only to unknowns with the same refinements', () => {
    expect(valueEquals('string', unknown(), unknown())).toBe(true);
    expect(valueEquals('string', unknown(), 'x')).toBe(false);
    expect(valueEquals('string', unknown(), null)).toBe(false);
    expect(valueEquals('string', Unknown.refined(Uint8Array.of(0x81, 0x01, 0xc2)), unknown())).toBe(false);
  });

  test('collections', () => {
    expect(valueEquals(['list', 'string'], ['a', 'b'], ['a', 'b'])).toBe(true);
    expect(valueEquals(['list', 'string'], ['a', 'b'], ['b', 'a'])).toBe(false);
    expect(valueEquals(['set', 'string'], ['a', 'b'], ['b', 'a'])).toBe(true);
    expect(valueEquals(['set', 'string'], ['a', 'b', 'a'], ['b', 'a'])).toBe(true);
    expect(valueEquals(['set', 'string'], ['a'], ['a', 'b'])).toBe(false);
    expect(valueEquals(['map', 'number'], new Map([['a', n(1)], ['b', n(2)]]), new Map([['b', n('2.0')], ['a', n(1)]]))).toBe(true);
    expect(valueEquals(['map', 'number'], new Map([['a', n(1)]]), { a: n(1) })).toBe(true);
    expect(valueEquals(['map', 'number'], new Map([['a', n(1)]]), new Map([['a', n(1)], ['b', n(1)]]))).toBe(false);
    expect(valueEquals(['tuple', ['string', 'bool']], ['a', true], ['a', true])).toBe(true);
  });

  test('objects: missing attribute counts as null', () => {
    const t: CtyType = ['object', { a: 'string', b: ['set', 'number'] }];
    expect(valueEquals(t, { a: 'x', b: [n(1), n(2)] }, { b: [n(2), n(1)], a: 'x' })).toBe(true);
    expect(valueEquals(t, { a: 'x', b: null }, { a: 'x' })).toBe(true);
    expect(valueEquals(t, { a: 'x', b: [] }, { a: 'x' })).toBe(false);
  });

  test('dynamic compares the type too', () => {
    expect(valueEquals('dynamic', new DynamicValue('string', 'x'), new DynamicValue('string', 'x'))).toBe(true);
    expect(valueEquals('dynamic', new DynamicValue('string', '1'), new DynamicValue('number', n(1)))).toBe(false);
    expect(valueEquals('dynamic', new DynamicValue('string', null), null)).toBe(false);
    expect(valueEquals('dynamic', null, null)).toBe(true);
  });

  test('non-conforming values throw', () => {
    expect(() => valueEquals('string', n(1), 'x')).toThrow(TypeError);
  });
});

describe('sets', () => {
  test('setEquals ignores order', () => {
    expect(setEquals(['object', { k: 'string' }], [{ k: 'a' }, { k: 'b' }], [{ k: 'b' }, { k: 'a' }])).toBe(true);
    expect(setEquals('number', [n(1)], [n(2)])).toBe(false);
  });
  test('setDedupe keeps the first of equal known elements and every unknown', () => {
    expect(setDedupe('number', [n(1), n('1.0'), n(2)]).map(String)).toEqual(['1', '2']);
    expect(setDedupe('string', [unknown(), unknown(), 'a', 'a'])).toEqual([unknown(), unknown(), 'a']);
  });
});

describe('firstUnknownPath', () => {
  const u = unknown();
  test.each([
    ['null', null, null],
    ['a known string', 'x', null],
    ['a known number', n(1), null],
    ['the value itself', u, []],
    ['an object attribute', { a: 'x', b: u }, ['b']],
    ['a list element', ['x', 'y', u], [2]],
    ['a map entry', new Map([['k', u]]), [{ key: 'k' }]],
    ['inside a dynamic value', new DynamicValue(['list', 'string'], ['a', u]), [1]],
    ['deep: object → list → map', { outer: [null, new Map([['env', u]])] }, ['outer', 1, { key: 'env' }]],
    ['the first of two, depth first', { a: [u], b: u }, ['a', 0]],
    ['a wholly known nest', { a: [new Map([['k', n(2)]])] }, null],
  ] as [string, CtyValue, CtyPathStep[] | null][])('%s', (_what, value, path) => {
    expect(firstUnknownPath(value)).toEqual(path);
  });
});
