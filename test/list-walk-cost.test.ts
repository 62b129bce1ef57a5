import { afterEach, describe, expect, it } from '@jest/globals';
import { seededRandom } from '../src/standins/shoprenter-fixtures.js';
import { BOUND_SHAPES, type BoundShape, type ListOrder } from '../src/standins/shoprenter-standin-listing.js';
import { startShoprenterStandin, type ShoprenterStandin } from '../src/standins/shoprenter-standin.js';
import { expectOnceEach, spreadBacklog } from './helpers/backlog.js';
import { standinClient } from './helpers/standin-client.js';

/**
 * What the window walk (src/shoprenter/list-windows.ts) costs in list requests, counted against
 * the stand-in (no clock involved): a 10,000-order backfill spread like the benchmark's shop (one
 * order every 3 to 120 minutes, the last long before the present), under each list order and
 * bound shape, and a steady-state poll. The target (issue 20) is 1.2 list requests per 200 new
 * orders, 60 for 10,000, in the benchmark's world, whose list is oldest change first; for any
 * other order the walk must stay within 2 per 200. Whatever the cost, every order is handed over
 * exactly once.
 */

const N = 10_000;
const START = Date.UTC(2025, 0, 6, 8, 0, 0);
const local = (ms: number) => new Date(ms).toISOString().slice(0, 19);
/** The benchmark's shop: the present is N × 120 minutes and an hour after the first order. */
const PRESENT = local(START + (N * 120 + 60) * 60_000);

const running: ShoprenterStandin[] = [];
afterEach(async () => {
  for (const standin of running.splice(0)) await standin.close();
});

async function shop(orders: Record<string, unknown>[], listOrder: ListOrder, bounds: BoundShape, pageCap: number | null = null) {
  const standin = await startShoprenterStandin({ rateLimitPerSecond: 0, orders, listOrder, listBounds: bounds, ...(pageCap ? { pageCap } : {}) });
  standin.listing.random = seededRandom(5);
  running.push(standin);
  const client = standinClient(standin);
  /** One walk from `from`: the order numbers handed over, in order, and the list requests it made. */
  const walk = async (from: string, present?: string) => {
    const seen: string[] = [];
    await client.listChangedOrders(from, (page) => Promise.resolve(void seen.push(...page.map((o) => (o.ok ? o.order.orderNumber : (o.orderNumber ?? o.id))))), present);
    return { seen, requests: client.lastListRequests };
  };
  return { standin, walk };
}

const per200 = (requests: number) => (requests * 200) / N;

describe(`a ${N.toLocaleString('en')}-order backfill`, () => {
  const orders = spreadBacklog(N, 11, START);
  const from = local(START - 60 * 60_000);

  it.each(BOUND_SHAPES)('listed oldest change first (the benchmark): at most 1.2 list requests per 200 orders, bounds %s', async (bounds) => {
    const { walk } = await shop(orders, 'dateUpdated', bounds);
    const { seen, requests } = await walk(from, PRESENT);
    expectOnceEach(seen, orders);
    expect(per200(requests)).toBeLessThanOrEqual(1.2);
  });

  // Two shapes each (the four are all proven under the benchmark's order above, and below per request).
  it.each([
    ['newest', '[]'],
    ['newest', '()'],
    ['random', '[)'],
    ['random', '(]'],
  ] as [ListOrder, BoundShape][])('listed by %s: at most 2 list requests per 200 orders, bounds %s', async (order, bounds) => {
    const { walk } = await shop(orders, order, bounds);
    const { seen, requests } = await walk(from, PRESENT);
    expectOnceEach(seen, orders);
    expect(per200(requests)).toBeLessThanOrEqual(2);
  });

  it('with bounds that change on every request: at most 2 per 200, each order once', async () => {
    const { standin, walk } = await shop(orders, 'random', '[]');
    let lists = 0;
    standin.listing.onList = () => {
      lists += 1;
      standin.listing.bounds = BOUND_SHAPES[lists % 4] ?? '[]';
    };
    const { seen, requests } = await walk(from, PRESENT);
    expectOnceEach(seen, orders);
    expect(per200(requests)).toBeLessThanOrEqual(2);
  });
});

describe('a steady-state poll', () => {
  it.each(['dateUpdated', 'newest', 'random'] as ListOrder[])('with 150 new orders costs one request (listed by %s)', async (order) => {
    const orders = spreadBacklog(150, 3, START);
    const { walk } = await shop(orders, order, '[]');
    const from = local(START - 60 * 60_000);
    const withPresent = await walk(from, PRESENT);
    expectOnceEach(withPresent.seen, orders);
    expect(withPresent.requests).toBe(1);
    // The callers that do not know the present (storno sweep, stock) pay the same.
    const without = await walk(from);
    expectOnceEach(without.seen, orders);
    expect(without.requests).toBe(1);
  });
});
