import { afterEach, describe, expect, it } from '@jest/globals';
import { demoConfigYaml } from '../src/standins/local-shop.js';
import { buildShoprenterOrder } from '../src/standins/shoprenter-fixtures.js';
import { startShoprenterStandin } from '../src/standins/shoprenter-standin.js';
import { BOUND_SHAPES, type BoundShape } from '../src/standins/shoprenter-standin-listing.js';
import { runCycle } from '../src/sync/cycle.js';
import { startHarness, type Harness } from './helpers/harness.js';
import { SIMPLE_ORDER } from './helpers/order-specs.js';

/**
 * Shoprenter does not document whether `updatedAtMin`/`updatedAtMax` (nor `createdAt…`) keep the
 * orders exactly on them, and each end may differ (reference §5.3). Under each of the four shapes,
 * with and without a silent page cap, a backlog dense enough that every window edge has orders on
 * both sides, a bulk action (160 orders sharing one dateUpdated second, more than a page) with
 * orders in the seconds right beside it, and later a second bulk action in the cursor's own
 * second: every qualifying order is drafted exactly once, on the first walk and on later ones.
 */

const NOW = '2026-11-26T12:00:00Z';
const QUALIFYING = 5;

/** 2026-11-20T08:00:00 plus `seconds` (negative: before). */
function at(seconds: number): string {
  return new Date(Date.UTC(2026, 10, 20, 8, 0, 0) + seconds * 1000).toISOString().slice(0, 19);
}

function order(innerId: number, dateUpdated: string, dateCreated: string, status = QUALIFYING): Record<string, unknown> {
  return buildShoprenterOrder({ ...SIMPLE_ORDER, status, email: `buyer${innerId}@example.hu`, innerId, dateUpdated, dateCreated });
}

function draftsByOrder(h: Harness): Map<number, number> {
  const drafts = new Map<number, number>();
  for (const draft of h.shop.cashman.drafts) {
    const n = Number(/(\d+)\s*$/.exec(draft.rows[0]?.['egyeb'] ?? '')?.[1]);
    drafts.set(n, (drafts.get(n) ?? 0) + 1);
  }
  return drafts;
}

/** Exactly one draft for each of `numbers` and none for anything else (as a map, so a failure names the orders). */
function expectOneDraftEach(h: Harness, numbers: readonly number[]): void {
  const got = Object.fromEntries([...draftsByOrder(h)].sort(([a], [b]) => a - b));
  expect(got).toEqual(Object.fromEntries([...numbers].sort((a, b) => a - b).map((n) => [n, 1])));
}

const cases: [BoundShape, number | null][] = BOUND_SHAPES.flatMap((shape): [BoundShape, number | null][] => [
  [shape, null],
  [shape, 25],
]);

describe.each(cases)('list bounds %s, page cap %p', (shape, pageCap) => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
  });

  it('drafts every qualifying order exactly once, on the first walk and on later ones', async () => {
    h = await startHarness({
      logLevel: 'warn',
      config: demoConfigYaml({ statuses: [String(QUALIFYING)], productLookups: false }),
      shoprenter: { shop: `bounds-${BOUND_SHAPES.indexOf(shape)}-${pageCap ?? 0}`, rateLimitPerSecond: 0, listBounds: shape, ...(pageCap ? { pageCap } : {}) },
    });
    // A page of 100 without the cap: the bulk action's second holds more than a page either way.
    const runtime = await h.runtime({ now: () => new Date(NOW), shoprenterTuning: { limitPerSecond: 1000, pageSize: 100 } });
    const shop = h.shop.shoprenter;
    const expected: number[] = [];
    const add = (innerId: number, updated: string, created: string, status = QUALIFYING) => {
      shop.addOrder(order(innerId, updated, created, status));
      if (status === QUALIFYING) expected.push(innerId);
    };

    // A backlog changed one order a second for 150 seconds, two in every other second of the
    // first minute: wherever the walk cuts, orders sit on both sides of the cut.
    for (let i = 0; i < 150; i++) add(1000 + i, at(i), at(i - 3600));
    for (let i = 0; i < 30; i++) add(2000 + i, at(2 * i), at(2 * i - 7200));
    // Not (yet) qualifying, among them.
    const waiting = Array.from({ length: 10 }, (_, i) => 3000 + i);
    for (const [i, n] of waiting.entries()) add(n, at(60 + i), at(-9000 + i), 1);
    // A bulk action: 160 orders placed over two days, two to a second, changed in one second;
    // three orders in each second beside it.
    const bulk = at(600);
    for (let i = 0; i < 160; i++) add(4000 + i, bulk, at(-172_800 + Math.floor(i / 2) * 60));
    for (let i = 0; i < 3; i++) add(4200 + i, at(599), at(-5000 + i));
    for (let i = 0; i < 3; i++) add(4300 + i, at(601), at(-5000 + i));

    const first = await runCycle(runtime.deps);
    expect(first.error).toBeNull();
    expectOneDraftEach(h, expected);
    const cursor = runtime.ledger.getMeta('cursor');
    expect(cursor).toBe(at(601));

    // Later walks: a second bulk action in the cursor's own second, the waiting orders reaching
    // the qualifying status in it too, and drafted orders changed again (no second draft).
    for (let i = 0; i < 60; i++) add(5000 + i, at(601), at(-86_400 + i));
    for (const n of waiting) {
      shop.updateOrder(String(n), { orderStatus: order(n, at(601), at(0))['orderStatus'], dateUpdated: at(601) });
      expected.push(n);
    }
    for (let i = 0; i < 20; i++) shop.updateOrder(String(1000 + i * 7), { dateUpdated: at(601) });
    const second = await runCycle(runtime.deps);
    expect(second.error).toBeNull();
    expectOneDraftEach(h, expected);

    // Again in the same second, and a crowd in the next one.
    add(6000, at(601), at(-10));
    for (let i = 0; i < 30; i++) add(6100 + i, at(602), at(-20_000 + i));
    for (let i = 0; i < 2; i++) expect((await runCycle(runtime.deps)).error).toBeNull();
    expectOneDraftEach(h, expected);
    expect(runtime.ledger.getMeta('cursor')).toBe(at(602));
  });
});

describe('list bounds that change from one request to the next (an API release under a running daemon)', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
  });

  it('drafts every qualifying order exactly once: nothing learned about one answer is trusted for the next', async () => {
    h = await startHarness({
      logLevel: 'warn',
      config: demoConfigYaml({ statuses: [String(QUALIFYING)], productLookups: false }),
      shoprenter: { shop: 'bounds-changing', rateLimitPerSecond: 0, pageCap: 8 },
    });
    const runtime = await h.runtime({ now: () => new Date(NOW), shoprenterTuning: { limitPerSecond: 1000, pageSize: 20 } });
    const shop = h.shop.shoprenter;
    // Inclusive at first (answers hold orders on the bounds asked), then each shape in turn.
    let lists = 0;
    shop.listing.onList = () => {
      lists += 1;
      shop.listing.bounds = lists <= 6 ? '[]' : (BOUND_SHAPES[lists % 4] ?? '[]');
    };
    const expected: number[] = [];
    const add = (innerId: number, updated: string, created: string) => {
      shop.addOrder(order(innerId, updated, created));
      expected.push(innerId);
    };
    for (let i = 0; i < 80; i++) add(1000 + i, at(i), at(i - 3600));
    for (let i = 0; i < 30; i++) add(2000 + i, at(40), at(-7200 + i * 60));
    expect((await runCycle(runtime.deps)).error).toBeNull();
    expectOneDraftEach(h, expected);

    for (let i = 0; i < 40; i++) add(3000 + i, at(79 + Math.floor(i / 4)), at(-100 + i));
    for (let i = 0; i < 2; i++) expect((await runCycle(runtime.deps)).error).toBeNull();
    expectOneDraftEach(h, expected);
  });
});

describe('the stand-in switch', () => {
  it.each([
    ['[]', [2, 3], [2, 3]],
    ['()', [], []],
    ['[)', [2], [2]],
    ['(]', [3], [3]],
  ] as [BoundShape, number[], number[]][])('%s keeps the orders on each bound as the shape says', async (shape, byUpdated, byCreated) => {
    // Orders 1..4 changed at 08:00:01..04 and placed at 07:00:01..04; the bounds asked are the 2nd and 3rd second.
    const orders = [1, 2, 3, 4].map((n) => order(n, at(n), at(n - 3600)));
    const standin = await startShoprenterStandin({ rateLimitPerSecond: 0, orders, listBounds: shape });
    try {
      const tokenAnswer = await fetch(standin.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'client_credentials', client_id: standin.clientId, client_secret: standin.clientSecret }),
      });
      const { access_token: token } = (await tokenAnswer.json()) as { access_token: string };
      const list = async (query: string) => {
        const answer = await fetch(`${standin.url}/orderExtend?full=1&${query}`, { headers: { accept: 'application/json', authorization: `Bearer ${token}` } });
        const body = (await answer.json()) as { items: { innerId: number | string }[] };
        return body.items.map((item) => Number(item.innerId)).sort((a, b) => a - b);
      };
      expect(await list(`updatedAtMin=${at(2)}&updatedAtMax=${at(3)}`)).toEqual(byUpdated);
      expect(await list(`createdAtMin=${at(2 - 3600)}&createdAtMax=${at(3 - 3600)}`)).toEqual(byCreated);
      // Changeable at run time, like the other listing controls.
      standin.listing.bounds = '[]';
      expect(await list(`updatedAtMin=${at(2)}&updatedAtMax=${at(3)}`)).toEqual([2, 3]);
    } finally {
      await standin.close();
    }
  });
});
