/**
 * The lossless JSON parser (RFC 8259) for stored state: every number becomes a
 * CtyNumber, exact (`0.1`, `1e400`, `18446744073709551617` all survive), where
 * JSON.parse would round through a double.
 */
import { CtyNumber } from '../number';
import { defineOwn } from '../types';

/** A parsed JSON document with lossless numbers. */
export type JsonValue = null | boolean | string | CtyNumber | JsonValue[] | { [key: string]: JsonValue };

/** Maximum nesting depth accepted by `parseJsonLossless`. */
export const MAX_JSON_DEPTH = 1000;

/** Thrown for malformed JSON text. */
export class JsonSyntaxError extends SyntaxError {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at offset ${offset}`);
    this.name = 'JsonSyntaxError';
  }
}

/**
 * Parse JSON text, keeping every number as a CtyNumber (exact: `0.1`, `1e400`,
 * `18446744073709551617` all survive). Objects are plain objects ("__proto__" becomes
 * an ordinary own key); for duplicate keys the last one wins, as in JSON.parse and Go.
 */
export function parseJsonLossless(text: string | Uint8Array): JsonValue {
  const src = typeof text === 'string' ? text : Buffer.from(text.buffer, text.byteOffset, text.byteLength).toString('utf8');
  const p = new JsonParser(src);
  p.ws();
  const v = p.value(0);
  p.ws();
  if (p.pos !== src.length) p.fail('unexpected data after JSON value');
  return v;
}

class JsonParser {
  pos = 0;
  constructor(readonly s: string) {}

  fail(msg: string): never {
    if (this.pos >= this.s.length && msg !== 'unterminated string') msg = 'unexpected end of JSON input';
    throw new JsonSyntaxError(msg, this.pos);
  }

  ws(): void {
    const s = this.s;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++;
      else break;
    }
  }

  value(depth: number): JsonValue {
    if (depth > MAX_JSON_DEPTH) this.fail('JSON nested too deeply');
    const c = this.s[this.pos];
    switch (c) {
      case '{':
        return this.object(depth);
      case '[':
        return this.array(depth);
      case '"':
        return this.string();
      case 't':
        return this.literal('true', true);
      case 'f':
        return this.literal('false', false);
      case 'n':
        return this.literal('null', null);
      case undefined:
        return this.fail('unexpected end of JSON input');
      default:
        if (c === '-' || (c >= '0' && c <= '9')) return this.number();
        return this.fail(`unexpected character ${JSON.stringify(c)}`);
    }
  }

  literal<T extends JsonValue>(word: string, v: T): T {
    if (this.s.startsWith(word, this.pos)) {
      this.pos += word.length;
      return v;
    }
    return this.fail('invalid literal');
  }

  number(): CtyNumber {
    const re = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    re.lastIndex = this.pos;
    const m = re.exec(this.s);
    if (!m) return this.fail('invalid number');
    const start = this.pos;
    this.pos += m[0].length;
    try {
      return CtyNumber.parse(m[0]);
    } catch (e) {
      this.pos = start;
      return this.fail((e as Error).message);
    }
  }

  string(): string {
    const s = this.s;
    this.pos++; // opening quote
    let out = '';
    let start = this.pos;
    for (;;) {
      if (this.pos >= s.length) this.fail('unterminated string');
      const c = s.charCodeAt(this.pos);
      if (c === 0x22) {
        out += s.slice(start, this.pos);
        this.pos++;
        return out;
      }
      if (c < 0x20) this.fail('control character in string');
      if (c !== 0x5c) {
        this.pos++;
        continue;
      }
      out += s.slice(start, this.pos);
      const e = s[this.pos + 1];
      this.pos += 2;
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          const hex = s.slice(this.pos, this.pos + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('invalid \\u escape');
          out += String.fromCharCode(parseInt(hex, 16));
          this.pos += 4;
          break;
        }
        default:
          this.pos -= 2;
          this.fail('invalid escape');
      }
      start = this.pos;
    }
  }

  array(depth: number): JsonValue[] {
    this.pos++;
    const out: JsonValue[] = [];
    this.ws();
    if (this.s[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.ws();
      out.push(this.value(depth + 1));
      this.ws();
      const c = this.s[this.pos];
      if (c === ',') this.pos++;
      else if (c === ']') {
        this.pos++;
        return out;
      } else this.fail("expected ',' or ']'");
    }
  }

  object(depth: number): { [key: string]: JsonValue } {
    this.pos++;
    const out: { [key: string]: JsonValue } = {};
    this.ws();
    if (this.s[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.s[this.pos] !== '"') this.fail('expected object key string');
      const k = this.string();
      this.ws();
      if (this.s[this.pos] !== ':') this.fail("expected ':'");
      this.pos++;
      this.ws();
      defineOwn(out, k, this.value(depth + 1));
      this.ws();
      const c = this.s[this.pos];
      if (c === ',') this.pos++;
      else if (c === '}') {
        this.pos++;
        return out;
      } else this.fail("expected ',' or '}'");
    }
  }
}
