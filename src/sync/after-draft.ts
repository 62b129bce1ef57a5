import { judgeNewVersion, type AfterDraftEventKind } from '../domain/after-draft-judgement.js';
import { fingerprintOrder } from '../domain/fingerprint.js';
import { fromEarlierVersion } from '../domain/fingerprint-difference.js';
import type { Order } from '../domain/order.js';
import type { Logger } from '../log/logger.js';
import type { AfterDraftEvent, WatchRow } from '../store/after-draft-store.js';
import type { Ledger, OrderRow } from '../store/ledger.js';
import { afterDraftAction, afterDraftAlertKind } from './after-draft-words.js';
import type { Alerter } from './alerts.js';
import type { DraftRequestFingerprint } from './ports.js';

export interface AfterDraftDeps {
  ledger: Ledger;
  logger: Logger;
  alerts: Alerter;
  /** Status inner ids that mean "cancelled" (sync.cancelStatuses); storno is always watched. */
  cancelStatusIds: ReadonlySet<string>;
  /** Reads an order's drafted fingerprint back from its draft request, for drafts made before fingerprints were kept. */
  fingerprintOfDraftRequest: DraftRequestFingerprint;
}

/**
 * Watches drafted orders (SPEC §1.7). The pipeline hands it every `done` order the listing brings
 * back and every new draft; the storno sweep hands it orders that left the listing. It compares the
 * order with what the draft was built from and reports each new condition once per version: a log
 * line, an alert, and an entry in `status`. It never sends anything to Cashman.
 */
export class AfterDraftWatch {
  constructor(private readonly deps: AfterDraftDeps) {}

  /** A draft was just made from `order`: this is what later versions are compared with. */
  drafted(order: Order): void {
    this.deps.ledger.afterDraft.recordDraft(order.orderNumber, fingerprintOrder(order), order.dateUpdated, order.statusId);
  }

  /** A drafted order as the (storno-free) listing shows it now. */
  async observe(order: Order, row: OrderRow): Promise<void> {
    const watch = this.watchOf(order);
    if (watch.seenUpdated !== null && order.dateUpdated <= watch.seenUpdated) return;
    const cancelled = order.statusId !== null && this.deps.cancelStatusIds.has(order.statusId) ? 'status' : null;
    await this.settle(order, watch, row, cancelled);
  }

  /** A drafted order found only with storno orders included: it was cancelled (storno). */
  async stornoed(order: Order, row: OrderRow): Promise<void> {
    await this.settle(order, this.watchOf(order), row, 'storno');
  }

  /** The version the watch last compared, or null when the order was never compared. */
  seenVersion(orderNumber: string): string | null {
    return this.deps.ledger.afterDraft.get(orderNumber)?.seenUpdated ?? null;
  }

  /**
   * An order drafted before fingerprints were kept is compared with its draft request from the
   * audit trail; without one, from this version on.
   */
  private watchOf(order: Order): WatchRow {
    const store = this.deps.ledger.afterDraft;
    const existing = store.get(order.orderNumber);
    if (existing) return existing;
    const fromAudit = this.deps.fingerprintOfDraftRequest(store.lastDraftRequest(order.orderNumber));
    if (fromAudit) return store.adopt(order.orderNumber, fromAudit, 'audit');
    return store.adopt(order.orderNumber, fingerprintOrder(order), 'observed');
  }

  private async settle(order: Order, watch: WatchRow, row: OrderRow, cancelled: 'storno' | 'status' | null): Promise<void> {
    const now = fingerprintOrder(order);
    const judgement = judgeNewVersion({ condition: watch.condition, base: watch.fingerprint, observed: watch.observed }, now, cancelled);
    const event = judgement.event && {
      kind: judgement.event.kind,
      version: order.dateUpdated,
      reason: whatHappened(judgement.event.kind, order, cancelled, judgement.event.differences),
      cashmanRef: row.cashmanRef,
    };
    const id = this.deps.ledger.afterDraft.settleVersion(order.orderNumber, order.dateUpdated, now, judgement.condition, event, order.statusId);
    if (id === null || event === null) return;
    this.deps.logger.warn(`order ${event.kind} after its draft`, { orderNumber: order.orderNumber, cashmanRef: row.cashmanRef, reason: event.reason });
    await this.alertUnreported();
  }

  /**
   * `sync.cancelStatuses` changed (issue 17): a drafted order last seen in a status the list now
   * names is cancelled after its draft, though the order itself did not change. Judged from the
   * status and fingerprint the ledger kept, without a Shoprenter read; reported like any other
   * cancellation (log, alert, `status`), once.
   */
  async rejudgeStatuses(): Promise<number> {
    const store = this.deps.ledger.afterDraft;
    let reported = 0;
    for (const watch of store.inStatusNotCancelled([...this.deps.cancelStatusIds])) {
      const row = this.deps.ledger.getOrder(watch.orderNumber);
      if (row?.state !== 'done' || watch.seenUpdated === null) continue;
      const now = watch.observed ?? watch.fingerprint;
      const judgement = judgeNewVersion({ condition: watch.condition, base: watch.fingerprint, observed: watch.observed }, now, 'status');
      const changes = judgement.event?.differences.join('; ') ?? '';
      const event = judgement.event && {
        kind: judgement.event.kind,
        version: watch.seenUpdated,
        reason: `Order ${watch.orderNumber} is in status ${watch.statusId}, which sync.cancelStatuses now lists as a cancellation, and it was drafted before${changes ? `; it also changed: ${changes}` : ''}.`,
        cashmanRef: row.cashmanRef,
      };
      const id = store.settleVersion(watch.orderNumber, watch.seenUpdated, now, judgement.condition, event);
      if (id === null || event === null) continue;
      reported += 1;
      this.deps.logger.warn(`order ${event.kind} after its draft`, { orderNumber: watch.orderNumber, cashmanRef: row.cashmanRef, reason: event.reason });
    }
    if (reported > 0) await this.alertUnreported();
    return reported;
  }

  /** Sends every report whose alert has not gone out; marked after sending, so a crash repeats rather than loses one. */
  async alertUnreported(): Promise<void> {
    const store = this.deps.ledger.afterDraft;
    for (const event of store.unalerted()) {
      // A process that lost the ledger reports nothing: the holder does (issue 16 §2).
      this.deps.ledger.assertWriter();
      await this.deps.alerts.send(alertOf(event));
      store.setAlerted(event.id);
    }
  }
}

function alertOf(event: AfterDraftEvent) {
  const kind = event.kind as AfterDraftEventKind;
  return {
    kind: afterDraftAlertKind(kind),
    orderNumber: event.orderNumber,
    reason: event.reason,
    cashmanRef: event.cashmanRef,
    action: afterDraftAction(kind, event.orderNumber),
  };
}

function whatHappened(kind: AfterDraftEventKind, order: Order, cancelled: 'storno' | 'status' | null, differences: string[]): string {
  const changes = differences.join('; ');
  switch (kind) {
    case 'cancelled': {
      const how = cancelled === 'storno' ? 'cancelled (storno) in Shoprenter' : `moved to cancel status ${order.statusId ?? ''} in Shoprenter`;
      return `Order ${order.orderNumber} was ${how} after its draft was made${changes ? `; it also changed: ${changes}` : ''}.`;
    }
    case 'changed':
      // An upgrade's difference is not something to look for in the shop: say so.
      if (differences.every(fromEarlierVersion)) return `Order ${order.orderNumber} differs from its draft, though the order did not change: ${changes}.`;
      return `Order ${order.orderNumber} changed after its draft was made: ${changes}.`;
    case 'restored':
      return `Order ${order.orderNumber} matches its draft again (no longer cancelled or changed back).`;
  }
}
