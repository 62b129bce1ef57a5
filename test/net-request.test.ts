import { once } from 'node:events';
import http from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from '@jest/globals';
import { ShoprenterError } from '../src/errors.js';
import { HttpFailure, httpRequest } from '../src/net-request.js';
import { ShoprenterClient } from '../src/shoprenter/client.js';
import { RateLimiter } from '../src/shoprenter/rate-limiter.js';
import { buildShoprenterOrder } from '../src/standins/shoprenter-fixtures.js';
import { BASE_SPEC } from './fixtures/bad-input/wire-edits.js';

/**
 * The one HTTP exchange every remote client uses (Shoprenter, Cashman, the alert webhook), against
 * real local servers: compressed answers as a web server in front of an API sends them, and the
 * failures whose words and "was anything sent" the callers depend on.
 */

const servers: Array<http.Server | TcpServer> = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    if (server instanceof http.Server) server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function httpServer(handle: http.RequestListener): Promise<{ url: URL; server: http.Server }> {
  const server = http.createServer(handle);
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/x`), server };
}

async function failure(promise: Promise<unknown>): Promise<HttpFailure> {
  const error = await promise.then(() => new Error('expected an HttpFailure'), (e: unknown) => e);
  expect(error).toBeInstanceOf(HttpFailure);
  return error as HttpFailure;
}

const TEXT = JSON.stringify({ name: 'Árvíztűrő tükörfúrógép', note: 'ő'.repeat(5000) });
const PACKED: Record<string, (b: Buffer) => Buffer> = { gzip: gzipSync, 'x-gzip': gzipSync, deflate: deflateSync, br: brotliCompressSync };

describe('httpRequest', () => {
  it.each(Object.keys(PACKED))('unpacks a %s answer when it asked for compression', async (encoding) => {
    let asked: string | undefined;
    const { url } = await httpServer((req, res) => {
      asked = req.headers['accept-encoding'];
      res.writeHead(200, { 'content-encoding': encoding }).end(PACKED[encoding]!(Buffer.from(TEXT)));
    });
    const answer = await httpRequest(url, { method: 'GET', timeoutMs: 5000, decompress: true });
    expect(asked).toBe('gzip, deflate, br');
    expect(answer.text).toBe(TEXT);
  });

  it('unpacks "deflate" sent raw (without the zlib wrapper), as some servers do', async () => {
    const { url } = await httpServer((_req, res) => res.writeHead(200, { 'content-encoding': 'deflate' }).end(deflateRawSync(Buffer.from(TEXT))));
    expect((await httpRequest(url, { method: 'GET', timeoutMs: 5000, decompress: true })).text).toBe(TEXT);
  });

  it('asks for no compression unless told to, and gives any status back as an answer with its headers', async () => {
    let asked: string | undefined;
    const { url } = await httpServer((req, res) => {
      asked = req.headers['accept-encoding'];
      res.writeHead(429, { 'retry-after': '3' }).end('slow down');
    });
    const answer = await httpRequest(url, { method: 'GET', timeoutMs: 5000 });
    expect(asked).toBeUndefined();
    expect(answer).toMatchObject({ statusCode: 429, text: 'slow down' });
    expect(answer.headers['retry-after']).toBe('3');
  });

  it('a corrupt compressed answer is a failure after connecting, never text', async () => {
    const { url } = await httpServer((_req, res) => res.writeHead(200, { 'content-encoding': 'gzip' }).end('not gzip at all'));
    const error = await failure(httpRequest(url, { method: 'GET', timeoutMs: 5000, decompress: true }));
    expect(error.connected).toBe(true);
    expect(error.code).toMatch(/^Z_/);
  });

  it('leaves an answer labelled with a coding it did not ask for ("none") as it came', async () => {
    const { url } = await httpServer((_req, res) => res.writeHead(200, { 'content-encoding': 'none' }).end(TEXT));
    expect((await httpRequest(url, { method: 'GET', timeoutMs: 5000, decompress: true })).text).toBe(TEXT);
  });

  it('refuses an answer past the size cap, on the wire or unpacked (a compression bomb), as a failure', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 0x20);
    const plain = await httpServer((_req, res) => res.end(big));
    expect((await failure(httpRequest(plain.url, { method: 'GET', timeoutMs: 5000, maxBytes: 1024 * 1024 }))).code).toBe('ERR_ANSWER_TOO_LARGE');
    const bomb = await httpServer((_req, res) => res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync(big)));
    const error = await failure(httpRequest(bomb.url, { method: 'GET', timeoutMs: 5000, decompress: true, maxBytes: 1024 * 1024 }));
    expect(error).toMatchObject({ code: 'ERR_ANSWER_TOO_LARGE', connected: true });
  });

  it('a kept-alive connection serving many requests keeps nothing of the requests it served (no listener per request)', async () => {
    // Shoprenter's reads share kept-alive connections; a listener left on the socket per request
    // kept each answer (a list page is megabytes) alive: a 10,000-order backfill ran out of heap.
    const { url } = await httpServer((_req, res) => res.end('x'.repeat(100_000)));
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    let socket: Socket | undefined;
    try {
      for (let i = 0; i < 30; i += 1) {
        const answer = await httpRequest(url, { method: 'GET', timeoutMs: 5000, agent });
        expect(answer.text).toHaveLength(100_000);
        const sockets = Object.values(agent.freeSockets).flat();
        socket ??= sockets[0];
        // One connection served them all, and it holds no more listeners than after the first.
        expect(sockets).toEqual([socket]);
      }
      expect(socket?.listenerCount('data')).toBeLessThanOrEqual(1);
    } finally {
      agent.destroy();
    }
  });

  it('a request an agent queued gets a connected socket: it keeps no listener on it, and a cut after it was written is "connected"', async () => {
    // With maxSockets, the agent hands a waiting request the socket the previous one freed; Node
    // does not flag it as reused, and it never emits 'connect' again.
    const { url } = await httpServer((req, res) => {
      // The POST is read, then its connection cut without an answer.
      if (req.method === 'POST') return void req.resume().on('end', () => req.socket.destroy());
      res.end('ok');
    });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const settled: Array<Promise<unknown>> = [];
      for (let i = 0; i < 39; i += 1) settled.push(httpRequest(url, { method: 'GET', timeoutMs: 5000, agent }));
      await Promise.all(settled);
      const socket = Object.values(agent.freeSockets).flat()[0];
      expect(socket?.listenerCount('connect')).toBe(0);
      const [, cut] = await Promise.all([
        httpRequest(url, { method: 'GET', timeoutMs: 5000, agent }),
        failure(httpRequest(url, { method: 'POST', body: 'x', timeoutMs: 5000, agent })),
      ]);
      expect(cut.sent).toBe(true);
      expect(cut.connected).toBe(true);
    } finally {
      agent.destroy();
    }
  });

  it('sends the body with its length and follows no redirect', async () => {
    let seen = '';
    let length: string | undefined;
    const { url } = await httpServer((req, res) => {
      length = req.headers['content-length'];
      req.on('data', (c: Buffer) => (seen += c.toString('utf8')));
      req.on('end', () => res.writeHead(302, { location: '/elsewhere' }).end());
    });
    const answer = await httpRequest(url, { method: 'POST', body: '{"a":"ő"}', timeoutMs: 5000 });
    expect(answer.statusCode).toBe(302);
    expect(seen).toBe('{"a":"ő"}');
    expect(length).toBe(String(Buffer.byteLength('{"a":"ő"}')));
  });

  it('a server that never answers ends at the deadline with ETIMEDOUT', async () => {
    const { url } = await httpServer(() => undefined);
    const error = await failure(httpRequest(url, { method: 'GET', timeoutMs: 300 }));
    expect(error.code).toBe('ETIMEDOUT');
    expect(error.connected).toBe(true);
  });

  it('an answer that arrived while the event loop was blocked past the deadline is read, not called a timeout', async () => {
    const { url } = await httpServer((_req, res) => setTimeout(() => res.end('late but here'), 50));
    const pending = httpRequest(url, { method: 'GET', timeoutMs: 300 });
    // Block this process (as SQLite waiting on a locked file does) well past the deadline.
    await new Promise((resolve) => setTimeout(resolve, 10));
    const until = Date.now() + 600;
    while (Date.now() < until) {
      /* busy */
    }
    expect((await pending).text).toBe('late but here');
  });

  it('an abort signal cuts the exchange off (ABORT_ERR), also one aborted before the call', async () => {
    const { url } = await httpServer(() => undefined);
    const controller = new AbortController();
    const pending = httpRequest(url, { method: 'GET', timeoutMs: 60_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect((await failure(pending)).code).toBe('ABORT_ERR');
    expect((await failure(httpRequest(url, { method: 'GET', timeoutMs: 60_000, signal: controller.signal }))).code).toBe('ABORT_ERR');
  });

  it('a refused connection never connected: nothing can have been sent', async () => {
    const { url, server } = await httpServer(() => undefined);
    servers.splice(servers.indexOf(server), 1);
    await new Promise((resolve) => server.close(resolve));
    const error = await failure(httpRequest(url, { method: 'POST', body: 'x', timeoutMs: 5000 }));
    expect(error).toMatchObject({ code: 'ECONNREFUSED', connected: false });
  });

  it('on a kept-alive socket a reset counts as connected: the request may have been read', async () => {
    let connections = 0;
    let requests = 0;
    const server: TcpServer = createTcpServer((socket: Socket) => {
      connections += 1;
      socket.on('error', () => undefined);
      socket.on('data', () => {
        requests += 1;
        // The first request is answered and the socket kept; the second one is read, then reset.
        if (requests === 1) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok');
        else socket.resetAndDestroy();
      });
    });
    servers.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect((await httpRequest(url, { method: 'GET', timeoutMs: 5000, agent })).text).toBe('ok');
      const error = await failure(httpRequest(url, { method: 'GET', timeoutMs: 5000, agent }));
      expect(connections).toBe(1);
      expect(error.connected).toBe(true);
    } finally {
      agent.destroy();
    }
  });
});

describe('the Shoprenter client on a server that compresses its answers', () => {
  it('a gzip bomb (80 MB of spaces in under 100 kB) is a Shoprenter error the cycle reports, not a dead process', async () => {
    const bomb = gzipSync(Buffer.alloc(80 * 1024 * 1024, 0x20), { level: 1 });
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const { url } = await httpServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(bomb));
    const client = new ShoprenterClient({
      apiUrl: `${url.origin}/api`,
      auth: { kind: 'basic', user: 'u', password: 'p' },
      shop: `bomb-${url.port}`,
      limiter: new RateLimiter({ limit: 100 }),
      maxRetries: 0,
    });
    const error = await client.getOrder('7001').then(() => new Error('expected a failure'), (e: unknown) => e as Error);
    expect(error).toBeInstanceOf(ShoprenterError);
    expect(error.message).toMatch(/answer far larger than any real one/);
  });


  it('reads a gzip-compressed order list as the plain one', async () => {
    const order = buildShoprenterOrder({ ...BASE_SPEC, innerId: 7001, email: 'buyer7001@example.hu', dateUpdated: '2026-11-02T10:00:00' });
    const page = JSON.stringify({ items: [order], page: 0, limit: 200, pageCount: 1, count: 1 });
    const { url } = await httpServer((req, res) => {
      const zipped = /gzip/.test(String(req.headers['accept-encoding']));
      res.writeHead(200, { 'content-type': 'application/json', ...(zipped ? { 'content-encoding': 'gzip' } : {}) });
      res.end(zipped ? gzipSync(page) : page);
    });
    const client = new ShoprenterClient({
      apiUrl: `${url.origin}/api`,
      auth: { kind: 'basic', user: 'u', password: 'p' },
      shop: `gzip-${url.port}`,
      limiter: new RateLimiter({ limit: 100 }),
      maxRetries: 0,
    });
    const found = await client.getOrder('7001');
    expect(found?.ok && found.order.orderNumber).toBe('7001');
  });
});
