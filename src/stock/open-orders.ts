import type { Order } from '../domain/order.js';
import { addMinutes, shopNow } from '../domain/shop-clock.js';
import type { OpenOrderRecord, StockStore } from '../store/stock-store.js';
import type { OrderSource, SourcedOrder } from '../sync/ports.js';
import { addOpenLines } from './stock-core.js';

/**
 * Open orders for stock (SPEC §6) come from the orders the daemon already lists: the order source
 * is wrapped so every order it hands to the pipeline (poll pages, retries, webhook reads) is also
 * remembered with its status and lines. No extra order read is made, except the first round's
 * walk over stock.openOrderDays, so that orders placed before go-live count too.
 *
 * Every process that lists orders remembers them (`run` with stock on or off, `once`, the demo),
 * not only a `run` with stock on: the order cursor moves past an order only once, so an order a
 * `once` listed and the stock side did not see would keep counting as open (or never count) until
 * it aged out. Remembering costs one upsert per listed order; the alternative (re-walking the
 * order list whenever the stock side cannot prove it saw every listing since its last round)
 * costs Shoprenter reads and a second cursor to keep right, so the simpler one was chosen.
 */

/**
 * An open order stops counting this many days after it was placed (or after stock.openOrderDays,
 * when longer). A storno'd order drops out of every listing the daemon makes (excludeStorno=1), so
 * without an age limit it would hold its goods back for ever; two months outlasts any order that
 * is really still waiting for its invoice.
 */
export const OPEN_ORDER_MAX_AGE_DAYS = 60;

/** Orders placed before this (shop-local) no longer count as open. */
export function countingStart(now: Date, timezone: string, openOrderDays: number): string {
  return addMinutes(shopNow(now, timezone), -Math.max(openOrderDays, OPEN_ORDER_MAX_AGE_DAYS) * 1440);
}

/** The runtime's order source remembering the orders it lists; orders past counting are dropped first. */
export function rememberListedOrders<T extends OrderSource>(source: T, store: StockStore, start: string, onError: (error: unknown) => void): T {
  try {
    store.pruneOrders(start);
  } catch (error) {
    onError(error);
  }
  return observeOpenOrders(source, store, onError);
}

export type OrderWalk = (updatedAtMin: string, onPage: (orders: SourcedOrder[]) => Promise<void>) => Promise<void>;

/** The stock view of an order: lines with a product link, quantities summed per product. */
export function openOrderRecord(order: Order): OpenOrderRecord {
  const lines = new Map<string, bigint>();
  addOpenLines(
    lines,
    order.products.flatMap((p) => (p.productId ? [{ productId: p.productId, quantity: p.quantity }] : [])),
  );
  return {
    orderId: order.id,
    orderNumber: order.orderNumber,
    statusId: order.statusId,
    dateCreated: order.dateCreated,
    dateUpdated: order.dateUpdated,
    lines: [...lines].map(([productId, quantity]) => ({ productId, quantity })),
  };
}

function records(sourced: readonly (SourcedOrder | null)[]): OpenOrderRecord[] {
  return sourced.flatMap((one) => (one?.ok ? [openOrderRecord(one.order)] : []));
}

/** The same source, remembering every order it returns; a failure to remember never fails an order. */
export function observeOpenOrders<T extends OrderSource>(source: T, store: StockStore, onError: (error: unknown) => void): T {
  // One transaction per page (StockStore.recordOrders).
  const safe = (sourced: readonly (SourcedOrder | null)[]) => {
    try {
      store.recordOrders(records(sourced), onError);
    } catch (error) {
      onError(error);
    }
  };
  return Object.assign(Object.create(source) as T, {
    listChangedOrders: (updatedAtMin: string, onPage: (orders: SourcedOrder[]) => Promise<void>, present?: string) =>
      source.listChangedOrders(
        updatedAtMin,
        async (page) => {
          safe(page);
          await onPage(page);
        },
        present,
      ),
    getOrder: async (ref: string) => {
      const sourced = await source.getOrder(ref);
      safe([sourced]);
      return sourced;
    },
  });
}

/**
 * The first round's walk: every order changed since `since`. With a store the orders are
 * remembered there; without one (`stock preview`, which writes nothing) the open quantities are
 * only counted and returned.
 */
export async function collectOpenOrders(
  walk: OrderWalk,
  since: string,
  store: StockStore | null,
  statusIds: ReadonlySet<string>,
): Promise<{ quantities: Map<string, bigint>; orders: number; seen: Set<string> }> {
  const latest = new Map<string, OpenOrderRecord>();
  await walk(since, (page) => {
    if (store) {
      store.recordOrders(records(page), (error) => {
        throw error;
      });
      return Promise.resolve();
    }
    for (const record of records(page)) {
      if ((latest.get(record.orderId)?.dateUpdated ?? '') <= record.dateUpdated) latest.set(record.orderId, record);
    }
    return Promise.resolve();
  });
  const quantities = new Map<string, bigint>();
  let orders = 0;
  for (const record of latest.values()) {
    if (record.statusId === null || !statusIds.has(record.statusId)) continue;
    orders += 1;
    addOpenLines(quantities, record.lines);
  }
  return { quantities, orders, seen: new Set(latest.keys()) };
}
