import type { Order } from '../domain/order.js';
import type { OpenOrderRecord, StockStore } from '../store/stock-store.js';
import type { OrderSource, SourcedOrder } from '../sync/ports.js';
import { addOpenLines } from './stock-core.js';

/**
 * Open orders for stock (SPEC §6) come from the orders the daemon already lists: the order source
 * is wrapped so every order it hands to the pipeline (poll pages, retries, webhook reads) is also
 * remembered with its status and lines. No extra order read is made, except the first round's
 * walk over stock.openOrderDays, so that orders placed before go-live count too.
 */

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

function remember(store: StockStore, sourced: SourcedOrder | null): void {
  if (sourced?.ok) store.recordOrder(openOrderRecord(sourced.order));
}

/** The same source, remembering every order it returns; a failure to remember never fails an order. */
export function observeOpenOrders<T extends OrderSource>(source: T, store: StockStore, onError: (error: unknown) => void): T {
  const safe = (sourced: SourcedOrder | null) => {
    try {
      remember(store, sourced);
    } catch (error) {
      onError(error);
    }
  };
  return Object.assign(Object.create(source) as T, {
    listChangedOrders: (updatedAtMin: string, onPage: (orders: SourcedOrder[]) => Promise<void>) =>
      source.listChangedOrders(updatedAtMin, async (page) => {
        for (const sourced of page) safe(sourced);
        await onPage(page);
      }),
    getOrder: async (ref: string) => {
      const sourced = await source.getOrder(ref);
      safe(sourced);
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
    for (const sourced of page) {
      if (!sourced.ok) continue;
      const record = openOrderRecord(sourced.order);
      if (store) store.recordOrder(record);
      else if ((latest.get(record.orderId)?.dateUpdated ?? '') <= record.dateUpdated) latest.set(record.orderId, record);
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
