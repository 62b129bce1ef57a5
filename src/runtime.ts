import { CashmanClient, SPARE_MAX_AGE_MS } from './cashman/client.js';
import { fingerprintFromDraftRows } from './cashman/draft-fingerprint.js';
import type { RemoteEnv } from './config/env.js';
import type { FileConfig } from './config/schema.js';
import type { Order } from './domain/order.js';
import { shopNow } from './domain/shop-clock.js';
import type { Logger } from './log/logger.js';
import { ShoprenterClient } from './shoprenter/client.js';
import { Ledger } from './store/ledger.js';
import { WriterLock } from './store/writer-lock.js';
import type { Alerter } from './sync/alerts.js';
import type { AlertDelivery, DeliveryTuning } from './sync/alert-delivery.js';
import { createAlerting } from './sync/alerting.js';
import type { CycleDeps } from './sync/cycle.js';
import type { PipelineSettings } from './sync/process-order.js';
import { resolveStatusIds, type StatusName } from './sync/statuses.js';
import { decodeStatusId } from './shoprenter/schema.js';
import { AfterDraftSync } from './sync/after-draft-cycle.js';
import type { CashmanRequestInfo } from './cashman/client.js';
import type { RequestInfo } from './shoprenter/auth.js';
import { withDraftLatency } from './sync/draft-latency.js';
import { startPilot } from './sync/pilot-start.js';
import { logLedgerOpened } from './sync/start-lines.js';
import { openLedgerFile } from './store/ledger-file.js';
import { StockStore } from './store/stock-store.js';
import { countingStart, rememberListedOrders } from './stock/open-orders.js';
import { describeError } from './sync/classify.js';
import { LedgerUnitStore } from './store/product-units.js';

/** Optional observer of remote requests and drafts (the /metrics endpoint's SyncMetrics). */
export interface RuntimeObserver {
  attachLedger(ledger: Ledger): void;
  shoprenterRequest(info: RequestInfo): void;
  cashmanRequest(info: CashmanRequestInfo): void;
  drafted(orderToDraftSeconds: number | null): void;
}

/**
 * The one place that wires concrete adapters to the pipeline. `run`, `once`, `demo` and the
 * benchmark all go through here, so what is tested is what runs.
 */
export interface Runtime {
  ledger: Ledger;
  shoprenter: ShoprenterClient;
  cashman: CashmanClient;
  deps: CycleDeps & { stop: { requested: boolean } };
  /**
   * Sends the alerts the outbox holds. Started by the writer (`run`, `once`, `demo`); other
   * processes only enqueue.
   */
  delivery: AlertDelivery;
  /** The ledger's writer lock, when `lock` was asked for. */
  lock: WriterLock | null;
  /** Releases the lock (if held) and closes the ledger. */
  close(): void;
}

export interface RuntimeOptions {
  env: RemoteEnv;
  config: FileConfig;
  logger: Logger;
  alerts?: Alerter;
  /** Delivery pacing (tests shorten the backoff). */
  alertTuning?: Partial<DeliveryTuning>;
  now?: () => Date;
  /** Overrides for stand-ins and benchmarks (retry pacing, rate limit). */
  shoprenterTuning?: { retryBaseMs?: number; retryBudgetMs?: number; maxRetries?: number; limitPerSecond?: number; timeoutMs?: number; pageSize?: number; batchReads?: boolean };
  cashmanTimeoutMs?: number;
  /** Set by a signal that arrives while the runtime starts: cuts start-up reads short (sync-commands.ts). */
  stop?: { requested: boolean };
  /**
   * Take the ledger's writer lock under this command name (`run`, `once`, `demo`) before anything
   * else, or fail naming the holder. Without it the caller vouches that it is the file's only
   * writer (in-process tests that play a restart).
   */
  lock?: string;
  /**
   * Whether to turn drafts a crash left `submitting` into `uncertain` (default true). `redraft`,
   * which runs beside a live daemon without the writer lock, must not: that daemon may be sending
   * one right now.
   */
  recoverInterrupted?: boolean;
  observer?: RuntimeObserver;
  /** A new ledger file is what the caller expects (`demo`'s own): said quietly, not as a wrong DATABASE_PATH. */
  expectNewLedger?: boolean;
}

export function createClients(
  env: RemoteEnv,
  config: FileConfig,
  logger: Logger,
  tuning: RuntimeOptions['shoprenterTuning'] = {},
  cashmanTimeoutMs?: number,
  observer?: RuntimeObserver,
  stop?: { requested: boolean },
) {
  logger.addSecret(env.cashman.password);
  if (env.shoprenter.auth.kind === 'oauth') logger.addSecret(env.shoprenter.auth.clientSecret);
  else logger.addSecret(env.shoprenter.auth.password);
  const shoprenter = new ShoprenterClient({
    apiUrl: env.shoprenter.apiUrl,
    auth: env.shoprenter.auth,
    shop: env.shoprenter.shop,
    logger,
    ...tuning,
    ...(stop ? { stopping: () => stop.requested } : {}),
    onRequest: (info) => {
      logger.debug('shoprenter request', { ...info });
      observer?.shoprenterRequest(info);
    },
  });
  const cashman = new CashmanClient({
    apiUrl: env.cashman.apiUrl,
    group: env.cashman.group,
    user: env.cashman.user,
    password: env.cashman.password,
    draftOperation: config.invoice.operation,
    timeoutMs: cashmanTimeoutMs ?? config.cashman.timeoutSeconds * 1000,
    spareMaxAgeMs: config.cashman.preconnect ? SPARE_MAX_AGE_MS : 0,
    ...(config.cashman.loginErrorPattern ? { loginErrorPattern: new RegExp(config.cashman.loginErrorPattern, 'i') } : {}),
    ...(config.cashman.draftAnswerPattern ? { draftAnswerPattern: new RegExp(config.cashman.draftAnswerPattern) } : {}),
    onRequest: (info) => {
      logger.debug('cashman request', { ...info });
      observer?.cashmanRequest(info);
    },
  });
  return { shoprenter, cashman };
}

/** Opens the ledger, takes it, recovers orders a crash left mid-send, and builds the cycle dependencies. */
export async function createRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { env, config, logger } = options;
  const now = options.now ?? (() => new Date());
  const stop = options.stop ?? { requested: false };
  // The daemon sends an order's option and unit reads as one POST /batch (src/shoprenter/batch.ts);
  // the read-only commands (preview, check) keep to plain GETs.
  const tuning = { batchReads: true, ...options.shoprenterTuning };
  const { shoprenter, cashman } = createClients(env, config, logger, tuning, options.cashmanTimeoutMs, options.observer, stop);
  const opened = openLedgerFile(env.databasePath, now);
  const ledger = opened.ledger;
  shoprenter.useUnitStore(new LedgerUnitStore(ledger, now));
  options.observer?.attachLedger(ledger);
  let lock: WriterLock | null = null;
  let delivery: AlertDelivery | null = null;
  const close = (): void => {
    cashman.close();
    delivery?.halt();
    lock?.release();
    ledger.close();
  };
  try {
    // The lock comes before the recovery: a `submitting` row is a crash's leftover only when no
    // other process may be sending it right now (a `redraft` in flight is judged separately, by
    // its process id: src/sync/after-draft-cycle.ts).
    if (options.lock) {
      lock = WriterLock.acquire(ledger, options.lock, logger);
      lock.onLost(() => (stop.requested = true));
    }
    // Said once this process may go on: a refused second writer prints only why it was refused.
    logLedgerOpened(logger, opened, options.expectNewLedger);
    const recovered = options.recoverInterrupted === false ? [] : ledger.recoverInterrupted(
      (row) =>
        `The daemon stopped while this draft was being sent, so it may or may not exist in Cashman; check Cashman, then run "resolve ${row.orderNumber} --done" or "retry ${row.orderNumber} --force".`,
    );
    for (const row of recovered) logger.error('draft interrupted by a crash; marked uncertain', { orderNumber: row.orderNumber });

    const startFrom = config.sync.startFrom ?? firstStart(ledger, now(), config.sync.timezone);
    const statusIds = await resolveStatusIds(config.sync.statuses, () => listStatusNames(shoprenter));
    const cancelStatusIds = (await resolveStatusIds(config.sync.cancelStatuses, () => listStatusNames(shoprenter), 'sync.cancelStatuses')) ?? new Set<string>();
    const settings: PipelineSettings = {
      mapping: { ...config, timezone: config.sync.timezone },
      statusIds,
      cancelStatusIds,
      startFrom,
      partnerCodePrefix: config.partners.codePrefix,
      partnerCodeDigits: config.partners.codeDigits,
      dueDays: config.invoice.dueDays,
    };
    const { productOptions } = config.invoice;
    const { fromProducts } = config.units;
    const { observer } = options;
    const observed = observer
      ? withDraftLatency(shoprenter, cashman, config.sync.timezone, now, (seconds) => observer.drafted(seconds))
      : { source: shoprenter, backend: cashman };
    const alerting = createAlerting({ env, config, ledger, logger, now, ...(options.alertTuning ? { tuning: options.alertTuning } : {}) });
    delivery = alerting.delivery;
    const alerts = options.alerts ?? alerting.alerts;
    const pilot = startPilot(ledger, config.sync.pilotOrders, logger, alerts, now);
    const afterDraft = new AfterDraftSync({
      ledger,
      logger,
      alerts,
      cancelStatusIds,
      fingerprintOfDraftRequest: fingerprintFromDraftRows,
      statusIds,
      source: shoprenter,
      overlapMinutes: config.sync.overlapMinutes,
      stornoCheckHours: config.sync.stornoCheckHours,
      stopping: () => stop.requested,
      timezone: config.sync.timezone,
      now,
    });
    // Every listed order is remembered for stock (stock/open-orders.ts), with stock on or off.
    const source = rememberListedOrders(observed.source, new StockStore(ledger, now), countingStart(now(), config.sync.timezone, config.stock.openOrderDays), (error) =>
      logger.warn('could not remember an order for stock', { error: describeError(error) }),
    );
    const deps: CycleDeps & { stop: { requested: boolean } } = {
      ledger,
      stop,
      ...(productOptions || fromProducts ? { enrich: (order: Order) => shoprenter.enrichOrder(order, { options: productOptions, units: fromProducts }) } : {}),
      source,
      backend: observed.backend,
      logger,
      alerts,
      afterDraft,
      settings,
      ...(pilot ? { pilot } : {}),
      overlapMinutes: config.sync.overlapMinutes,
      timezone: config.sync.timezone,
      now,
    };
    return { ledger, shoprenter, cashman, deps, delivery: alerting.delivery, lock, close };
  } catch (error) {
    close();
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
