import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ShoprenterClient } from '../src/shoprenter/client.js';
import { buildShoprenterOrder } from '../src/standins/shoprenter-fixtures.js';
import { startShoprenterStandin, type ShoprenterStandin } from '../src/standins/shoprenter-standin.js';
import { demoConfigYaml } from '../src/standins/local-shop.js';
import { runCycle } from '../src/sync/cycle.js';
import { startHarness, type Harness } from './helpers/harness.js';
import { SIMPLE_ORDER } from './helpers/order-specs.js';

/**
 * The ledger knows an order by its number (innerId), which no other integration can change (SPEC
 * §2, issue 9 point 7): the API id changes when an integration sets an outer id, and the same order
 * must not be drafted again under it. The lookup by number checks that it got that number.
 */

const apiId = (n: number) => Buffer.from(`order-order_id=${n}`).toString('base64');

describe('order identity', () => {
  let h: Harness | undefined;
  let standin: ShoprenterStandin | undefined;
  let proxy: Server | undefined;
  afterEach(async () => {
    await h?.close();
    await standin?.close();
    if (proxy) await new Promise((resolve) => proxy!.close(resolve));
    h = standin = proxy = undefined;
  });

  it('an order that comes back under a new API id is not drafted again', async () => {
    h = await startHarness({ shoprenter: { rateLimitPerSecond: 0 }, config: demoConfigYaml({ productLookups: false }) });
    h.shop.shoprenter.addOrder(buildShoprenterOrder({ ...SIMPLE_ORDER, innerId: 7001, dateUpdated: '2026-11-23T10:00:00', email: 'a@example.hu' }));
    const runtime = await h.runtime();
    expect((await runCycle(runtime.deps)).outcomes.done).toBe(1);
    // Another integration sets an outer id: same order, same number, new API id, newer dateUpdated.
    h.shop.shoprenter.updateOrder('7001', { id: apiId(97001), dateUpdated: '2026-11-23T10:05:00' });
    const second = await runCycle(runtime.deps);
    expect(second.outcomes).toMatchObject({ done: 0, skipped: 1 });
    expect(h.shop.cashman.drafts).toHaveLength(1);
    expect(runtime.ledger.getOrder('7001')).toMatchObject({ state: 'done' });
  });

  it('a lookup by number that answers with another order is an unreadable order, not a draft', async () => {
    standin = await startShoprenterStandin({
      shop: 'identity',
      rateLimitPerSecond: 0,
      orders: [
        buildShoprenterOrder({ ...SIMPLE_ORDER, innerId: 1, dateUpdated: '2026-11-23T10:00:00', email: 'a@example.hu' }),
        buildShoprenterOrder({ ...SIMPLE_ORDER, innerId: 2, dateUpdated: '2026-11-23T11:00:00', email: 'b@example.hu' }),
      ],
    });
    // A gateway in front of the shop that drops the innerId filter: the list's first order comes back.
    const target = standin.url;
    proxy = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://proxy');
      url.searchParams.delete('innerId');
      void fetch(`${target}${url.pathname.replace(/^\/api/, '')}${url.search}`, { headers: { authorization: String(req.headers.authorization), accept: 'application/json' } })
        .then(async (answer) => {
          res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
          res.end(await answer.text());
        });
    });
    await new Promise<void>((resolve) => proxy!.listen(0, '127.0.0.1', resolve));
    const client = new ShoprenterClient({
      apiUrl: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/api`,
      auth: { kind: 'oauth', tokenUrl: standin.tokenUrl, clientId: standin.clientId, clientSecret: standin.clientSecret },
      shop: 'identity',
      limitPerSecond: 1000,
      retryBaseMs: 10,
    });
    expect(await client.getOrder('2')).toEqual({
      ok: false,
      id: '2',
      orderNumber: '2',
      dateUpdated: null,
      reason: 'Shoprenter answered the lookup of order 2 with order 1, so no draft was made; check the order in the shop admin, then run "retry 2".',
    });
  });
});
