/**
 * Type JSON, as go-cty's Type.MarshalJSON / UnmarshalJSON (cty/json.go) define it:
 * compact, object attributes sorted (Go's encoding/json sorts map keys by bytes),
 * optional attributes as a sorted third element only when there are some.
 */
import {
  CtyTypeError,
  compareUtf8,
  typeEquals,
  typeFromJson,
  typeToJson,
  typeToJsonString,
  validateType,
  type CtyType,
} from '../../../../providers/runtime/cty';

describe('typeToJson', () => {
  const cases: [CtyType, string][] = [
    ['string', '"string"'],
    ['number', '"number"'],
    ['bool', '"bool"'],
    ['dynamic', '"dynamic"'],
    [['list', 'string'], '["list","string"]'],
    [['set', 'number'], '["set","number"]'],
    [['map', 'bool'], '["map","bool"]'],
    [['list', ['map', ['set', 'dynamic']]], '["list",["map",["set","dynamic"]]]'],
    [['object', { a: 'number' }], '["object",{"a":"number"}]'],
    [['object', { b: 'string', a: 'number' }], '["object",{"a":"number","b":"string"}]'],
    [['object', {}], '["object",{}]'],
    [['object', { b: 'string', a: 'number' }, ['b', 'a']], '["object",{"a":"number","b":"string"},["a","b"]]'],
    [['object', { a: 'number' }, []], '["object",{"a":"number"}]'],
    [['tuple', ['string', 'number']], '["tuple",["string","number"]]'],
    [['tuple', []], '["tuple",[]]'],
    [['object', { nested: ['list', ['object', { z: 'bool', y: ['tuple', ['string']] }]] }], '["object",{"nested":["list",["object",{"y":["tuple",["string"]],"z":"bool"}]]}]'],
  ];
  test.each(cases.map(([t, j]) => [j, t] as const))('%s', (json, t) => {
    const b = typeToJson(t);
    expect(Buffer.isBuffer(b)).toBe(true);
    expect(b.toString('utf8')).toBe(json);
    expect(typeToJsonString(t)).toBe(json);
  });

  test('attribute names are escaped like Go encoding/json (HTML-safe)', () => {
    expect(typeToJsonString(['object', { 'a<b>&"\\': 'string' }])).toBe('["object",{"a\\u003cb\\u003e\\u0026\\"\\\\":"string"}]');
    expect(typeToJsonString(['object', { 'x\n\u0001': 'string' }])).toBe('["object",{"x\\n\\u0001":"string"}]');
  });

  test('attribute names sort by UTF-8 bytes, not UTF-16 units', () => {
    // U+FFFD is ef bf bd, U+1F600 is f0 9f 98 80: FFFD first in bytes, but second in UTF-16
    expect(['\u{1F600}', '\uFFFD'].sort()).toEqual(['\u{1F600}', '\uFFFD']);
    expect(typeToJsonString(['object', { '\u{1F600}': 'bool', '\uFFFD': 'bool', Z: 'bool', a: 'bool' }])).toBe(
      '["object",{"Z":"bool","a":"bool","\uFFFD":"bool","\u{1F600}":"bool"}]',
    );
  });

  test('invalid types are rejected', () => {
    expect(() => typeToJson('strng' as CtyType)).toThrow(CtyTypeError);
    expect(() => typeToJson(['list'] as unknown as CtyType)).toThrow(CtyTypeError);
    expect(() => typeToJson(['object', { a: 'string' }, ['b']])).toThrow(/optional attribute "b" is not an attribute/);
    expect(() => validateType(['tuple', 'string'] as unknown as CtyType)).toThrow(CtyTypeError);
  });
});

describe('typeFromJson', () => {
  test('round-trips every form, from string or bytes', () => {
    const types: CtyType[] = [
      'string',
      'dynamic',
      ['list', 'string'],
      ['set', ['map', 'number']],
      ['object', { a: 'number', b: ['tuple', ['bool', 'dynamic']] }],
      ['object', { a: 'number', b: 'string' }, ['b']],
      ['tuple', []],
    ];
    for (const t of types) {
      expect(typeFromJson(typeToJsonString(t))).toEqual(t);
      expect(typeFromJson(typeToJson(t))).toEqual(t);
    }
  });

  test('accepts whitespace and any key order', () => {
    expect(typeFromJson(' [ "object" , { "b" : "string" , "a" : [ "list" , "bool" ] } ] ')).toEqual(['object', { b: 'string', a: ['list', 'bool'] }]);
  });

  test('an empty optional list is dropped', () => {
    expect(typeFromJson('["object",{"a":"string"},[]]')).toEqual(['object', { a: 'string' }]);
  });

  test('"__proto__" is an ordinary attribute name', () => {
    const t = typeFromJson('["object",{"__proto__":"string"}]');
    expect(Object.keys((t as ['object', Record<string, CtyType>])[1])).toEqual(['__proto__']);
    expect(typeToJsonString(t)).toBe('["object",{"__proto__":"string"}]');
  });

  test.each([
    ['"strin"', /invalid primitive type name "strin"/],
    ['"String"', /invalid primitive type name/],
    ['42', /invalid type description/],
    ['null', /invalid type description/],
    ['[]', /invalid complex type kind name/],
    ['["list"]', /invalid list type/],
    ['["list","string","x"]', /invalid list type/],
    ['["foo","string"]', /invalid complex type kind name "foo"/],
    ['["object",["a"]]', /attributes must be a JSON object/],
    ['["object",{"a":"string"},["b"]]', /optional attribute "b" is not an attribute/],
    ['["object",{"a":"string"},"a"]', /optional attributes must be an array of strings/],
    ['["object",{},[],1]', /unexpected extra data/],
    ['["tuple","string"]', /element types must be a JSON array/],
    ['["tuple",["string"],1]', /unexpected extra data/],
    ['["list",["map","nope"]]', /invalid primitive type name "nope"/],
    ['["list",', /invalid type JSON/],
  ])('rejects %s', (json, message) => {
    expect(() => typeFromJson(json)).toThrow(CtyTypeError);
    expect(() => typeFromJson(json)).toThrow(message);
  });
});

describe('typeEquals', () => {
  test('structural', () => {
    expect(typeEquals('string', 'string')).toBe(true);
    expect(typeEquals('string', 'number')).toBe(false);
    expect(typeEquals(['list', 'string'], ['list', 'string'])).toBe(true);
    expect(typeEquals(['list', 'string'], ['set', 'string'])).toBe(false);
    expect(typeEquals(['map', ['list', 'bool']], ['map', ['list', 'number']])).toBe(false);
    expect(typeEquals(['tuple', ['string']], ['tuple', ['string', 'string']])).toBe(false);
    expect(typeEquals(['tuple', ['string', 'bool']], ['tuple', ['string', 'bool']])).toBe(true);
    expect(typeEquals('dynamic', ['list', 'string'])).toBe(false);
  });

  test('objects: attribute order irrelevant, optional attributes compared as a set', () => {
    expect(typeEquals(['object', { a: 'string', b: 'number' }], ['object', { b: 'number', a: 'string' }])).toBe(true);
    expect(typeEquals(['object', { a: 'string' }], ['object', { a: 'string', b: 'number' }])).toBe(false);
    expect(typeEquals(['object', { a: 'string' }], ['object', { b: 'string' }])).toBe(false);
    expect(typeEquals(['object', { a: 'string', b: 'bool' }, ['a', 'b']], ['object', { a: 'string', b: 'bool' }, ['b', 'a']])).toBe(true);
    expect(typeEquals(['object', { a: 'string' }, ['a']], ['object', { a: 'string' }])).toBe(false);
    expect(typeEquals(['object', { a: 'string' }, []], ['object', { a: 'string' }])).toBe(true);
  });
});

describe('compareUtf8', () => {
  test('matches byte order of the UTF-8 encodings', () => {
    const words = ['b', 'a', 'ab', '', '\u00e9', 'z', '\uFFFD', '\u{1F600}', '\u{10000}', 'A'];
    const byBytes = [...words].sort((x, y) => Buffer.compare(Buffer.from(x, 'utf8'), Buffer.from(y, 'utf8')));
    expect([...words].sort(compareUtf8)).toEqual(byBytes);
  });
});
