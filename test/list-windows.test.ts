import { afterEach, describe, expect, it } from '@jest/globals';
import { ShoprenterClient } from '../src/shoprenter/client.js';
import { cutAt } from '../src/shoprenter/list-windows.js';
import { buildShoprenterOrder, seededRandom } from '../src/standins/shoprenter-fixtures.js';
import { BOUND_SHAPES, type BoundShape, type ListOrder } from '../src/standins/shoprenter-standin-listing.js';
import { startShoprenterStandin, type ShoprenterStandin } from '../src/standins/shoprenter-standin.js';
import type { SourcedOrder } from '../src/sync/ports.js';
import { SIMPLE_ORDER } from './helpers/order-specs.js';

/**
 * The window walk (src/shoprenter/list-windows.ts) against the stand-in: each order is handed
 * over exactly once per walk whatever the list order, page cap and bound shape, including a
 * second of dateUpdated that holds more orders than a page.
 */

const running: ShoprenterStandin[] = [];
afterEach(async () => {
  for (const standin of running.splice(0)) await standin.close();
});

function at(minutes: number, seconds = 0): string {
  return new Date(Date.UTC(2026, 10, 20, 8, minutes, seconds)).toISOString().slice(0, 19);
}

function order(innerId: number, dateUpdated: string, dateCreated = dateUpdated): Record<string, unknown> {
  return buildShoprenterOrder({ ...SIMPLE_ORDER, email: `b${innerId}@example.hu`, innerId, dateUpdated, dateCreated });
}

let counter = 0;
async function walk(orders: Record<string, unknown>[], listOrder: ListOrder, pageCap: number | null, bounds: BoundShape, pageSize = 6, seed = 1) {
  const standin = await startShoprenterStandin({ rateLimitPerSecond: 0, orders, listOrder, ...(pageCap ? { pageCap } : {}) });
  standin.listing.bounds = bounds;
  standin.listing.random = seededRandom(seed);
  running.push(standin);
  const client = new ShoprenterClient({
    apiUrl: standin.url,
    auth: { kind: 'oauth', tokenUrl: standin.tokenUrl, clientId: standin.clientId, clientSecret: standin.clientSecret },
    shop: `windows-${++counter}`,
    limitPerSecond: 1000,
    retryBaseMs: 10,
    pageSize,
  });
  const seen: string[] = [];
  await client.listChangedOrders(at(0), (page: SourcedOrder[]) => Promise.resolve(void seen.push(...page.map((o) => (o.ok ? o.order.orderNumber : (o.orderNumber ?? o.id))))));
  return { seen, requests: client.lastListRequests };
}

describe('window walk', () => {
  // 20 orders a minute apart, and 8 changed in one second but placed at different times (a bulk status change).
  const shop = [...Array.from({ length: 20 }, (_, i) => order(1001 + i, at(i))), ...Array.from({ length: 8 }, (_, i) => order(2001 + i, at(30), at(i, 30)))];
  const expected = shop.map((o) => String(o['innerId'])).sort();
  // 7 orders placed and changed in the same second (an import): only offset pages can read them.
  const imported = Array.from({ length: 7 }, (_, i) => order(3001 + i, at(40), at(40)));

  const listings: [ListOrder, number | null][] = [
    ['dateUpdated', null],
    ['id', 4],
    ['random', null],
    ['random', 4],
    ['id', null],
  ];
  describe.each(BOUND_SHAPES.flatMap((bounds) => listings.map(([order, cap]): [ListOrder, number | null, BoundShape] => [order, cap, bounds])))(
    'list by %s, page cap %p, bounds %s',
    (listOrder, pageCap, bounds) => {
      it('hands every order over exactly once', async () => {
        const { seen } = await walk(shop, listOrder, pageCap, bounds);
        expect([...seen].sort()).toEqual(expected);
      });
    },
  );

  it.each(
    BOUND_SHAPES.flatMap((bounds): [ListOrder, number | null, BoundShape][] => [
      ['dateUpdated', null, bounds],
      ['id', 4, bounds],
    ]),
  )('reads more orders alike to the second than a page holds by repeated offset passes (list by %s, cap %p, bounds %s)', async (listOrder, cap, bounds) => {
    const { seen } = await walk([...shop, ...imported], listOrder, cap, bounds);
    expect([...seen].sort()).toEqual([...expected, ...imported.map((o) => String(o['innerId']))].sort());
  });

  it('refuses, rather than skip one, when such orders come in a different order on every request', async () => {
    // Twice as many as a page and more: two passes that each happened to see them all are unlikely.
    const many = Array.from({ length: 14 }, (_, i) => order(3001 + i, at(40), at(40)));
    await expect(walk([...shop, ...many], 'random', null, '[]')).rejects.toThrow(
      "Shoprenter's order list kept changing while the orders changed between 2026-11-20T08:39:59 and 2026-11-20T08:40:01 were read; will try again next cycle.",
    );
  });

  it('narrows a full window even when a list shuffled on every request showed too few of its orders to cut it', async () => {
    // A bulk action: 7 orders changed in one second, placed a minute apart; a page holds 4. Two
    // shuffled pages may show one order twice and another never: the cut must not trust that sample.
    const bulk = Array.from({ length: 7 }, (_, i) => order(7001 + i, at(50), at(i)));
    const numbers = bulk.map((o) => String(o['innerId'])).sort();
    for (const bounds of BOUND_SHAPES) {
      // Seeds 40, 47 and 59 showed such a sample under [] and (] before the fix.
      for (let seed = 1; seed <= 60; seed++) {
        const { seen } = await walk(bulk, 'random', null, bounds, 4, seed);
        expect([...seen].sort()).toEqual(numbers);
      }
    }
  });

  it('a crowded second costs about what the exact question would, under every bound shape', async () => {
    // The shipped page of 200 under Shoprenter's silent cap of 25: one order a second for 150
    // seconds, then a bulk action of 160 orders in one second with three in each second beside it.
    const crowded = [
      ...Array.from({ length: 150 }, (_, i) => order(4001 + i, at(0, i), at(0, i - 3600))),
      ...Array.from({ length: 160 }, (_, i) => order(5001 + i, at(10), at(0, -7200 + i * 30))),
      ...Array.from({ length: 6 }, (_, i) => order(6001 + i, at(10, i < 3 ? -1 : 1), at(0, -9000 + i))),
    ];
    const requests = new Map<BoundShape, number>();
    for (const bounds of BOUND_SHAPES) {
      const { seen, requests: n } = await walk(crowded, 'id', 25, bounds, 200);
      expect(seen).toHaveLength(crowded.length);
      requests.set(bounds, n);
    }
    // Under (), the one-second-wider question is exactly the window: the others may not cost much more.
    const exact = requests.get('()') ?? 0;
    const limit = Math.ceil(exact * 1.1);
    expect(exact).toBeGreaterThan(0);
    expect(Object.fromEntries([...requests].filter(([, n]) => n > limit))).toEqual({});
  });

  it('hands the orders over oldest first, whatever the list order', async () => {
    const { seen } = await walk(shop.slice(0, 20), 'random', null, '[)');
    expect(seen).toEqual(expected.slice(0, 20));
  });
});

describe('cutAt', () => {
  const t = (s: number) => `2026-11-20T08:00:${String(s).padStart(2, '0')}`;
  it('cuts between distinct seconds, about `target` per range, and gives a crowded second a range of its own padded by a second each side', () => {
    const dates = [1, 1, 2, 3, 3, 3, 3, 4].map(t);
    expect(cutAt({ min: t(0), max: null }, dates, 3)).toEqual([
      { min: t(0), max: t(1) },
      { min: t(2), max: t(4) },
      { min: t(5), max: null },
    ]);
  });

  it('merges crowds whose paddings overlap, keeps the padding inside the range, and cuts quiet stretches by target', () => {
    const dates = [10, 10, 10, 10, 12, 12, 12, 12, 20, 21, 22, 23, 30, 30, 30, 30].map(t);
    expect(cutAt({ min: t(10), max: t(30) }, dates, 3)).toEqual([
      { min: t(10), max: t(13) },
      { min: t(14), max: t(22) },
      { min: t(23), max: t(28) },
      { min: t(29), max: t(30) },
    ]);
  });

  it('always covers the range with consecutive, non-empty parts (seeded random dates)', () => {
    const random = seededRandom(7);
    for (let round = 0; round < 300; round++) {
      const lo = Math.floor(random() * 10);
      const hi = lo + Math.floor(random() * 40);
      const open = random() < 0.3;
      const dates = Array.from({ length: Math.floor(random() * 60) }, () => t(lo + Math.floor(random() * (hi - lo + 1)))).sort();
      const range = { min: t(lo), max: open ? null : t(hi) };
      const parts = cutAt(range, dates, 1 + Math.floor(random() * 6));
      expect(parts[0]?.min).toBe(range.min);
      expect(parts.at(-1)?.max).toBe(range.max);
      for (const [k, part] of parts.entries()) {
        if (part.max !== null) expect(part.min === null || part.min <= part.max).toBe(true);
        const next = parts[k + 1];
        if (next) expect({ k, next: next.min }).toEqual({ k, next: new Date(Date.parse(`${part.max ?? ''}Z`) + 1000).toISOString().slice(0, 19) });
      }
    }
  });

  it('leaves a range holding one crowded second alone (only the other date can cut it)', () => {
    expect(cutAt({ min: t(5), max: t(5) }, [5, 5, 5, 5].map(t), 3)).toEqual([{ min: t(5), max: t(5) }]);
    expect(cutAt({ min: t(4), max: t(6) }, [4, 5, 5, 5, 5, 6].map(t), 3)).toEqual([{ min: t(4), max: t(6) }]);
  });
});
