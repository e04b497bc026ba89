/**
 * Reading msgpack the way go-cty's decoder does, with the attribute path kept for
 * every error: header kinds, lengths, strings (str or bin), extensions.
 */
import { CtyCodecError, type CtyPathStep } from '../path';
import { normalizeString as nfc } from '../values';

/** What a msgpack header byte starts, as error messages name it. */
export type Kind = 'nil' | 'bool' | 'integer' | 'float' | 'string' | 'binary' | 'array' | 'map' | 'extension' | 'invalid byte 0xc1';

export function kindOf(b: number): Kind {
  if (b <= 0x7f || b >= 0xe0) return 'integer';
  if (b <= 0x8f) return 'map';
  if (b <= 0x9f) return 'array';
  if (b <= 0xbf) return 'string';
  switch (b) {
    case 0xc0:
      return 'nil';
    case 0xc2:
    case 0xc3:
      return 'bool';
    case 0xc4:
    case 0xc5:
    case 0xc6:
      return 'binary';
    case 0xc7:
    case 0xc8:
    case 0xc9:
    case 0xd4:
    case 0xd5:
    case 0xd6:
    case 0xd7:
    case 0xd8:
      return 'extension';
    case 0xca:
    case 0xcb:
      return 'float';
    case 0xcc:
    case 0xcd:
    case 0xce:
    case 0xcf:
    case 0xd0:
    case 0xd1:
    case 0xd2:
    case 0xd3:
      return 'integer';
    case 0xd9:
    case 0xda:
    case 0xdb:
      return 'string';
    case 0xdc:
    case 0xdd:
      return 'array';
    case 0xde:
    case 0xdf:
      return 'map';
    default:
      return 'invalid byte 0xc1';
  }
}

export class Reader {
  readonly view: DataView;
  pos = 0;
  readonly path: CtyPathStep[] = [];

  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  fail(detail: string): never {
    throw new CtyCodecError(this.path, detail);
  }

  /** "expected string, got integer": what the value's type wants, and the kind found. */
  expected(what: string, found: Kind): never {
    return this.fail(`expected ${what}, got ${found}`);
  }

  need(n: number): void {
    if (this.pos + n > this.buf.length) this.fail('unexpected end of msgpack data');
  }

  peek(): number {
    this.need(1);
    return this.buf[this.pos] as number;
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++] as number;
  }

  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  take(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Reads an extension (the header byte is next); returns type and payload. */
  ext(): { type: number; payload: Uint8Array } {
    const b = this.u8();
    let len: number;
    switch (b) {
      case 0xd4:
        len = 1;
        break;
      case 0xd5:
        len = 2;
        break;
      case 0xd6:
        len = 4;
        break;
      case 0xd7:
        len = 8;
        break;
      case 0xd8:
        len = 16;
        break;
      case 0xc7:
        len = this.u8();
        break;
      case 0xc8:
        len = this.u16();
        break;
      default:
        len = this.u32();
    }
    this.need(1);
    const type = this.view.getInt8(this.pos);
    this.pos++;
    return { type, payload: this.take(len) };
  }

  /** Length of an array at the cursor, or the kind found instead. */
  arrayLen(): number | Kind {
    return this.length(0x90, 0xdc, 0xdd);
  }

  /** Length of a map at the cursor, or the kind found instead. */
  mapLen(): number | Kind {
    return this.length(0x80, 0xde, 0xdf);
  }

  /** A container's length: its fix form (`fix` + 0..15), 16-bit or 32-bit form; else the kind found. */
  private length(fix: number, form16: number, form32: number): number | Kind {
    const b = this.peek();
    if (b >= fix && b <= fix + 0x0f) {
      this.pos++;
      return b & 0x0f;
    }
    if (b === form16 || b === form32) {
      this.pos++;
      return b === form16 ? this.u16() : this.u32();
    }
    return kindOf(b);
  }

  /** str or bin bytes at the cursor (go's DecodeString/DecodeBytes accept both), or null (cursor unmoved). */
  rawString(): Uint8Array | null {
    const b = this.peek();
    let len: number;
    if (b >= 0xa0 && b <= 0xbf) {
      this.pos++;
      len = b & 0x1f;
    } else if (b === 0xd9 || b === 0xc4) {
      this.pos++;
      len = this.u8();
    } else if (b === 0xda || b === 0xc5) {
      this.pos++;
      len = this.u16();
    } else if (b === 0xdb || b === 0xc6) {
      this.pos++;
      len = this.u32();
    } else return null;
    return this.take(len);
  }

  /** A str/bin decoded as UTF-8 and NFC-normalised, or null (cursor unmoved). */
  string(): string | null {
    const raw = this.rawString();
    if (raw === null) return null;
    return nfc(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8'));
  }
}
