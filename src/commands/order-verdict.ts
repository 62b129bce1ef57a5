import type { BaseEnv } from '../config/env.js';
import type { FileConfig } from '../config/schema.js';
import { openExistingLedger } from './context.js';
import { placedBeforeGoLive } from '../domain/go-live.js';
import type { Order } from '../domain/order.js';
import { listStatusNames } from '../runtime.js';
import type { ShoprenterClient } from '../shoprenter/client.js';
import type { Ledger, OrderRow } from '../store/ledger.js';
import { pilotState } from '../store/pilot-store.js';
import { resolveStatusIds, type StatusName } from '../sync/statuses.js';

export type VerdictKind = 'draft' | 'pilot-wait' | 'skip' | 'done' | 'needs-person' | 'in-line';

export interface Verdict {
  kind: VerdictKind;
  /** One sentence: what the daemon would do with the order and why. */
  text: string;
}

/**
 * What the daemon would do with an order as Shoprenter has it now, by the same rules as the
 * pipeline (process-order: status in sync.statuses, created at or after startFrom, the ledger's
 * state, the pilot), said in words for `preview` and `retry`.
 */
export async function orderVerdict(order: Order, cfg: FileConfig, shoprenter: ShoprenterClient, ledger: Ledger | null): Promise<Verdict> {
  const row = ledger?.getOrder(order.orderNumber);
  const fromLedger = row ? ledgerVerdict(row, order) : null;
  if (fromLedger) return fromLedger;
  let statuses: StatusName[] | null = null;
  const names = async (): Promise<StatusName[]> => (statuses ??= await listStatusNames(shoprenter));
  const statusIds = await resolveStatusIds(cfg.sync.statuses, names);
  if (order.statusId === null || order.statusId === '0') {
    return { kind: 'skip', text: 'skipped: the checkout was not completed (status 0), so it is not an order yet' };
  }
  if (statusIds && !statusIds.has(order.statusId)) {
    const name = (await names()).find((s) => s.id === order.statusId)?.name;
    return { kind: 'skip', text: `skipped: status ${name ? `${name} (${order.statusId})` : order.statusId} is not in sync.statuses` };
  }
  const startFrom = cfg.sync.startFrom ?? ledger?.getMeta('first_start');
  if (!startFrom) return { kind: 'skip', text: 'skipped unless it changes after the daemon first runs: sync.startFrom is not set, so the first start is the boundary' };
  if (placedBeforeGoLive(order.dateCreated, startFrom)) {
    return { kind: 'skip', text: `skipped: created ${order.dateCreated}, before sync.startFrom ${startFrom} (shop time)` };
  }
  if (ledger && pilotState(ledger) === 'ready') return { kind: 'pilot-wait', text: 'would wait: the pilot drafts are made and the rest waits for "approve"' };
  return { kind: 'draft', text: 'would be drafted' };
}

function ledgerVerdict(row: OrderRow, order: Order): Verdict | null {
  switch (row.state) {
    case 'done':
      return { kind: 'done', text: `already drafted on ${row.updatedAt} (UTC) as ${JSON.stringify(row.cashmanRef ?? '')}; never drafted again` };
    case 'uncertain':
    case 'submitting':
      return { kind: 'needs-person', text: `waits for a person: ${row.lastError ?? 'the draft may exist in Cashman'}` };
    case 'quarantined':
      return row.dateUpdated === order.dateUpdated
        ? { kind: 'needs-person', text: `quarantined: ${row.lastError ?? ''} (tried again when the order changes in the shop, or after "retry ${row.orderNumber}")` }
        : null;
    case 'pending':
    case 'failed':
      return { kind: 'in-line', text: `in line (${row.state}${row.attempts ? `, ${row.attempts} attempt(s)` : ''}); the next cycle ${row.state === 'failed' && row.nextAttemptAt ? `after ${row.nextAttemptAt} (UTC) ` : ''}tries it` };
  }
}

/** For `preview`: the verdict with the ledger opened read-only (or none when the daemon never ran). */
export async function previewVerdict(env: BaseEnv, order: Order, cfg: FileConfig, shoprenter: ShoprenterClient): Promise<Verdict> {
  const ledger = openExistingLedger(env, 'read');
  try {
    return await orderVerdict(order, cfg, shoprenter, ledger);
  } finally {
    ledger?.close();
  }
}
