import { CtyNumber } from '../../../../providers/runtime/cty';

describe('CtyNumber construction and canonical text', () => {
  test.each([
    [0, '0'],
    [-0, '0'],
    [42, '42'],
    [-7, '-7'],
    [0.1, '0.1'],
    [1.5, '1.5'],
    [-2.25, '-2.25'],
    [1e21, '1000000000000000000000'],
    [1.5e-7, '0.00000015'],
    [Number.MAX_SAFE_INTEGER, '9007199254740991'],
  ])('of(number %p) → %s', (x, text) => {
    expect(CtyNumber.of(x).toString()).toBe(text);
  });

  test.each([
    ['0', '0'],
    ['-0', '0'],
    ['007', '7'],
    ['1.50', '1.5'],
    ['1.0', '1'],
    ['+1e2', '100'],
    ['1E+2', '100'],
    ['0.0001e4', '1'],
    ['12.5e-3', '0.0125'],
    ['.5', '0.5'],
    ['5.', '5'],
    ['-0.000', '0'],
    ['18446744073709551617', '18446744073709551617'],
    ['0.10000000000000000001', '0.10000000000000000001'],
    ['1e30', '1000000000000000000000000000000'],
    ['Infinity', 'Infinity'],
    ['-inf', '-Infinity'],
    ['+Inf', 'Infinity'],
  ])('parse(%p) → %s', (s, text) => {
    expect(CtyNumber.parse(s).toString()).toBe(text);
  });

  test('bigint input is exact', () => {
    expect(CtyNumber.of(2n ** 64n + 1n).toString()).toBe('18446744073709551617');
    expect(CtyNumber.of(-(2n ** 70n)).toString()).toBe('-1180591620717411303424');
  });

  test.each(['', '.', '-', 'e5', '1e', '1.2.3', '0x10', '1_000', 'abc', ' 1', '1 ', 'NaN', '--1'])('parse(%p) throws', (s) => {
    expect(() => CtyNumber.parse(s)).toThrow(SyntaxError);
  });

  test('NaN and absurd exponents are rejected', () => {
    expect(() => CtyNumber.of(NaN)).toThrow(RangeError);
    expect(() => CtyNumber.parse('1e1000000')).toThrow(RangeError);
    expect(() => CtyNumber.parse('1e-1000000')).toThrow(RangeError);
    expect(() => CtyNumber.parse('1e99999999999999999999')).toThrow(RangeError);
  });

  test('fromFloat64Exact gives the exact binary value', () => {
    expect(CtyNumber.fromFloat64Exact(0.1).toString()).toBe('0.1000000000000000055511151231257827021181583404541015625');
    expect(CtyNumber.fromFloat64Exact(2 ** 63).toString()).toBe('9223372036854775808');
    expect(CtyNumber.fromFloat64Exact(1.5).toString()).toBe('1.5');
    expect(CtyNumber.fromFloat64Exact(-0).toString()).toBe('0');
    expect(CtyNumber.of(2 ** 63).toString()).toBe('9223372036854776000'); // what String(2**63) shows
  });
});

describe('CtyNumber conversions', () => {
  test('toNumber succeeds only without precision loss', () => {
    expect(CtyNumber.parse('0.1').toNumber()).toBe(0.1);
    expect(CtyNumber.parse('1.5').toNumber()).toBe(1.5);
    expect(CtyNumber.parse('1e300').toNumber()).toBe(1e300);
    expect(CtyNumber.fromFloat64Exact(0.1).toNumber()).toBe(0.1);
    expect(CtyNumber.of(9223372036854775808n).toNumber()).toBe(2 ** 63);
    expect(() => CtyNumber.of(9007199254740993n).toNumber()).toThrow(RangeError);
    expect(() => CtyNumber.parse('0.10000000000000000001').toNumber()).toThrow(RangeError);
    expect(() => CtyNumber.parse('1e400').toNumber()).toThrow(RangeError);
    expect(CtyNumber.POSITIVE_INFINITY.toNumber()).toBe(Infinity);
    expect(CtyNumber.of(7).fitsNumber()).toBe(true);
    expect(CtyNumber.of(9007199254740993n).fitsNumber()).toBe(false);
  });

  test('toBigInt for integers only', () => {
    expect(CtyNumber.parse('1e20').toBigInt()).toBe(100000000000000000000n);
    expect(CtyNumber.parse('-5').toBigInt()).toBe(-5n);
    expect(() => CtyNumber.parse('1.5').toBigInt()).toThrow(RangeError);
    expect(() => CtyNumber.POSITIVE_INFINITY.toBigInt()).toThrow(RangeError);
  });

  test('toInt64 bounds', () => {
    expect(CtyNumber.of(2n ** 63n - 1n).toInt64()).toBe(2n ** 63n - 1n);
    expect(CtyNumber.of(-(2n ** 63n)).toInt64()).toBe(-(2n ** 63n));
    expect(CtyNumber.of(2n ** 63n).toInt64()).toBeUndefined();
    expect(CtyNumber.of(-(2n ** 63n) - 1n).toInt64()).toBeUndefined();
    expect(CtyNumber.parse('1.5').toInt64()).toBeUndefined();
  });

  test('toExactFloat64 only for exact binary64 values', () => {
    expect(CtyNumber.parse('1.5').toExactFloat64()).toBe(1.5);
    expect(CtyNumber.parse('0.1').toExactFloat64()).toBeUndefined();
    expect(CtyNumber.parse('1e20').toExactFloat64()).toBe(1e20);
    expect(CtyNumber.parse('1e23').toExactFloat64()).toBeUndefined();
    expect(CtyNumber.parse('99999999999999991611392').toExactFloat64()).toBe(1e23);
    expect(CtyNumber.of(2n ** 53n + 1n).toExactFloat64()).toBeUndefined();
    expect(CtyNumber.parse('1e309').toExactFloat64()).toBeUndefined();
  });

  test('isInteger / sign', () => {
    expect(CtyNumber.parse('100').isInteger()).toBe(true);
    expect(CtyNumber.parse('0.5').isInteger()).toBe(false);
    expect(CtyNumber.parse('-3').sign()).toBe(-1);
    expect(CtyNumber.parse('0').sign()).toBe(0);
    expect(CtyNumber.NEGATIVE_INFINITY.sign()).toBe(-1);
  });
});

describe('CtyNumber equality and order', () => {
  test('equals compares values', () => {
    expect(CtyNumber.parse('1.0').equals(CtyNumber.of(1))).toBe(true);
    expect(CtyNumber.parse('100').equals(CtyNumber.parse('1e2'))).toBe(true);
    expect(CtyNumber.parse('0.1').equals(CtyNumber.of(0.1))).toBe(true);
    expect(CtyNumber.parse('0.1').equals(CtyNumber.parse('0.10000000000000001'))).toBe(false);
    expect(CtyNumber.POSITIVE_INFINITY.equals(CtyNumber.parse('inf'))).toBe(true);
  });

  test('compare', () => {
    const sorted = ['-Infinity', '-1e30', '-1', '0', '0.1', '0.10000000000000000001', '1', '9007199254740993', '1e30', 'Infinity'];
    const shuffled = [...sorted].reverse().map((s) => CtyNumber.parse(s));
    expect(shuffled.sort((a, b) => a.compare(b)).map(String)).toEqual(sorted.map((s) => CtyNumber.parse(s).toString()));
    expect(CtyNumber.of(3).compare(CtyNumber.parse('3.0'))).toBe(0);
  });

  test('JSON.stringify uses the canonical text', () => {
    expect(JSON.stringify({ n: CtyNumber.parse('1.50') })).toBe('{"n":"1.5"}');
  });
});
