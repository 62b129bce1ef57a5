import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { addMinutes, shopNow } from '../../src/domain/shop-clock.js';
import { loadRemoteEnv } from '../../src/config/env.js';
import { parseConfig } from '../../src/config/load-config.js';
import { createLogger } from '../../src/log/logger.js';
import { showOnFailure } from './failure-output.js';
import { createClients } from '../../src/runtime.js';
import { ShoprenterClient } from '../../src/shoprenter/client.js';
import { RateLimiter } from '../../src/shoprenter/rate-limiter.js';
import { buildShoprenterOrder } from '../../src/standins/shoprenter-fixtures.js';
import { demoConfigYaml, startLocalShop, type LocalShop } from '../../src/standins/local-shop.js';
import type { StandinStockRow } from '../../src/standins/cashman-standin-stock.js';
import type { StockProductSpec } from '../../src/standins/shoprenter-standin-products.js';
import { Ledger } from '../../src/store/ledger.js';
import type { AlertEvent } from '../../src/sync/alerts.js';
import { createStockDeps } from '../../src/stock/stock-runtime.js';
import type { StockDeps } from '../../src/stock/stock-round.js';

/** Both stand-ins with stock on, a temp ledger, and stock deps wired as the daemon wires them. */
export interface StockShop {
  shop: LocalShop;
  dir: string;
  ledger: Ledger;
  alerts: AlertEvent[];
  logs: string[];
  env: Record<string, string>;
  configText: string;
  /** The shop's shared limiter, as the daemon's order client has it. */
  shared: RateLimiter;
  /** An order-side client drawing from the same limiter (the daemon's poller). */
  orderClient(): ShoprenterClient;
  deps(options?: { yieldToOrders?: () => Promise<void> }): Promise<StockDeps>;
  close(): Promise<void>;
}

export function stockConfigYaml(stock: string): string {
  return `${demoConfigYaml()}stock:\n${stock
    .trim()
    .split('\n')
    .map((line) => `  ${line.trim()}`)
    .join('\n')}\n`;
}

export async function startStockShop(options: { cashman: StandinStockRow[]; products: StockProductSpec[]; stock?: string; rateLimitPerSecond?: number; scopes?: string[]; productBody?: 'wrapped'; putCreates?: boolean }): Promise<StockShop> {
  const shop = await startLocalShop({ shoprenter: { rateLimitPerSecond: options.rateLimitPerSecond ?? 3, ...(options.scopes ? { scopes: options.scopes } : {}), ...(options.productBody ? { productBody: options.productBody } : {}), ...(options.putCreates ? { putCreates: true } : {}) }, cashman: { stock: options.cashman } });
  shop.shoprenter.addProducts(options.products);
  const dir = mkdtempSync(join(tmpdir(), 'scs-stock-'));
  const ledger = Ledger.open(join(dir, 'sync.db'));
  const configText = stockConfigYaml(options.stock ?? 'enabled: true');
  const alerts: AlertEvent[] = [];
  const logs: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  showOnFailure('the in-process stock round (stock shop)', logs);
  const env = { ...shop.env, CONFIG_PATH: join(dir, 'config.yaml'), DATABASE_PATH: join(dir, 'sync.db') };
  const remote = loadRemoteEnv(env);
  const config = parseConfig(configText);
  const logger = createLogger({ level: 'debug', format: 'pretty', stream });
  // One limiter per test shop: the process-wide one would carry pacing across tests.
  const shared = new RateLimiter();
  return {
    shop,
    dir,
    ledger,
    alerts,
    logs,
    env,
    configText,
    shared,
    orderClient: () => new ShoprenterClient({ apiUrl: remote.shoprenter.apiUrl, auth: remote.shoprenter.auth, shop: remote.shoprenter.shop, limiter: shared, retryBaseMs: 50, retryBudgetMs: 5000 }),
    deps: async ({ yieldToOrders } = {}) => {
      const { cashman } = createClients(remote, config, logger, {}, 2000);
      return createStockDeps({
        env: remote,
        config,
        logger,
        ledger,
        alerts: { send: (event) => Promise.resolve(void alerts.push(event)) },
        cashman,
        stop: { requested: false },
        sharedLimiter: shared,
        tuning: { retryBaseMs: 50, retryBudgetMs: 5000 },
        ...(yieldToOrders ? { yieldToOrders } : {}),
      });
    },
    close: async () => {
      ledger.close();
      await shop.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An order in the stand-in shop (placing it subtracts its quantities, as Shoprenter does). */
export function placeOrder(shop: LocalShop, innerId: number, status: number, lines: Array<[sku: string, quantity: number]>, at = addMinutes(shopNow(new Date(), 'Europe/Budapest'), -60)): void {
  shop.shoprenter.addOrder(
    buildShoprenterOrder({
      innerId,
      dateCreated: at,
      dateUpdated: at,
      status,
      email: 'vevo@example.hu',
      firstname: 'Kovács',
      lastname: 'Anna',
      billing: { postcode: '1011', city: 'Budapest', address1: 'Fő utca 1.' },
      paymentMethodCode: 'COD',
      shippingExtension: 'GLS',
      products: lines.map(([sku, quantity]) => ({ name: `Termék ${sku}`, sku, netPrice: 1000, taxRate: 27, stocks: [quantity] })),
    }),
  );
}

/** The stock field of a stand-in product, as a number. */
export function stockOf(shop: LocalShop, sku: string, field = 'stock1'): number {
  return Number(shop.shoprenter.product(sku)?.[field]);
}
