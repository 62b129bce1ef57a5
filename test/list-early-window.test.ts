import { afterEach, describe, expect, it } from '@jest/globals';
import { buildShoprenterOrder } from '../src/standins/shoprenter-fixtures.js';
import { BOUND_SHAPES } from '../src/standins/shoprenter-standin-listing.js';
import { startShoprenterStandin, type ShoprenterStandin } from '../src/standins/shoprenter-standin.js';
import { SIMPLE_ORDER } from './helpers/order-specs.js';
import { expectOnceEach, spreadBacklog } from './helpers/backlog.js';
import { standinClient } from './helpers/standin-client.js';

/**
 * The window answered early (src/shoprenter/list-windows.ts, readWindow): when the walk's first
 * page lists its orders oldest first, the orders of the window ending where that page's prefix
 * ends are handed over from the page at once, and that window is read whole only after the next
 * one. In the first second of a backlog Shoprenter allows 3 requests (the token, the first page,
 * one window), so the first two list answers must give the drafting two windows of orders, not one.
 * And nothing may depend on the prefix being the whole window: an order the first page did not
 * show is handed over when the window is read, in the same walk, exactly once.
 */

const START = Date.UTC(2026, 8, 1, 8, 0, 0);
const local = (ms: number) => new Date(ms).toISOString().slice(0, 19);
const FROM = local(START);
const PRESENT = local(START + 400 * 86_400_000);

function order(innerId: number, dateUpdated: string): Record<string, unknown> {
  return buildShoprenterOrder({ ...SIMPLE_ORDER, email: `b${innerId}@example.hu`, innerId, dateUpdated, dateCreated: dateUpdated });
}

const running: ShoprenterStandin[] = [];
afterEach(async () => {
  for (const standin of running.splice(0)) await standin.close();
});

async function walkOf(standin: ShoprenterStandin) {
  const seen: string[] = [];
  const client = standinClient(standin);
  await client.listChangedOrders(FROM, (page) => Promise.resolve(void seen.push(...page.map((o) => (o.ok ? o.order.orderNumber : (o.orderNumber ?? o.id))))), PRESENT);
  return { seen, requests: client.lastListRequests };
}

describe.each(BOUND_SHAPES)('the window answered early (bounds %s)', (bounds) => {
  it('gives the drafting two windows of orders from the first two list answers of an oldest-first backlog', async () => {
    const orders = spreadBacklog(1000, 3, START);
    const standin = await startShoprenterStandin({ rateLimitPerSecond: 0, orders, listOrder: 'dateUpdated', listBounds: bounds });
    running.push(standin);
    let lists = 0;
    let handedBeforeThird: number | null = null;
    const seen: string[] = [];
    standin.listing.onList = () => {
      lists += 1;
      if (lists === 3) handedBeforeThird = seen.length;
    };
    const client = standinClient(standin);
    await client.listChangedOrders(FROM, (page) => Promise.resolve(void seen.push(...page.map((o) => (o.ok ? o.order.orderNumber : o.id)))), PRESENT);
    // A page is 200: one window alone would be at most 199.
    expect(handedBeforeThird).toBeGreaterThanOrEqual(300);
    expectOnceEach(seen, orders);
  });

  it('hands over an order placed inside the early window after the first page, in the same walk, once', async () => {
    const orders = spreadBacklog(600, 3, START);
    const standin = await startShoprenterStandin({ rateLimitPerSecond: 0, orders, listOrder: 'dateUpdated', listBounds: bounds });
    running.push(standin);
    const late = order(900_001, String(orders[40]?.['dateUpdated']));
    let lists = 0;
    standin.listing.onList = () => {
      lists += 1;
      // After the first page was answered: that page never showed it.
      if (lists === 2) standin.addOrder(late);
    };
    const { seen } = await walkOf(standin);
    expectOnceEach(seen, [...orders, late]);
  });

  it('reads the early window whole when the list only looked oldest first on its first page', async () => {
    // Listed by id: the first page is the 200 oldest by date, but 60 orders changed later with
    // high ids carry stamps inside the early window, so that window holds more than a page.
    const orders = spreadBacklog(600, 3, START);
    const early = Array.from({ length: 60 }, (_, i) => order(800_000 + i, String(orders[10 + 2 * i]?.['dateUpdated'])));
    const standin = await startShoprenterStandin({ rateLimitPerSecond: 0, orders: [...orders, ...early], listOrder: 'id', listBounds: bounds });
    running.push(standin);
    const { seen } = await walkOf(standin);
    expectOnceEach(seen, [...orders, ...early]);
  });
});
