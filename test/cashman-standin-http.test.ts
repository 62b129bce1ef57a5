import { afterEach, describe, expect, it } from '@jest/globals';
import { once } from 'node:events';
import net from 'node:net';
import { multipartBody } from '../src/cashman/transport.js';
import { phpSerializeRows } from '../src/cashman/php-serialize.js';
import { startCashmanStandin, type CashmanStandin } from '../src/standins/cashman-standin.js';

/** The stand-in's body reading over a real socket: bodies in pieces, and a client gone mid-body. */

let standin: CashmanStandin | null = null;
afterEach(async () => {
  await standin?.close();
  standin = null;
});

const partnerPayload = (code: string): string =>
  phpSerializeRows([{ Csoport: 'demo', User: 'api', Password: 'secret', muveletkod: '9', partner_id: '', partner_kod: code, nev: 'Kovács Éva' }]);

function connect(url: string): Promise<net.Socket> {
  const { port } = new URL(url);
  const socket = net.connect(Number(port), '127.0.0.1');
  return once(socket, 'connect').then(() => socket);
}

async function answerOf(socket: net.Socket): Promise<string> {
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  await once(socket, 'end');
  const text = Buffer.concat(chunks).toString('latin1');
  const split = text.indexOf('\r\n\r\n');
  let rest = text.slice(split + 4);
  if (!/\r\ntransfer-encoding: chunked\r\n/i.test(text.slice(0, split + 2))) return Buffer.from(rest, 'latin1').toString('utf8');
  let answer = '';
  for (;;) {
    const size = parseInt(rest.slice(0, rest.indexOf('\r\n')), 16);
    if (!(size > 0)) return Buffer.from(answer, 'latin1').toString('utf8');
    rest = rest.slice(rest.indexOf('\r\n') + 2);
    answer += rest.slice(0, size);
    rest = rest.slice(size + 2);
  }
}

describe('the Cashman stand-in over a raw socket', () => {
  it('decodes a chunked body sent a few bytes at a time', async () => {
    standin = await startCashmanStandin();
    const { body, contentType } = multipartBody(partnerPayload('SR000001'));
    const socket = await connect(standin.url);
    socket.write(`POST /fxapi/jxs.php HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: ${contentType}\r\nTransfer-Encoding: chunked\r\n\r\n`);
    const answer = answerOf(socket);
    for (let at = 0; at < body.length; at += 7) {
      const piece = body.subarray(at, at + 7);
      socket.write(`${piece.length.toString(16)}\r\n`);
      socket.write(piece);
      socket.write('\r\n');
      await new Promise((resolve) => setImmediate(resolve));
    }
    socket.end('0\r\n\r\n');
    expect(await answer).toBe('1001|SR000001');
    expect(standin.partners.get('1001')?.fields.nev).toBe('Kovács Éva');
  });

  it('records nothing for a client gone mid-body, and keeps serving', async () => {
    standin = await startCashmanStandin();
    const { body, contentType } = multipartBody(partnerPayload('SR000002'));
    const gone = await connect(standin.url);
    gone.write(`POST /fxapi/jxs.php HTTP/1.1\r\nHost: x\r\nContent-Type: ${contentType}\r\nContent-Length: ${body.length}\r\n\r\n`);
    gone.write(body.subarray(0, 40));
    // Gives the stand-in a moment to start the request; the outcome must be the same either way.
    await new Promise((resolve) => setTimeout(resolve, 20));
    gone.resetAndDestroy();
    await once(gone, 'close');

    const socket = await connect(standin.url);
    socket.write(`POST /fxapi/jxs.php HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: ${contentType}\r\nContent-Length: ${body.length}\r\n\r\n`);
    const answer = answerOf(socket);
    socket.end(body);
    expect(await answer).toBe('1001|SR000002');
    expect(standin.stats.requests).toBe(1);
    expect(standin.received).toHaveLength(1);
  });
});
