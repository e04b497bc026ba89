/**
 * The msgpack byte forms go-cty's encoder (vmihailenco/msgpack v5) writes: the
 * smallest int form (non-negative values through the uint forms), float64, str8 for
 * 32..255-byte strings, bin for bytes, fixext/ext for extensions.
 */
export class Writer {
  buf: Uint8Array;
  view: DataView;
  pos = 0;

  constructor(size = 256) {
    this.buf = new Uint8Array(size);
    this.view = new DataView(this.buf.buffer);
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  u8(code: number, n: number): void {
    this.ensure(2);
    this.buf[this.pos++] = code;
    this.buf[this.pos++] = n;
  }

  u16(code: number, n: number): void {
    this.ensure(3);
    this.buf[this.pos++] = code;
    this.view.setUint16(this.pos, n);
    this.pos += 2;
  }

  u32(code: number, n: number): void {
    this.ensure(5);
    this.buf[this.pos++] = code;
    this.view.setUint32(this.pos, n);
    this.pos += 4;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  nil(): void {
    this.byte(0xc0);
  }

  bool(v: boolean): void {
    this.byte(v ? 0xc3 : 0xc2);
  }

  /** vmihailenco EncodeInt: smallest form, non-negative values via the uint forms. */
  int(n: bigint): void {
    if (n >= 0n) {
      if (n <= 0x7fn) this.byte(Number(n));
      else if (n <= 0xffn) this.u8(0xcc, Number(n));
      else if (n <= 0xffffn) this.u16(0xcd, Number(n));
      else if (n <= 0xffffffffn) this.u32(0xce, Number(n));
      else {
        this.ensure(9);
        this.buf[this.pos++] = 0xcf;
        this.view.setBigUint64(this.pos, n);
        this.pos += 8;
      }
    } else if (n >= -32n) this.byte(Number(n) & 0xff);
    else if (n >= -0x80n) this.u8(0xd0, Number(n) & 0xff);
    else if (n >= -0x8000n) this.u16(0xd1, Number(n) & 0xffff);
    else if (n >= -0x80000000n) this.u32(0xd2, Number(n) >>> 0);
    else {
      this.ensure(9);
      this.buf[this.pos++] = 0xd3;
      this.view.setBigInt64(this.pos, n);
      this.pos += 8;
    }
  }

  float64(x: number): void {
    this.ensure(9);
    this.buf[this.pos++] = 0xcb;
    this.view.setFloat64(this.pos, x);
    this.pos += 8;
  }

  str(s: string): void {
    const data = Buffer.from(s, 'utf8');
    const l = data.length;
    if (l < 32) this.byte(0xa0 | l);
    else if (l < 256) this.u8(0xd9, l);
    else if (l <= 0xffff) this.u16(0xda, l);
    else this.u32(0xdb, l);
    this.bytes(data);
  }

  bin(data: Uint8Array): void {
    const l = data.length;
    if (l < 256) this.u8(0xc4, l);
    else if (l <= 0xffff) this.u16(0xc5, l);
    else this.u32(0xc6, l);
    this.bytes(data);
  }

  arrayHeader(l: number): void {
    if (l < 16) this.byte(0x90 | l);
    else if (l <= 0xffff) this.u16(0xdc, l);
    else this.u32(0xdd, l);
  }

  mapHeader(l: number): void {
    if (l < 16) this.byte(0x80 | l);
    else if (l <= 0xffff) this.u16(0xde, l);
    else this.u32(0xdf, l);
  }

  ext(type: number, payload: Uint8Array): void {
    const l = payload.length;
    switch (l) {
      case 1:
        this.byte(0xd4);
        break;
      case 2:
        this.byte(0xd5);
        break;
      case 4:
        this.byte(0xd6);
        break;
      case 8:
        this.byte(0xd7);
        break;
      case 16:
        this.byte(0xd8);
        break;
      default:
        if (l <= 0xff) this.u8(0xc7, l);
        else if (l <= 0xffff) this.u16(0xc8, l);
        else this.u32(0xc9, l);
    }
    this.byte(type & 0xff);
    this.bytes(payload);
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}
