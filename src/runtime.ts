import { CashmanClient } from './cashman/client.js';
import type { RemoteEnv } from './config/env.js';
import type { FileConfig } from './config/schema.js';
import type { Order } from './domain/order.js';
import { shopNow } from './domain/shop-clock.js';
import type { Logger } from './log/logger.js';
import { ShoprenterClient } from './shoprenter/client.js';
import { Ledger } from './store/ledger.js';
import { WebhookAlerter, type Alerter } from './sync/alerts.js';
import type { CycleDeps } from './sync/cycle.js';
import type { PipelineSettings } from './sync/process-order.js';
import { resolveStatusIds, type StatusName } from './sync/statuses.js';
import { decodeStatusId } from './shoprenter/schema.js';
import { startPilot } from './sync/pilot-start.js';
import { logLedgerOpened } from './sync/start-lines.js';
import { openLedgerFile } from './store/ledger-file.js';
import { LedgerUnitStore } from './store/product-units.js';

/**
 * The one place that wires concrete adapters to the pipeline. `run`, `once`, `demo` and the
 * benchmark all go through here, so what is tested is what runs.
 */
export interface Runtime {
  ledger: Ledger;
  shoprenter: ShoprenterClient;
  cashman: CashmanClient;
  deps: CycleDeps;
  close(): void;
}

export interface RuntimeOptions {
  env: RemoteEnv;
  config: FileConfig;
  logger: Logger;
  alerts?: Alerter;
  now?: () => Date;
  /** Overrides for stand-ins and benchmarks (retry pacing, rate limit). */
  shoprenterTuning?: { retryBaseMs?: number; limitPerSecond?: number; timeoutMs?: number; pageSize?: number; maxRetries?: number };
  cashmanTimeoutMs?: number;
}

export function createClients(env: RemoteEnv, config: FileConfig, logger: Logger, tuning: RuntimeOptions['shoprenterTuning'] = {}, cashmanTimeoutMs?: number) {
  logger.addSecret(env.cashman.password);
  if (env.shoprenter.auth.kind === 'oauth') logger.addSecret(env.shoprenter.auth.clientSecret);
  else logger.addSecret(env.shoprenter.auth.password);
  const shoprenter = new ShoprenterClient({
    apiUrl: env.shoprenter.apiUrl,
    auth: env.shoprenter.auth,
    shop: env.shoprenter.shop,
    logger,
    ...tuning,
    onRequest: (info) => logger.debug('shoprenter request', { ...info }),
  });
  const cashman = new CashmanClient({
    apiUrl: env.cashman.apiUrl,
    group: env.cashman.group,
    user: env.cashman.user,
    password: env.cashman.password,
    draftOperation: config.invoice.operation,
    timeoutMs: cashmanTimeoutMs ?? config.cashman.timeoutSeconds * 1000,
    ...(config.cashman.loginErrorPattern ? { loginErrorPattern: new RegExp(config.cashman.loginErrorPattern, 'i') } : {}),
    onRequest: (info) => logger.debug('cashman request', { ...info }),
  });
  return { shoprenter, cashman };
}

/** Opens the ledger, recovers orders a crash left mid-send, and builds the cycle dependencies. */
export async function createRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { env, config, logger } = options;
  const now = options.now ?? (() => new Date());
  const { shoprenter, cashman } = createClients(env, config, logger, options.shoprenterTuning, options.cashmanTimeoutMs);
  const opened = openLedgerFile(env.databasePath, now);
  const ledger = opened.ledger;
  logLedgerOpened(logger, opened);
  shoprenter.useUnitStore(new LedgerUnitStore(ledger, now));
  try {
    const recovered = ledger.recoverInterrupted(
      (row) =>
        `The daemon stopped while this draft was being sent, so it may or may not exist in Cashman; check Cashman, then run "resolve ${row.orderNumber} --done" or "retry ${row.orderNumber} --force".`,
    );
    for (const row of recovered) logger.error('draft interrupted by a crash; marked uncertain', { orderNumber: row.orderNumber });

    const startFrom = config.sync.startFrom ?? firstStart(ledger, now(), config.sync.timezone);
    const statusIds = await resolveStatusIds(config.sync.statuses, () => listStatusNames(shoprenter));
    const settings: PipelineSettings = {
      mapping: { ...config, timezone: config.sync.timezone },
      statusIds,
      startFrom,
      partnerCodePrefix: config.partners.codePrefix,
      partnerCodeDigits: config.partners.codeDigits,
      dueDays: config.invoice.dueDays,
    };
    const alerts = options.alerts ?? new WebhookAlerter(env.alertWebhookUrl, logger);
    const pilot = startPilot(ledger, config.sync.pilotOrders, logger, alerts, now);
    const { productOptions } = config.invoice;
    const { fromProducts } = config.units;
    const deps: CycleDeps = {
      ledger,
      ...(productOptions || fromProducts ? { enrich: (order: Order) => shoprenter.enrichOrder(order, { options: productOptions, units: fromProducts }) } : {}),
      source: shoprenter,
      backend: cashman,
      logger,
      alerts,
      settings,
      ...(pilot ? { pilot } : {}),
      overlapMinutes: config.sync.overlapMinutes,
      timezone: config.sync.timezone,
      now,
    };
    return { ledger, shoprenter, cashman, deps, close: () => ledger.close() };
  } catch (error) {
    ledger.close();
    throw error;
  }
}

/** Without `sync.startFrom`, the first start is the boundary; remembered so restarts keep it. */
function firstStart(ledger: Ledger, now: Date, timezone: string): string {
  const stored = ledger.getMeta('first_start');
  if (stored) return stored;
  const value = shopNow(now, timezone);
  ledger.setMeta('first_start', value);
  return value;
}

/** Every status name in every shop language, with its inner id. */
export async function listStatusNames(shoprenter: ShoprenterClient): Promise<StatusName[]> {
  const descriptions = await shoprenter.listOrderStatusDescriptions();
  return descriptions.flatMap((d) => {
    const id = d.orderStatus ? decodeStatusId(d.orderStatus.href) : null;
    return id !== null && d.name ? [{ id, name: d.name }] : [];
  });
}
