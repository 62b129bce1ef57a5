import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ShoprenterClient } from '../src/shoprenter/client.js';
import { startShoprenterStandin, type ShoprenterStandin } from '../src/standins/shoprenter-standin.js';
import { spreadBacklog } from './helpers/backlog.js';

/**
 * Review of 0.5.1 (B1, P2): one gateway timeout (504, "make the request smaller", reference §2.2)
 * halves the page of that request. The window answered early was then confirmed at the halved
 * page, came back full and was read in five parts, and the halved page served in full was taken
 * as the server's page cap for the rest of the walk: a 10,000-order backlog took about 120 list
 * requests instead of 57. A 504 costs its own retry and no more than a few requests after it.
 * Real HTTP: ShoprenterClient -> a proxy that answers one list request 504 -> the stand-in.
 */

const START = Date.UTC(2025, 0, 6, 8, 0, 0);
const local = (ms: number) => new Date(ms).toISOString().slice(0, 19);
const FROM = local(START - 3_600_000);

const closing: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closing.splice(0)) await close();
});

/**
 * Forwards to the stand-in; answers 504 to the list request number `nth` (1-based), once. With
 * `silentCap`, every list page is cut to that many orders with its envelope left as computed for
 * the page asked (a cap the server does not tell).
 */
async function gateway(target: string, nth: number | null, silentCap: number | null = null): Promise<string> {
  let lists = 0;
  const t = new URL(target);
  const server: Server = createServer((req, res) => {
    const isList = new URL(req.url ?? '/', 'http://proxy').pathname.endsWith('/orderExtend');
    if (isList && ++lists === nth) {
      res.writeHead(504, { 'content-type': 'text/html' }).end('<html><body>504 Gateway Time-out</body></html>');
      return;
    }
    const upstream = request({ host: t.hostname, port: t.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () => {
        let body = Buffer.concat(chunks);
        if (isList && silentCap !== null && answer.statusCode === 200) {
          const page = JSON.parse(body.toString('utf8')) as { items: unknown[] };
          page.items = page.items.slice(0, silentCap);
          body = Buffer.from(JSON.stringify(page));
        }
        const headers = { ...answer.headers };
        delete headers['content-length'];
        delete headers['transfer-encoding'];
        res.writeHead(answer.statusCode ?? 502, headers).end(body);
      });
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closing.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}${t.pathname}`;
}

/** One walk of the backlog with a 504 on list request `nth` (null: none): list requests the stand-in answered, and the hand-over counts. */
async function walk(orders: Record<string, unknown>[], nth: number | null, silentCap: number | null = null) {
  const present = local(START + (orders.length * 120 + 60) * 60_000);
  const standin: ShoprenterStandin = await startShoprenterStandin({ rateLimitPerSecond: 0, orders, listOrder: 'dateUpdated', listBounds: '[]' });
  closing.push(() => standin.close());
  const client = new ShoprenterClient({
    apiUrl: await gateway(standin.url, nth, silentCap),
    auth: { kind: 'oauth', tokenUrl: standin.tokenUrl, clientId: standin.clientId, clientSecret: standin.clientSecret },
    shop: `review-504-${orders.length}-${nth ?? 0}-${silentCap ?? 0}`,
    limitPerSecond: 100_000,
    retryBaseMs: 10,
  });
  const seen = new Map<string, number>();
  await client.listChangedOrders(FROM, (page) => Promise.resolve(void page.forEach((o) => seen.set(o.ok ? o.order.orderNumber : o.id, (seen.get(o.ok ? o.order.orderNumber : o.id) ?? 0) + 1))), present);
  const lists = standin.requestLog.filter((r) => r.path.endsWith('/orderExtend')).length;
  return { lists, once: seen.size === orders.length && [...seen.values()].every((c) => c === 1) };
}

describe('review of 0.5.1: one gateway timeout in a backfill', () => {
  it('on any list request of 1,000 orders costs its retry and at most two requests more', async () => {
    const orders = spreadBacklog(1000, 11, START);
    const calm = await walk(orders, null);
    expect(calm.once).toBe(true);
    // The window the 504 hit was planned for a page of 200: read at 100 it takes two or three.
    // (Before this review a 504 on the first request made the walk 13 requests instead of 7.)
    for (let nth = 1; nth <= calm.lists; nth++) {
      const hit = await walk(orders, nth);
      expect({ nth, once: hit.once, extra: hit.lists - calm.lists <= 2 }).toEqual({ nth, once: true, extra: true });
    }
  });

  it('on the second list request of 10,000 orders does not shrink the rest of the walk', async () => {
    const orders = spreadBacklog(10_000, 11, START);
    const calm = await walk(orders, null);
    const hit = await walk(orders, 2);
    expect(hit.once).toBe(true);
    // 57 without it; with the halved page taken as the server's cap, about 120.
    expect(hit.lists).toBeLessThanOrEqual(calm.lists + 3);
  });

  // Second review: a page halved after the 504 and served in full no longer set the cap, so with a
  // server capping every page at 100 without saying so, windows of 182 answered with 100 orders
  // were taken as whole: 82 of 3,000 orders lost. The halved page is now a suspected cap.
  it('on the first request hides no silent page cap: every order is handed over', async () => {
    const orders = spreadBacklog(3000, 11, START);
    for (const nth of [null, 1, 2]) {
      const hit = await walk(orders, nth, 100);
      expect({ nth, once: hit.once }).toEqual({ nth, once: true });
    }
  });
});
