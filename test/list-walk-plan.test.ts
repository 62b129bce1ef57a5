import { afterEach, describe, expect, it } from '@jest/globals';
import { orderWindowSource } from '../src/shoprenter/order-list.js';
import { ListEnvelope } from '../src/shoprenter/schema.js';
import { buildShoprenterOrder, seededRandom } from '../src/standins/shoprenter-fixtures.js';
import { BOUND_SHAPES, type ListOrder } from '../src/standins/shoprenter-standin-listing.js';
import { startShoprenterStandin, type ShoprenterStandin } from '../src/standins/shoprenter-standin.js';
import { SIMPLE_ORDER } from './helpers/order-specs.js';
import { standinClient } from './helpers/standin-client.js';

/**
 * The window walk plans its windows from what it has seen (src/shoprenter/list-plan.ts); a plan
 * is only a guess, so whatever the shop looks like it must still hand every order over exactly
 * once, oldest window first, and end. Seeded shops with quiet stretches, busy hours and crowded
 * seconds, under every list order, page caps and bounds that change from one request to the
 * next, with and without the present (the poll passes it; the storno sweep and stock do not).
 */

const running: ShoprenterStandin[] = [];
afterEach(async () => {
  for (const standin of running.splice(0)) await standin.close();
});

const BASE = Date.UTC(2026, 10, 20, 8, 0, 0);
const at = (seconds: number) => new Date(BASE + seconds * 1000).toISOString().slice(0, 19);
const PRESENT = at(30 * 86_400);

function order(innerId: number, updated: number, created: number): Record<string, unknown> {
  return buildShoprenterOrder({ ...SIMPLE_ORDER, email: `b${innerId}@example.hu`, innerId, dateUpdated: at(updated), dateCreated: at(created) });
}

async function walk(orders: Record<string, unknown>[], options: { order: ListOrder; cap: number | null; page: number; seed: number; present: boolean }) {
  const standin = await startShoprenterStandin({ rateLimitPerSecond: 0, orders, listOrder: options.order, ...(options.cap ? { pageCap: options.cap } : {}) });
  standin.listing.random = seededRandom(options.seed);
  running.push(standin);
  // The bounds' shape changes on every request (an API release under a running daemon, at worst).
  let lists = 0;
  standin.listing.onList = () => {
    lists += 1;
    standin.listing.bounds = BOUND_SHAPES[(lists + options.seed) % 4] ?? '[]';
  };
  const client = standinClient(standin, { pageSize: options.page });
  const seen: { number: string; updated: string }[] = [];
  await client.listChangedOrders(
    at(-3600),
    (page) => Promise.resolve(void seen.push(...page.map((o) => (o.ok ? { number: o.order.orderNumber, updated: o.order.dateUpdated } : { number: o.orderNumber ?? o.id, updated: o.dateUpdated ?? '' })))),
    options.present ? PRESENT : undefined,
  );
  return { seen, requests: client.lastListRequests };
}

function expectOnceEach(seen: readonly { number: string }[], orders: readonly Record<string, unknown>[]): void {
  const counts = new Map<string, number>();
  for (const { number } of seen) counts.set(number, (counts.get(number) ?? 0) + 1);
  expect([...counts].filter(([, c]) => c !== 1)).toEqual([]);
  expect(orders.map((o) => String(o['innerId'])).filter((n) => !counts.has(n))).toEqual([]);
  expect(counts.size).toBe(orders.length);
}

describe('a planned walk', () => {
  it('reads a crowded second beside quiet ones once, with bounds changing per request and no present (was: the order one second after the crowd was lost)', async () => {
    // The list-bounds world at client level: one order a second for 80 seconds, 30 more in second 40, pages of 8.
    const orders = [...Array.from({ length: 80 }, (_, i) => order(1000 + i, i, i - 3600)), ...Array.from({ length: 30 }, (_, i) => order(2000 + i, 40, -7200 + i * 60))];
    for (const present of [false, true]) {
      const { seen } = await walk(orders, { order: 'dateUpdated', cap: 8, page: 20, seed: 2, present });
      expectOnceEach(seen, orders);
    }
  });

  it('hands every order over exactly once, oldest window first, in seeded shops of every shape', async () => {
    const orders: ListOrder[] = ['dateUpdated', 'newest', 'id', 'random'];
    for (let seed = 1; seed <= 30; seed++) {
      const random = seededRandom(seed * 7919);
      const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
      // Quiet stretches and busy hours, and now and then a crowded second (a bulk status change).
      const shop: Record<string, unknown>[] = [];
      let t = 0;
      for (let i = 0, n = int(40, 260); i < n; i++) {
        t += random() < 0.2 ? int(3600, 86_400) : int(0, 90);
        if (random() < 0.05) {
          for (let k = 0, crowd = int(5, 40); k < crowd; k++) shop.push(order(10_000 + shop.length, t, t - int(0, 86_400)));
        } else shop.push(order(10_000 + shop.length, t, t - int(0, 3600)));
      }
      const options = { order: orders[seed % 4] ?? 'random', cap: random() < 0.5 ? int(3, 12) : null, page: int(6, 30), seed, present: seed % 3 !== 0 };
      const { seen } = await walk(shop, options);
      expectOnceEach(seen, shop);
      // Windows go oldest first: the handed dates never go back, but within a crowded second's
      // window (itself and a second either side, cut by dateCreated).
      let newest = -Infinity;
      const back = seen.findIndex(({ updated }) => {
        const t = Date.parse(`${updated}Z`);
        newest = Math.max(newest, t);
        return t < newest - 2000;
      });
      expect({ seed, options, back }).toEqual({ seed, options, back: -1 });
    }
  });

  it("takes the page count from `last.href` where the envelope has no pageCount (the order list's own fixture, reference §5.1)", async () => {
    const envelope = ListEnvelope.parse({
      href: 'https://shopname.api.myshoprenter.hu/orders?page=0&limit=5',
      page: '0',
      limit: '5',
      first: { href: 'https://shopname.api.myshoprenter.hu/orders?page=0&limit=5' },
      previous: null,
      next: { href: 'https://shopname.api.myshoprenter.hu/orders?page=1&limit=5' },
      last: { href: 'https://shopname.api.myshoprenter.hu/orders?page=46&limit=5' },
      items: [],
    });
    const source = orderWindowSource(() => Promise.resolve(envelope));
    const answer = await source.fetch({ updated: { min: null, max: null }, created: null }, 0, { limit: 5, shrink: () => false });
    expect(answer).toMatchObject({ more: true, pageCount: 47, limit: 5 });
  });
});
