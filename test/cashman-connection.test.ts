import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { CashmanClient } from '../src/cashman/client.js';
import { CashmanError } from '../src/errors.js';
import { LOGIN } from './cashman-fixtures.js';

/**
 * Every Cashman request goes out on a connection of its own: an answer left over on a connection (a
 * server or proxy that answers twice, a script writing past its Content-Length) can then never be
 * read as the next request's answer, and a refused connection proves nothing was sent. A raw TCP
 * server answers as a PHP web server would and counts connections and requests.
 */

const EMPTY_STOCK_LIST = 'a:0:{}';
let server: Server | undefined;
const sockets = new Set<Socket>();

afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  if (server?.listening) await new Promise((resolve) => server!.close(resolve));
  server = undefined;
});

/**
 * `answer(n)` for the n-th request (1-based): the text to send, 'reset' to reset the connection, or
 * 'twice' to answer the empty stock list and, a moment later, a second (stale) answer on the same connection.
 */
async function countingServer(answer: (n: number) => string): Promise<{ url: string; connections: () => number; requests: () => number }> {
  let connections = 0;
  let requests = 0;
  server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let seen = '';
    socket.on('data', (chunk: Buffer) => {
      seen += chunk.toString('latin1');
      // One whole multipart request has arrived once its closing boundary has.
      if (!/--\r\n$/.test(seen)) return;
      seen = '';
      requests += 1;
      const text = answer(requests);
      if (text === 'reset') return void socket.resetAndDestroy();
      if (text === 'twice') {
        const stale = 'HIBA: a stale answer meant for no one';
        socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${EMPTY_STOCK_LIST.length}\r\nConnection: keep-alive\r\n\r\n${EMPTY_STOCK_LIST}`);
        setTimeout(() => socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(stale)}\r\nConnection: keep-alive\r\n\r\n${stale}`), 20);
        return;
      }
      socket.write(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: keep-alive\r\n\r\n${text}`);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/fxapi/jxs.php`,
    connections: () => connections,
    requests: () => requests,
  };
}

const client = (apiUrl: string) => new CashmanClient({ apiUrl, group: LOGIN.group, user: LOGIN.user, password: LOGIN.password, timeoutMs: 5000 });

async function failure(promise: Promise<unknown>): Promise<CashmanError> {
  const error = await promise.then(() => new Error('expected a CashmanError'), (e: unknown) => e);
  expect(error).toBeInstanceOf(CashmanError);
  return error as CashmanError;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the Cashman connection of each request', () => {
  it('each request opens a connection of its own, even one that follows at once', async () => {
    const s = await countingServer(() => EMPTY_STOCK_LIST);
    const c = client(s.url);
    for (let i = 0; i < 5; i += 1) await c.checkLogin();
    expect(s.requests()).toBe(5);
    expect(s.connections()).toBe(5);
  });

  it('an answer left over on a connection is never read as the next request\'s answer', async () => {
    const s = await countingServer((n) => (n === 1 ? 'twice' : EMPTY_STOCK_LIST));
    const c = client(s.url);
    await c.checkLogin();
    // The stale second answer has been written to the first connection by now.
    await sleep(100);
    await expect(c.checkLogin()).resolves.toBeUndefined();
    expect(s.requests()).toBe(2);
  });

  it('a request the server drops after reading it is "outcome unknown", never "not sent", and is not resent', async () => {
    const s = await countingServer((n) => (n === 2 ? 'reset' : EMPTY_STOCK_LIST));
    const c = client(s.url);
    await c.checkLogin();
    const error = await failure(c.checkLogin());
    expect(error.code).toBe('CASHMAN_OUTCOME_UNKNOWN');
    expect(s.requests()).toBe(2);
  });

  it('a server gone between two requests refuses the new connection: nothing was sent', async () => {
    const s = await countingServer(() => EMPTY_STOCK_LIST);
    const c = client(s.url);
    await c.checkLogin();
    const closed = new Promise((resolve) => server!.close(resolve));
    for (const socket of sockets) socket.destroy();
    await closed;
    const error = await failure(c.checkLogin());
    expect(error.code).toBe('CASHMAN_NOT_SENT');
    expect(s.requests()).toBe(1);
  });
});
