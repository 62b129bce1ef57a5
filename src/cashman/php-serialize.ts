import { isUtf8 } from 'node:buffer';

/**
 * PHP `serialize()` / `unserialize()` for the small subset the Cashman API speaks
 * (reference/cashman-fx-api.md §3, §4): requests are an array of rows of strings, list answers
 * (ops 17/18/19) are serialized arrays of scalars.
 *
 * Hand-written rather than the `php-serialize` npm package: that package also revives PHP
 * objects (`O:`/`C:`) and Serializable classes, which a strict parser of remote input must refuse,
 * and the subset here is about a hundred lines. The wire format is proven against PHP itself in
 * test/cashman-php-contract.test.ts. Lengths in `s:LEN:"..."` are UTF-8 *byte* counts, which is
 * why everything below works on bytes, not on JavaScript string indices.
 */

/** A value PHP can hand us in the accepted subset. Non-list arrays become null-prototype objects. */
export type PhpValue = null | boolean | number | string | PhpValue[] | PhpRecord;
export interface PhpRecord {
  [key: string]: PhpValue;
}

/** The payload was not valid PHP serialization of the accepted subset. */
export class PhpUnserializeError extends Error {
  constructor(message: string, readonly offset: number) {
    super(`${message} at byte ${offset}`);
    this.name = 'PhpUnserializeError';
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function serializeString(text: string): string {
  // TextEncoder would silently turn a lone surrogate into U+FFFD: refuse instead of altering data.
  if (LONE_SURROGATE.test(text)) throw new TypeError('cannot serialize a string with a lone UTF-16 surrogate');
  return `s:${Buffer.byteLength(text, 'utf8')}:"${text}";`;
}

/** Encodes a value the way PHP's serialize() does: lists get keys 0..n-1, records string keys. */
export function phpSerialize(value: PhpValue): string {
  if (value === null) return 'N;';
  if (typeof value === 'boolean') return `b:${value ? 1 : 0};`;
  if (typeof value === 'string') return serializeString(value);
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) return `i:${value};`;
    if (Number.isNaN(value)) return 'd:NAN;';
    if (!Number.isFinite(value)) return value > 0 ? 'd:INF;' : 'd:-INF;';
    return `d:${String(value)};`;
  }
  if (Array.isArray(value)) {
    return `a:${value.length}:{${value.map((item, index) => `i:${index};${phpSerialize(item)}`).join('')}}`;
  }
  const entries = Object.entries(value);
  return `a:${entries.length}:{${entries.map(([key, item]) => serializeString(key) + phpSerialize(item)).join('')}}`;
}

/** The request body of every Cashman call: a list of rows, every value sent as a string. */
export function phpSerializeRows(rows: readonly Readonly<Record<string, string>>[]): string {
  return phpSerialize(rows.map((row) => ({ ...row })));
}

const INTEGER = /^[+-]?\d+$/;
// PHP's own grammar for d: (ext/standard/var_unserializer.re): decimal, exponent, NAN, INF.
const DOUBLE = /^(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|NAN|-?INF)$/;
// PHP turns canonical decimal string keys into integer keys; mirror that so "0" and i:0 agree.
const CANONICAL_INT_KEY = /^(?:0|-?[1-9]\d*)$/;

const MAX_DEPTH = 64;

// Speed matters here: the Cashman stand-in decodes every request with this on the cores the daemon
// uses, so the reader works on one Buffer view (no per-token Buffer or TextDecoder call) and
// builds an error's text only when it fails.
class Reader {
  offset = 0;
  depth = 0;
  readonly bytes: Buffer;
  constructor(input: Uint8Array) {
    this.bytes = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  }

  fail(message: string): never {
    throw new PhpUnserializeError(message, this.offset);
  }

  expect(char: string): void {
    if (this.bytes[this.offset] !== char.charCodeAt(0)) this.fail(`expected "${char}"`);
    this.offset += 1;
  }

  /** The byte at the cursor as a one-character tag ("\0" past the end), for messages and switches. */
  tag(): string {
    return String.fromCharCode(this.bytes[this.offset] ?? 0);
  }

  /** ASCII text up to (not including) `terminator`, which is consumed. */
  until(terminator: string): string {
    const end = this.bytes.indexOf(terminator.charCodeAt(0), this.offset);
    if (end < 0) this.fail(`missing "${terminator}"`);
    const text = this.bytes.toString('latin1', this.offset, end);
    this.offset = end + 1;
    return text;
  }

  count(terminator: string): number {
    // Short digit runs (every real length) are summed in place; anything else takes the checked path.
    const code = terminator.charCodeAt(0);
    let sum = 0;
    for (let at = this.offset; at < this.bytes.length && at - this.offset < 15; at += 1) {
      const byte = this.bytes[at] as number;
      if (byte === code && at > this.offset) {
        this.offset = at + 1;
        return sum;
      }
      if (byte < 0x30 || byte > 0x39) break;
      sum = sum * 10 + (byte - 0x30);
    }
    const text = this.until(terminator);
    if (!/^\d+$/.test(text)) this.fail(`invalid length "${text}"`);
    const n = Number(text);
    if (!Number.isSafeInteger(n)) this.fail('length out of range');
    return n;
  }

  integer(): number {
    const text = this.until(';');
    if (!INTEGER.test(text)) this.fail(`invalid integer "${text}"`);
    const n = Number(text);
    if (!Number.isSafeInteger(n)) this.fail(`integer ${text} does not fit a JavaScript number`);
    return n;
  }

  string(): string {
    const length = this.count(':');
    this.expect('"');
    if (this.offset + length > this.bytes.length) this.fail('string runs past the end');
    const start = this.offset;
    const end = start + length;
    let ascii = true;
    for (let at = start; at < end; at += 1) {
      if ((this.bytes[at] as number) > 0x7f) {
        ascii = false;
        break;
      }
    }
    // toString('utf8') keeps a leading U+FEFF and would replace bad bytes: isUtf8 refuses them first.
    if (!ascii && !isUtf8(this.bytes.subarray(start, end))) this.fail('string is not valid UTF-8 (wrong byte length?)');
    const text = this.bytes.toString(ascii ? 'latin1' : 'utf8', start, end);
    this.offset = end;
    this.expect('"');
    this.expect(';');
    return text;
  }

  key(): string | number {
    const tag = this.tag();
    if (tag !== 'i' && tag !== 's') this.fail(`array key must be i or s, got "${tag}"`);
    this.offset += 1;
    this.expect(':');
    if (tag === 'i') return this.integer();
    const key = this.string();
    return CANONICAL_INT_KEY.test(key) && Number.isSafeInteger(Number(key)) ? Number(key) : key;
  }

  array(): PhpValue[] | PhpRecord {
    // Cashman's answers are two levels deep; a bound keeps hostile input from exhausting the stack.
    if (++this.depth > MAX_DEPTH) this.fail('arrays nested too deeply');
    const size = this.count(':');
    this.expect('{');
    const keys: (string | number)[] = [];
    const values: PhpValue[] = [];
    // Keys 0, 1, 2... (a list) cannot repeat; the set of seen keys is built from the first other key on.
    let seen: Set<string> | null = null;
    for (let i = 0; i < size; i += 1) {
      const key = this.key();
      if (seen === null && key !== i) seen = new Set(keys.map(String));
      if (seen !== null) {
        if (seen.has(String(key))) this.fail(`duplicate array key ${String(key)}`);
        seen.add(String(key));
      }
      keys.push(key);
      values.push(this.value());
    }
    this.expect('}');
    this.depth -= 1;
    if (seen === null) return values;
    const record: PhpRecord = Object.create(null) as PhpRecord;
    keys.forEach((key, index) => {
      record[String(key)] = values[index] ?? null;
    });
    return record;
  }

  value(): PhpValue {
    const tag = this.tag();
    if (!'Nbidsa'.includes(tag)) {
      this.fail(`unsupported type "${tag}" (only N, b, i, d, s, a are accepted)`);
    }
    this.offset += 1;
    if (tag === 'N') {
      this.expect(';');
      return null;
    }
    this.expect(':');
    switch (tag) {
      case 'b': {
        const flag = this.until(';');
        if (flag !== '0' && flag !== '1') this.fail(`invalid boolean "${flag}"`);
        return flag === '1';
      }
      case 'i':
        return this.integer();
      case 'd': {
        const text = this.until(';');
        if (!DOUBLE.test(text)) this.fail(`invalid double "${text}"`);
        if (text === 'NAN') return Number.NaN;
        if (text.endsWith('INF')) return text.startsWith('-') ? -Infinity : Infinity;
        return Number(text);
      }
      case 's':
        return this.string();
      case 'a':
        return this.array();
      default:
        return this.fail(`unsupported type "${tag}"`);
    }
  }
}

/**
 * Strict decoder: exactly one value of the subset N, b, i, d, s, a, nothing after it. Objects
 * (`O:`, `C:`), references (`r:`, `R:`), wrong byte lengths and trailing bytes all throw
 * PhpUnserializeError. A string argument is taken as the UTF-8 text PHP produced.
 */
export function phpUnserialize(input: string | Uint8Array): PhpValue {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const reader = new Reader(bytes);
  const value = reader.value();
  if (reader.offset !== bytes.length) reader.fail('trailing data after the value');
  return value;
}
