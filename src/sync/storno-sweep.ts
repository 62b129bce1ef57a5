import { addMinutes, shopNow } from '../domain/shop-clock.js';
import type { Logger } from '../log/logger.js';
import type { Ledger, OrderRow } from '../store/ledger.js';
import type { AfterDraftWatch } from './after-draft.js';
import type { OrderSource, SourcedOrder } from './ports.js';

/**
 * Storno orders never appear in the main listing (`excludeStorno=1`), and Shoprenter's order item
 * carries no storno mark (reference §6), so a storno is seen as "listed with storno included, but
 * gone without". Every SWEEP_EVERY_POLLS-th cycle lists the orders updated since the last sweep
 * with storno included; an idle shop answers that with one page, so watching costs 1/10 request per
 * idle poll (SPEC §1.7 allows 0.1). Only a drafted order whose listed version the main listing did
 * not see is then looked up once by order number without storno: absent means cancelled.
 *
 * This relies on a storno bumping the order's dateUpdated, which Shoprenter does not document
 * (reference §5.5 item 4 infers the same for status changes from OpenCart). A storno that leaves
 * dateUpdated alone is found by the storno check instead (storno-check.ts), once a day by default.
 */
export const SWEEP_EVERY_POLLS = 10;

/**
 * Orders created longer ago are not watched for storno: a draft is normally finalized within days
 * (an invoice is due within 8 days of fulfilment) and 60 days covers the 14-day right of withdrawal
 * plus a slow parcel return. Older cancellations are the accountant's business, not an alert's.
 */
export const SWEEP_WINDOW_DAYS = 60;

export interface SweepSource extends Pick<OrderSource, 'getOrder'> {
  /** Every order, storno included, updated at or after `updatedAtMin` and created at or after `createdAtMin`. */
  listOrdersWithStorno(updatedAtMin: string, createdAtMin: string, onPage: (orders: SourcedOrder[]) => Promise<void>): Promise<void>;
  /** One order by order number, storno included; null when the shop has none. */
  getOrderWithStorno(orderNumber: string): Promise<SourcedOrder | null>;
  /**
   * Every order not in storno created at or after `createdAtMin`, whatever the list order, page cap
   * or bound shape; `beforeRequest` may throw to end the walk.
   */
  listOrdersCreatedSince(createdAtMin: string, onPage: (orders: SourcedOrder[]) => Promise<void>, beforeRequest?: () => void): Promise<void>;
}

export interface SweepDeps {
  ledger: Ledger;
  source: SweepSource;
  watch: AfterDraftWatch;
  logger: Logger;
  overlapMinutes: number;
  timezone: string;
  now: () => Date;
}

/** The next sweep lists the orders changed since `present` (less the overlap): every storno before it was seen. */
export function sweptFrom(ledger: Ledger, present: string): void {
  ledger.setMeta('storno_sweep_from', present);
}

/** True on the cycles that sweep: cycle ids count every cycle this ledger ever ran. */
export function isSweepCycle(cycleId: number): boolean {
  return cycleId % SWEEP_EVERY_POLLS === 0;
}

/** One sweep; the next starts where this one started (less the overlap), so no version is skipped. */
export async function sweepStorno(deps: SweepDeps): Promise<{ listed: number; probed: number }> {
  const { ledger, source, watch } = deps;
  const present = shopNow(deps.now(), deps.timezone);
  const from = ledger.getMeta('storno_sweep_from') ?? ledger.getMeta('cursor') ?? present;
  const createdMin = addMinutes(present, -SWEEP_WINDOW_DAYS * 24 * 60);
  let listed = 0;
  let probed = 0;
  await source.listOrdersWithStorno(addMinutes(from, -deps.overlapMinutes), createdMin, async (page) => {
    listed += page.length;
    for (const sourced of page) {
      if (!sourced.ok) continue;
      const { order } = sourced;
      const row = ledger.findOrder(order.orderNumber);
      if (row?.state !== 'done' || watch.seenVersion(order.orderNumber) === order.dateUpdated) continue;
      probed += 1;
      const current = await source.getOrder(order.orderNumber);
      if (current === null) await watch.stornoed(order, row);
      else if (current.ok) await watch.observe(current.order, row);
    }
  });
  sweptFrom(ledger, present);
  deps.logger.debug('storno sweep finished', { listed, probed, from });
  return { listed, probed };
}

/**
 * A drafted order looked up by order number, storno left out, then included, and handed to the
 * watch: present is compared with its draft, found only with storno is reported cancelled. Two
 * reads at most. 'unreadable' (the shop sent it in a form we cannot read) is looked at again later.
 */
export async function lookUpDrafted(source: SweepSource, watch: AfterDraftWatch, row: OrderRow): Promise<'present' | 'storno' | 'absent' | 'unreadable'> {
  const current = await source.getOrder(row.orderNumber);
  if (current?.ok) {
    await watch.observe(current.order, row);
    return 'present';
  }
  if (current !== null) return 'unreadable';
  const withStorno = await source.getOrderWithStorno(row.orderNumber);
  if (withStorno === null) return 'absent';
  if (!withStorno.ok) return 'unreadable';
  await watch.stornoed(withStorno.order, row);
  return 'storno';
}
