import { describe, expect, it } from '@jest/globals';
import type http from 'node:http';
import { multipartBody } from '../src/cashman/transport.js';
import { multipartBoundary, readPostField } from '../src/standins/cashman-standin-multipart.js';
import { decodeRequest } from '../src/standins/cashman-standin-wire.js';

/**
 * The stand-in's own multipart reader against the one it replaced: Node's fetch
 * (`new Request(...).formData()`), the reference here. Both get the same bodies; what the
 * stand-in then unserializes (the `post` field's bytes), or the failure, must be the same.
 */

type Outcome = 'failure' | 'missing' | { hex: string };

async function reference(contentType: string, body: Buffer): Promise<Outcome> {
  let post: ReturnType<FormData['get']>;
  try {
    post = (await new Request('http://standin.invalid/', { method: 'POST', headers: { 'content-type': contentType }, body }).formData()).get('post');
  } catch {
    return 'failure';
  }
  if (post === null) return 'missing';
  return { hex: (typeof post === 'string' ? Buffer.from(post, 'utf8') : Buffer.from(await post.arrayBuffer())).toString('hex') };
}

function ours(contentType: string, body: Buffer): Outcome {
  const boundary = multipartBoundary(contentType);
  const post = boundary === null ? null : readPostField(body, boundary);
  if (post === null) return 'failure';
  if (post === undefined) return 'missing';
  return { hex: (typeof post === 'string' ? Buffer.from(post, 'utf8') : Buffer.from(post)).toString('hex') };
}

const B = 'xYz0123456789abcdefghijklmnop';
const CT = `multipart/form-data; boundary=${B}`;
const PAYLOAD = 'a:1:{i:0;a:2:{s:10:"muveletkod";s:1:"9";s:3:"nev";s:7:"Őrség";}}';
const field = (name: string, value: string | Buffer, headers = ''): Buffer =>
  Buffer.concat([Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="${name}"\r\n${headers}\r\n`, 'latin1'), Buffer.from(value), Buffer.from('\r\n')]);
const end = Buffer.from(`--${B}--\r\n`);
const body = (...parts: (Buffer | string)[]): Buffer => Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'latin1') : part)));
const daemon = multipartBody(PAYLOAD);
const bom = Buffer.from([0xef, 0xbb, 0xbf]);
const binary = Buffer.from([0x00, 0xff, 0xfe, 0x0d, 0x0a, 0x2d, 0x2d, 0xc3, 0x28, 0x80]);

const cases: Array<[string, string, Buffer]> = [
  ['the daemon\'s own body', daemon.contentType, daemon.body],
  ['a quoted boundary', `multipart/form-data; boundary="${B}"`, body(field('post', PAYLOAD), end)],
  ['an upper-case parameter name and extra parameters', `multipart/form-data; charset=utf-8; BOUNDARY=${B}; x=y`, body(field('post', PAYLOAD), end)],
  ['blanks around the parameter', `multipart/form-data ;  boundary=${B}  `, body(field('post', PAYLOAD), end)],
  ['a blank before "="', `multipart/form-data; boundary =${B}`, body(field('post', PAYLOAD), end)],
  ['no boundary parameter', 'multipart/form-data', body(field('post', PAYLOAD), end)],
  ['a different boundary than the body\'s', 'multipart/form-data; boundary=other', body(field('post', PAYLOAD), end)],
  ['an empty quoted boundary', 'multipart/form-data; boundary=""', body(field('post', PAYLOAD), end)],
  ['a quoted boundary with a backslash escape', 'multipart/form-data; boundary="a\\"b"', body('--a"b\r\nContent-Disposition: form-data; name="post"\r\n\r\n', PAYLOAD, '\r\n--a"b--')],
  ['a control character in the boundary', 'multipart/form-data; boundary="a\u0001b"', body('--a\u0001b\r\nContent-Disposition: form-data; name="post"\r\n\r\nv\r\n--a\u0001b--')],
  ['a boundary of two blanks', 'multipart/form-data; boundary=  ;x=1', body('--  \r\nContent-Disposition: form-data; name="post"\r\n\r\nv\r\n--  --')],
  ['a preamble', CT, body('This is a preamble.\r\n', field('post', PAYLOAD), end)],
  ['an epilogue', CT, body(field('post', PAYLOAD), end, 'epilogue\r\n')],
  ['leading and trailing CRLFs', CT, body('\r\n\r\n', field('post', PAYLOAD), end, '\r\n\r\n')],
  ['no CRLF after the final boundary', CT, body(field('post', PAYLOAD), `--${B}--`)],
  ['no final boundary', CT, body(field('post', PAYLOAD))],
  ['a final boundary without its dashes', CT, body(field('post', PAYLOAD), `--${B}\r\n`)],
  ['LF-only line ends', CT, Buffer.from(`--${B}\nContent-Disposition: form-data; name="post"\n\n${PAYLOAD}\n--${B}--\n`)],
  ['other fields before and after', CT, body(field('a', '1'), field('post', PAYLOAD), field('z', '2'), end)],
  ['post twice (the first counts)', CT, body(field('post', 'first'), field('post', PAYLOAD), end)],
  ['no post field', CT, body(field('posts', PAYLOAD), field('Post', PAYLOAD), end)],
  ['post as a named file with binary bytes', CT, body(`--${B}\r\nContent-Disposition: form-data; name="post"; filename="p.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`, binary, `\r\n`, end)],
  ['a filename* parameter', CT, body(`--${B}\r\nContent-Disposition: form-data; name="post"; filename*="p.txt"\r\n\r\n`, PAYLOAD, '\r\n', end)],
  ['a text field with invalid UTF-8', CT, body(field('post', binary), end)],
  ['a text field starting with a BOM', CT, body(field('post', Buffer.concat([bom, Buffer.from(PAYLOAD)])), end)],
  ['a text field starting with two BOMs', CT, body(field('post', Buffer.concat([bom, bom, Buffer.from('x')])), end)],
  ['a U+FEFF inside the text', CT, body(field('post', Buffer.concat([Buffer.from('x'), bom])), end)],
  ['an empty field', CT, body(field('post', ''), end)],
  ['base64 transfer encoding', CT, body(field('post', Buffer.from(PAYLOAD).toString('base64'), 'Content-Transfer-Encoding: base64\r\n'), end)],
  ['an unknown transfer encoding', CT, body(field('post', PAYLOAD, 'Content-Transfer-Encoding: quoted-printable \r\n'), end)],
  ['the boundary text inside the value', CT, body(field('post', `x${B}y`), end)],
  ['a lone CRLF and dashes inside the value', CT, body(field('post', 'a\r\n--b\r\n'), end)],
  ['lower-case header name, blanks around the colon', CT, body(`--${B}\r\ncontent-disposition :  form-data; name="post"\r\n\r\n`, PAYLOAD, '\r\n', end)],
  ['a header name with a space inside', CT, body(`--${B}\r\nContent Disposition: form-data; name="post"\r\n\r\nv\r\n`, end)],
  ['a part without Content-Disposition', CT, body(`--${B}\r\nContent-Type: text/plain\r\n\r\nv\r\n`, end)],
  ['Content-Disposition: attachment', CT, body(`--${B}\r\nContent-Disposition: attachment; name="post"\r\n\r\nv\r\n`, end)],
  ['an escaped quote in a field name', CT, body(field('p%22q', 'v'), field('post', PAYLOAD), end)],
  ['an unterminated field name', CT, body(`--${B}\r\nContent-Disposition: form-data; name="post\r\n\r\nv\r\n`, end)],
  ['a header line ending in CR alone', CT, body(`--${B}\r\nContent-Disposition: form-data; name="post"\rX\n\r\nv\r\n`, end)],
  ['an empty body', CT, Buffer.alloc(0)],
  ['only the final boundary', CT, body(end)],
  ['a non-ASCII byte in the boundary', 'multipart/form-data; boundary=\u00e9xyz', body('--\u00e9xyz\r\nContent-Disposition: form-data; name="post"\r\n\r\nv\r\n--\u00e9xyz--')],
];

describe('the stand-in\'s multipart reader', () => {
  it.each(cases)('reads %s as Node\'s fetch does', async (_name, contentType, input) => {
    expect(ours(contentType, input)).toEqual(await reference(contentType, input));
  });

  it('reads a Content-Type listing several types as one type, as PHP does (the one deliberate difference)', async () => {
    // Node's fetch takes the last listed type; PHP cuts the boundary at the comma and finds no part.
    const listed = `multipart/form-data; boundary=other, multipart/form-data; boundary=${B}`;
    const input = body(field('post', PAYLOAD), end);
    expect(await reference(listed, input)).toEqual({ hex: Buffer.from(PAYLOAD).toString('hex') });
    expect(ours(listed, input)).toBe('failure');
  });

  it('hands the daemon\'s payload over byte for byte', () => {
    expect(ours(daemon.contentType, daemon.body)).toEqual({ hex: Buffer.from(PAYLOAD).toString('hex') });
  });

  it('answers the HIBA texts Cashman gives for bad requests', () => {
    const request = (contentType: string, method = 'POST') => ({ method, headers: { 'content-type': contentType } }) as unknown as http.IncomingMessage;
    expect(decodeRequest(request(daemon.contentType), daemon.body)).toEqual({ operation: 9, rows: [{ muveletkod: '9', nev: 'Őrség' }] });
    expect(decodeRequest(request(daemon.contentType, 'GET'), daemon.body)).toBe('HIBA: Hiányzó adatok (post).');
    expect(decodeRequest(request('application/x-www-form-urlencoded'), Buffer.from('post=x'))).toBe('HIBA: Hiányzó adatok (post).');
    expect(decodeRequest(request(CT), body('preamble\r\n', field('post', PAYLOAD), end))).toBe('HIBA: Hibás kérés.');
    expect(decodeRequest(request(CT), body(field('other', PAYLOAD), end))).toBe('HIBA: Hiányzó adatok (post).');
    expect(decodeRequest(request(CT), body(field('post', 'a:1:{i:0;O:8:"stdClass":0:{}}'), end))).toBe('HIBA: Hibás adatformátum.');
    expect(decodeRequest(request(CT), body(field('post', 'a:1:{i:0;a:1:{s:10:"muveletkod";s:1:"x";}}'), end))).toBe('HIBA: Hiányzó műveletkód.');
  });
});
