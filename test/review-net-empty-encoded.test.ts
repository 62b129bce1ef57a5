import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { httpRequest } from '../src/net-request.js';
import { RateLimiter } from '../src/shoprenter/rate-limiter.js';
import { ShoprenterWebhooksApi } from '../src/shoprenter/webhooks-api.js';

/**
 * Hostile review (issue 20 transport): an answer WITHOUT content (204 No Content, RFC 9110 §15.3.5)
 * that still carries "Content-Encoding: gzip" — as some PHP/nginx fronts send for an empty output —
 * has nothing to unpack. got (decompress-response's isEmpty check) gave '' back; the new transport
 * runs gunzipSync on zero bytes and fails the exchange ("unexpected end of file"), so a Shoprenter
 * webhook DELETE / PUT that Shoprenter did carry out is reported as a failure after connecting.
 */
const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function serve(handle: http.RequestListener): Promise<URL> {
  const server = http.createServer(handle);
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/webhooks/abc`);
}

describe('review: empty answers labelled as compressed', () => {
  it.each([
    [204, 'gzip'],
    [200, 'gzip'],
    [204, 'br'],
  ])('a %i answer with no body and content-encoding %s is an empty answer, not a transport failure', async (status, encoding) => {
    const url = await serve((_req, res) => {
      res.writeHead(status, { 'content-encoding': encoding, 'content-length': '0' });
      res.end();
    });
    const answer = await httpRequest(url, { method: 'DELETE', timeoutMs: 5000, decompress: true });
    expect(answer.statusCode).toBe(status);
    expect(answer.text).toBe('');
  });

  it('the webhooks command: a DELETE Shoprenter carried out (204, gzip-labelled, empty) is not "could not be reached"', async () => {
    let deleted = 0;
    const url = await serve((req, res) => {
      if (req.method === 'DELETE') deleted += 1;
      res.writeHead(204, { 'content-encoding': 'gzip' });
      res.end();
    });
    const api = new ShoprenterWebhooksApi({ apiUrl: `${url.origin}/api`, auth: { kind: 'basic', user: 'u', password: 'p' }, shop: `r21-${url.port}`, limiter: new RateLimiter({ limit: 100 }) });
    const outcome = await api.remove('abc').then(() => 'removed', (e: Error) => e.message);
    expect(deleted).toBe(1);
    expect(outcome).toBe('removed');
  });
});
