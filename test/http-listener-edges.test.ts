import { afterEach, describe, expect, it } from '@jest/globals';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import type { DeliveryOutcome } from '../src/http/metrics.js';
import { startHttpServer, type HttpListener } from '../src/http/server.js';
import { createLogger } from '../src/log/logger.js';

/**
 * Issue 16 §9, the listener's edges, on a real server (127.0.0.1, port 0) with real sockets: a
 * request with the right secret and the wrong method is a wrong method (405, RFC 9110 §15.5.6,
 * with Allow: POST), not a wrong secret; a client that stops in the middle of its headers is cut
 * once `headersTimeout` has passed (RFC 9110 leaves the figure to the server; Node answers 408).
 */

const SECRET = 'Edge-test-secret-0123456789abcdef';

describe('HTTP listener edges (issue 16 §9)', () => {
  let server: HttpListener | null = null;
  const deliveries: DeliveryOutcome[] = [];
  const logs: string[] = [];
  afterEach(async () => {
    await server?.close();
    server = null;
    deliveries.length = 0;
    logs.length = 0;
  });

  const start = (headersTimeoutMs?: number) =>
    startHttpServer({
      port: 0,
      host: '127.0.0.1',
      webhookSecret: SECRET,
      logger: createLogger({
        level: 'debug',
        format: 'pretty',
        stream: new Writable({
          write(chunk: Buffer, _enc, done) {
            logs.push(chunk.toString());
            done();
          },
        }),
      }),
      onOrders: () => undefined,
      onDelivery: (outcome) => deliveries.push(outcome),
      health: () => ({ healthy: true, body: {} }),
      metrics: () => Promise.resolve({ contentType: 'text/plain', text: '' }),
      ...(headersTimeoutMs === undefined ? {} : { headersTimeoutMs }),
    });

  it('the right secret with GET or PUT is a wrong method (405, Allow: POST); a wrong secret stays 404 whatever the method', async () => {
    server = await start();
    const base = `http://127.0.0.1:${server.port}/webhooks/shoprenter/`;
    const get = await fetch(`${base}${SECRET}`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect((await fetch(`${base}${SECRET}`, { method: 'PUT', body: 'x' })).status).toBe(405);
    expect((await fetch(`${base}wrong-${SECRET}`)).status).toBe(404);
    expect((await fetch(`${base}wrong-${SECRET}`, { method: 'POST', body: 'x' })).status).toBe(404);
    expect(deliveries).toEqual(['wrong_method', 'wrong_method', 'bad_secret', 'bad_secret']);
    expect(logs.join('')).not.toContain(SECRET);
  });

  it('a client that stalls mid-headers is cut once headersTimeout has passed', async () => {
    const headersTimeoutMs = 400;
    server = await start(headersTimeoutMs);
    const socket = connect(server.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    const opened = Date.now();
    // Half a request: the request line and one header, then nothing, ever.
    socket.write(`POST /webhooks/shoprenter/${SECRET} HTTP/1.1\r\nHost: 127.0.0.1\r\n`);
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    // Only the lower bound is safe on a busy machine; the upper one is the test's own timeout
    // (a few seconds, where Node's default check alone would wait up to 30 s past the limit).
    expect(Date.now() - opened).toBeGreaterThanOrEqual(headersTimeoutMs - 50);
    expect(Buffer.concat(received).toString()).toMatch(/^HTTP\/1\.1 408 /);
  }, 6_000);

  it('a client that drips its headers a byte at a time is cut too: the limit counts from the first byte', async () => {
    const headersTimeoutMs = 400;
    server = await start(headersTimeoutMs);
    const socket = connect(server.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const opened = Date.now();
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined); // a write racing the cut may meet a reset socket
    const endless = `POST /webhooks/shoprenter/${SECRET} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ${'a'.repeat(10_000)}`;
    let sent = 0;
    const drip = setInterval(() => {
      if (!socket.destroyed) socket.write(endless.charAt(sent++));
    }, 20);
    await closed;
    clearInterval(drip);
    expect(Date.now() - opened).toBeGreaterThanOrEqual(headersTimeoutMs - 50);
    expect(sent).toBeLessThan(endless.length); // cut long before the headers could have ended
  }, 6_000);
});
