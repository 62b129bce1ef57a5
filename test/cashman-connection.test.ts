import { afterEach, describe, expect, it } from '@jest/globals';
import { CashmanClient } from '../src/cashman/client.js';
import { CashmanError } from '../src/errors.js';
import { LOGIN } from './cashman-fixtures.js';
import { rawCashman, rawReply, type RawCashman } from './helpers/raw-cashman.js';

/**
 * Every Cashman request goes out on a connection of its own: an answer left over on a connection (a
 * server or proxy that answers twice, a script writing past its Content-Length) can then never be
 * read as the next request's answer, and a refused connection proves nothing was sent. A raw TCP
 * server (test/helpers/raw-cashman.ts) answers as a PHP web server would and counts connections and requests.
 */

const EMPTY_STOCK_LIST = 'a:0:{}';
let raw: RawCashman | undefined;

afterEach(async () => {
  await raw?.close();
  raw = undefined;
});

/**
 * `answer(n)` for the n-th request (1-based): the text to send, 'reset' to reset the connection, or
 * 'twice' to answer the empty stock list and, a moment later, a second (stale) answer on the same connection.
 */
async function countingServer(answer: (n: number) => string): Promise<RawCashman> {
  raw = await rawCashman((n, socket) => {
    const text = answer(n);
    if (text === 'reset') return void socket.resetAndDestroy();
    socket.write(rawReply(text === 'twice' ? EMPTY_STOCK_LIST : text));
    if (text === 'twice') setTimeout(() => socket.write(rawReply('HIBA: a stale answer meant for no one')), 20);
  });
  return raw;
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
    await s.close();
    const error = await failure(c.checkLogin());
    expect(error.code).toBe('CASHMAN_NOT_SENT');
    expect(s.requests()).toBe(1);
  });
});
