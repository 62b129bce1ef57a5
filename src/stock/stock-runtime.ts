import type { RemoteEnv } from '../config/env.js';
import type { FileConfig } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import { listStatusNames } from '../runtime.js';
import type { RequestInfo } from '../shoprenter/auth.js';
import { ShoprenterClient } from '../shoprenter/client.js';
import { ShoprenterProducts } from '../shoprenter/products.js';
import { sharedRateLimiter, type RateLimiter } from '../shoprenter/rate-limiter.js';
import type { Ledger } from '../store/ledger.js';
import { StockStore } from '../store/stock-store.js';
import type { Alerter } from '../sync/alerts.js';
import { resolveStatusIds } from '../sync/statuses.js';
import { StockLimiter } from './stock-pacer.js';
import type { StockDeps } from './stock-round.js';

export interface StockWiring {
  env: RemoteEnv;
  config: FileConfig;
  logger: Logger;
  ledger: Ledger;
  alerts: Alerter;
  cashman: StockDeps['cashman'];
  stop: { requested: boolean };
  now?: () => Date;
  /** Waits while order work runs (the daemon's lane); commands run alone and pass none. */
  yieldToOrders?: () => Promise<void>;
  onRequest?: (info: RequestInfo) => void;
  /** The shop's limiter; default the process-wide one (tests and the benchmark pass their own). */
  sharedLimiter?: RateLimiter;
  /** Shoprenter client tuning (timeouts, retry pacing) for stand-ins. */
  tuning?: { timeoutMs?: number; retryBaseMs?: number; retryBudgetMs?: number; pageSize?: number };
}

/**
 * Stock's own Shoprenter clients (product reads and writes, the first round's order walk), all
 * behind StockLimiter, and the settings with stock.openStatuses resolved to inner ids.
 */
export async function createStockDeps(w: StockWiring): Promise<StockDeps> {
  const { env, config, logger } = w;
  const shared = w.sharedLimiter ?? sharedRateLimiter(env.shoprenter.shop);
  const limiter = new StockLimiter(shared, w.yieldToOrders);
  const stopping = () => w.stop.requested;
  const common = { apiUrl: env.shoprenter.apiUrl, auth: env.shoprenter.auth, shop: env.shoprenter.shop, limiter, logger, stopping, ...w.tuning };
  const orders = new ShoprenterClient({ ...common, ...(w.onRequest ? { onRequest: w.onRequest } : {}) });
  const products = new ShoprenterProducts({ ...common, ...(w.onRequest ? { onRequest: w.onRequest } : {}) });
  const ids = await resolveStatusIds(config.stock.openStatuses, () => listStatusNames(orders), 'stock.openStatuses');
  return {
    store: new StockStore(w.ledger, w.now),
    products: {
      listStockProducts: (field) => products.listStockProducts(field),
      writeStock: (id, field, value) => products.writeStock(id, field, value),
      probeWriteScope: () => products.probeWriteScope(),
    },
    // Cashman answers one request at a time (drafts included): its stock list waits for idle order work too.
    cashman: {
      stockListText: async (warehouseId) => {
        await w.yieldToOrders?.();
        return w.cashman.stockListText(warehouseId);
      },
    },
    walk: (since, onPage) => orders.listChangedOrders(since, onPage),
    settings: {
      field: config.stock.field,
      matchBy: config.stock.matchBy,
      openStatusIds: ids ?? new Set(),
      openOrderDays: config.stock.openOrderDays,
      warehouseId: config.stock.warehouseId,
      maxChangeShare: config.stock.maxChangeShare,
      timezone: config.sync.timezone,
    },
    alerts: w.alerts,
    logger,
    stop: w.stop,
    now: w.now ?? (() => new Date()),
  };
}

