import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { shopNow } from '../domain/shop-clock.js';
import type { LocalShop } from './local-shop.js';
import { sampleShop } from './shoprenter-fixtures.js';

/** The stand-in shop's status for a cancelled order (STATUSES: 7 = Törölve). */
const CANCELLED = 7;

export const CONTROL_HELP = [
  'POST /orders                 a new order from a new buyer (answers its order number)',
  'POST /orders/<n>/cancel      moves order <n> to status 7 "Törölve" (a cancel status in the demo config)',
  'POST /orders/<n>/storno      cancels order <n> as storno (removed from the normal order list)',
  'POST /orders/<n>/change      the buyer of order <n> moves to another address (a change after the draft)',
  'POST /cashman/stop           Cashman stops answering (connection refused), keeping its data',
  'POST /cashman/start          Cashman answers again',
];

/**
 * `demo --serve`'s control (issue 17): a few day-two situations a new user can rehearse against
 * the stand-ins, on 127.0.0.1 only, e.g. `curl -X POST http://127.0.0.1:8703/orders/1001/cancel`.
 * Every change carries the shop-local present as `dateUpdated`, as Shoprenter stamps an edit.
 */
export async function startDemoControl(shop: LocalShop, port: number, firstInnerId: number): Promise<{ url: string; close(): Promise<void> }> {
  let next = firstInnerId;
  const now = () => shopNow(new Date(), 'Europe/Budapest');
  const act = async (method: string, path: string): Promise<[number, string]> => {
    if (method === 'GET' && path === '/') return [200, `${CONTROL_HELP.join('\n')}\n`];
    if (method !== 'POST') return [405, 'use POST (GET / lists the actions)\n'];
    if (path === '/orders') {
      const innerId = next++;
      const [raw] = sampleShop(1, innerId, { firstInnerId: innerId, start: now() });
      shop.shoprenter.addOrder({ ...raw!, dateCreated: now(), dateUpdated: now() });
      return [200, `order ${innerId} added\n`];
    }
    if (path === '/cashman/stop' || path === '/cashman/start') {
      await (path.endsWith('stop') ? shop.cashman.pause() : shop.cashman.resume());
      return [200, `Cashman ${path.endsWith('stop') ? 'stopped' : 'answers again'}\n`];
    }
    const m = /^\/orders\/(\d+)\/(cancel|storno|change)$/.exec(path);
    if (!m) return [404, `no such action; GET / lists them\n`];
    const [, ref = '', action] = m;
    try {
      if (action === 'cancel') shop.shoprenter.setOrderStatus(ref, CANCELLED, now());
      else if (action === 'storno') shop.shoprenter.setStorno(ref, true, now());
      else {
        const moved = { Postcode: '9400', City: 'Sopron', Address1: 'Várkerület 12.', Address2: '' };
        const fields = Object.fromEntries(['payment', 'shipping'].flatMap((side) => Object.entries(moved).map(([key, value]) => [`${side}${key}`, value])));
        shop.shoprenter.updateOrder(ref, { ...fields, dateUpdated: now() });
      }
    } catch {
      return [404, `the shop has no order ${ref}\n`];
    }
    return [200, `order ${ref}: ${action === 'change' ? 'buyer moved to 9400 Sopron' : action === 'cancel' ? 'status Törölve' : 'storno'}\n`];
  };
  const server = http.createServer((req, res) => {
    act(req.method ?? 'GET', new URL(req.url ?? '/', 'http://x').pathname)
      .then(([status, text]) => res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(text))
      .catch((error: unknown) => res.writeHead(500).end(`${String(error)}\n`));
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
