import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addMinutes } from '../src/domain/shop-clock.js';
import { startLocalShop } from '../src/standins/local-shop.js';
import { sampleShop } from '../src/standins/shoprenter-fixtures.js';
import { startDaemon } from './daemon-process.js';
import { benchConfigYaml } from './shop-data.js';

/**
 * Shoprenter reads per order with the shipped defaults (option and unit reads), across a restart:
 * `once` drafts batch A, then a new process drafts batch B of the same shop's products. Units are
 * kept in the ledger, so B pays no unit read for a product A already read.
 * Run: npm run build:bench && node dist-bench/bench/unit-cache.js [orders per batch, default 40]
 */
async function main(): Promise<void> {
  const perBatch = Number(process.argv[2] ?? '40');
  const start = '2026-11-02T08:00:00';
  const batchA = sampleShop(perBatch, 42, { start, addons: false });
  const batchB = sampleShop(perBatch, 43, { start: addMinutes(start, 60 * 24 * 20), addons: false, firstInnerId: 1001 + perBatch });
  const shop = await startLocalShop({ shoprenter: { rateLimitPerSecond: 0 } });
  const dir = mkdtempSync(join(tmpdir(), 'scs-bench-units-'));
  try {
    writeFileSync(join(dir, 'config.yaml'), benchConfigYaml(addMinutes(start, -60), 30, true));
    const env = { ...shop.env, CONFIG_PATH: join(dir, 'config.yaml'), DATABASE_PATH: join(dir, 'sync.db') };
    const batch = async (label: string, orders: Record<string, unknown>[]): Promise<void> => {
      const from = shop.shoprenter.requestLog.length;
      const draftsBefore = shop.cashman.drafts.length;
      shop.shoprenter.addOrders(orders);
      const once = startDaemon({ env, cwd: dir, command: 'once' });
      await once.waitForLine(/^Cycle (completed|failed)/, 10 * 60_000);
      await once.stop();
      const log = shop.shoprenter.requestLog.slice(from);
      const units = log.filter((r) => r.path.startsWith('/api/productExtend/')).length;
      const options = log.filter((r) => r.path.startsWith('/api/orderProductOptions')).length;
      const drafted = shop.cashman.drafts.length - draftsBefore;
      const lines = orders.reduce<number>((n, o) => n + lineCount(o['orderProducts']), 0);
      process.stdout.write(
        `${label}: ${drafted} drafted, ${lines} product lines; Shoprenter reads: ${options} option, ${units} unit = ${((options + units) / Math.max(drafted, 1)).toFixed(2)} per drafted order, ${((options + units) / Math.max(lines, 1)).toFixed(2)} per product line\n`,
      );
    };
    await batch('batch A (fresh ledger)', batchA);
    await batch('batch B (new process, same ledger)', batchB);
  } finally {
    await shop.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function lineCount(products: unknown): number {
  if (Array.isArray(products)) return products.length;
  const inner = (products as { orderProduct?: unknown } | undefined)?.orderProduct;
  return Array.isArray(inner) ? inner.length : 0;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
