import { afterEach, describe, expect, it } from '@jest/globals';
import { buildShoprenterOrder } from '../src/standins/shoprenter-fixtures.js';
import { BOUND_SHAPES, type BoundShape, type ListOrder } from '../src/standins/shoprenter-standin-listing.js';
import { runCycle } from '../src/sync/cycle.js';
import { startHarness, type Harness } from './helpers/harness.js';
import { SIMPLE_ORDER } from './helpers/order-specs.js';

/**
 * Paging must not depend on the order Shoprenter lists in (undocumented, reference §5.2), nor on
 * it honouring `limit` (it has been seen answering 25 items to a request for more than 200), nor
 * on whether its date bounds keep the orders exactly on them (reference §5.3). The
 * shop changes while the list is being walked: orders are cancelled (storno, which drops them out
 * of the list), changed (which moves them to a later dateUpdated) and placed. Whatever the order
 * and page cap, every order that stays in the shop is drafted exactly once, and none twice.
 */

const NOW = '2026-11-26T12:00:00Z';

/** 2026-11-20T08:00:00 plus `minutes`; order numbers run against dateUpdated so id order and date order differ. */
function at(minutes: number, seconds = 0): string {
  return new Date(Date.UTC(2026, 10, 20, 8, minutes, seconds)).toISOString().slice(0, 19);
}

function order(innerId: number, dateUpdated: string, dateCreated = dateUpdated): Record<string, unknown> {
  return buildShoprenterOrder({ ...SIMPLE_ORDER, email: `buyer${innerId}@example.hu`, innerId, dateUpdated, dateCreated });
}

const listings: [ListOrder, number | null][] = [
  ['dateUpdated', null],
  ['id', null],
  ['random', null],
  ['dateUpdated', 4],
  ['id', 4],
  ['random', 4],
];
// Under every shape of the list's date bounds too (undocumented, reference §5.3).
const cases = BOUND_SHAPES.flatMap((bounds) => listings.map(([order, cap]): [ListOrder, number | null, BoundShape] => [order, cap, bounds]));

describe.each(cases)('order list walked while the shop changes (order by %s, page cap %p, bounds %s)', (listOrder, pageCap, bounds) => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
  });

  it('drafts every order that stays in the shop exactly once, and none twice', async () => {
    h = await startHarness({
      logLevel: 'warn',
      shoprenter: {
        shop: `ordershop-${listOrder}-${pageCap ?? 0}-${BOUND_SHAPES.indexOf(bounds)}`,
        rateLimitPerSecond: 50,
        listOrder,
        listBounds: bounds,
        ...(pageCap ? { pageCap } : {}),
      },
    });
    const runtime = await h.runtime({ now: () => new Date(NOW), shoprenterTuning: { limitPerSecond: 50, pageSize: 6 } });
    const shop = h.shop.shoprenter;
    // 30 orders, numbers falling as dateUpdated rises, and 9 more changed in one second (more than a
    // page holds: a bulk status change of orders placed at different times).
    const numbers: number[] = [];
    for (let i = 0; i < 30; i++) {
      shop.addOrder(order(5030 - i, at(i * 7)));
      numbers.push(5030 - i);
    }
    for (let i = 0; i < 9; i++) {
      shop.addOrder(order(6001 + i, at(100, 0), at(i * 3, 15)));
      numbers.push(6001 + i);
    }

    const cancelled = new Set<number>();
    const storno = (n: number) => {
      shop.updateOrder(String(n), {}, { storno: true });
      cancelled.add(n);
    };
    let requests = 0;
    shop.listing.onList = () => {
      requests += 1;
      if (requests === 2) {
        storno(5030); // the oldest change, the highest number
        storno(5010);
        storno(5003); // read already when the list is by id: every later order moves one place up
        shop.updateOrder('5029', { dateUpdated: at(300) }); // moves past every other order
        shop.updateOrder('5001', { dateUpdated: at(20, 30) }); // moves from the newest end into the middle
        shop.addOrder(order(7001, at(301)));
        numbers.push(7001);
      }
      if (requests === 4) {
        storno(5020);
        shop.updateOrder('5015', { dateUpdated: at(302) });
        shop.addOrder(order(7002, at(50))); // placed late with an older stamp, inside this walk's range
        numbers.push(7002);
      }
      if (requests === 7) {
        storno(6005); // from the crowded second
        shop.updateOrder('6003', { dateUpdated: at(303) });
      }
    };
    const first = await runCycle(runtime.deps);
    expect(first.error).toBeNull();
    shop.listing.onList = null;
    for (let i = 0; i < 3; i++) expect((await runCycle(runtime.deps)).ok).toBe(true);

    const drafts = new Map<number, number>();
    for (const draft of h.shop.cashman.drafts) {
      const n = Number(/(\d+)\s*$/.exec(draft.rows[0]?.['egyeb'] ?? '')?.[1]);
      drafts.set(n, (drafts.get(n) ?? 0) + 1);
    }
    for (const n of numbers) {
      // A cancelled order may have been drafted before it was cancelled, never twice.
      expect({ order: n, drafts: drafts.get(n) ?? 0 }).toEqual({ order: n, drafts: cancelled.has(n) ? (drafts.get(n) ?? 0) : 1 });
      expect(drafts.get(n) ?? 0).toBeLessThanOrEqual(1);
    }
    expect([...drafts.keys()].every((n) => numbers.includes(n))).toBe(true);
  });
});
