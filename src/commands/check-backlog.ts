import type { FileConfig } from '../config/schema.js';
import { placedBeforeGoLive } from '../domain/go-live.js';
import type { ShoprenterClient } from '../shoprenter/client.js';
import { optionLookupsNeeded, unitLookupsNeeded } from '../shoprenter/product-lookups.js';
import type { Ledger } from '../store/ledger.js';
import { formatDuration } from '../sync/progress-words.js';

/** Shoprenter's documented limit, which the daemon paces itself to (SPEC §2). */
const READS_PER_SECOND = 3;

export interface Backlog {
  orders: number;
  reads: number;
  seconds: number;
}

/**
 * What the first cycles will do: the orders since `startFrom` that qualify and are not drafted yet,
 * and the Shoprenter reads that drafting them costs (list pages, then option and unit lookups,
 * each product's unit once), at the rate limit. Cashman's own answer time comes on top.
 */
export async function estimateBacklog(
  shoprenter: ShoprenterClient,
  cfg: FileConfig,
  startFrom: string,
  statusIds: ReadonlySet<string> | null,
  ledger: Ledger | null,
  cancelIds: ReadonlySet<string> = new Set(),
): Promise<Backlog> {
  const what = { options: cfg.invoice.productOptions, units: cfg.units.fromProducts };
  const products = new Set<string>();
  let orders = 0;
  let reads = 0;
  let pages = 0;
  await shoprenter.listChangedOrders(startFrom, (page) => {
    pages += 1;
    for (const sourced of page) {
      if (!sourced.ok) continue;
      const order = sourced.order;
      if (order.statusId === null || order.statusId === '0' || (statusIds && !statusIds.has(order.statusId)) || cancelIds.has(order.statusId)) continue;
      if (placedBeforeGoLive(order.dateCreated, startFrom)) continue;
      if (ledger?.getOrder(order.orderNumber)?.state === 'done') continue;
      orders += 1;
      reads += optionLookupsNeeded(order, what).length;
      for (const id of unitLookupsNeeded(order, what)) {
        if (!products.has(id)) reads += 1;
        products.add(id);
      }
    }
    return Promise.resolve();
  });
  reads += pages;
  return { orders, reads, seconds: Math.ceil(reads / READS_PER_SECOND) };
}

export function backlogLine(backlog: Backlog, startFrom: string, pilotOrders: number, pilotOn: boolean): string {
  if (backlog.orders === 0) return `info  no order placed since ${startFrom} is waiting to be drafted`;
  const pilot = pilotOn && pilotOrders > 0 && backlog.orders > pilotOrders ? ` (the pilot drafts the first ${pilotOrders}, the rest after "approve")` : '';
  return `info  ${backlog.orders} order(s) placed since ${startFrom} would be drafted${pilot}: about ${backlog.reads} Shoprenter reads, ${formatDuration(backlog.seconds)} at ${READS_PER_SECOND} requests per second, plus Cashman's answer time (2 requests per order with a new buyer)`;
}
