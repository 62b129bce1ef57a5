import { afterEach, describe, expect, it } from '@jest/globals';
import { runStockRound } from '../src/stock/stock-round.js';
import { observeOpenOrders } from '../src/stock/open-orders.js';
import { StockStore } from '../src/store/stock-store.js';
import { ShoprenterClient } from '../src/shoprenter/client.js';
import { placeOrder, startStockShop, stockOf, type StockShop } from './helpers/stock-shop.js';
import { addMinutes, shopNow } from '../src/domain/shop-clock.js';

const addMinutesNow = (minutes: number) => addMinutes(shopNow(new Date(), 'Europe/Budapest'), minutes);

/**
 * Stock rounds against both real stand-ins and a real ledger file. Every expected value is
 * computed by hand from SPEC §6: target = floor(Cashman stock) − open quantity, negative → 0.
 */

let current: StockShop | null = null;
afterEach(async () => {
  await current?.close();
  current = null;
});

const writesTo = (s: StockShop) => s.shop.shoprenter.productWrites;

describe('a stock round', () => {
  it('writes only the differing matched products, the stock field alone, and records each write', async () => {
    current = await startStockShop({
      cashman: [
        { sku: 'A1', stock: '10' },
        { sku: 'A2', stock: '3.9' },
        { sku: 'A3', stock: '-2' },
        { sku: 'DUP', stock: '4' },
        { sku: 'DUP', stock: '5' },
        { sku: 'ONLYCM', stock: '9' },
        { sku: 'B1', stock: '6' },
        { sku: 'B2', stock: '6' },
        { sku: 'B3', stock: '6' },
        { sku: 'B4', stock: '6' },
        { sku: 'B5', stock: '6' },
        { sku: 'B6', stock: '6' },
        { sku: 'B7', stock: '6' },
      ],
      products: [
        { sku: 'A1', stocks: [7, 50] },
        { sku: 'A2', stocks: [3] },
        { sku: 'A3', stocks: [1] },
        { sku: 'DUP', stocks: [1] },
        { sku: 'ONLYSHOP', stocks: [2] },
        ...['B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'B7'].map((sku) => ({ sku, stocks: [6] })),
      ],
      stock: 'enabled: true\nmaxChangeShare: 0.3',
    });
    const s = current;
    const result = await runStockRound(await s.deps());
    expect(result.outcome).toBe('done');
    // By hand: A1 10 (was 7), A2 floor(3.9)=3 (was 3, unchanged), A3 -2 -> 0 (was 1).
    expect(stockOf(s.shop, 'A1')).toBe(10);
    expect(stockOf(s.shop, 'A2')).toBe(3);
    expect(stockOf(s.shop, 'A3')).toBe(0);
    expect(stockOf(s.shop, 'A1', 'stock2')).toBe(50);
    expect(stockOf(s.shop, 'DUP')).toBe(1);
    expect(stockOf(s.shop, 'ONLYSHOP')).toBe(2);
    expect(writesTo(s).map((w) => w.fields)).toEqual([{ stock1: '10' }, { stock1: '0' }]);
    expect(writesTo(s).every((w) => w.method === 'PUT' && !('quantity' in w.fields) && !('id' in w.fields))).toBe(true);
    expect(result.plan?.duplicateCashman).toEqual(['DUP']);
    expect(result.plan?.unmatchedShop).toEqual(['ONLYSHOP']);

    const store = new StockStore(s.ledger);
    const round = store.lastRound()!;
    expect(round).toMatchObject({ outcome: 'done', matched: 10, written: 2, duplicates: 1, unmatched: 1 });
    expect(store.writes(round.id).map((w) => [w.key, w.before, w.written, w.cashmanStock, w.open, w.state])).toEqual([
      ['A1', '7', 10, '10', '0', 'written'],
      ['A3', '1', 0, '-2', '0', 'written'],
    ]);

    // Converged: the next round reads and writes nothing.
    const before = writesTo(s).length;
    expect((await runStockRound(await s.deps())).written).toBe(0);
    expect(writesTo(s).length).toBe(before);
    expect(s.shop.shoprenter.stats.status429).toBe(0);
  }, 60_000);

  it('subtracts open orders found by the first walk, and nothing with openStatuses []', async () => {
    const rows = [{ sku: 'A1', stock: '10' }, ...Array.from({ length: 9 }, (_, i) => ({ sku: `F${i}`, stock: '5' }))];
    const products = [{ sku: 'A1', stocks: [10] }, ...Array.from({ length: 9 }, (_, i) => ({ sku: `F${i}`, stocks: [5] }))];
    current = await startStockShop({ cashman: rows, products, stock: 'enabled: true\nopenStatuses: [1]' });
    // Placed before go-live, status 1 (open): the shop took 3 off A1 itself (10 -> 7).
    placeOrder(current.shop, 5001, 1, [['A1', 3]]);
    // Status 5 is not open: its goods are already invoiced, so Cashman's 10 already lacks them.
    placeOrder(current.shop, 5002, 5, [['A1', 1]]);
    expect(stockOf(current.shop, 'A1')).toBe(6);
    const result = await runStockRound(await current.deps());
    // By hand: 10 − 3 (order 5001 only) = 7.
    expect(result.openOrders).toBe(1);
    expect(stockOf(current.shop, 'A1')).toBe(7);
    await current.close();

    current = await startStockShop({ cashman: rows, products, stock: 'enabled: true\nopenStatuses: []' });
    placeOrder(current.shop, 5001, 1, [['A1', 3]]);
    await runStockRound(await current.deps());
    expect(stockOf(current.shop, 'A1')).toBe(10);
    expect(current.shop.shoprenter.stats.byPath['/api/orderExtend'] ?? 0).toBe(0);
  }, 60_000);

  it('a product deleted during the round: its 404 is "product gone", asked once, not created, the round goes on', async () => {
    current = await startStockShop({ cashman: ['A1', 'A2', 'A3'].map((sku) => ({ sku, stock: '7' })), products: ['A1', 'A2', 'A3'].map((sku) => ({ sku, stocks: [5] })), stock: 'enabled: true\nmaxChangeShare: 1' });
    const s = current;
    const gone = s.shop.shoprenter.product('A2')!['id'] as string;
    s.shop.shoprenter.productHooks.beforeWrite = (id) => {
      if (id === gone) s.shop.shoprenter.deleteProduct(gone);
    };
    const result = await runStockRound(await s.deps());
    expect(result.outcome).toBe('done');
    expect({ written: result.written, failed: result.failedWrites }).toEqual({ written: 2, failed: 1 });
    expect(writesTo(s).filter((w) => w.productId === gone)).toHaveLength(1);
    expect(s.shop.shoprenter.productIds().includes(gone)).toBe(false);
    expect([stockOf(s.shop, 'A1'), stockOf(s.shop, 'A3')]).toEqual([7, 7]);
  }, 60_000);

  it('corrects next round an order placed while the round was writing', async () => {
    const rows = [{ sku: 'A1', stock: '12' }, ...Array.from({ length: 9 }, (_, i) => ({ sku: `F${i}`, stock: '5' }))];
    const products = [{ sku: 'A1', stocks: [10] }, ...Array.from({ length: 9 }, (_, i) => ({ sku: `F${i}`, stocks: [5] }))];
    current = await startStockShop({ cashman: rows, products, stock: 'enabled: true\nopenStatuses: [1]' });
    const s = current;
    const deps = await s.deps();
    let placed = false;
    s.shop.shoprenter.productHooks.beforeWrite = () => {
      if (placed) return;
      placed = true;
      placeOrder(s.shop, 6001, 1, [['A1', 2]]);
    };
    await runStockRound(deps);
    // The round read 10, Cashman says 12, so it wrote 12 over the shop's 8: two too many for now.
    expect(stockOf(s.shop, 'A1')).toBe(12);
    // The daemon's next poll lists the order (no extra read): the wrapped source remembers it.
    const env = s.env;
    const client = new ShoprenterClient({ apiUrl: env['SHOPRENTER_API_URL']!, auth: { kind: 'oauth', clientId: env['SHOPRENTER_CLIENT_ID']!, clientSecret: env['SHOPRENTER_CLIENT_SECRET']!, tokenUrl: env['SHOPRENTER_TOKEN_URL']! }, shop: 'other-limiter' });
    const observed = observeOpenOrders(client, new StockStore(s.ledger), (error) => {
      throw error;
    });
    await observed.listChangedOrders('2000-01-01T00:00:00', () => Promise.resolve());
    await runStockRound(deps);
    // By hand: 12 − 2 = 10.
    expect(stockOf(s.shop, 'A1')).toBe(10);
  }, 60_000);

  it('does not flap when an open order is invoiced: Cashman drops and the order leaves openStatuses together', async () => {
    const rows = [{ sku: 'A1', stock: '10' }, ...Array.from({ length: 9 }, (_, i) => ({ sku: `F${i}`, stock: '5' }))];
    const products = [{ sku: 'A1', stocks: [10] }, ...Array.from({ length: 9 }, (_, i) => ({ sku: `F${i}`, stocks: [5] }))];
    current = await startStockShop({ cashman: rows, products, stock: 'enabled: true\nopenStatuses: [1]\nopenOrderDays: 0' });
    const s = current;
    const deps = await s.deps();
    const observed = observeOpenOrders(s.orderClient(), new StockStore(s.ledger), (error) => {
      throw error;
    });
    const poll = () => observed.listChangedOrders('2000-01-01T00:00:00', () => Promise.resolve());
    placeOrder(s.shop, 8001, 1, [['A1', 2]]);
    await poll();
    await runStockRound(deps);
    // By hand: 10 − 2 = 8, which the shop already shows after the order: nothing written.
    expect(stockOf(s.shop, 'A1')).toBe(8);
    expect(s.shop.shoprenter.productWrites).toEqual([]);
    // The invoice is finalized: Cashman goes to 8, the order moves to status 5 (not open).
    s.shop.cashman.stock[0]!.stock = '8';
    s.shop.shoprenter.setOrderStatus('8001', 5, addMinutesNow(1));
    await poll();
    await runStockRound(deps);
    expect(stockOf(s.shop, 'A1')).toBe(8);
    expect(s.shop.shoprenter.productWrites).toEqual([]);
  }, 60_000);

  it('repeats a write Shoprenter answered 503 or 429 (the value is absolute)', async () => {
    current = await startStockShop({
      cashman: [{ sku: 'A1', stock: '4' }, ...Array.from({ length: 9 }, (_, i) => ({ sku: `F${i}`, stock: '5' }))],
      products: [{ sku: 'A1', stocks: [1] }, ...Array.from({ length: 9 }, (_, i) => ({ sku: `F${i}`, stocks: [5] }))],
    });
    current.shop.shoprenter.setFault({ kind: 'status', status: 503, path: '/products/' }, { kind: 'status', status: 429, path: '/products/' });
    const result = await runStockRound(await current.deps());
    expect(result).toMatchObject({ outcome: 'done', written: 1, failedWrites: 0 });
    expect(stockOf(current.shop, 'A1')).toBe(4);
    expect(current.shop.shoprenter.productWrites.map((w) => w.fields)).toEqual([{ stock1: '4' }]);
  }, 60_000);

  it('sends the body wrapped in "data" to a shop that answers 40001 to the bare one', async () => {
    current = await startStockShop({
      cashman: [{ sku: 'A1', stock: '4' }, ...Array.from({ length: 9 }, (_, i) => ({ sku: `F${i}`, stock: '5' }))],
      products: [{ sku: 'A1', stocks: [1] }, ...Array.from({ length: 9 }, (_, i) => ({ sku: `F${i}`, stocks: [5] }))],
      productBody: 'wrapped',
    });
    const result = await runStockRound(await current.deps());
    expect(result).toMatchObject({ outcome: 'done', written: 1, failedWrites: 0 });
    expect(stockOf(current.shop, 'A1')).toBe(4);
  }, 60_000);
});
