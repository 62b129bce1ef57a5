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
  /** The order's status in Shoprenter now, as the shop names it: `Törölve (7)`. */
  status: string;
}

const WAITS_FOR_APPROVE = 'waits for "approve": the pilot drafts are made and the rest waits until a person checked them in Cashman';

/**
 * What the daemon would do with an order as Shoprenter has it now, by the same rules as the
 * pipeline (process-order: status in sync.statuses and not in sync.cancelStatuses, created at or
 * after startFrom, the ledger's state, the pilot), said in words for `preview`, `retry` and
 * `status <order>`.
 */
export async function orderVerdict(order: Order, cfg: FileConfig, shoprenter: ShoprenterClient, ledger: Ledger | null): Promise<Verdict> {
  let statuses: StatusName[] | null = null;
  const names = async (): Promise<StatusName[]> => (statuses ??= await listStatusNames(shoprenter));
  const statusIds = await resolveStatusIds(cfg.sync.statuses, names);
  const cancelIds = (await resolveStatusIds(cfg.sync.cancelStatuses, names, 'sync.cancelStatuses')) ?? new Set<string>();
  const statusName = order.statusId === null ? null : ((await names().catch(() => [])).find((s) => s.id === order.statusId)?.name ?? null);
  const status = order.statusId === null ? 'none' : statusName ? `${statusName} (${order.statusId})` : order.statusId;
  const cancelled = order.statusId !== null && cancelIds.has(order.statusId);
  const verdict = (kind: VerdictKind, text: string): Verdict => ({ kind, text, status });

  const row = ledger?.getOrder(order.orderNumber);
  const fromLedger = row ? ledgerVerdict(row, order, { cancelled, status, pilotWaits: ledger !== null && pilotState(ledger) === 'ready' }) : null;
  if (fromLedger) return verdict(fromLedger.kind, fromLedger.text);
  if (order.statusId === null || order.statusId === '0') {
    return verdict('skip', 'skipped: the checkout was not completed (status 0), so it is not an order yet');
  }
  if (cancelled) return verdict('skip', `never drafted: status ${status} is listed in sync.cancelStatuses (a cancellation)`);
  if (statusIds && !statusIds.has(order.statusId)) return verdict('skip', `skipped: status ${status} is not in sync.statuses`);
  const startFrom = cfg.sync.startFrom ?? ledger?.getMeta('first_start');
  if (!startFrom) return verdict('skip', 'skipped unless it changes after the daemon first runs: sync.startFrom is not set, so the first start is the boundary');
  if (placedBeforeGoLive(order.dateCreated, startFrom)) {
    return verdict('skip', `skipped: placed ${order.dateCreated}, before sync.startFrom ${startFrom} (shop time)`);
  }
  if (ledger && pilotState(ledger) === 'ready') return verdict('pilot-wait', `would wait: ${WAITS_FOR_APPROVE}`);
  return verdict('draft', 'would be drafted');
}

interface Context {
  cancelled: boolean;
  status: string;
  pilotWaits: boolean;
}

function ledgerVerdict(row: OrderRow, order: Order, ctx: Context): Omit<Verdict, 'status'> | null {
  switch (row.state) {
    case 'done': {
      const drafted = `already drafted on ${row.updatedAt} (UTC) as ${JSON.stringify(row.cashmanRef ?? '')}; never drafted again`;
      return { kind: 'done', text: ctx.cancelled ? `${drafted}; its status ${ctx.status} is a cancellation (sync.cancelStatuses), so it is reported as cancelled after its draft` : drafted };
    }
    case 'uncertain':
    case 'submitting':
      return { kind: 'needs-person', text: `waits for a person: ${row.lastError ?? 'the draft may exist in Cashman'}` };
    case 'quarantined':
      return row.dateUpdated === order.dateUpdated
        ? { kind: 'needs-person', text: `quarantined: ${row.lastError ?? ''} (tried again when the order changes in the shop, or after "retry ${row.orderNumber}")` }
        : null;
    case 'pending':
    case 'failed':
      if (ctx.cancelled) return { kind: 'skip', text: `will not be drafted: its status ${ctx.status} is now a cancellation (sync.cancelStatuses); the next cycle takes it out of line` };
      if (row.state === 'pending' && ctx.pilotWaits) return { kind: 'pilot-wait', text: `recorded and ${WAITS_FOR_APPROVE}` };
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
