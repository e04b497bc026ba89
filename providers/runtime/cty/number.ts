/**
 * CtyNumber: a lossless decimal number, the value model for cty's `number` type.
 *
 * go-cty numbers are arbitrary-precision. Terraform sends them as msgpack ints
 * (int64/uint64 range), float64 (only when the value is exactly a binary64 value) or
 * decimal strings such as "0.1". A CtyNumber never passes through a JS `number`
 * unless that is exact.
 *
 * Representation: value = mantissa * 10^exponent with a bigint mantissa that has no
 * trailing decimal zeros (0 is stored as 0n * 10^0), so every finite value has exactly
 * one representation and `toString()` is canonical: plain positional notation with no
 * exponent, no leading zeros, no trailing fractional zeros — the same text go-cty
 * produces with `big.Float.Text('f', -1)` and writes to state JSON. cty also defines
 * number equality as equality of that text, which `equals` mirrors.
 *
 * Safe integers keep a JS number fast path. ±Infinity are representable (cty allows
 * them); NaN is not.
 */

/** Largest decimal exponent magnitude accepted, to bound the size of canonical text. */
export const MAX_DECIMAL_EXPONENT = 100_000;

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

export class CtyNumber {
  /** 0 finite, 1 +Infinity, -1 -Infinity */
  private readonly inf: 0 | 1 | -1;
  private readonly m: bigint;
  private readonly e: number;
  /** Set when the value is a safe integer. */
  private readonly small: number | undefined;
  private text: string | undefined;

  private constructor(inf: 0 | 1 | -1, m: bigint, e: number, small: number | undefined) {
    this.inf = inf;
    this.m = m;
    this.e = e;
    this.small = small;
  }

  static readonly ZERO = new CtyNumber(0, 0n, 0, 0);
  static readonly POSITIVE_INFINITY = new CtyNumber(1, 0n, 0, undefined);
  static readonly NEGATIVE_INFINITY = new CtyNumber(-1, 0n, 0, undefined);

  /**
   * From a JS number (its shortest round-trip decimal — what `String(x)` shows — so
   * `of(0.1)` is the decimal 0.1; use `fromFloat64Exact` for the double's binary value),
   * a bigint (exact), or a decimal string (exact; see `parse`). NaN is rejected. Pass
   * integers beyond 2^53 as bigint or string.
   */
  static of(n: number | bigint | string | CtyNumber): CtyNumber {
    if (n instanceof CtyNumber) return n;
    if (typeof n === 'bigint') return CtyNumber.fromBigIntScaled(n, 0);
    if (typeof n === 'string') return CtyNumber.parse(n);
    if (typeof n !== 'number') throw new TypeError(`CtyNumber.of: unsupported input ${typeof n}`);
    if (Number.isNaN(n)) throw new RangeError('NaN is not a valid cty number');
    if (n === Infinity) return CtyNumber.POSITIVE_INFINITY;
    if (n === -Infinity) return CtyNumber.NEGATIVE_INFINITY;
    if (Number.isSafeInteger(n)) return n === 0 ? CtyNumber.ZERO : new CtyNumber(0, ...normalize(BigInt(n), 0), n);
    // Shortest round-trip representation, e.g. "1.5", "1e+21", "5e-324".
    return CtyNumber.parse(String(n));
  }

  /**
   * The exact value of a binary64 double (0.1 → 0.1000000000000000055511151231257827021181583404541015625).
   * This is how go-cty reads a msgpack float (cty.NumberFloatVal keeps the double's exact
   * value), and it makes a received float64 go back out as the identical float64.
   */
  static fromFloat64Exact(x: number): CtyNumber {
    if (Number.isNaN(x)) throw new RangeError('NaN is not a valid cty number');
    if (x === Infinity) return CtyNumber.POSITIVE_INFINITY;
    if (x === -Infinity) return CtyNumber.NEGATIVE_INFINITY;
    if (Number.isSafeInteger(x)) return CtyNumber.of(x);
    const [m, e] = exactDecimalOfDouble(x);
    return CtyNumber.fromBigIntScaled(m, e);
  }

  /**
   * Parse a decimal number: optional sign, digits with an optional fraction (".5" and
   * "5." allowed, as Go's big.Float accepts), optional exponent; or "Inf"/"Infinity"
   * with optional sign (case-insensitive). Throws SyntaxError otherwise.
   */
  static parse(s: string): CtyNumber {
    const m = /^([+-]?)(?:(\d*)(?:\.(\d*))?)(?:[eE]([+-]?\d+))?$/.exec(s);
    if (!m || ((m[2] ?? '') === '' && (m[3] ?? '') === '')) {
      const inf = /^([+-]?)inf(?:inity)?$/i.exec(s);
      if (inf) return inf[1] === '-' ? CtyNumber.NEGATIVE_INFINITY : CtyNumber.POSITIVE_INFINITY;
      throw new SyntaxError(`not a valid number: ${JSON.stringify(s)}`);
    }
    const neg = m[1] === '-';
    const intDigits = m[2] ?? '';
    const fracDigits = m[3] ?? '';
    const expText = m[4];
    let exp = 0;
    if (expText !== undefined) {
      // Guard before converting: exponents with absurd digit counts are out of range anyway.
      const trimmed = expText.replace(/^[+-]?0*/, '');
      if (trimmed.length > 9) throw new RangeError(`number exponent out of range: ${JSON.stringify(s)}`);
      exp = Number(expText);
    }
    const digits = (intDigits + fracDigits).replace(/^0+/, '');
    if (digits === '') return CtyNumber.ZERO;
    let mant = BigInt(digits);
    if (neg) mant = -mant;
    return CtyNumber.fromBigIntScaled(mant, exp - fracDigits.length);
  }

  /** mant * 10^exp10 */
  private static fromBigIntScaled(mant: bigint, exp10: number): CtyNumber {
    if (mant === 0n) return CtyNumber.ZERO;
    const [m, e] = normalize(mant, exp10);
    // Bound the canonical text: the exponent plus the digit count.
    const digitCount = (m < 0n ? -m : m).toString().length;
    if (e > MAX_DECIMAL_EXPONENT || e + digitCount < -MAX_DECIMAL_EXPONENT)
      throw new RangeError('number exponent out of supported range');
    let small: number | undefined;
    if (e >= 0 && e <= 15) {
      const v = m * 10n ** BigInt(e);
      if (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) small = Number(v);
    }
    return new CtyNumber(0, m, e, small);
  }

  isFinite(): boolean {
    return this.inf === 0;
  }

  isInteger(): boolean {
    return this.inf === 0 && this.e >= 0;
  }

  isSafeInteger(): boolean {
    return this.small !== undefined;
  }

  /** -1, 0 or 1 */
  sign(): number {
    if (this.inf !== 0) return this.inf;
    return this.m === 0n ? 0 : this.m < 0n ? -1 : 1;
  }

  /** Integer value as a bigint; throws if the number is not an integer. */
  toBigInt(): bigint {
    if (this.small !== undefined) return BigInt(this.small);
    if (!this.isInteger()) throw new RangeError(`${this.toString()} is not an integer`);
    return this.m * 10n ** BigInt(this.e);
  }

  /**
   * As a JS number; throws RangeError when that would lose precision. It succeeds when
   * this value is exactly a double (1.5, 2^63, the exact expansion of the double 0.1) or
   * is the shortest decimal form of one ("0.1"); 2^53+1 and 0.10000000000000000001 throw.
   */
  toNumber(): number {
    if (this.small !== undefined) return this.small;
    if (this.inf !== 0) return this.inf === 1 ? Infinity : -Infinity;
    const x = Number(this.toString());
    if (Number.isFinite(x)) {
      if (CtyNumber.of(x).equals(this)) return x;
      if (this.toExactFloat64() !== undefined) return x;
    }
    throw new RangeError(`${this.toString()} cannot be represented as a JavaScript number without losing precision`);
  }

  /** True when `toNumber()` would succeed. */
  fitsNumber(): boolean {
    try {
      this.toNumber();
      return true;
    } catch {
      return false;
    }
  }

  /** When the value is an integer within int64, that integer (go-cty then writes a msgpack int). */
  toInt64(): bigint | undefined {
    if (!this.isInteger()) return undefined;
    if (this.e > 19) return undefined;
    const v = this.toBigInt();
    return v >= INT64_MIN && v <= INT64_MAX ? v : undefined;
  }

  /**
   * When the value is exactly a binary64 value, that double (go-cty then writes a
   * msgpack float64). 1.5 → 1.5; 0.1 → undefined (0.1 is not a binary fraction).
   */
  toExactFloat64(): number | undefined {
    if (this.inf !== 0) return this.inf === 1 ? Infinity : -Infinity;
    if (this.small !== undefined) return this.small;
    // A binary64 value's exact decimal expansion has at most 767 significant digits
    // and an exponent no lower than -1074.
    if (this.e < -1074 || this.e > 308) return undefined;
    const x = Number(this.toString());
    if (!Number.isFinite(x)) return undefined;
    const [xm, xe] = exactDecimalOfDouble(x);
    return xm === this.m && xe === this.e ? x : undefined;
  }

  equals(other: CtyNumber): boolean {
    if (this === other) return true;
    if (!(other instanceof CtyNumber)) return false;
    return this.inf === other.inf && this.m === other.m && this.e === other.e;
  }

  /** Total order: -Infinity < finite values < +Infinity. */
  compare(other: CtyNumber): -1 | 0 | 1 {
    if (this.inf !== 0 || other.inf !== 0) {
      const a = this.inf === 0 ? 0 : this.inf;
      const b = other.inf === 0 ? 0 : other.inf;
      if (a !== b) return a < b ? -1 : 1;
      if (a !== 0) return 0;
    }
    if (this.small !== undefined && other.small !== undefined) {
      return this.small < other.small ? -1 : this.small > other.small ? 1 : 0;
    }
    const e = Math.min(this.e, other.e);
    const a = this.m * 10n ** BigInt(this.e - e);
    const b = other.m * 10n ** BigInt(other.e - e);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  /** Canonical decimal text ("0.1", "-12", "18446744073709551615"); "Infinity"/"-Infinity". */
  toString(): string {
    if (this.text !== undefined) return this.text;
    let t: string;
    if (this.inf !== 0) t = this.inf === 1 ? 'Infinity' : '-Infinity';
    else if (this.small !== undefined) t = String(this.small);
    else {
      const neg = this.m < 0n;
      const digits = (neg ? -this.m : this.m).toString();
      if (this.e >= 0) t = digits + '0'.repeat(this.e);
      else {
        const point = digits.length + this.e;
        t = point > 0 ? digits.slice(0, point) + '.' + digits.slice(point) : '0.' + '0'.repeat(-point) + digits;
      }
      if (neg) t = '-' + t;
    }
    this.text = t;
    return t;
  }

  toJSON(): string {
    return this.toString();
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `CtyNumber(${this.toString()})`;
  }
}

/** Strip trailing decimal zeros from the mantissa. */
function normalize(m: bigint, e: number): [bigint, number] {
  if (m === 0n) return [0n, 0];
  // Fast strip via the decimal string, which is cheaper than repeated bigint division.
  const s = m.toString();
  let end = s.length;
  while (end > 1 && s.charCodeAt(end - 1) === 48 /* '0' */) end--;
  if (end === s.length) return [m, e];
  return [BigInt(s.slice(0, end)), e + (s.length - end)];
}

/** The exact decimal expansion of a finite double, as a normalized (mantissa, exponent). */
export function exactDecimalOfDouble(x: number): [bigint, number] {
  if (x === 0) return [0n, 0];
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const neg = hi >>> 31 === 1;
  const biasedExp = (hi >>> 20) & 0x7ff;
  let frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e2: number;
  if (biasedExp === 0) e2 = -1074; // subnormal
  else {
    frac |= 1n << 52n;
    e2 = biasedExp - 1075;
  }
  let m: bigint;
  let e10: number;
  if (e2 >= 0) {
    m = frac << BigInt(e2);
    e10 = 0;
  } else {
    // frac / 2^k = frac * 5^k / 10^k
    m = frac * 5n ** BigInt(-e2);
    e10 = e2;
  }
  if (neg) m = -m;
  return normalize(m, e10);
}
