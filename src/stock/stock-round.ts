import { parseStockList } from '../cashman/stock-list.js';
import { addMinutes, shopNow } from '../domain/shop-clock.js';
import { CashmanError, ShoprenterError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { StockField } from '../shoprenter/products.js';
import type { StockStore } from '../store/stock-store.js';
import type { Alerter } from '../sync/alerts.js';
import { describeError } from '../sync/classify.js';
import { planRound, type MatchBy, type RoundPlan, type ShopProduct } from './stock-core.js';
import { judgeRound, roundCounts, type Hold } from './stock-safety.js';
import { collectOpenOrders, countingStart, type OrderWalk } from './open-orders.js';

export { OPEN_ORDER_MAX_AGE_DAYS } from './open-orders.js';

/** What a round needs; built once (stock-runtime.ts) and reused by every round. */
export interface StockDeps {
  store: StockStore;
  products: {
    listStockProducts(field: StockField): Promise<ShopProduct[]>;
    writeStock(productId: string, field: StockField, value: number): Promise<void>;
    /** `check`: whether the API client may write products, by a request that changes nothing; null = no product to probe with. */
    probeWriteScope?(): Promise<boolean | null>;
  };
  cashman: { stockListText(warehouseId: number | null): Promise<string> };
  /** Lists orders changed since a shop-local time (the first round's walk over stock.openOrderDays). */
  walk: OrderWalk;
  settings: StockSettings;
  alerts: Alerter;
  logger: Logger;
  stop: { requested: boolean };
  now: () => Date;
}

export interface StockSettings {
  field: StockField;
  matchBy: MatchBy;
  /** Resolved inner ids; empty = nothing is subtracted. */
  openStatusIds: ReadonlySet<string>;
  openOrderDays: number;
  warehouseId: number | null;
  maxChangeShare: number;
  timezone: string;
}

export type RoundOutcome = 'done' | 'held' | 'failed' | 'interrupted';

export interface RoundResult {
  outcome: RoundOutcome;
  /** Why held or failed; null when done. */
  reason: string | null;
  plan: RoundPlan | null;
  hold: Hold | null;
  written: number;
  failedWrites: number;
  /** Open orders counted. */
  openOrders: number;
  approved: boolean;
}

const WALK_DONE = 'stock_open_walk_done_at';
/** Set when the missing-write-scope alert went out; cleared by the next write that works. */
const WRITE_REFUSED = 'stock_write_refused_at';

/** The shop-local start of the first round's walk. */
function walkStart(deps: StockDeps): string {
  return addMinutes(shopNow(deps.now(), deps.settings.timezone), -deps.settings.openOrderDays * 1440);
}

/** Orders placed before this (shop-local) no longer count as open. */
function countingStartOf(deps: StockDeps): string {
  return countingStart(deps.now(), deps.settings.timezone, deps.settings.openOrderDays);
}

/**
 * Reads both sides and plans; writes nothing (used by `stock preview` and by every round). The
 * first-round walk over stock.openOrderDays goes to the ledger only when `record` is true.
 */
export async function readAndPlan(deps: StockDeps, record: boolean): Promise<{ plan: RoundPlan; openOrders: number } | { hold: Hold } | { failed: string }> {
  const { settings, store } = deps;
  const since = walkStart(deps);
  const counted = countingStartOf(deps);
  let extra = new Map<string, bigint>();
  let extraOrders = 0;
  let seen = new Set<string>();
  try {
    if (settings.openStatusIds.size > 0 && settings.openOrderDays > 0 && !store.getMeta(WALK_DONE)) {
      const walked = await collectOpenOrders(deps.walk, since, record ? store : null, settings.openStatusIds);
      if (record) store.setMeta(WALK_DONE, deps.now().toISOString());
      else ({ quantities: extra, orders: extraOrders, seen } = walked);
    }
  } catch (error) {
    return { failed: `the walk over the last ${settings.openOrderDays} days of orders failed: ${describeError(error)}` };
  }
  let text: string;
  try {
    text = await deps.cashman.stockListText(settings.warehouseId);
  } catch (error) {
    if (error instanceof CashmanError && (error.code === 'CASHMAN_REJECTED' || error.code === 'CASHMAN_LOGIN')) {
      return { hold: answerHold(`Cashman refused the stock list (${error.message})`) };
    }
    if (cashmanUnreachable(error)) return { failed: describeError(error) };
    // Cashman answered, but not with a stock list (an HTTP 500, an error page): the same as an
    // HTML 200, held and alerted, since it will not heal by waiting like an outage does.
    return { hold: answerHold(`Cashman answered the stock list with something that is not a stock list (${describeError(error)})`) };
  }
  const list = parseStockList(text);
  if (!list.ok) return { hold: answerHold(list.problem) };
  let products: ShopProduct[];
  try {
    products = await deps.products.listStockProducts(settings.field);
  } catch (error) {
    return { failed: describeError(error) };
  }
  if (record) store.pruneOrders(counted);
  // Preview's walk was not stored: its orders replace the stored view of the same orders.
  const open = store.openQuantities(settings.openStatusIds, counted, seen);
  for (const [productId, quantity] of extra) open.quantities.set(productId, (open.quantities.get(productId) ?? 0n) + quantity);
  const plan = planRound({ cashman: list.rows, products, open: open.quantities, matchBy: settings.matchBy });
  return { plan, openOrders: open.orders + extraOrders };
}

/**
 * Cashman could not be reached, or its answer never came (connection refused, a timeout): an
 * outage, which the next round retries, not a wrong answer. The client marks those by a cause
 * carrying the network error's code (cashman/client.ts transportError); an answer it read never has one.
 */
function cashmanUnreachable(error: unknown): boolean {
  if (!(error instanceof CashmanError)) return true;
  if (error.code === 'CASHMAN_NOT_SENT') return true;
  return error.cause instanceof Error && 'code' in error.cause;
}

function answerHold(problem: string): Hold {
  return { kind: 'answer', reason: `${problem}, so nothing was written.`, changes: 0, zeroes: 0, matched: 0 };
}

/**
 * One stock round (SPEC §6): read, plan, judge, then write each differing product alone, intent
 * first. Safe to cut at any instant: every write is an absolute value, so the next round
 * recomputes and converges; an order placed meanwhile is counted by the next round.
 */
export async function runStockRound(deps: StockDeps): Promise<RoundResult> {
  const { store, logger } = deps;
  const roundId = store.startRound();
  const result = (outcome: RoundOutcome, extra: Partial<RoundResult> = {}): RoundResult => ({
    outcome,
    reason: null,
    plan: null,
    hold: null,
    written: 0,
    failedWrites: 0,
    openOrders: 0,
    approved: false,
    ...extra,
  });
  const read = await readAndPlan(deps, true);
  if ('failed' in read) {
    store.finishRound(roundId, 'failed', { reason: read.failed });
    logger.warn('stock round failed; the next round tries again', { error: read.failed });
    return result('failed', { reason: read.failed });
  }
  const held = store.held();
  const approval = held?.approvedAt ? { kind: held.kind, changes: held.changes, zeroes: held.zeroes } : null;
  const plan = 'plan' in read ? read.plan : null;
  const hold =
    'hold' in read
      ? read.hold
      : judgeRound({ plan: read.plan, lastGoodMatched: store.lastGoodMatched(), maxChangeShare: deps.settings.maxChangeShare, approval });
  const duplicates = plan ? plan.duplicateCashman.length + plan.duplicateShop.length : 0;
  const unmatched = plan ? plan.unmatchedShop.length : 0;
  if (hold) {
    const first = store.setHeld({ roundId, kind: hold.kind, reason: hold.reason, changes: hold.changes, zeroes: hold.zeroes, matched: hold.matched });
    store.finishRound(roundId, 'held', { reason: hold.reason, matched: hold.matched, changes: hold.changes, zeroes: hold.zeroes, unmatched, duplicates });
    logger.warn('stock round held: nothing written', { reason: hold.reason });
    if (first) await deps.alerts.send({ kind: 'stock-held', reason: hold.reason });
    return result('held', { reason: hold.reason, plan, hold, openOrders: 'openOrders' in read ? read.openOrders : 0 });
  }
  const { plan: ready, openOrders } = read as { plan: RoundPlan; openOrders: number };
  const approved = approval !== null;
  if (held) store.clearHeld();
  let written = 0;
  let failedWrites = 0;
  const finish = (outcome: Exclude<RoundOutcome, 'held'>, reason: string | null) => {
    store.finishRound(roundId, outcome, { reason, ...roundCounts(ready), written, failedWrites, unmatched, duplicates, approved });
    return result(outcome, { reason, plan: ready, written, failedWrites, openOrders, approved });
  };
  for (const item of ready.matched) {
    if (!item.write) continue;
    if (deps.stop.requested) return finish('interrupted', 'stopped by shutdown; the next round finishes the job');
    const writeId = store.writeIntent(roundId, {
      productId: item.productId,
      key: item.key,
      field: deps.settings.field,
      before: item.current,
      target: item.target,
      cashmanStock: item.cashmanStock,
      open: item.open,
    });
    try {
      await deps.products.writeStock(item.productId, deps.settings.field, item.target);
      store.writeSettled(writeId, 'written');
      if (written === 0) store.deleteMeta(WRITE_REFUSED);
      written += 1;
    } catch (error) {
      const reason = describeError(error);
      store.writeSettled(writeId, 'failed', reason);
      failedWrites += 1;
      if (error instanceof ShoprenterError && error.code === 'SHOPRENTER_AUTH') {
        // Refused after a fresh token: the scope is missing (or was revoked). Every other write would
        // be refused too, so the round stops here, fails loudly and alerts once until a write works.
        const refused = `Shoprenter refused to write product stock: the API client lacks the product.product:write scope; grant it in the shop admin (${reason})`;
        logger.error('stock round failed: product writes are refused', { error: refused });
        if (store.getMeta(WRITE_REFUSED) === undefined) {
          store.setMeta(WRITE_REFUSED, deps.now().toISOString());
          await deps.alerts.send({ kind: 'stock-write-refused', reason: refused });
        }
        return finish('failed', refused);
      }
      if (!(error instanceof ShoprenterError) || error.temporary) {
        logger.warn('stock round stopped: Shoprenter keeps failing; the next round tries again', { error: reason });
        return finish('failed', reason);
      }
      logger.warn('stock write refused; product skipped', { key: item.key, error: reason });
    }
  }
  const counts = roundCounts(ready);
  const meta = { matched: counts.matched, written, failedWrites, unmatched, duplicates, openOrders };
  if (written + failedWrites > 0) logger.info('stock round finished', meta);
  else logger.debug('stock round finished: nothing to write', meta);
  return finish('done', null);
}
