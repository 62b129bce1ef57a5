import type { RemoteEnv } from '../config/env.js';
import type { FileConfig } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import type { Runtime } from '../runtime.js';
import type { RequestInfo } from '../shoprenter/auth.js';
import type { SerialLane } from '../sync/serial-lane.js';
import { laneGate } from './stock-pacer.js';
import type { RoundResult } from './stock-round.js';
import { createStockDeps } from './stock-runtime.js';
import { StockScheduler } from './stock-scheduler.js';

/**
 * `run` with stock.enabled (the runtime's order source remembers open orders in any case): a StockScheduler runs a
 * round after an order cycle every stock.intervalMinutes, beside the order lane. Null when stock is off.
 */
export async function startStock(options: {
  runtime: Runtime;
  env: RemoteEnv;
  config: FileConfig;
  logger: Logger;
  lane: SerialLane;
  onRequest?: (info: RequestInfo) => void;
  onRound?: (result: RoundResult) => void;
}): Promise<StockScheduler | null> {
  const { runtime, config, logger } = options;
  if (!config.stock.enabled) return null;
  const deps = await createStockDeps({
    env: options.env,
    config,
    logger,
    ledger: runtime.ledger,
    alerts: runtime.deps.alerts,
    cashman: runtime.cashman,
    stop: runtime.deps.stop,
    ...(runtime.deps.now ? { now: runtime.deps.now } : {}),
    yieldToOrders: laneGate(options.lane),
    ...(options.onRequest ? { onRequest: options.onRequest } : {}),
  });
  logger.info('stock rounds on', {
    intervalMinutes: config.stock.intervalMinutes,
    matchBy: config.stock.matchBy,
    field: config.stock.field,
    openStatuses: [...deps.settings.openStatusIds].join(',') || 'none (nothing subtracted)',
  });
  return new StockScheduler(deps, config.stock.intervalMinutes, logger, options.onRound);
}
