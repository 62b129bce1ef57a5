import { afterEach, describe, expect, it } from '@jest/globals';
import { demoConfigYaml } from '../src/standins/local-shop.js';
import { buildShoprenterOrder } from '../src/standins/shoprenter-fixtures.js';
import { BOUND_SHAPES, type BoundShape, type ListOrder } from '../src/standins/shoprenter-standin-listing.js';
import type { Runtime } from '../src/runtime.js';
import { runCycle } from '../src/sync/cycle.js';
import { stornoCheckDue } from '../src/sync/storno-check.js';
import { startWebhook, type WebhookServer } from './alerts-webhook.js';
import { startHarness, type Harness } from './helpers/harness.js';
import { SIMPLE_ORDER } from './helpers/order-specs.js';

/**
 * A storno that leaves dateUpdated alone (Shoprenter does not say whether it moves it): real cycles
 * against both stand-ins, the real ledger, a real alert endpoint, the clock injected. The bound
 * comes from the rule in src/sync/storno-check.ts: such a storno is reported at the first sweep
 * cycle (every 10th) at least `sync.stornoCheckHours` after the last check began, so at most
 * 24 h + 10 cycles by default, and at the next sweep (at most 10 cycles) with 0.
 */

const order = (innerId: number, dateUpdated: string, dateCreated: string) =>
  buildShoprenterOrder({ ...SIMPLE_ORDER, email: `b${innerId}@example.hu`, innerId, dateUpdated, dateCreated });

/**
 * 6 orders changed in one second (a bulk status change; more than the page of 4), 6 more a minute
 * apart, and one placed 80 days ago but completed today: outside the 60-day window, so the check
 * cannot find it in its list and looks it up (present: nothing to report).
 */
const shopOrders = () => [
  ...Array.from({ length: 6 }, (_, i) => order(1001 + i, '2026-11-20T10:00:00', `2026-11-19T09:0${i}:00`)),
  ...Array.from({ length: 6 }, (_, i) => order(1007 + i, `2026-11-20T09:1${i}:00`, `2026-11-20T09:1${i}:00`)),
  order(1013, '2026-11-20T09:30:00', '2026-09-01T09:00:00'),
];

const configWith = (hours: number | null) =>
  demoConfigYaml({ productLookups: false, startFrom: '2026-08-01T00:00:00' }).replace(
    '  overlapMinutes: 10\n',
    `  overlapMinutes: 10\n${hours === null ? '' : `  stornoCheckHours: ${hours}\n`}`,
  );

const T0 = Date.parse('2026-11-20T11:00:00Z'); // 12:00 in Budapest
const HOUR = 3_600_000;

interface World {
  h: Harness;
  hook: WebhookServer;
  rt: Runtime;
  clock: { now: Date };
}
const open: World[] = [];
afterEach(async () => {
  for (const w of open.splice(0)) {
    await w.hook.close();
    await w.h.close();
  }
});

async function world(hours: number | null, listOrder: ListOrder = 'dateUpdated', pageCap: number | null = null, bounds: BoundShape = '[]'): Promise<World> {
  const h = await startHarness({ config: configWith(hours), shoprenter: { rateLimitPerSecond: 0 } });
  const hook = await startWebhook();
  const clock = { now: new Date(T0) };
  h.shop.shoprenter.listing.order = listOrder;
  h.shop.shoprenter.listing.pageCap = pageCap;
  h.shop.shoprenter.listing.bounds = bounds;
  const rt = await h.runtime({ env: { ALERT_WEBHOOK_URL: hook.url }, now: () => clock.now, shoprenterTuning: { limitPerSecond: 1000, pageSize: 4 } });
  const w = { h, hook, rt, clock };
  open.push(w);
  return w;
}

const cycleId = (w: World) => (w.rt.ledger.db.prepare('SELECT MAX(id) AS id FROM cycles').get() as { id: number }).id;
/** Cycles up to and including the next sweep cycle; returns how many ran. */
async function untilSweep(w: World): Promise<number> {
  let n = 0;
  do {
    await cycleAndDeliver(w);
    n += 1;
  } while (cycleId(w) % 10 !== 0);
  return n;
}
/** One cycle, then the alerts it queued are delivered (the writer's delivery runs beside the cycle). */
async function cycleAndDeliver(w: World): Promise<void> {
  await runCycle(w.rt.deps);
  await w.rt.delivery.flush();
}

const reports = (w: World) => w.hook.calls.map((c) => c.json).filter((j) => String(j['kind']).endsWith('-after-draft'));
const reported = (w: World) => reports(w).map((j) => `${String(j['kind'])} ${String(j['orderNumber'])}`);
/** Order numbers looked up one by one since the last resetStats, "+storno" when storno orders were included. */
const lookups = (w: World) =>
  w.h.shop.shoprenter.requestLog
    .filter((r) => r.path === '/api/orderExtend' && r.query.includes('innerId='))
    .map((r) => `${new URLSearchParams(r.query).get('innerId')}${r.query.includes('excludeStorno=1') ? '' : '+storno'}`)
    .sort();

describe('a storno that does not move dateUpdated (issue 16 §5, §11)', () => {
  const listings: [ListOrder, number | null][] = [
    ['dateUpdated', null],
    ['id', 3],
    ['random', 3],
    ['random', null],
  ];
  const cases = BOUND_SHAPES.flatMap((bounds) => listings.map(([listOrder, cap]) => [listOrder, cap, bounds] as const));

  it.each(cases)('is reported once within a day (list %s, page cap %s, bounds %s); a storno that moves it, at the next sweep; no other order ever', async (listOrder, cap, bounds) => {
    const w = await world(null, listOrder, cap, bounds);
    const shop = w.h.shop.shoprenter;
    for (const o of shopOrders()) shop.addOrder(o);
    await cycleAndDeliver(w);
    expect(w.h.shop.cashman.drafts).toHaveLength(13);

    // The first check runs at the first sweep; it finds every drafted order of the window in its
    // list, so it looks up only the order placed before the window.
    shop.resetStats();
    await untilSweep(w);
    expect(lookups(w)).toEqual(['1013']);
    expect(reports(w)).toEqual([]);

    w.clock.now = new Date(T0 + HOUR);
    shop.updateOrder('1003', {}, { storno: true }); // in the crowded second; dateUpdated stays 10:00:00
    shop.setStorno('1008', true, '2026-11-20T12:35:00');
    expect(await untilSweep(w)).toBeLessThanOrEqual(10);
    // The moved one is seen by the sweep; the other waits for the check (due 24 h after the first).
    expect(reported(w)).toEqual(['cancelled-after-draft 1008']);

    w.clock.now = new Date(T0 + 24 * HOUR);
    shop.resetStats();
    expect(await untilSweep(w)).toBeLessThanOrEqual(10);
    expect(reported(w)).toEqual(['cancelled-after-draft 1008', 'cancelled-after-draft 1003']);
    expect(reports(w)[1]).toMatchObject({ reason: expect.stringContaining('cancelled (storno)'), cashmanRef: w.rt.ledger.findOrder('1003')!.cashmanRef });
    // The list held every other drafted order whatever its order, cap and bounds: only the
    // cancelled one and the one placed before the window were looked up.
    expect(lookups(w)).toEqual(['1003', '1003+storno', '1013']);

    // Later checks: known cancellations are not looked up again, and nothing is reported twice.
    for (const day of [2, 3]) {
      w.clock.now = new Date(T0 + day * 24 * HOUR);
      shop.resetStats();
      await untilSweep(w);
      expect(lookups(w)).toEqual(['1013']);
    }
    expect(reported(w)).toEqual(['cancelled-after-draft 1008', 'cancelled-after-draft 1003']);
    expect(w.h.shop.cashman.drafts).toHaveLength(13);
  });

  it('with sync.stornoCheckHours 0, at the next sweep (at most 10 cycles), once, with or without the move', async () => {
    const w = await world(0);
    const shop = w.h.shop.shoprenter;
    for (const o of shopOrders()) shop.addOrder(o);
    await untilSweep(w);
    expect(w.h.shop.cashman.drafts).toHaveLength(13);

    shop.updateOrder('1011', {}, { storno: true });
    shop.setStorno('1002', true, '2026-11-20T12:05:00');
    w.clock.now = new Date(T0 + 10 * 60_000);
    expect(await untilSweep(w)).toBe(10);
    expect(reported(w).sort()).toEqual(['cancelled-after-draft 1002', 'cancelled-after-draft 1011']);

    for (let i = 0; i < 3; i++) await untilSweep(w);
    expect(reported(w)).toHaveLength(2);
  });

  it.each(BOUND_SHAPES)('the sweep finds every storno that moves dateUpdated even when more than a page of them came since the last sweep, in a list shuffled per request (bounds %s)', async (bounds) => {
    const w = await world(null, 'random', 3, bounds);
    const shop = w.h.shop.shoprenter;
    for (const o of shopOrders()) shop.addOrder(o);
    await untilSweep(w); // drafts, and the first check in place of the first sweep
    w.clock.now = new Date(T0 + HOUR);
    const cancelled = ['1001', '1002', '1004', '1007', '1009', '1010', '1012'];
    cancelled.forEach((n, i) => shop.setStorno(n, true, `2026-11-20T12:3${i}:00`));
    await untilSweep(w);
    expect(reported(w).sort()).toEqual(cancelled.map((n) => `cancelled-after-draft ${n}`));
    await untilSweep(w);
    expect(reported(w)).toHaveLength(cancelled.length);
  });

  it('gives way when the process stops (a check can take hundreds of requests) and runs in full at a later sweep', async () => {
    const w = await world(0, 'id', 3);
    const shop = w.h.shop.shoprenter;
    for (const o of shopOrders()) shop.addOrder(o);
    await untilSweep(w); // drafts, and a complete first check
    // The check asks from the start of its window, weeks back (createdAtMin); the poll asks by
    // dateCreated only inside its crowded second, whose orders were placed on 2026-11-19.
    const checkLists = () =>
      shop.requestLog.filter((r) => {
        const created = new URLSearchParams(r.query).get('createdAtMin');
        return r.path === '/api/orderExtend' && r.query.includes('excludeStorno=1') && !r.query.includes('innerId') && created !== null && created < '2026-11-19';
      }).length;
    shop.resetStats();
    for (let i = 0; i < 10; i++) await cycleAndDeliver(w);
    const full = checkLists();
    expect(full).toBeGreaterThan(4);

    shop.updateOrder('1005', {}, { storno: true });
    const checkedAt = w.rt.ledger.getMeta('storno_check_at');
    shop.resetStats();
    shop.listing.onList = (query) => {
      if (query.get('excludeStorno') === '1' && !query.has('updatedAtMin')) w.rt.deps.stop.requested = true;
    };
    for (let i = 0; i < 9; i++) await cycleAndDeliver(w);
    w.clock.now = new Date(T0 + HOUR);
    await cycleAndDeliver(w); // the sweep cycle; SIGTERM arrives with the check's first list request
    shop.listing.onList = null;
    expect(checkLists()).toBe(1); // the one in flight when the stop came; a full check takes `full`
    expect(lookups(w)).toEqual([]);
    expect(w.rt.ledger.getMeta('storno_check_at')).toBe(checkedAt);
    expect(reported(w)).toEqual([]);

    w.rt.deps.stop.requested = false; // the next process
    await untilSweep(w);
    expect(reported(w)).toEqual(['cancelled-after-draft 1005']);
  });

  it('a ledger with no drafted order in the window asks nothing for the check', async () => {
    const w = await world(0);
    w.h.shop.shoprenter.resetStats();
    await untilSweep(w);
    const lists = w.h.shop.shoprenter.requestLog.filter((r) => r.path === '/api/orderExtend');
    // Each poll's listing, nothing more: the check, due, has nothing to compare and stands in for the sweep.
    expect(lists.filter((r) => !r.query.includes('updatedAtMin'))).toEqual([]);
    expect(lists).toHaveLength(10);
  });
});

describe('when the check is due', () => {
  const last = '2026-11-20T11:00:00.000Z';
  it('after the period, never before; at once when never run or when the clock was set back', () => {
    expect(stornoCheckDue(null, new Date(T0), 24)).toBe(true);
    expect(stornoCheckDue(last, new Date(T0 + 24 * HOUR - 1), 24)).toBe(false);
    expect(stornoCheckDue(last, new Date(T0 + 24 * HOUR), 24)).toBe(true);
    expect(stornoCheckDue(last, new Date(T0), 0)).toBe(true);
    // A clock that went back a week must not postpone the check by a week.
    expect(stornoCheckDue(last, new Date(T0 - 7 * 24 * HOUR), 24)).toBe(true);
    expect(stornoCheckDue('not a date', new Date(T0), 24)).toBe(true);
  });
});
