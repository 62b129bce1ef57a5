import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { CashmanClient } from '../src/cashman/client.js';
import { CashmanError } from '../src/errors.js';
import { LOGIN } from './cashman-fixtures.js';

/** A raw TCP server that reads the request and answers with `answer(socket)`: HTTP as a broken server writes it. */
let server: Server | undefined;
async function rawServer(answer: (socket: Socket) => void): Promise<string> {
  server = createServer((socket) => {
    let seen = '';
    socket.on('data', (chunk: Buffer) => {
      seen += chunk.toString('latin1');
      // The whole multipart body has arrived once its closing boundary has.
      if (/--\r\n$/.test(seen)) answer(socket);
    });
    socket.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/fxapi/jxs.php`;
}

afterEach(async () => {
  if (server) await new Promise((resolve) => server!.close(resolve));
  server = undefined;
});

const client = (apiUrl: string) => new CashmanClient({ apiUrl, group: LOGIN.group, user: LOGIN.user, password: LOGIN.password, timeoutMs: 2000 });

async function failure(promise: Promise<unknown>): Promise<CashmanError> {
  const error = await promise.then(() => new Error('expected a CashmanError'), (e: unknown) => e);
  expect(error).toBeInstanceOf(CashmanError);
  return error as CashmanError;
}

describe('the Cashman POST on a server that misbehaves', () => {
  it('an answer cut off before its announced length is "outcome unknown", never read as the short text', async () => {
    // "a:0:{}" alone is a valid (empty) stock list: read as complete, the login check would pass.
    const url = await rawServer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\na:0:{}');
      setTimeout(() => socket.destroy(), 20);
    });
    expect((await failure(client(url).checkLogin())).code).toBe('CASHMAN_OUTCOME_UNKNOWN');
  });

  it('a UTF-8 letter split across two packets arrives whole', async () => {
    const text = Buffer.from('HIBA: Termékcsoport nem létezik', 'utf8');
    const cut = text.indexOf(Buffer.from('é', 'utf8')) + 1;
    const url = await rawServer((socket) => {
      socket.write(`HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${text.length}\r\nConnection: close\r\n\r\n`);
      socket.write(text.subarray(0, cut));
      setTimeout(() => socket.end(text.subarray(cut)), 20);
    });
    const error = await failure(client(url).checkLogin());
    expect(error.message).toContain('Termékcsoport nem létezik');
  });

  it('a connection the server closes before answering is "outcome unknown": the request may have been read', async () => {
    const url = await rawServer((socket) => socket.destroy());
    expect((await failure(client(url).checkLogin())).code).toBe('CASHMAN_OUTCOME_UNKNOWN');
  });
});
