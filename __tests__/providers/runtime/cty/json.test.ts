/**
 * Terraform's JSON value forms (go-cty cty/json marshal.go / unmarshal.go): used for
 * RawState.json in UpgradeResourceState and for DynamicValue.json.
 */
import {
  CtyCodecError,
  CtyNumber,
  DynamicValue,
  JsonSyntaxError,
  decodeJsonText,
  decodeJsonValue,
  encodeJsonValue,
  parseJsonLossless,
  unknown,
  type CtyType,
  type CtyValue,
} from '../../../../providers/runtime/cty';

const n = (x: number | bigint | string) => CtyNumber.of(x);

function jsonError(t: CtyType, text: string): CtyCodecError {
  try {
    decodeJsonText(t, text);
  } catch (e) {
    expect(e).toBeInstanceOf(CtyCodecError);
    return e as CtyCodecError;
  }
  throw new Error('expected decodeJsonText to throw');
}

describe('parseJsonLossless', () => {
  test('numbers become exact CtyNumbers', () => {
    const v = parseJsonLossless('[0, -0, 1, 0.1, 18446744073709551617, 1e400, -1.5E-3, 9007199254740993]') as CtyNumber[];
    expect(v.every((x) => x instanceof CtyNumber)).toBe(true);
    expect(v.map(String)).toEqual(['0', '0', '1', '0.1', '18446744073709551617', '1' + '0'.repeat(400), '-0.0015', '9007199254740993']);
  });

  test('structures, literals, whitespace', () => {
    expect(parseJsonLossless(' { "a" : [ true , false , null , "x" ] , "b" : { } , "c" : [ ] } ')).toEqual({
      a: [true, false, null, 'x'],
      b: {},
      c: [],
    });
    expect(parseJsonLossless('"top"')).toBe('top');
    expect(parseJsonLossless(Buffer.from('{"k":"\u00e9"}', 'utf8'))).toEqual({ k: '\u00e9' });
  });

  test('string escapes', () => {
    expect(parseJsonLossless('"a\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\\u003c"')).toBe('a"b\\c/d\b\f\n\r\t\u00e9\u{1F600}<');
  });

  test('"__proto__" is an ordinary own key; duplicate keys keep the last', () => {
    const v = parseJsonLossless('{"__proto__": 1, "a": 1, "a": 2}') as Record<string, CtyNumber>;
    expect(Object.keys(v)).toEqual(['__proto__', 'a']);
    expect(String(v['__proto__'])).toBe('1');
    expect(String(v['a'])).toBe('2');
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
  });

  test.each([
    ['', /unexpected end/],
    ['01', /unexpected data after JSON value/],
    ['1.', /unexpected data/],
    ['.5', /unexpected character/],
    ['+1', /unexpected character/],
    ['[1,]', /unexpected character/],
    ['{"a":1,}', /expected object key string/],
    ['{"a" 1}', /expected ':'/],
    ['[1 2]', /expected ',' or ']'/],
    ['"abc', /unterminated string/],
    ['"a\nb"', /control character in string/],
    ['"\\x"', /invalid escape/],
    ['"\\u12"', /invalid \\u escape/],
    ['tru', /invalid literal/],
    ['NaN', /unexpected character/],
    ['1e99999999999', /exponent/],
    ['[1] x', /unexpected data after JSON value/],
  ])('rejects %p', (text, message) => {
    expect(() => parseJsonLossless(text)).toThrow(JsonSyntaxError);
    expect(() => parseJsonLossless(text)).toThrow(message);
  });

  test('nesting depth is bounded', () => {
    expect(() => parseJsonLossless('['.repeat(2000) + ']'.repeat(2000))).toThrow(/nested too deeply/);
    expect(parseJsonLossless('['.repeat(500) + ']'.repeat(500))).toBeInstanceOf(Array);
  });
});

describe('decodeJsonValue / decodeJsonText', () => {
  const state: CtyType = [
    'object',
    {
      id: 'string',
      count: 'number',
      enabled: 'bool',
      redirect_uris: ['list', 'string'],
      scopes: ['set', 'string'],
      tags: ['map', 'string'],
      settings: ['object', { mode: 'string', level: 'number' }],
      pair: ['tuple', ['string', 'number']],
    },
  ];

  test('a full state object', () => {
    const v = decodeJsonText(
      state,
      '{"id":"app-1","count":18446744073709551617,"enabled":true,"redirect_uris":["https://a/","https://b/"],' +
        '"scopes":["openid","email"],"tags":{"env":"prod","__proto__":"x"},"settings":{"mode":"on","level":0.1},"pair":["p",2]}',
    ) as Record<string, CtyValue>;
    expect(v['id']).toBe('app-1');
    expect((v['count'] as CtyNumber).toBigInt()).toBe(18446744073709551617n);
    expect(v['enabled']).toBe(true);
    expect(v['redirect_uris']).toEqual(['https://a/', 'https://b/']);
    expect(v['scopes']).toEqual(['openid', 'email']);
    expect(v['tags']).toEqual(new Map([['env', 'prod'], ['__proto__', 'x']]));
    expect(v['settings']).toEqual({ mode: 'on', level: n('0.1') });
    expect(v['pair']).toEqual(['p', n(2)]);
  });

  test('omitted attributes decode as null (state JSON from an older schema)', () => {
    expect(decodeJsonText(state, '{"id":"x"}')).toEqual({
      id: 'x',
      count: null,
      enabled: null,
      redirect_uris: null,
      scopes: null,
      tags: null,
      settings: null,
      pair: null,
    });
    expect(decodeJsonText(['object', { a: ['object', { b: 'string' }] }], '{"a":{}}')).toEqual({ a: { b: null } });
  });

  test('null anywhere', () => {
    expect(decodeJsonText('string', 'null')).toBeNull();
    expect(decodeJsonText(['list', 'string'], '[null]')).toEqual([null]);
    expect(decodeJsonText('dynamic', 'null')).toBeNull();
  });

  test('attributes the type lacks are rejected with their path', () => {
    const e = jsonError(state, '{"id":"x","secret":"y"}');
    expect(e.message).toBe('.secret: unsupported attribute');
    expect(e.path).toEqual(['secret']);
    expect(jsonError(state, '{"settings":{"mode":"on","extra":1}}').message).toBe('.settings.extra: unsupported attribute');
  });

  test('primitive conversions as go-cty performs them', () => {
    expect(decodeJsonText('string', '12.50')).toBe('12.5');
    expect(decodeJsonText('string', 'true')).toBe('true');
    expect(decodeJsonText('number', '"0.1"')).toEqual(n('0.1'));
    expect(decodeJsonText('number', '"1e3"')).toEqual(n(1000));
    expect(decodeJsonText('bool', '"true"')).toBe(true);
    expect(decodeJsonText('bool', '"0"')).toBe(false);
    expect(decodeJsonText('string', '"e\\u0301"')).toBe('\u00e9');
  });

  test('kind errors carry the path', () => {
    expect(jsonError(state, '{"redirect_uris":["a","b",{}]}').message).toBe('.redirect_uris[2]: expected string, got object');
    expect(jsonError(state, '{"redirect_uris":["a","b",[]]}').message).toBe('.redirect_uris[2]: expected string, got array');
    expect(jsonError(state, '{"tags":{"env":[]}}').message).toBe('.tags["env"]: expected string, got array');
    expect(jsonError(state, '{"count":"many"}').message).toBe('.count: expected number, got string "many" that is not a decimal number');
    expect(jsonError(state, '{"enabled":"yes"}').message).toBe('.enabled: expected bool, got string "yes"');
    expect(jsonError(state, '{"enabled":1}').message).toBe('.enabled: expected bool, got number');
    expect(jsonError(state, '{"scopes":"openid"}').message).toBe('.scopes: expected set (JSON array), got string');
    expect(jsonError(state, '{"tags":[]}').message).toBe('.tags: expected map (JSON object), got array');
    expect(jsonError(state, '{"settings":[]}').message).toBe('.settings: expected object, got array');
    expect(jsonError(state, '{"pair":["a"]}').message).toBe('.pair: expected tuple of 2 elements, got 1');
    expect(jsonError(state, '[]').message).toBe('expected object, got array');
    expect(jsonError(state, '{').message).toMatch(/^invalid JSON: unexpected end of JSON input/);
  });

  test('dynamic values are {"value":…,"type":…}', () => {
    const v = decodeJsonText('dynamic', '{"value":["a"],"type":["list","string"]}');
    expect(v).toEqual(new DynamicValue(['list', 'string'], ['a']));
    expect(decodeJsonText('dynamic', '{"type":"number","value":1.5}')).toEqual(new DynamicValue('number', n('1.5')));
    expect(decodeJsonText('dynamic', '{"type":"string","value":null}')).toEqual(new DynamicValue('string', null));
    expect(decodeJsonText(['object', { d: 'dynamic' }], '{"d":{"value":{"k":true},"type":["map","bool"]}}')).toEqual({
      d: new DynamicValue(['map', 'bool'], new Map([['k', true]])),
    });
  });

  test('dynamic errors', () => {
    expect(jsonError('dynamic', '{"value":1}').message).toBe('missing type in dynamically-typed value');
    expect(jsonError('dynamic', '{"type":"number"}').message).toBe('missing value in dynamically-typed value');
    expect(jsonError('dynamic', '{"type":"number","value":1,"x":2}').message).toBe('invalid key "x" in dynamically-typed value');
    expect(jsonError('dynamic', '{"type":"nmber","value":1}').message).toMatch(/^failed to decode type for dynamic value: invalid primitive type name "nmber"/);
    expect(jsonError('dynamic', '"x"').message).toBe('expected dynamic value ({"value":…,"type":…}), got string');
    expect(jsonError(['list', 'dynamic'], '[{"type":"bool","value":"maybe"}]').message).toBe('[0]: expected bool, got string "maybe"');
  });

  test('plain JSON.parse output is accepted too', () => {
    expect(decodeJsonValue(['object', { a: 'number', b: ['list', 'bool'] }], JSON.parse('{"a":1.5,"b":[true]}'))).toEqual({
      a: n('1.5'),
      b: [true],
    });
  });
});

describe('encodeJsonValue', () => {
  test('primitives', () => {
    expect(encodeJsonValue('string', 'hi')).toBe('"hi"');
    expect(encodeJsonValue('string', null)).toBe('null');
    expect(encodeJsonValue('bool', false)).toBe('false');
    expect(encodeJsonValue('number', n('0.1'))).toBe('0.1');
    expect(encodeJsonValue('number', n(18446744073709551617n))).toBe('18446744073709551617');
    expect(encodeJsonValue('number', n('1e25'))).toBe('10000000000000000000000000');
    expect(encodeJsonValue('number', n('-1.50'))).toBe('-1.5');
  });

  test('Go encoding/json string escaping (HTML-safe, \\u2028)', () => {
    expect(encodeJsonValue('string', '<a href="x">&\u2028\n\t\u0000é')).toBe('"\\u003ca href=\\"x\\"\\u003e\\u0026\\u2028\\n\\t\\u0000é"');
  });

  test('objects: every attribute, sorted; maps sorted by bytes', () => {
    const t: CtyType = ['object', { b: 'string', a: ['map', 'number'], c: ['set', 'string'] }];
    expect(encodeJsonValue(t, { b: 'x', a: new Map([['z', n(1)], ['10', n(2)], ['2', n(3)]]) })).toBe('{"a":{"10":2,"2":3,"z":1},"b":"x","c":null}');
    expect(encodeJsonValue(['list', ['object', { k: 'bool' }]], [{ k: true }, { k: null }])).toBe('[{"k":true},{"k":null}]');
    expect(encodeJsonValue(['tuple', ['string', 'number']], ['a', n(1)])).toBe('["a",1]');
    expect(encodeJsonValue(['set', 'number'], [n(1), n('1.0'), n(2)])).toBe('[1,2]');
  });

  test('dynamic: {"value":…,"type":…} with value first, as go-cty writes it', () => {
    expect(encodeJsonValue('dynamic', new DynamicValue('string', 'hi'))).toBe('{"value":"hi","type":"string"}');
    expect(encodeJsonValue('dynamic', new DynamicValue(['object', { b: 'bool', a: 'number' }], { a: n(1), b: true }))).toBe(
      '{"value":{"a":1,"b":true},"type":["object",{"a":"number","b":"bool"}]}',
    );
    expect(encodeJsonValue('dynamic', new DynamicValue('string', null))).toBe('{"value":null,"type":"string"}');
    expect(encodeJsonValue('dynamic', null)).toBe('null');
  });

  test('unknown values cannot be encoded; errors name the path', () => {
    let err: unknown;
    try {
      encodeJsonValue(['object', { l: ['list', 'string'] }], { l: ['a', unknown()] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CtyCodecError);
    expect((err as CtyCodecError).message).toBe('.l[1]: value is not known (unknown values cannot be represented in JSON)');
    expect(() => encodeJsonValue('number', CtyNumber.POSITIVE_INFINITY)).toThrow('Infinity cannot be represented in JSON');
    expect(() => encodeJsonValue(['object', { a: 'string' }], { a: 'x', b: 'y' })).toThrow('.b: unsupported attribute');
  });

  test('round trip through text keeps big and decimal numbers exact', () => {
    const t: CtyType = ['object', { n: ['list', 'number'], m: ['map', 'string'] }];
    const text = '{"m":{"a":"b"},"n":[9007199254740993,0.1,1.0000000000000002220446049250313080847263336181640625]}';
    const v = decodeJsonText(t, text);
    expect(encodeJsonValue(t, v)).toBe(text);
  });
});
