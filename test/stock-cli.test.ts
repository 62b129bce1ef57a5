import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Ledger } from '../src/store/ledger.js';
import { StockStore } from '../src/store/stock-store.js';
import { requireBuild, runToEnd, spawnCli, waitFor } from './helpers/processes.js';
import { placeOrder, startStockShop, stockConfigYaml, stockOf, type StockShop } from './helpers/stock-shop.js';
import { addMinutes, shopNow } from '../src/domain/shop-clock.js';

/** The stock commands and the daemon's stock rounds as real processes against both stand-ins. */

let s: StockShop | null = null;
beforeAll(() => requireBuild());
afterEach(async () => {
  await s?.close();
  s = null;
});

const SKUS = Array.from({ length: 10 }, (_, i) => `K${i}`);

async function shopWith(stock: string, cashman: (i: number) => string = (i) => (i < 2 ? '9' : '5'), scopes?: string[], putCreates = false): Promise<StockShop> {
  const shop = await startStockShop({ cashman: SKUS.map((sku, i) => ({ sku, stock: cashman(i) })), products: SKUS.map((sku) => ({ sku, stocks: [5] })), stock, ...(scopes ? { scopes } : {}), putCreates });
  // The CLI reads these: the same config the in-process deps use.
  writeFileSync(shop.env['CONFIG_PATH']!, shop.configText);
  shop.ledger.close();
  return shop;
}

const cli = (args: string[], shop: StockShop, extra: Record<string, string> = {}) => runToEnd(args, { ...shop.env, LOG_LEVEL: 'error', ...extra }, shop.dir, 60_000);

function readStore<T>(shop: StockShop, use: (store: StockStore) => T): T {
  const ledger = Ledger.open(shop.env['DATABASE_PATH']!, { readonly: true });
  try {
    return use(new StockStore(ledger));
  } finally {
    ledger.close();
  }
}

describe('stock commands', () => {
  it('preview writes nothing anywhere; push writes; push again has nothing to do', async () => {
    s = await shopWith('enabled: true');
    const dbPath = s.env['DATABASE_PATH']!;
    // shopWith opened (and created) the ledger: start from no ledger at all, as before go-live.
    const { rmSync } = await import('node:fs');
    rmSync(dbPath, { force: true });
    const preview = await cli(['stock', 'preview', '--json'], s);
    expect(preview.code).toBe(0);
    const json = JSON.parse(preview.text) as { matched: { key: string; cashman: string; shoprenterNow: string; target: number; wouldWrite: number | null }[]; wouldWrite: number; held: unknown };
    expect(json.matched.find((m) => m.key === 'K0')).toEqual(expect.objectContaining({ cashman: '9', shoprenterNow: '5', target: 9, wouldWrite: 9 }));
    expect(json.matched.find((m) => m.key === 'K5')).toEqual(expect.objectContaining({ target: 5, wouldWrite: null }));
    expect(json.wouldWrite).toBe(2);
    expect(json.held).toBeNull();
    expect(s.shop.shoprenter.productWrites).toEqual([]);
    expect(existsSync(dbPath)).toBe(false);
    expect((await cli(['stock', 'preview'], s)).text).toMatch(/2 would be written\. Nothing was written\./);

    const push = await cli(['stock', 'push'], s);
    expect(push.text).toMatch(/Stock round done: 2 products written/);
    expect(push.code).toBe(0);
    expect([stockOf(s.shop, 'K0'), stockOf(s.shop, 'K1'), stockOf(s.shop, 'K2')]).toEqual([9, 9, 5]);
    const again = await cli(['stock', 'push'], s);
    expect(again.code).toBe(0);
    expect(again.text).toMatch(/nothing to write/);
    const status = await cli(['status'], s);
    expect(status.text).toMatch(/Last stock round: .* done, 0 written of 10 matched/);
    expect(s.shop.shoprenter.stats.status429).toBe(0);
  }, 90_000);

  it('push: 2 for a config problem and for a held round, 1 when Cashman cannot be reached; approve lets the held round go once', async () => {
    s = await shopWith('enabled: false');
    const off = await cli(['stock', 'push'], s);
    expect(off.code).toBe(2);
    expect(off.text).toMatch(/stock\.enabled is false/);
    await s.close();

    s = await shopWith('enabled: true', (i) => (i < 4 ? '0' : '5'));
    const held = await cli(['stock', 'push'], s);
    expect(held.code).toBe(2);
    expect(held.text).toMatch(/HELD, nothing written: the round would set 4 of 10 matched products to 0/);
    expect(s.shop.shoprenter.productWrites).toEqual([]);
    const status = await cli(['status', '--json'], s);
    expect((JSON.parse(status.text) as { stock: { held: { kind: string } } }).stock.held.kind).toBe('zeroes');
    expect((await cli(['status'], s)).text).toMatch(/Stock is HELD since/);

    const approve = await cli(['stock', 'approve'], s);
    expect(approve.code).toBe(0);
    expect(approve.text).toMatch(/Approved: the next stock round writes the held changes once \(4 products, 4 of them to 0\)/);
    // By hand: 4 + max(2, ceil(4 / 10)) = 6.
    expect(approve.text).toMatch(/more than 6 products or set more than 6 to 0, or it is held for another reason, it is held again and you are alerted again/);
    expect((await cli(['stock', 'approve'], s)).text).toMatch(/already approved/);
    const released = await cli(['stock', 'push'], s);
    expect(released.code).toBe(0);
    expect(SKUS.map((sku) => stockOf(s!.shop, sku))).toEqual([0, 0, 0, 0, 5, 5, 5, 5, 5, 5]);
    expect((await cli(['stock', 'approve'], s)).text).toMatch(/No stock round is held/);

    s.shop.cashman.setFault({ kind: 'drop' }, { times: 5 });
    const failed = await cli(['stock', 'push'], s);
    expect(failed.code).toBe(1);
    expect(failed.text).toMatch(/Stock round failed/);
  }, 90_000);

  it('SIGKILL mid-round changes nothing else, and the next round converges', async () => {
    s = await shopWith('enabled: true\nmaxChangeShare: 1', (i) => String(20 + i));
    const shop = s;
    const child = spawnCli(['stock', 'push'], { ...shop.env, LOG_LEVEL: 'error' }, shop.dir);
    let seen = 0;
    shop.shop.shoprenter.productHooks.beforeWrite = () => {
      seen += 1;
      if (seen === 4) child.process.kill('SIGKILL');
    };
    const exit = await child.exit;
    expect(exit.signal).toBe('SIGKILL');
    shop.shop.shoprenter.productHooks.beforeWrite = undefined;
    // Only stock1 of matched products was ever sent.
    expect(shop.shop.shoprenter.productWrites.every((w) => Object.keys(w.fields).join() === 'stock1')).toBe(true);
    expect(shop.shop.shoprenter.productWrites.length).toBeLessThan(10);
    const next = await cli(['stock', 'push'], shop);
    expect(next.code).toBe(0);
    expect(SKUS.map((sku) => stockOf(shop.shop, sku))).toEqual(SKUS.map((_, i) => 20 + i));
    const rounds = readStore(shop, (store) => ({ first: store.writes(1), last: store.lastRound() }));
    expect(rounds.last?.outcome).toBe('done');
    expect(readStore(shop, (store) => store.totals().rounds)).toMatchObject({ interrupted: 1, done: 1 });
    // The killed round's unconfirmed write stays visible as "sending".
    expect(rounds.first.some((w) => w.state === 'sending')).toBe(true);
  }, 90_000);
});

describe('open orders seen by every process that lists orders', () => {
  it('an open order invoiced while only `once` ran stops counting at the next push', async () => {
    s = await shopWith('enabled: true\nopenStatuses: [1]\nmaxChangeShare: 1', () => '5');
    const shop = s;
    // Open order for 2 × K0 (the shop took 2 off: 5 -> 3). Cashman still has 5.
    placeOrder(shop.shop, 7001, 1, [['K0', 2]], addMinutes(shopNow(new Date(), 'Europe/Budapest'), -120));
    expect((await cli(['stock', 'push'], shop)).code).toBe(0);
    // By hand: 5 − 2 = 3.
    expect(stockOf(shop.shop, 'K0')).toBe(3);
    // The invoice is finalized in Cashman (5 -> 3) and the order leaves the open status.
    shop.shop.shoprenter.setOrderStatus('7001', 5, addMinutes(shopNow(new Date(), 'Europe/Budapest'), -1));
    shop.shop.cashman.stock.find((r) => r.sku === 'K0')!.stock = '3';
    // One cycle by hand (the daemon is stopped): `once` lists the changed order and moves the cursor past it.
    const once = await cli(['once'], shop);
    expect(once.code).toBe(0);
    expect(once.text).toMatch(/Cycle completed: [1-9]\d* listed/);
    expect((await cli(['stock', 'push'], shop)).code).toBe(0);
    // By hand: Cashman 3, no open order left -> 3 (not 3 − 2 = 1).
    expect(stockOf(shop.shop, 'K0')).toBe(3);
  }, 180_000);
});

describe('demo', () => {
  it('shows a stock round against the stand-ins', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'scs-demo-stock-'));
    try {
      const demo = await runToEnd(['demo'], { LOG_LEVEL: 'error' }, dir, 90_000);
      expect(demo.code).toBe(0);
      // By hand: SZAP-1 Cashman 10 − 3 on open order 9002 = 7; ALMA-KG floor(27.6) = 27; TOK-5P 6 − 2 = 4 as the shop has.
      expect(demo.text).toMatch(/SZAP-1 +Cashman +10, open orders +3, shop had +3 -> wrote 7/);
      expect(demo.text).toMatch(/ALMA-KG +Cashman +27\.6, open orders +0, shop had +30 -> wrote 27/);
      expect(demo.text).toMatch(/TOK-5P +Cashman +6, open orders +2, shop had +4 -> unchanged/);
      expect(demo.text).toMatch(/skipped: KAVE-1 \(twice in Cashman\); not touched: CSAK-BOLT/);
      expect(demo.text).toMatch(/Stock round done: 2 products written, 5 matched/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('check with stock on', () => {
  it('checks the product write scope without writing, operation 19, and the match counts', async () => {
    s = await shopWith('enabled: true');
    s.shop.cashman.stock.push({ sku: 'K1', stock: '3' }, { sku: 'CASHONLY', stock: '1' });
    s.shop.shoprenter.addProducts([{ sku: 'SHOPONLY' }]);
    const ok = await cli(['check'], s);
    expect(ok.text).toMatch(/ok {4}Shoprenter product writes are allowed/);
    expect(ok.text).toMatch(/ok {4}Cashman's stock list \(operation 19\) answers/);
    // By hand: K0 and K2..K9 match (9); K1 is twice in Cashman; SHOPONLY has no row; CASHONLY no product.
    expect(ok.text).toMatch(/stock by SKU: 9 matched, 1 shop products without a Cashman row, 1 Cashman products not in the shop, 1 duplicate keys skipped \(shop 0, Cashman 1\); a round now would write 1/);
    expect(ok.code).toBe(0);
    expect(s.shop.shoprenter.productWrites.every((w) => Object.keys(w.fields).length === 0)).toBe(true);
    expect(SKUS.map((sku) => stockOf(s!.shop, sku))).toEqual(SKUS.map(() => 5));
    await s.close();

    s = await shopWith('enabled: true', undefined, ['product.product:read', 'order.order:read']);
    const gap = await cli(['check'], s);
    expect(gap.text).toMatch(/GAP {3}stock\.enabled needs the product\.product:write scope/);
    expect(gap.code).toBe(2);
  }, 90_000);

  it('never risks creating a product: the scope probe writes nothing to an existing product, even where a PUT to an unknown id creates', async () => {
    // The docs suggest a PUT with an API id that does not exist may create the product.
    s = await shopWith('enabled: true', undefined, undefined, true);
    const ids = s.shop.shoprenter.productIds().sort();
    const ok = await cli(['check'], s);
    expect(ok.text).toMatch(/ok {4}Shoprenter product writes are allowed/);
    expect(s.shop.shoprenter.productIds().sort()).toEqual(ids);
    const writes = s.shop.shoprenter.productWrites;
    expect(writes.length).toBe(1);
    expect(ids).toContain(writes[0]!.productId);
    expect(writes[0]!.fields).toEqual({});
    expect(SKUS.map((sku) => stockOf(s!.shop, sku))).toEqual(SKUS.map(() => 5));
  }, 90_000);
});

describe('the daemon with stock on', () => {
  it('runs a round after an order cycle, subtracts the orders it listed, and counts rounds and writes in /metrics', async () => {
    s = await shopWith('enabled: true\nopenStatuses: [1]\nopenOrderDays: 0', () => '9');
    const shop = s;
    // Hand: K0 Cashman 9, one open order of 2 -> target 7 (the shop itself went 5 -> 3).
    placeOrder(shop.shop, 7001, 1, [['K0', 2]]);
    writeFileSync(shop.env['CONFIG_PATH']!, stockConfigYaml('enabled: true\nopenStatuses: [1]\nopenOrderDays: 0\nmaxChangeShare: 1'));
    const daemon = spawnCli(['run'], { ...shop.env, LOG_LEVEL: 'info', HTTP_PORT: '0' }, shop.dir);
    try {
      const port = await (async () => {
        await waitFor(() => /http listener started.*port=(\d+)/.test(daemon.text()), 30_000, 'the listener');
        return /http listener started.*port=(\d+)/.exec(daemon.text())![1];
      })();
      await waitFor(() => /stock round finished/.test(daemon.text()), 60_000, 'a stock round');
      expect(stockOf(shop.shop, 'K0')).toBe(7);
      expect(SKUS.slice(1).map((sku) => stockOf(shop.shop, sku))).toEqual(SKUS.slice(1).map(() => 9));
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toMatch(/^sync_stock_rounds\{outcome="done"\} 1$/m);
      expect(metrics).toMatch(/^sync_stock_writes 10$/m);
      expect(metrics).toMatch(/^sync_stock_held_rounds 0$/m);
      // The order was drafted as usual.
      expect(shop.shop.cashman.drafts).toHaveLength(1);
      expect(shop.shop.shoprenter.stats.status429).toBe(0);
    } finally {
      daemon.process.kill('SIGTERM');
      await daemon.exit;
    }
    expect(join(shop.dir)).toBeTruthy();
  }, 120_000);
});
