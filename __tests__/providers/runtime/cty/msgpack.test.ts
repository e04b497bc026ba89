/**
 * go-cty msgpack wire rules. Every expected byte string below is written by hand from
 * the rules in go-cty cty/msgpack (marshal.go, unmarshal.go, unknown.go, dynamic.go) and
 * vmihailenco/msgpack v5's encoder (compact ints, float64 floats, str8 for 32..255 byte
 * strings, bin for the dynamic type JSON).
 */
import { decode as libDecode, encode as libEncode, ExtData, ExtensionCodec } from '@msgpack/msgpack';
import {
  CtyCodecError,
  CtyNumber,
  DynamicValue,
  Unknown,
  decodeValue,
  encodeValue,
  isUnknown,
  unknown,
  type CtyType,
  type CtyValue,
} from '../../../../providers/runtime/cty';

/** "d4 00 00" → Uint8Array */
function bytes(h: string): Uint8Array {
  const clean = h.replace(/\s+/g, '');
  if (!/^(?:[0-9a-f]{2})*$/.test(clean)) throw new Error(`bad hex in test: ${h}`);
  return Uint8Array.from(Buffer.from(clean, 'hex'));
}
const hexOf = (b: Uint8Array) => Buffer.from(b).toString('hex');
const enc = (t: CtyType, v: CtyValue) => hexOf(encodeValue(t, v));
const want = (h: string) => h.replace(/\s+/g, '');
/** hex of the UTF-8 bytes of an ASCII text, for readability of expectations */
const ascii = (s: string) => Buffer.from(s, 'ascii').toString('hex');
const n = (x: number | bigint | string) => CtyNumber.of(x);

function decodeError(t: CtyType, h: string): CtyCodecError {
  try {
    decodeValue(t, bytes(h));
  } catch (e) {
    expect(e).toBeInstanceOf(CtyCodecError);
    return e as CtyCodecError;
  }
  throw new Error('expected decodeValue to throw');
}

function encodeError(t: CtyType, v: CtyValue): CtyCodecError {
  try {
    encodeValue(t, v);
  } catch (e) {
    expect(e).toBeInstanceOf(CtyCodecError);
    return e as CtyCodecError;
  }
  throw new Error('expected encodeValue to throw');
}

describe('null and unknown', () => {
  const types: CtyType[] = ['string', 'number', 'bool', ['list', 'string'], ['set', 'number'], ['map', 'bool'], ['object', { a: 'string' }], ['tuple', ['string']], 'dynamic'];

  test.each(types.map((t) => [JSON.stringify(t), t] as const))('null %s is msgpack nil c0, both ways', (_name, t) => {
    expect(enc(t, null)).toBe('c0');
    expect(decodeValue(t, bytes('c0'))).toBeNull();
  });

  test.each(types.map((t) => [JSON.stringify(t), t] as const))('unknown %s is fixext1 type 0 (d4 00 00), both ways', (_name, t) => {
    expect(enc(t, unknown())).toBe('d40000');
    expect(decodeValue(t, bytes('d4 00 00'))).toBe(unknown());
  });

  test('any extension type and length decodes as a wholly unknown value', () => {
    for (const h of ['d4 00 00', 'd4 0c 00', 'd4 05 ff', 'd5 05 00 00', 'd6 7f 00 00 00 00', 'd7 01 00 00 00 00 00 00 00 00', 'd8 02' + ' 00'.repeat(16), 'c7 00 00', 'c7 00 0c', 'c8 00 01 03 aa', 'c9 00 00 00 02 ff 01 02']) {
      const v = decodeValue('string', bytes(h));
      expect(isUnknown(v)).toBe(true);
      expect((v as Unknown).refinements).toBeUndefined();
    }
  });

  test('refined unknown (ext 12 with a refinement map) decodes as unknown and keeps its payload', () => {
    // ext8, length 3, type 12, payload {1: false} = "definitely not null"
    const v = decodeValue('string', bytes('c7 03 0c 81 01 c2'));
    expect(isUnknown(v)).toBe(true);
    expect(hexOf((v as Unknown).refinements as Uint8Array)).toBe('8101c2');
    // sent back unchanged
    expect(enc('string', v)).toBe('c7030c8101c2');
    // string prefix refinement {1:false, 2:"ab"}: 6 bytes of payload
    const p = decodeValue('string', bytes('c7 07 0c 82 01 c2 02 a2 61 62'));
    expect(enc('string', p)).toBe('c7070c8201c202a26162');
  });

  test('refined unknown payload of exactly 4 bytes is re-sent as fixext4 (d6)', () => {
    // payload 81 05 cc 80 = {5: 128}: collection length lower bound 128
    const v = decodeValue(['list', 'string'], bytes('d6 0c 81 05 cc 80'));
    expect(hexOf((v as Unknown).refinements as Uint8Array)).toBe('8105cc80');
    expect(enc(['list', 'string'], v)).toBe('d60c8105cc80');
  });

  test('an empty or map-less ext 12 is a plain unknown, and an empty ext 12 is never emitted', () => {
    for (const h of ['d4 0c 80', 'c7 00 0c', 'c7 02 0c 80 00', 'd5 0c 01 02']) {
      const v = decodeValue('number', bytes(h));
      expect(v).toBe(unknown());
      expect(enc('number', v)).toBe('d40000');
    }
    expect(Unknown.refined(new Uint8Array(0))).toBe(unknown());
    expect(enc('string', Unknown.refined(new Uint8Array(0)))).toBe('d40000');
  });

  test('refinements are dropped for dynamic (cty.DynamicVal cannot be refined)', () => {
    expect(decodeValue('dynamic', bytes('c7 03 0c 81 01 c2'))).toBe(unknown());
    const refined = decodeValue('string', bytes('c7 03 0c 81 01 c2'));
    expect(enc('dynamic', refined)).toBe('d40000');
  });
});

describe('string', () => {
  test('fixstr, str8, str16 forms', () => {
    expect(enc('string', '')).toBe('a0');
    expect(enc('string', 'hi')).toBe('a26869');
    expect(enc('string', 'a'.repeat(31))).toBe('bf' + '61'.repeat(31));
    expect(enc('string', 'a'.repeat(32))).toBe('d920' + '61'.repeat(32));
    expect(enc('string', 'a'.repeat(255))).toBe('d9ff' + '61'.repeat(255));
    expect(enc('string', 'a'.repeat(256))).toBe('da0100' + '61'.repeat(256));
    expect(enc('string', 'a'.repeat(65536))).toBe('db00010000' + '61'.repeat(65536));
  });

  test('UTF-8 and NFC normalisation (cty strings are NFC)', () => {
    expect(enc('string', '玉符')).toBe('a6e78e89e7aca6');
    // "e" + COMBINING ACUTE ACCENT is sent as the precomposed U+00E9
    expect(enc('string', 'e\u0301')).toBe('a2c3a9');
    expect(decodeValue('string', bytes('a3 65 cc 81'))).toBe('\u00e9');
  });

  test('decodes str of every width and bin', () => {
    expect(decodeValue('string', bytes('a2 68 69'))).toBe('hi');
    expect(decodeValue('string', bytes('d9 02 68 69'))).toBe('hi');
    expect(decodeValue('string', bytes('da 00 02 68 69'))).toBe('hi');
    expect(decodeValue('string', bytes('db 00 00 00 02 68 69'))).toBe('hi');
    expect(decodeValue('string', bytes('c4 02 68 69'))).toBe('hi');
  });

  test('wrong kind names what was found', () => {
    expect(decodeError('string', '01').message).toBe('expected string, got integer');
    expect(decodeError('string', 'c3').message).toBe('expected string, got bool');
    expect(decodeError('string', 'cb 3f f8 00 00 00 00 00 00').message).toBe('expected string, got float');
    expect(decodeError('string', '90').message).toBe('expected string, got array');
    expect(decodeError('string', '80').message).toBe('expected string, got map');
  });

  test('encode rejects non-strings', () => {
    expect(encodeError('string', n(1)).message).toMatch(/^expected string, got number 1$/);
  });
});

describe('bool', () => {
  test('c2 / c3 both ways', () => {
    expect(enc('bool', true)).toBe('c3');
    expect(enc('bool', false)).toBe('c2');
    expect(decodeValue('bool', bytes('c3'))).toBe(true);
    expect(decodeValue('bool', bytes('c2'))).toBe(false);
  });
  test('integers are not bools', () => {
    expect(decodeError('bool', '01').message).toBe('expected bool, got integer');
    expect(decodeError('bool', 'a4 74 72 75 65').message).toBe('expected bool, got string');
  });
});

describe('number encoding (go-cty: int64 → int, exact float64 → float64, else decimal string)', () => {
  const cases: [string, CtyNumber, string][] = [
    ['0', n(0), '00'],
    ['-0', n(-0), '00'],
    ['1', n(1), '01'],
    ['127 (largest positive fixint)', n(127), '7f'],
    ['128 → uint8', n(128), 'cc 80'],
    ['255', n(255), 'cc ff'],
    ['256 → uint16', n(256), 'cd 01 00'],
    ['65535', n(65535), 'cd ff ff'],
    ['65536 → uint32', n(65536), 'ce 00 01 00 00'],
    ['2^32-1', n(4294967295), 'ce ff ff ff ff'],
    ['2^32 → uint64', n(4294967296), 'cf 00 00 00 01 00 00 00 00'],
    ['2^53+1 (beyond JS safe integers)', n(9007199254740993n), 'cf 00 20 00 00 00 00 00 01'],
    ['2^63-1 (int64 max)', n(9223372036854775807n), 'cf 7f ff ff ff ff ff ff ff'],
    ['-1 (negative fixint)', n(-1), 'ff'],
    ['-32', n(-32), 'e0'],
    ['-33 → int8', n(-33), 'd0 df'],
    ['-128', n(-128), 'd0 80'],
    ['-129 → int16', n(-129), 'd1 ff 7f'],
    ['-32768', n(-32768), 'd1 80 00'],
    ['-32769 → int32', n(-32769), 'd2 ff ff 7f ff'],
    ['-2^31', n(-2147483648), 'd2 80 00 00 00'],
    ['-2^31-1 → int64', n(-2147483649), 'd3 ff ff ff ff 7f ff ff ff'],
    ['-2^63 (int64 min)', n(-9223372036854775808n), 'd3 80 00 00 00 00 00 00 00'],
    ['1000 given as "1e3"', n('1e3'), 'cd 03 e8'],
    ['"5.0" is the integer 5', n('5.0'), '05'],
    ['1.5 → float64', n(1.5), 'cb 3f f8 00 00 00 00 00 00'],
    ['-0.5 → float64', n(-0.5), 'cb bf e0 00 00 00 00 00 00'],
    ['1.25 given as a string → float64 (exact binary fraction)', n('1.25'), 'cb 3f f4 00 00 00 00 00 00'],
    ['2^63 (past int64, exactly a double) → float64', n(9223372036854775808n), 'cb 43 e0 00 00 00 00 00 00'],
    ['2^64 → float64', n(18446744073709551616n), 'cb 43 f0 00 00 00 00 00 00'],
    ['1e20 (2^20·5^20, a double) → float64', n('100000000000000000000'), 'cb 44 15 af 1d 78 b5 8c 40'],
    ['2^-1074 (smallest subnormal) written out exactly → float64', n(decimalOfMinSubnormal()), 'cb 00 00 00 00 00 00 00 01'],
    ['+Infinity → float64', CtyNumber.POSITIVE_INFINITY, 'cb 7f f0 00 00 00 00 00 00'],
    ['-Infinity → float64', CtyNumber.NEGATIVE_INFINITY, 'cb ff f0 00 00 00 00 00 00'],
    ['0.1 → string "0.1"', n('0.1'), 'a3' + ascii('0.1')],
    ['0.1 from a JS number is still the decimal 0.1 → string', n(0.1), 'a3' + ascii('0.1')],
    ['-123.456 → string', n('-123.456'), 'a8' + ascii('-123.456')],
    ['2^64-1 (uint64 max: neither int64 nor a double) → string', n(18446744073709551615n), 'b4' + ascii('18446744073709551615')],
    ['1e23 (not a double) → string of 24 digits', n('1e23'), 'b8' + ascii('1' + '0'.repeat(23))],
    ['1e40 → str8 of 41 digits', n('1e40'), 'd9 29' + ascii('1' + '0'.repeat(40))],
  ];
  test.each(cases)('%s', (_name, value, hex) => {
    expect(enc('number', value)).toBe(want(hex));
  });

  test('encode requires a CtyNumber', () => {
    expect(encodeError('number', '1').message).toBe('expected number (CtyNumber), got string "1"');
  });
});

function decimalOfMinSubnormal(): string {
  // 2^-1074 = 5^1074 / 10^1074
  const digits = (5n ** 1074n).toString();
  return '0.' + '0'.repeat(1074 - digits.length) + digits;
}

describe('number decoding', () => {
  const cases: [string, string, string][] = [
    ['positive fixint', '2a', '42'],
    ['negative fixint', 'f6', '-10'],
    ['uint8', 'cc ff', '255'],
    ['uint16', 'cd 01 00', '256'],
    ['uint32', 'ce ff ff ff ff', '4294967295'],
    ['uint64 beyond 2^53', 'cf 00 20 00 00 00 00 00 01', '9007199254740993'],
    ['uint64 max', 'cf ff ff ff ff ff ff ff ff', '18446744073709551615'],
    ['int8', 'd0 80', '-128'],
    ['int16', 'd1 80 00', '-32768'],
    ['int32', 'd2 80 00 00 00', '-2147483648'],
    ['int64 min', 'd3 80 00 00 00 00 00 00 00', '-9223372036854775808'],
    ['small value in a wide form', 'd3 00 00 00 00 00 00 00 05', '5'],
    ['float64 1.5', 'cb 3f f8 00 00 00 00 00 00', '1.5'],
    ['float64 0.1 (exact value of the double, as cty.NumberFloatVal)', 'cb 3f b9 99 99 99 99 99 9a', '0.1000000000000000055511151231257827021181583404541015625'],
    ['float64 123.456 (exact)', 'cb 40 5e dd 2f 1a 9f be 77', '123.4560000000000030695446184836328029632568359375'],
    ['float64 2^63 (exact, not the padded shortest form 9223372036854776000)', 'cb 43 e0 00 00 00 00 00 00', '9223372036854775808'],
    ['float64 2^64', 'cb 43 f0 00 00 00 00 00 00', '18446744073709551616'],
    ['float64 -Infinity', 'cb ff f0 00 00 00 00 00 00', '-Infinity'],
    ['float32 1.5', 'ca 3f c0 00 00', '1.5'],
    ['float32 0.1 (widened to float64, exact)', 'ca 3d cc cc cd', '0.100000001490116119384765625'],
    ['decimal string', 'a3' + ascii('0.1'), '0.1'],
    ['decimal string beyond int64', 'b4' + ascii('18446744073709551617'), '18446744073709551617'],
    ['exponent string', 'a3' + ascii('1e3'), '1000'],
    ['negative decimal string', 'a5' + ascii('-2.50'), '-2.5'],
    ['decimal in bin', 'c4 03' + ascii('1.5'), '1.5'],
  ];
  test.each(cases)('%s', (_name, hex, text) => {
    const v = decodeValue('number', bytes(hex));
    expect(v).toBeInstanceOf(CtyNumber);
    expect((v as CtyNumber).toString()).toBe(text);
  });

  test('2^53+1 as uint64 round-trips to the exact bigint', () => {
    const v = decodeValue('number', bytes('cf 00 20 00 00 00 00 00 01')) as CtyNumber;
    expect(v.toBigInt()).toBe(9007199254740993n);
    expect(() => v.toNumber()).toThrow(RangeError);
    expect(enc('number', v)).toBe('cf00200000000000' + '01');
  });

  test('0.1 as the string "0.1" round-trips', () => {
    const v = decodeValue('number', bytes('a3 30 2e 31')) as CtyNumber;
    expect(v.toString()).toBe('0.1');
    expect(v.toNumber()).toBe(0.1);
    expect(enc('number', v)).toBe('a3302e31');
  });

  test('any float64 received goes back out as the identical float64', () => {
    for (const h of ['cb 3f b9 99 99 99 99 99 9a', 'cb 43 e0 00 00 00 00 00 00', 'cb 40 5e dd 2f 1a 9f be 77', 'cb 00 00 00 00 00 00 00 01', 'cb 3f f0 00 00 00 00 00 01']) {
      expect(enc('number', decodeValue('number', bytes(h)))).toBe(want(h));
    }
    // float32 comes back as the float64 of the same value
    expect(enc('number', decodeValue('number', bytes('ca 3d cc cc cd')))).toBe('cb3fb99999a0000000');
    // the exact double 0.1 still converts to the JS number 0.1
    expect((decodeValue('number', bytes('cb 3f b9 99 99 99 99 99 9a')) as CtyNumber).toNumber()).toBe(0.1);
  });

  test('errors', () => {
    expect(decodeError('number', 'a3 61 62 63').message).toBe('expected number, got string "abc" that is not a decimal number');
    expect(decodeError('number', 'c3').message).toBe('expected number, got bool');
    expect(decodeError('number', '90').message).toBe('expected number, got array');
    expect(decodeError('number', 'cb 7f f8 00 00 00 00 00 00').message).toBe('expected number, got NaN');
  });
});

describe('list and set', () => {
  test('empty list is 90 (never nil)', () => {
    expect(enc(['list', 'string'], [])).toBe('90');
    expect(decodeValue(['list', 'string'], bytes('90'))).toEqual([]);
  });

  test('list of null and strings', () => {
    expect(enc(['list', 'string'], [null, 'a'])).toBe('92c0a161');
    expect(decodeValue(['list', 'string'], bytes('92 c0 a1 61'))).toEqual([null, 'a']);
  });

  test('unknown elements inside a list', () => {
    expect(enc(['list', 'string'], ['a', unknown()])).toBe('92a161d40000');
    const v = decodeValue(['list', 'string'], bytes('92 a1 61 d4 00 00')) as CtyValue[];
    expect(v[0]).toBe('a');
    expect(v[1]).toBe(unknown());
  });

  test('array16 header from 16 elements', () => {
    const sixteen = Array.from({ length: 16 }, () => true);
    expect(enc(['list', 'bool'], sixteen)).toBe('dc0010' + 'c3'.repeat(16));
    expect(decodeValue(['list', 'bool'], bytes('dc 00 10' + ' c3'.repeat(16)))).toEqual(sixteen);
    expect(decodeValue(['list', 'bool'], bytes('dd 00 00 00 01 c2'))).toEqual([false]);
  });

  test('list of numbers of mixed wire forms', () => {
    const v = decodeValue(['list', 'number'], bytes('93 01 cb 3f f8 00 00 00 00 00 00 a3 30 2e 31')) as CtyNumber[];
    expect(v.map(String)).toEqual(['1', '1.5', '0.1']);
    expect(enc(['list', 'number'], v)).toBe('9301cb3ff8000000000000a3302e31');
  });

  test('set is an array; duplicates of known values collapse as in cty.SetVal', () => {
    expect(enc(['set', 'string'], ['a', 'b'])).toBe('92a161a162');
    expect(enc(['set', 'string'], ['a', 'b', 'a'])).toBe('92a161a162');
    expect(enc(['set', 'number'], [n('1.0'), n(1)])).toBe('9101');
    // unknown elements never merge
    expect(enc(['set', 'string'], [unknown(), unknown()])).toBe('92d40000d40000');
    expect(decodeValue(['set', 'string'], bytes('92 a1 62 a1 61'))).toEqual(['b', 'a']);
    expect(enc(['set', 'string'], [])).toBe('90');
  });

  test('path of a wrong element kind: .redirect_uris[2]', () => {
    const t: CtyType = ['object', { redirect_uris: ['list', 'string'] }];
    // {"redirect_uris": ["x", "y", 1]}
    const e = decodeError(t, '81 ad' + ascii('redirect_uris') + ' 93 a1 78 a1 79 01');
    expect(e.message).toBe('.redirect_uris[2]: expected string, got integer');
    expect(e.path).toEqual(['redirect_uris', 2]);
    expect(e.detail).toBe('expected string, got integer');
  });

  test('wrong container kinds', () => {
    expect(decodeError(['list', 'string'], '80').message).toBe('expected list, got map');
    expect(decodeError(['set', 'string'], 'a1 61').message).toBe('expected set, got string');
    expect(encodeError(['list', 'string'], 'x').message).toBe('expected list (array), got string "x"');
  });

  test('truncated arrays fail cleanly', () => {
    expect(decodeError(['list', 'string'], '93 a1 61').message).toBe('[1]: unexpected end of msgpack data');
    expect(decodeError(['list', 'string'], 'dd ff ff ff ff').message).toBe('[0]: unexpected end of msgpack data');
  });
});

describe('map', () => {
  const t: CtyType = ['map', 'number'];

  test('Map encodes with keys in byte order; decodes to a Map', () => {
    expect(enc(t, new Map([['b', n(1)], ['a', n(2)]]))).toBe('82a16102a16201');
    const v = decodeValue(t, bytes('82 a1 62 01 a1 61 02')) as Map<string, CtyNumber>;
    expect(v).toBeInstanceOf(Map);
    expect([...v.keys()]).toEqual(['b', 'a']);
    expect(v.get('a')?.toString()).toBe('2');
  });

  test('byte order, not JS object order: "10" sorts before "2"', () => {
    expect(enc(['map', 'bool'], new Map([['2', true], ['10', false]]))).toBe('82a23130c2a132c3');
    // a plain object is accepted on encode, same bytes
    expect(enc(['map', 'bool'], { '2': true, '10': false })).toBe('82a23130c2a132c3');
  });

  test('empty map 80; null map c0', () => {
    expect(enc(t, new Map())).toBe('80');
    expect(decodeValue(t, bytes('80'))).toEqual(new Map());
    expect(enc(t, null)).toBe('c0');
  });

  test('"__proto__" is an ordinary key', () => {
    const v = decodeValue(['map', 'string'], bytes('81 a9' + ascii('__proto__') + ' a1 78')) as Map<string, string>;
    expect(v.get('__proto__')).toBe('x');
    expect(enc(['map', 'string'], v)).toBe('81a9' + ascii('__proto__') + 'a178');
  });

  test('unknown map values and a map16 header', () => {
    expect(enc(['map', 'string'], new Map([['k', unknown()]]))).toBe('81a16bd40000');
    const m = new Map(Array.from({ length: 16 }, (_, i) => [String.fromCharCode(97 + i), null] as [string, CtyValue]));
    expect(enc(['map', 'string'], m)).toBe('de0010' + Array.from({ length: 16 }, (_, i) => 'a1' + (97 + i).toString(16) + 'c0').join(''));
  });

  test('errors name the key', () => {
    const e = decodeError(['map', 'string'], '81 a3' + ascii('env') + ' c3');
    expect(e.message).toBe('["env"]: expected string, got bool');
    expect(e.path).toEqual([{ key: 'env' }]);
    expect(decodeError(['map', 'string'], '81 01 a1 61').message).toBe('map keys must be strings, got integer');
    expect(decodeError(['map', 'string'], '82 a1 61 c0 a1 61 c0').message).toBe('["a"]: duplicate map key');
    expect(decodeError(['map', 'string'], '92 c0 c0').message).toBe('expected map, got array');
  });
});

describe('object', () => {
  const t: CtyType = ['object', { c: 'string', a: 'number', b: 'string' }];

  test('every attribute, keys in sorted order, nulls included', () => {
    // {"a": 1, "b": "x", "c": null}
    expect(enc(t, { b: 'x', a: n(1), c: null })).toBe('83a16101a162a178a163c0');
    expect(decodeValue(t, bytes('83 a1 61 01 a1 62 a1 78 a1 63 c0'))).toEqual({ a: n(1), b: 'x', c: null });
  });

  test('a missing attribute in the JS object is sent as null', () => {
    expect(enc(t, { a: n(1) })).toBe('83a16101a162c0a163c0');
  });

  test('decode accepts keys in any order', () => {
    expect(decodeValue(t, bytes('83 a1 63 c0 a1 62 a1 78 a1 61 01'))).toEqual({ a: n(1), b: 'x', c: null });
  });

  test('missing key is a decode error naming the attribute path', () => {
    const e = decodeError(t, '82 a1 61 01 a1 63 c0');
    expect(e.message).toBe('.b: attribute is missing (objects must carry every attribute, null included)');
    expect(e.path).toEqual(['b']);
    const nested: CtyType = ['object', { outer: ['object', { x: 'string', y: 'string' }] }];
    expect(decodeError(nested, '81 a5' + ascii('outer') + ' 81 a1 78 c0').message).toBe(
      '.outer.y: attribute is missing (objects must carry every attribute, null included)',
    );
    // an empty map is not an object with attributes
    expect(decodeError(t, '80').message).toMatch(/^\.a: attribute is missing/);
  });

  test('extra and duplicate keys are errors', () => {
    expect(decodeError(['object', { a: 'string' }], '82 a1 61 c0 a1 7a c0').message).toBe('.z: unsupported attribute');
    expect(decodeError(['object', { a: 'string' }], '82 a1 61 c0 a1 61 c0').message).toBe('.a: duplicate attribute');
    expect(encodeError(['object', { a: 'string' }], { a: 'x', zz: 'y' }).message).toBe('.zz: unsupported attribute');
  });

  test('non-string keys and wrong kinds', () => {
    expect(decodeError(['object', { a: 'string' }], '81 01 c0').message).toBe('object keys must be strings, got integer');
    expect(decodeError(['object', { a: 'string' }], '91 c0').message).toBe('expected object, got array');
    expect(encodeError(['object', { a: 'string' }], ['x']).message).toBe('expected object, got array');
  });

  test('empty object type is an empty map', () => {
    expect(enc(['object', {}], {})).toBe('80');
    expect(decodeValue(['object', {}], bytes('80'))).toEqual({});
  });

  test('optional-attribute marks do not change the wire form', () => {
    const withOptional: CtyType = ['object', { a: 'string', b: 'string' }, ['b']];
    expect(enc(withOptional, { a: 'x', b: null })).toBe('82a161a178a162c0');
    expect(decodeError(withOptional, '81 a1 61 a1 78').message).toMatch(/^\.b: attribute is missing/);
  });

  test('attribute name order is UTF-8 byte order', () => {
    // U+FFFD (ef bf bd) sorts before U+1F600 (f0 9f 98 80) in bytes, though not in UTF-16
    const tt: CtyType = ['object', { '\u{1F600}': 'bool', '\uFFFD': 'bool' }];
    expect(enc(tt, { '\u{1F600}': true, '\uFFFD': false })).toBe('82a3efbfbdc2a4f09f9880c3');
  });
});

describe('nested block modes (schema blocks are objects / collections of objects)', () => {
  const block: CtyType = [
    'object',
    {
      id: 'string',
      settings: ['object', { mode: 'string' }], // NestingSingle
      rule: ['list', ['object', { name: 'string' }]], // NestingList
      tag: ['set', ['object', { k: 'string' }]], // NestingSet
      group: ['map', ['object', { v: 'number' }]], // NestingMap
    },
  ];

  test('absent single block is nil; absent list/set blocks are empty arrays; absent map blocks an empty map', () => {
    const v = { id: 'x', settings: null, rule: [], tag: [], group: new Map() };
    // keys: group, id, rule, settings, tag
    expect(enc(block, v)).toBe(
      want('85 a5' + ascii('group') + ' 80 a2' + ascii('id') + ' a1 78 a4' + ascii('rule') + ' 90 a8' + ascii('settings') + ' c0 a3' + ascii('tag') + ' 90'),
    );
    expect(decodeValue(block, encodeValue(block, v))).toEqual(v);
  });

  test('present blocks', () => {
    const v = {
      id: 'x',
      settings: { mode: 'on' },
      rule: [{ name: 'r1' }, { name: unknown() }],
      tag: [{ k: 'a' }],
      group: new Map([['g', { v: n(7) }]]),
    };
    expect(enc(block, v)).toBe(
      want(
        '85 a5' + ascii('group') + ' 81 a1 67 81 a1 76 07' +
          ' a2' + ascii('id') + ' a1 78' +
          ' a4' + ascii('rule') + ' 92 81 a4' + ascii('name') + ' a2' + ascii('r1') + ' 81 a4' + ascii('name') + ' d4 00 00' +
          ' a8' + ascii('settings') + ' 81 a4' + ascii('mode') + ' a2' + ascii('on') +
          ' a3' + ascii('tag') + ' 91 81 a1 6b a1 61',
      ),
    );
    const back = decodeValue(block, encodeValue(block, v)) as Record<string, CtyValue>;
    expect(back['settings']).toEqual({ mode: 'on' });
    expect((back['rule'] as Record<string, CtyValue>[])[1]?.['name']).toBe(unknown());
  });

  test('errors deep inside blocks carry the full path', () => {
    const bad = '85 a5' + ascii('group') + ' 81 a1 67 81 a1 76 c3' + ' a2' + ascii('id') + ' c0 a4' + ascii('rule') + ' 90 a8' + ascii('settings') + ' c0 a3' + ascii('tag') + ' 90';
    const e = decodeError(block, bad);
    expect(e.message).toBe('.group["g"].v: expected number, got bool');
    expect(e.path).toEqual(['group', { key: 'g' }, 'v']);
  });
});

describe('tuple', () => {
  const t: CtyType = ['tuple', ['string', 'number', 'bool']];

  test('array of exact length', () => {
    expect(enc(t, ['a', n(1), true])).toBe('93a16101c3');
    expect(decodeValue(t, bytes('93 a1 61 01 c3'))).toEqual(['a', n(1), true]);
    expect(enc(['tuple', []], [])).toBe('90');
  });

  test('length mismatch is an error', () => {
    expect(decodeError(t, '92 a1 61 01').message).toBe('expected tuple of 3 elements, got array of 2');
    expect(decodeError(t, '90').message).toBe('expected tuple of 3 elements, got array of 0');
    expect(encodeError(t, ['a']).message).toBe('expected tuple of 3 elements, got 1 elements');
  });

  test('element errors are indexed', () => {
    expect(decodeError(t, '93 a1 61 a1 62 c3').message).toBe('[1]: expected number, got string "b" that is not a decimal number');
  });
});

describe('dynamic', () => {
  test('[type JSON as bin, value]', () => {
    // 92 | c4 08 "\"string\"" | a2 "hi"
    expect(enc('dynamic', new DynamicValue('string', 'hi'))).toBe(want('92 c4 08' + ascii('"string"') + ' a2 68 69'));
    expect(enc('dynamic', new DynamicValue(['list', 'number'], [n(1)]))).toBe(want('92 c4 11' + ascii('["list","number"]') + ' 91 01'));
    expect(enc('dynamic', new DynamicValue(['object', { a: 'bool' }], { a: true }))).toBe(
      want('92 c4 17' + ascii('["object",{"a":"bool"}]') + ' 81 a1 61 c3'),
    );
  });

  test('null / unknown of a known type keep the type; of unknown type they are bare', () => {
    expect(enc('dynamic', new DynamicValue('string', null))).toBe(want('92 c4 08' + ascii('"string"') + ' c0'));
    expect(enc('dynamic', new DynamicValue('number', unknown()))).toBe(want('92 c4 08' + ascii('"number"') + ' d4 00 00'));
    expect(enc('dynamic', null)).toBe('c0');
    expect(enc('dynamic', unknown())).toBe('d40000');
    expect(enc('dynamic', new DynamicValue('dynamic', null))).toBe('c0');
  });

  test('decode: bin or str type JSON', () => {
    const fromBin = decodeValue('dynamic', bytes('92 c4 08' + ascii('"string"') + ' a2 68 69'));
    expect(fromBin).toBeInstanceOf(DynamicValue);
    expect((fromBin as DynamicValue).dynamicType).toBe('string');
    expect((fromBin as DynamicValue).value).toBe('hi');
    const fromStr = decodeValue('dynamic', bytes('92 a8' + ascii('"string"') + ' a2 68 69')) as DynamicValue;
    expect(fromStr.value).toBe('hi');
    const list = decodeValue('dynamic', bytes('92 c4 11' + ascii('["list","number"]') + ' 92 01 02')) as DynamicValue;
    expect(list.dynamicType).toEqual(['list', 'number']);
    expect((list.value as CtyNumber[]).map(String)).toEqual(['1', '2']);
  });

  test('dynamic attribute inside an object', () => {
    const t: CtyType = ['object', { v: 'dynamic' }];
    const v = { v: new DynamicValue(['map', 'string'], new Map([['k', 'x']])) };
    const h = want('81 a1 76 92 c4 10' + ascii('["map","string"]') + ' 81 a1 6b a1 78');
    expect(enc(t, v)).toBe(h);
    expect(decodeValue(t, bytes(h))).toEqual(v);
  });

  test('errors', () => {
    expect(decodeError('dynamic', '93 c4 08' + ascii('"string"') + ' c0 c0').message).toBe('dynamic value array must have exactly two elements, got 3');
    expect(decodeError('dynamic', 'a1 61').message).toBe('expected dynamic value ([type JSON, value] array), got string');
    expect(decodeError('dynamic', '92 c4 06' + ascii('"strg"') + ' c0').message).toMatch(/^invalid type in dynamic value: invalid primitive type name "strg"/);
    expect(decodeError('dynamic', '92 01 c0').message).toBe('expected type JSON (bin or str) as first element of a dynamic value, got integer');
    expect(decodeError(['object', { v: 'dynamic' }], '81 a1 76 92 c4 08' + ascii('"string"') + ' 01').message).toBe('.v: expected string, got integer');
    expect(encodeError('dynamic', 'hi').message).toBe('expected a DynamicValue for type dynamic, got string "hi"');
  });
});

describe('framing', () => {
  test('trailing bytes are rejected', () => {
    expect(decodeError('string', 'c0 c0').message).toBe('unexpected 1 trailing byte(s) after the value');
  });
  test('truncated input', () => {
    expect(decodeError('string', 'a5 61').message).toBe('unexpected end of msgpack data');
    expect(decodeError('string', '').message).toBe('unexpected end of msgpack data');
    expect(decodeError('number', 'cf 00 01').message).toBe('unexpected end of msgpack data');
  });
  test('0xc1 is never valid', () => {
    expect(decodeError('string', 'c1').message).toBe('invalid msgpack byte 0xc1');
  });
  test('decodes from a Buffer view with a non-zero offset', () => {
    const big = Buffer.from('ffff92a161a162', 'hex').subarray(2);
    expect(decodeValue(['list', 'string'], big)).toEqual(['a', 'b']);
  });
});

describe('interoperability with @msgpack/msgpack (an independent implementation)', () => {
  test('the library reads our bytes as the expected structures', () => {
    const t: CtyType = ['object', { big: 'number', f: 'number', s: 'number', l: ['list', 'string'], u: 'string' }];
    const bytesOut = encodeValue(t, { big: n(9007199254740993n), f: n(1.5), s: n('0.1'), l: ['x'], u: unknown() });
    const codec = new ExtensionCodec();
    codec.register({ type: 0, encode: () => null, decode: () => 'UNKNOWN' });
    const decoded = libDecode(bytesOut, { useBigInt64: true, extensionCodec: codec }) as Record<string, unknown>;
    expect(decoded).toEqual({ big: 9007199254740993n, f: 1.5, s: '0.1', l: ['x'], u: 'UNKNOWN' });
    expect(Object.keys(decoded)).toEqual(['big', 'f', 'l', 's', 'u']);
  });

  test('we read what the library writes', () => {
    const t: CtyType = ['object', { a: 'number', b: ['list', 'number'], c: 'string', d: 'number' }];
    const data = libEncode({ a: 2n ** 60n, b: [1, -5, 2.5], c: 'hé', d: null }, { useBigInt64: true });
    const v = decodeValue(t, data) as Record<string, CtyValue>;
    expect((v['a'] as CtyNumber).toBigInt()).toBe(2n ** 60n);
    expect((v['b'] as CtyNumber[]).map(String)).toEqual(['1', '-5', '2.5']);
    expect(v['c']).toBe('hé');
    expect(v['d']).toBeNull();
    // the library's ExtData of any type is an unknown for us
    const ext = libEncode([new ExtData(0, new Uint8Array(0)), new ExtData(42, Uint8Array.of(1, 2, 3))]);
    const u = decodeValue(['list', 'string'], ext) as CtyValue[];
    expect(u.every(isUnknown)).toBe(true);
  });
});
