import { afterEach, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildShoprenterOrder, type ProductSpec } from '../src/standins/shoprenter-order-builder.js';
import { demoConfigYaml, startLocalShop, type LocalShop } from '../src/standins/local-shop.js';
import { SIMPLE_ORDER } from './helpers/order-specs.js';

/**
 * The webhook path with the shipped defaults, in a real `run` process: a new order named by an
 * `order_confirm` costs two Shoprenter requests, the order and one batch of its option and unit
 * reads (it cost six before: the order, two option reads and two unit reads, and one more wait).
 */
const MAIN = new URL('../dist/main.js', import.meta.url).pathname;
const SECRET = 'webhook-reads-secret-0123456789abcdef';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function waitFor<T>(probe: () => T | undefined | false, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('a webhook-triggered order with the shipped defaults', () => {
  it('costs the order read and one batch, and drafts the options and units', async () => {
    if (!existsSync(MAIN)) throw new Error('dist/main.js is missing: run npm run build first');
    const shop: LocalShop = await startLocalShop({ shoprenter: { rateLimitPerSecond: 3 } });
    cleanup.push(() => shop.close());
    const dir = mkdtempSync(join(tmpdir(), 'scs-webhook-reads-'));
    cleanup.push(() => Promise.resolve(rmSync(dir, { recursive: true, force: true })));
    // The shipped defaults: neither switch in the file; polling far away, so only the webhook drafts.
    const config = demoConfigYaml({ intervalSeconds: 3600 }).replace(/^\s*productOptions:.*\n/m, '').replace(/^\s*fromProducts:.*\n/m, '');
    writeFileSync(join(dir, 'config.yaml'), config);
    const env = { PATH: process.env['PATH'] ?? '', HOME: dir, ...shop.env, CONFIG_PATH: join(dir, 'config.yaml'), DATABASE_PATH: join(dir, 'sync.db'), LOG_LEVEL: 'debug', HTTP_PORT: '0', WEBHOOK_SECRET: SECRET };
    const child = spawn(process.execPath, [MAIN, 'run'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const exit = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    cleanup.push(async () => {
      child.kill('SIGTERM');
      await exit;
    });
    try {
      const port = await waitFor(() => /http listener started.*port=(\d+)/.exec(output.join(''))?.[1], 15_000);
      await waitFor(() => /cycle finished/.test(output.join('')), 15_000);
      const shirt: ProductSpec = { name: 'Póló', sku: 'POLO-1', netPrice: 3929.1339, taxRate: 27, stocks: [1], options: [{ name: 'Méret', value: 'XL' }] };
      const cheese: ProductSpec = { name: 'Trappista sajt', sku: 'SAJT-1', netPrice: 3808.5714, taxRate: 5, stocks: [2], unit: 'kg' };
      const raw = buildShoprenterOrder({ ...SIMPLE_ORDER, innerId: 5001, email: 'vevo5001@example.com', dateUpdated: '2026-11-20T10:00:00', products: [shirt, cheese] });
      shop.shoprenter.addOrder(raw);
      const from = shop.shoprenter.requestLog.length;
      const body = new URLSearchParams({ data: JSON.stringify({ orders: { order: [{ innerId: '5001', innerResourceId: `orders/${String(raw['id'])}` }] } }) });
      expect((await fetch(`http://127.0.0.1:${port}/webhooks/shoprenter/${SECRET}`, { method: 'POST', body })).status).toBe(200);
      const draft = await waitFor(() => shop.cashman.drafts.find((d) => /5001\s*$/.test(d.rows[0]?.['egyeb'] ?? '')), 20_000);
      const reads = shop.shoprenter.requestLog.slice(from).filter((r) => !r.path.endsWith('/app/token')).map((r) => `${r.method} ${r.path}`);
      expect(reads).toEqual(['GET /api/orderExtend', 'POST /api/batch']);
      // The shirt has no unit of its own (the default "db", id 19); the cheese is sold in kg (id 20).
      expect(draft.rows.map((r) => [r['megnevezes'], String(r['mennyisegiegyseg_id'])]).slice(0, 2)).toEqual([
        ['Póló (Méret: XL)', '19'],
        ['Trappista sajt', '20'],
      ]);
    } catch (error) {
      throw new Error(`${String(error)}\n${output.join('')}`);
    }
  }, 60_000);
});
