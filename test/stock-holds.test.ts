import { afterEach, describe, expect, it } from '@jest/globals';
import { runStockRound } from '../src/stock/stock-round.js';
import { StockStore } from '../src/store/stock-store.js';
import { SerialLane } from '../src/sync/serial-lane.js';
import { laneGate } from '../src/stock/stock-pacer.js';
import type { CashmanFault } from '../src/standins/cashman-standin.js';
import { startStockShop, stockOf, type StockShop } from './helpers/stock-shop.js';
import { StockScheduler } from '../src/stock/stock-scheduler.js';
import { silentLogger } from '../src/log/logger.js';

/** Every safety rule of SPEC §6 with the situation that triggers it: the round writes nothing. */

let current: StockShop | null = null;
afterEach(async () => {
  await current?.close();
  current = null;
});

const TEN = Array.from({ length: 10 }, (_, i) => `K${i}`);
const start = (cashmanStock: (sku: string, i: number) => string, shopStock = 5, stock = 'enabled: true') =>
  startStockShop({
    cashman: TEN.map((sku, i) => ({ sku, stock: cashmanStock(sku, i) })),
    products: TEN.map((sku) => ({ sku, stocks: [shopStock] })),
    stock,
  });

describe('held rounds', () => {
  it.each<[string, CashmanFault]>([
    ['an empty answer', { kind: 'answer', shape: 'empty' }],
    ['an HTML page', { kind: 'answer', shape: 'html-page' }],
    ['a PHP warning', { kind: 'answer', shape: 'php-warning' }],
    ['a PHP warning after the list', { kind: 'answer', shape: 'php-warning', around: 'after' }],
    ['a HIBA', { kind: 'hiba', message: 'A raktár nem létezik.' }],
    ['a list cut short', { kind: 'truncate' }],
    ['text that is not a list', { kind: 'answer', shape: 'no-permission' }],
  ])('Cashman answering %s writes nothing and alerts once', async (_name, fault) => {
    current = await start(() => '0');
    const s = current;
    s.shop.cashman.setFault(fault, { times: 2, operations: [19] });
    const deps = await s.deps();
    const first = await runStockRound(deps);
    const second = await runStockRound(deps);
    expect([first.outcome, second.outcome]).toEqual(['held', 'held']);
    expect(s.shop.shoprenter.productWrites).toEqual([]);
    expect(TEN.map((sku) => stockOf(s.shop, sku))).toEqual(TEN.map(() => 5));
    expect(s.alerts.map((a) => a.kind)).toEqual(['stock-held']);
    expect(new StockStore(s.ledger).held()?.reason).toMatch(/nothing was written/);
  }, 30_000);

  it('alerts again when a hold changes its reason, not while the same hold repeats', async () => {
    current = await start((_sku, i) => (i < 3 ? '9' : '5'));
    const s = current;
    s.shop.cashman.setFault({ kind: 'answer', shape: 'html-page' }, { operations: [19] });
    const deps = await s.deps();
    expect((await runStockRound(deps)).hold?.kind).toBe('answer');
    expect((await runStockRound(deps)).hold?.kind).toBe('changes');
    expect((await runStockRound(deps)).hold?.kind).toBe('changes');
    expect(s.alerts.map((a) => a.reason)).toEqual([expect.stringMatching(/HTML page/), expect.stringMatching(/would change 3 of 10/)]);
    expect(s.shop.shoprenter.productWrites).toEqual([]);
  }, 60_000);

  it('an empty stock list holds the round', async () => {
    current = await start(() => '1');
    current.shop.cashman.stock.length = 0;
    expect((await runStockRound(await current.deps())).reason).toMatch(/empty/);
  }, 30_000);

  it('holds a round that would change or zero more than maxChangeShare; stock approve lets it go once', async () => {
    // 3 of 10 change (9 -> 5 in the shop): 30 % > 20 %.
    current = await start((_sku, i) => (i < 3 ? '9' : '5'));
    const s = current;
    const deps = await s.deps();
    const held = await runStockRound(deps);
    expect(held.outcome).toBe('held');
    expect(held.hold?.kind).toBe('changes');
    expect(s.shop.shoprenter.productWrites).toEqual([]);
    const store = new StockStore(s.ledger);
    expect(store.approve(store.held()!.roundId)).toBe('approved');
    expect(store.approve(store.held()!.roundId)).toBe('already');
    const released = await runStockRound(deps);
    expect(released).toMatchObject({ outcome: 'done', written: 3, approved: true });
    expect(stockOf(s.shop, 'K0')).toBe(9);
    expect(store.held()).toBeNull();

    // Once: a second big change is held again, and alerts again (a new hold).
    for (const row of s.shop.cashman.stock) row.stock = '0';
    const zeroed = await runStockRound(deps);
    expect(zeroed.hold?.kind).toBe('zeroes');
    expect(s.alerts.map((a) => a.kind)).toEqual(['stock-held', 'stock-held']);
    expect(TEN.map((sku) => stockOf(s.shop, sku))).toEqual([9, 9, 9, 5, 5, 5, 5, 5, 5, 5]);
  }, 60_000);

  it('holds a list that matches fewer than half the products of the last good round', async () => {
    current = await start(() => '5');
    const s = current;
    const deps = await s.deps();
    expect((await runStockRound(deps)).outcome).toBe('done');
    // Cashman now lists only 4 of the 10 (a cut or filtered list), the rest at 0.
    s.shop.cashman.stock.splice(4);
    for (const row of s.shop.cashman.stock) row.stock = '0';
    const result = await runStockRound(deps);
    expect(result.hold?.kind).toBe('shrunk');
    expect(s.shop.shoprenter.productWrites).toEqual([]);
  }, 60_000);
});

describe('answers that are not a stock list, and outages', () => {
  it.each<[string, CashmanFault]>([
    ['an HTTP 500 error page', { kind: 'status500' }],
    ['an HTML 500 page echoing the request', { kind: 'echo', status: 500 }],
  ])('Cashman answering op 19 with %s holds the round and alerts once, like an HTML 200', async (_name, fault) => {
    current = await start(() => '5');
    const s = current;
    s.shop.cashman.setFault(fault, { operations: [19], times: 3 });
    const deps = await s.deps();
    const results = [await runStockRound(deps), await runStockRound(deps), await runStockRound(deps)];
    expect(results.map((r) => r.outcome)).toEqual(['held', 'held', 'held']);
    expect(results[0]!.reason).toMatch(/not a stock list/);
    expect(s.shop.shoprenter.productWrites).toEqual([]);
    expect(s.alerts.map((a) => a.kind)).toEqual(['stock-held']);
  }, 60_000);

  it('an unreachable Cashman (connection dropped before any answer) is a failed round, not a hold', async () => {
    current = await start(() => '9');
    const s = current;
    s.shop.cashman.setFault({ kind: 'drop' }, { operations: [19], times: 2 });
    const result = await runStockRound(await s.deps());
    expect(result.outcome).toBe('failed');
    expect(new StockStore(s.ledger).held()).toBeNull();
    expect(s.alerts).toEqual([]);
    expect(s.shop.shoprenter.productWrites).toEqual([]);
  }, 60_000);
});

describe('a shop without the product write scope', () => {
  it('the first refused write fails the round, naming the scope; alerted once over three rounds', async () => {
    current = await startStockShop({
      cashman: TEN.map((sku, i) => ({ sku, stock: i < 2 ? '9' : '5' })),
      products: TEN.map((sku) => ({ sku, stocks: [5] })),
      stock: 'enabled: true',
      scopes: ['product.product:read', 'order.order:read', 'order.order:write'],
    });
    const s = current;
    const deps = await s.deps();
    const rounds = [await runStockRound(deps), await runStockRound(deps), await runStockRound(deps)];
    expect(rounds.map((r) => r.outcome)).toEqual(['failed', 'failed', 'failed']);
    expect(rounds[0]!.reason).toMatch(/product\.product:write/);
    // One refused write a round (2 differ): the round stops at the first.
    const store = new StockStore(s.ledger);
    const ids = [1, 2, 3].map((n) => store.lastRound()!.id - 3 + n);
    expect(ids.map((id) => store.writes(id).map((w) => w.state))).toEqual([['failed'], ['failed'], ['failed']]);
    expect(s.alerts.map((a) => a.kind)).toEqual(['stock-write-refused']);
    expect(s.alerts[0]!.reason).toMatch(/product\.product:write/);
    expect(store.lastRound()?.outcome).toBe('failed');
  }, 60_000);
});

describe('an approval', () => {
  it('a round that outgrew its approval is held again and alerted again', async () => {
    current = await start((_sku, i) => (i < 3 ? '9' : '5'));
    const s = current;
    const deps = await s.deps();
    expect((await runStockRound(deps)).hold?.kind).toBe('changes');
    expect(s.alerts).toHaveLength(1);
    expect(new StockStore(s.ledger).approve(null)).toBe('approved');
    // A delivery arrives before the next round: 6 changes (more than 3 + 2).
    for (const row of s.shop.cashman.stock.slice(0, 6)) row.stock = '9';
    const next = await runStockRound(deps);
    expect(next.outcome).toBe('held');
    expect(s.shop.shoprenter.productWrites).toEqual([]);
    expect(s.alerts.map((a) => a.kind)).toEqual(['stock-held', 'stock-held']);
    // The same hold repeating is not news.
    await runStockRound(deps);
    expect(s.alerts).toHaveLength(2);
  }, 60_000);

  it('given for many changes, it does not let a later cut list through, nor make it the baseline', async () => {
    current = await start(() => '5');
    const s = current;
    const deps = await s.deps();
    expect((await runStockRound(deps)).outcome).toBe('done');
    for (const row of s.shop.cashman.stock.slice(0, 3)) row.stock = '9';
    expect((await runStockRound(deps)).hold?.kind).toBe('changes');
    expect(new StockStore(s.ledger).approve(null)).toBe('approved');
    // Before the approved round runs, Cashman's list is cut to 4 rows (fewer than half of 10).
    s.shop.cashman.stock.splice(4);
    const cut = await runStockRound(deps);
    expect(cut.hold?.kind).toBe('shrunk');
    expect(s.shop.shoprenter.productWrites).toEqual([]);
    expect(new StockStore(s.ledger).lastGoodMatched()).toBe(10);
  }, 60_000);
});

describe('the schedule', () => {
  it('a clock set back (an NTP fix) does not stop stock rounds; a round not yet due still waits', async () => {
    current = await start(() => '5', 5, 'enabled: true\nintervalMinutes: 10');
    const real = Date.now();
    let now = real + 3 * 3600_000;
    const deps = { ...(await current.deps()), now: () => new Date(now) };
    // A round recorded while the clock ran 3 hours fast.
    const store = new StockStore(current.ledger, () => new Date(now));
    store.finishRound(store.startRound(), 'done', { matched: 10 });
    let rounds = 0;
    const scheduler = new StockScheduler(deps, 10, silentLogger, () => (rounds += 1));
    // 5 minutes after it on the fast clock: not due.
    now += 5 * 60_000;
    scheduler.afterCycle();
    await scheduler.idle(30_000);
    expect(rounds).toBe(0);
    // Corrected: the clock is 3 hours behind the recorded round.
    now = real;
    scheduler.afterCycle();
    await scheduler.idle(30_000);
    expect(rounds).toBe(1);
    // The round just run counts from the corrected clock: 5 minutes later it is not due again.
    now = real + 5 * 60_000;
    scheduler.afterCycle();
    await scheduler.idle(30_000);
    expect(rounds).toBe(1);
  }, 60_000);
});

describe('pace', () => {
  it('makes no Shoprenter request while order work runs, and never meets a 429', async () => {
    current = await start((_sku, i) => (i < 2 ? '9' : '5'));
    const s = current;
    const lane = new SerialLane();
    let release!: () => void;
    const blocked = lane.run(() => new Promise<void>((resolve) => (release = resolve)));
    const deps = await s.deps({ yieldToOrders: laneGate(lane) });
    const shoprenterBefore = s.shop.shoprenter.requestLog.length;
    const round = runStockRound(deps);
    // Whatever the machine's speed, nothing may reach either remote before the lane is released.
    await new Promise((r) => setTimeout(r, 500));
    const releasedAt = performance.timeOrigin + performance.now();
    expect(s.shop.shoprenter.requestLog.length).toBe(shoprenterBefore);
    expect(s.shop.cashman.stats.byOperation['19'] ?? 0).toBe(0);
    release();
    await blocked;
    // Order traffic at full speed beside the round: the shared limiter keeps the sum at 3 a second.
    const poller = s.orderClient();
    const orders = Array.from({ length: 12 }, () => poller.listOrderStatusDescriptions());
    const result = await round;
    await Promise.all(orders);
    expect(result.written).toBe(2);
    const stockRequests = s.shop.shoprenter.requestLog.slice(shoprenterBefore).filter((r) => r.path.includes('/products') || r.path.includes('/token'));
    expect(stockRequests.every((r) => r.time >= releasedAt)).toBe(true);
    expect(s.shop.shoprenter.stats.status429).toBe(0);
    expect(stockRequests.length).toBeGreaterThan(0);
  }, 60_000);
});
