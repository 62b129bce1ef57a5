import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addMinutes, shopNow } from '../src/domain/shop-clock.js';
import { decimalToScaled, stockTarget } from '../src/stock/stock-core.js';
import { sampleStockRows } from '../src/standins/cashman-standin-stock.js';
import { startLocalShop } from '../src/standins/local-shop.js';
import { sampleShop } from '../src/standins/shoprenter-fixtures.js';
import { nowMs, startDaemon } from './daemon-process.js';
import { percentile, round } from './figures.js';
import { benchConfigYaml, TIMEZONE } from './shop-data.js';

/**
 * `npm run bench:stock`: one stock round of the real daemon (`node dist/main.js run`, stock on)
 * over 10,000 products of which 2 % differ from Cashman, against the rate-limited stand-ins
 * (3 requests a second, 429 beyond; 100 ms Shoprenter and 30 ms Cashman latency). While the round
 * runs, an order arrives every few seconds with its `order_confirm` webhook, to measure
 * webhook-to-draft latency beside stock. Prints Shoprenter reads and writes, Cashman requests,
 * the round's wall time, the daemon's peak RSS and the latencies.
 */

const SECRET = 'bench-stock-webhook-secret-0123456789';
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const products = Number(process.env['BENCH_STOCK_PRODUCTS'] ?? 10_000);
  const changedShare = 0.02;
  const shop = await startLocalShop({ shoprenter: { rateLimitPerSecond: 3, latencyMs: 100 }, cashman: { latencyMs: 30 } });
  const dir = mkdtempSync(join(tmpdir(), 'scs-bench-stock-'));
  const rows = sampleStockRows(products);
  shop.cashman.stock.push(...rows);
  // The shop already holds every target except every 50th product (2 %), one more than Cashman says.
  const targets = new Map<string, number>();
  for (const row of rows) targets.set(row.sku, stockTarget(decimalToScaled(row.stock) ?? 0n, 0n));
  const every = Math.round(1 / changedShare);
  shop.shoprenter.addProducts(
    [...targets].map(([sku, target], i) => ({ sku, ...(i % 3 === 0 ? {} : { gtin: `599${String(i).padStart(10, '0')}` }), stocks: [i % every === 0 ? target + 1 : target] })),
  );
  const startFrom = addMinutes(shopNow(new Date(), TIMEZONE), -60);
  const config = `${benchConfigYaml(startFrom, 30, false)}stock:\n  enabled: true\n  intervalMinutes: 60\n  maxChangeShare: 0.2\n`;
  writeFileSync(join(dir, 'config.yaml'), config);
  const daemon = startDaemon({ cwd: dir, env: { ...shop.env, CONFIG_PATH: join(dir, 'config.yaml'), DATABASE_PATH: join(dir, 'sync.db'), HTTP_PORT: '0', WEBHOOK_SECRET: SECRET } });
  const log = (text: string) => process.stderr.write(`[bench:stock] ${text}\n`);
  try {
    const listening = await daemon.waitForLine(/http listener started/, 30_000);
    const hook = `http://127.0.0.1:${/port=(\d+)/.exec(listening.text)?.[1] ?? ''}/webhooks/shoprenter/${SECRET}`;
    log(`${products} products, ${Math.ceil(products / every)} to change; waiting for the stock round`);
    const isStock = (path: string) => path.includes('/products');
    while (!shop.shoprenter.requestLog.some((r) => isStock(r.path))) await sleep(50);
    const roundStart = Math.min(...shop.cashman.received.filter((r) => r.operation === 19).map((r) => r.at.getTime()), nowMs());
    // Orders with webhooks while the round runs: one every 4 s.
    const orders = sampleShop(200, 42, { firstInnerId: 800_001, addons: false });
    const sent = new Map<string, number>();
    let finished = false;
    const done = daemon.waitForLine(/stock round finished/, 30 * 60_000).then((line) => {
      finished = true;
      return line;
    });
    for (const raw of orders) {
      if (finished) break;
      const stamp = shopNow(new Date(), TIMEZONE);
      shop.shoprenter.addOrder({ ...raw, dateCreated: stamp, dateUpdated: stamp });
      const body = new URLSearchParams({ data: JSON.stringify({ orders: { order: [{ innerId: String(raw['innerId']), innerResourceId: `orders/${String(raw['id'])}` }] } }) }).toString();
      sent.set(String(raw['innerId']), nowMs());
      await fetch(hook, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }).then((r) => r.arrayBuffer());
      await Promise.race([sleep(4000), done]);
    }
    const end = await done;
    await sleep(3000);
    const wallSeconds = (end.at - roundStart) / 1000;
    const log429 = shop.shoprenter.stats.status429;
    const reads = shop.shoprenter.requestLog.filter((r) => r.method === 'GET' && isStock(r.path)).length;
    const writes = shop.shoprenter.productWrites.length;
    const latencies: number[] = [];
    for (const draft of shop.cashman.received) {
      if (draft.operation === 9 || draft.operation === 19) continue;
      const number = /(\d+)\s*$/.exec(draft.rows[0]?.['egyeb'] ?? '')?.[1] ?? '';
      const at = sent.get(number);
      if (at !== undefined) latencies.push(draft.at.getTime() - at);
    }
    const wrong = [...targets].filter(([sku, target]) => Number(shop.shoprenter.product(sku)?.['stock1']) !== target).length;
    const figures = [
      ['products (Cashman rows incl. one duplicate SKU)', `${products} (${rows.length})`],
      ['Shoprenter product reads (pages of 200)', reads],
      ['Shoprenter product writes', writes],
      ['Cashman requests for stock (op 19)', shop.cashman.stats.byOperation['19'] ?? 0],
      ['round wall time, s', round(wallSeconds, 1)],
      ['stock requests per second', round((reads + writes) / wallSeconds, 2)],
      ['Shoprenter 429 answers', log429],
      ['products not at target after the round', wrong],
      ['daemon peak RSS, MB', round((daemon.peakRssKb() ?? 0) / 1024, 1)],
      ['orders with webhooks during the round', latencies.length],
      ['webhook-to-draft p50 / p95 / max, s', `${round(percentile(latencies, 50) / 1000, 2)} / ${round(percentile(latencies, 95) / 1000, 2)} / ${round(Math.max(0, ...latencies) / 1000, 2)}`],
    ];
    process.stdout.write(`${figures.map(([name, value]) => `${String(name).padEnd(48)} ${String(value)}`).join('\n')}\n`);
  } finally {
    await daemon.stop();
    await shop.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:stock failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
