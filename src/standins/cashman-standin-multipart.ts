import { isUtf8 } from 'node:buffer';

/**
 * The stand-in's reader of a `multipart/form-data` request: the first field named `post`, as bytes
 * or text, or null when the body is not multipart the way the stand-in accepted it before.
 *
 * It follows, step for step, the parser Node's fetch (undici 6) runs for `Request.formData()`,
 * which the stand-in used until it cost ~90 µs per request (Request construction, web streams,
 * a File per part) on the 2 cores the daemon shares with the bench. Same answers on every body,
 * quirks included (leading/trailing CRLFs skipped, no preamble, CRLF line ends only, a field's
 * text decoded "without BOM", `filename` parts kept as raw bytes, base64 transfer encoding);
 * test/cashman-standin-multipart.test.ts feeds both readers the same bodies. One difference: a
 * Content-Type listing several types separated by commas is read as one type (as PHP reads it).
 */

const TOKEN = /^[!#$%&'*+\-.^_|~A-Za-z0-9]+$/;
const QUOTED_STRING_TOKENS = /^[\t -~\u0080-\u00ff]+$/;
const HTTP_WS = new Set([0x09, 0x0a, 0x0d, 0x20]);
const FORM_DATA_NAME = Buffer.from('form-data; name="');
const FILENAME = Buffer.from('; filename');
const decoder = new TextDecoder();

/** What the `post` field held: raw bytes (a file part, or text that needs no decoding) or decoded text. */
export type PostField = Uint8Array | string;

/** Strips HTTP whitespace as undici does: the trailing loop stops at index 1, so "  " keeps one blank. */
function trimHttpWhitespace(text: string, leading: boolean): string {
  let lead = 0;
  let trail = text.length - 1;
  if (leading) while (lead < text.length && HTTP_WS.has(text.charCodeAt(lead))) lead += 1;
  while (trail > 0 && HTTP_WS.has(text.charCodeAt(trail))) trail -= 1;
  return text.slice(lead, trail + 1);
}

/** The `boundary` parameter of a multipart/form-data Content-Type (WHATWG "parse a MIME type"), or null. */
export function multipartBoundary(contentType: string): string | null {
  // Headers normalisation trims fully first; parse-a-MIME-type's own trim then changes nothing.
  const input = contentType.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, '');
  const slash = input.indexOf('/');
  if (slash <= 0 || !TOKEN.test(input.slice(0, slash))) return null;
  let semi = input.indexOf(';', slash + 1);
  if (semi < 0) semi = input.length;
  const subtype = trimHttpWhitespace(input.slice(slash + 1, semi), false);
  if (subtype.length === 0 || !TOKEN.test(subtype)) return null;
  if (`${input.slice(0, slash)}/${subtype}`.toLowerCase() !== 'multipart/form-data') return null;
  const parameters = new Map<string, string>();
  let at = semi;
  while (at < input.length) {
    at += 1;
    while (at < input.length && HTTP_WS.has(input.charCodeAt(at))) at += 1;
    let end = at;
    while (end < input.length && input[end] !== ';' && input[end] !== '=') end += 1;
    const name = input.slice(at, end).toLowerCase();
    at = end;
    if (at < input.length) {
      if (input[at] === ';') continue;
      at += 1;
    }
    let value = '';
    if (input[at] === '"') {
      at += 1;
      for (;;) {
        while (at < input.length && input[at] !== '"' && input[at] !== '\\') value += input[at++];
        if (at >= input.length) break;
        const quoteOrBackslash = input[at++];
        if (quoteOrBackslash !== '\\') break;
        if (at >= input.length) {
          value += '\\';
          break;
        }
        value += input[at++];
      }
      while (at < input.length && input[at] !== ';') at += 1;
    } else {
      end = at;
      while (end < input.length && input[end] !== ';') end += 1;
      value = trimHttpWhitespace(input.slice(at, end), false);
      at = end;
      if (value.length === 0) continue;
    }
    if (name.length > 0 && TOKEN.test(name) && (value.length === 0 || QUOTED_STRING_TOKENS.test(value)) && !parameters.has(name)) {
      parameters.set(name, value);
    }
  }
  return parameters.get('boundary') ?? null;
}

const startsWith = (input: Buffer, prefix: Buffer, at: number): boolean => input.length >= prefix.length && input.compare(prefix, 0, prefix.length, at, at + prefix.length) === 0;

/** A quoted name or filename after its opening quote; `%0A`, `%0D`, `%22` unescaped; null without a closing quote. */
function quotedName(input: Buffer, cursor: { at: number }): string | null {
  let end = cursor.at;
  while (end < input.length && input[end] !== 0x0a && input[end] !== 0x0d && input[end] !== 0x22) end += 1;
  if (input[end] !== 0x22) return null;
  const name = decoder.decode(input.subarray(cursor.at, end)).replace(/%0A/gi, '\n').replace(/%0D/gi, '\r').replace(/%22/g, '"');
  cursor.at = end + 1;
  return name;
}

interface PartHeaders {
  name: string;
  filename: string | null;
  encoding: string | null;
}

function lineEnd(input: Buffer, at: number): number {
  while (at < input.length && input[at] !== 0x0a && input[at] !== 0x0d) at += 1;
  return at;
}

function partHeaders(input: Buffer, cursor: { at: number }): PartHeaders | null {
  let name: string | null = null;
  let filename: string | null = null;
  let encoding: string | null = null;
  for (;;) {
    if (input[cursor.at] === 0x0d && input[cursor.at + 1] === 0x0a) return name === null ? null : { name, filename, encoding };
    let end = cursor.at;
    while (end < input.length && input[end] !== 0x0a && input[end] !== 0x0d && input[end] !== 0x3a) end += 1;
    // undici's trim: leading blanks, then trailing ones down to index 1 (one blank alone stays empty).
    let lead = cursor.at;
    let trail = end - 1;
    while (lead < end && (input[lead] === 0x09 || input[lead] === 0x20)) lead += 1;
    while (trail > cursor.at && (input[trail] === 0x09 || input[trail] === 0x20)) trail -= 1;
    const headerName = input.toString('utf8', lead, Math.max(lead, trail + 1));
    if (!TOKEN.test(headerName) || input[end] !== 0x3a) return null;
    cursor.at = end + 1;
    while (input[cursor.at] === 0x20 || input[cursor.at] === 0x09) cursor.at += 1;
    const lower = headerName.toLowerCase();
    if (lower === 'content-disposition') {
      name = filename = null;
      if (!startsWith(input.subarray(cursor.at), FORM_DATA_NAME, 0)) return null;
      cursor.at += FORM_DATA_NAME.length;
      name = quotedName(input, cursor);
      if (name === null) return null;
      if (startsWith(input.subarray(cursor.at), FILENAME, 0)) {
        let check = cursor.at + FILENAME.length;
        if (input[check] === 0x2a) {
          cursor.at += 1;
          check += 1;
        }
        if (input[check] !== 0x3d || input[check + 1] !== 0x22) return null;
        cursor.at += 12;
        filename = quotedName(input, cursor);
        if (filename === null) return null;
      }
    } else if (lower === 'content-transfer-encoding') {
      const end2 = lineEnd(input, cursor.at);
      let trail2 = end2 - 1;
      while (trail2 > cursor.at && (input[trail2] === 0x09 || input[trail2] === 0x20)) trail2 -= 1;
      encoding = input.toString('latin1', cursor.at, Math.max(cursor.at, trail2 + 1));
      cursor.at = end2;
    } else {
      cursor.at = lineEnd(input, cursor.at);
    }
    // As undici checks it: only a line end that is neither CR nor LF at its first two bytes fails.
    if (input[cursor.at] !== 0x0d && input[cursor.at + 1] !== 0x0a) return null;
    cursor.at += 2;
  }
}

/** A text field's value, "UTF-8 decode without BOM": bytes as they are when that changes nothing. */
function fieldText(body: Buffer): PostField {
  if (isUtf8(body) && !(body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf)) return body;
  const bom = body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? 3 : 0;
  return decoder.decode(body.subarray(bom));
}

/**
 * The first `post` field of `body`; `null` = the body is not multipart/form-data with this
 * boundary (undici's "failure"), `undefined` = parsed, but no `post` field.
 */
export function readPostField(body: Buffer, boundaryText: string): PostField | null | undefined {
  const boundary = Buffer.from(`--${boundaryText}`, 'utf8');
  const bare = boundary.subarray(2);
  let input = body;
  const cursor = { at: 0 };
  while (input[cursor.at] === 0x0d && input[cursor.at + 1] === 0x0a) cursor.at += 2;
  let trailing = input.length;
  while (input[trailing - 1] === 0x0a && input[trailing - 2] === 0x0d) trailing -= 2;
  if (trailing !== input.length) input = input.subarray(0, trailing);
  let post: PostField | undefined;
  for (;;) {
    if (!input.subarray(cursor.at, cursor.at + boundary.length).equals(boundary)) return null;
    cursor.at += boundary.length;
    const dashes = input[cursor.at] === 0x2d && input[cursor.at + 1] === 0x2d;
    if (dashes && (cursor.at === input.length - 2 || (cursor.at === input.length - 4 && input[cursor.at + 2] === 0x0d && input[cursor.at + 3] === 0x0a))) {
      return post;
    }
    if (input[cursor.at] !== 0x0d || input[cursor.at + 1] !== 0x0a) return null;
    cursor.at += 2;
    const headers = partHeaders(input, cursor);
    if (headers === null) return null;
    cursor.at += 2;
    // undici finds the next boundary without its dashes and assumes "\r\n--" before it.
    const boundaryIndex = input.indexOf(bare, cursor.at);
    if (boundaryIndex === -1) return null;
    let value: Buffer = input.subarray(cursor.at, boundaryIndex - 4);
    cursor.at += value.length;
    if (headers.encoding === 'base64') value = Buffer.from(value.toString(), 'base64');
    if (input[cursor.at] !== 0x0d || input[cursor.at + 1] !== 0x0a) return null;
    cursor.at += 2;
    if (post === undefined && headers.name === 'post') post = headers.filename !== null ? value : fieldText(value);
  }
}
