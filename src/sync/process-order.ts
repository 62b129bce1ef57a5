import { MAX_LINES, buildDraft } from '../domain/build-draft.js';
import { buildPartner } from '../domain/build-partner.js';
import type { Order } from '../domain/order.js';
import { reasons } from '../domain/draft-reasons.js';
import { formatMinor } from '../domain/money.js';
import { addMinutes, shopNow, shopToday } from '../domain/shop-clock.js';
import { placedBeforeGoLive } from '../domain/go-live.js';
import type { PartnerData } from '../domain/partner.js';
import type { OrderKey, OrderRow } from '../store/ledger.js';
import { NOT_QUALIFYING } from '../store/ledger-rows.js';
import type { SourcedOrder } from './ports.js';
import { holdForPilot } from './pilot.js';
import { PartnerCodeInDoubt } from './partner-code-skip.js';
import { OrderSettlement } from './order-settle.js';
import { ensurePartner } from './partner-step.js';
import { keyOf, type OrderOutcome, type PartnerStats, type PipelineDeps } from './pipeline-types.js';

export { CycleAbort, keyOf, type AfterDraftHooks, type OrderOutcome, type PartnerStats, type PipelineDeps, type PipelineSettings } from './pipeline-types.js';

/** One order's state machine (SPEC §2): decides, then moves the ledger row, intent first. */
export class OrderPipeline {
  readonly partnerStats: PartnerStats = { created: 0, updated: 0 };
  private readonly now: () => Date;
  private readonly settle: OrderSettlement;

  constructor(private readonly deps: PipelineDeps) {
    this.now = deps.now ?? (() => new Date());
    this.settle = new OrderSettlement(deps, this.now);
  }

  /** Decides what a listed (or re-fetched) order needs, and does it. */
  async handle(sourced: SourcedOrder): Promise<OrderOutcome> {
    const key = keyOf(sourced);
    const row = this.deps.ledger.getOrder(key.orderNumber);
    if (row && !this.needsWork(row, key)) {
      if (row.state === 'done' && sourced.ok) await this.deps.afterDraft?.observe(sourced.order, row);
      return 'skipped';
    }
    return this.process(sourced, row);
  }

  /** The checks and the draft, for an order that needs work (or that `redraft` hands over). */
  async process(sourced: SourcedOrder, row: OrderRow | undefined): Promise<OrderOutcome> {
    const key = keyOf(sourced);
    if (!sourced.ok) {
      if (key.dateUpdated !== null && key.dateUpdated < this.deps.settings.startFrom) return 'ignored';
      return this.settle.quarantine(key, 'UNREADABLE_ORDER', sourced.reason);
    }
    const order = sourced.order;
    if (!this.qualifies(order)) {
      // A failed or waiting order would otherwise be fetched again every cycle, forever.
      if (row?.state === 'failed' || row?.state === 'pending') {
        const cancelled = order.statusId !== null && this.deps.settings.cancelStatusIds?.has(order.statusId);
        return this.settle.quarantine(
          key,
          NOT_QUALIFYING,
          cancelled
            ? `Order ${key.orderNumber} is now in status ${order.statusId}, which sync.cancelStatuses lists as a cancellation, so no draft was made and nothing is to be done; it is looked at again when the order changes in the shop.`
            : `Order ${key.orderNumber} no longer has a status that triggers a draft (sync.statuses), so none was made and nothing is to be done; it is looked at again when the order changes in the shop.`,
        );
      }
      return 'ignored';
    }
    if (row?.state === 'quarantined') {
      // A redraft parks the drafted order as quarantined (code REDRAFT) before it sends: that order was never quarantined for a fault.
      if (row.lastErrorCode === 'REDRAFT') this.deps.logger.info('redraft: drafting the order as it is now in the shop', { orderNumber: key.orderNumber });
      else this.deps.logger.info('order changed in the shop since it was quarantined; trying again', { orderNumber: key.orderNumber });
    }
    // What does not depend on product options or units is decided before paying for those reads.
    // The invoice is dated by dateCreated; a day of slack absorbs clock and time-zone differences.
    const latest = addMinutes(shopNow(this.now(), this.deps.settings.mapping.timezone), 24 * 60);
    if (order.dateCreated > latest) return this.settle.quarantine(key, 'MAPPING', reasons.futureDate(order.orderNumber, order.dateCreated));
    const partner = buildPartner(order);
    if ('reason' in partner) return this.settle.quarantine(key, 'MAPPING', partner.reason);
    if (order.products.length > MAX_LINES) return this.settle.quarantine(key, 'MAPPING', reasons.tooManyLines(order.orderNumber, order.products.length, MAX_LINES));
    if (await this.deps.pilot?.holds()) return holdForPilot(this.deps, key, partner.email);
    let enriched: Order;
    try {
      enriched = this.deps.enrich ? await this.deps.enrich(order) : order;
    } catch (error) {
      if (!row && !this.deps.ledger.markPending(key)) return this.settle.conflict(key);
      return this.settle.fail(key, error, 'before-send');
    }
    return this.submit(enriched, partner, key, row);
  }

  private needsWork(row: OrderRow, key: OrderKey): boolean {
    switch (row.state) {
      case 'done':
      case 'submitting':
      case 'uncertain':
        return false;
      case 'quarantined':
        // Picked up again only when the shop owner changed the order (or `retry` reset it).
        return key.dateUpdated !== null && key.dateUpdated !== row.dateUpdated;
      case 'failed':
        return row.nextAttemptAt === null || row.nextAttemptAt <= this.now().toISOString();
      case 'pending':
        return true;
    }
  }

  /** Whether the order's status and date call for a draft at all. */
  qualifies(order: Order): boolean {
    const { statusIds, startFrom } = this.deps.settings;
    if (order.statusId === null || order.statusId === '0') return false;
    if (statusIds && !statusIds.has(order.statusId)) return false;
    if (this.deps.settings.cancelStatusIds?.has(order.statusId)) return false;
    return !placedBeforeGoLive(order.dateCreated, startFrom);
  }

  /** The partner comes from the order's buyer fields, which the product lookups never change. */
  private async submit(order: Order, partner: PartnerData, key: OrderKey, row: OrderRow | undefined): Promise<OrderOutcome> {
    const { mapping } = this.deps.settings;
    const result = buildDraft(order, partner, mapping, shopToday(this.now(), mapping.timezone));
    if (!result.ok) return this.settle.quarantine(key, 'MAPPING', result.reason);
    if (result.corrections > 0) this.deps.logger.debug('one forint moved between net and VAT to pass NAV check 890', { orderNumber: key.orderNumber, lines: result.corrections });
    const draft = result.draft;
    const { ledger } = this.deps;
    if ((!row || row.state === 'quarantined' || row.state === 'pending') && !ledger.markPending(key, partner.email)) return this.settle.conflict(key);

    if (this.deps.stop?.requested) return 'skipped';
    let partnerCode: string;
    try {
      partnerCode = await ensurePartner(this.deps, this.partnerStats, partner, draft, key);
    } catch (error) {
      if (error instanceof PartnerCodeInDoubt) return this.settle.holdForPartnerCode(key, partner, error.partnerCode);
      return this.settle.fail(key, error, 'partner');
    }

    let requestRows: unknown;
    try {
      requestRows = this.deps.backend.describeDraftRequest(draft, partnerCode);
    } catch (error) {
      // Nothing has left yet: a draft the backend cannot write is this order's problem, not the cycle's.
      return this.settle.fail(key, error, 'before-send');
    }
    // A stop (signal) waits for no further request: the row stays pending for the next run.
    if (this.deps.stop?.requested) return 'skipped';
    const intent = ledger.markSubmitting(key, partner.email, requestRows);
    if (intent === null) return this.settle.conflict(key);
    const { auditId, durable } = intent;
    try {
      // Connected while the intent is synced to the disk; written only once it is (InvoiceBackend).
      const { reference } = await this.deps.backend.createDraft(draft, partnerCode, durable);
      if (!ledger.markDone(key.orderNumber, reference, auditId)) {
        this.deps.logger.error('draft created in Cashman, but the ledger row had been changed meanwhile; left as it is', {
          orderNumber: key.orderNumber,
          state: ledger.getOrder(key.orderNumber)?.state,
          reference,
        });
        return 'uncertain';
      }
      this.deps.afterDraft?.drafted(order);
      await this.deps.pilot?.afterDraft();
      this.deps.logger.info('draft created in Cashman', {
        orderNumber: key.orderNumber,
        partner: partnerCode,
        // A number (from the exact decimal text) and the currency apart, so log queries can sum and filter.
        gross: Number(formatMinor(draft.totals.gross, draft.decimals)),
        currency: draft.currency,
        lines: draft.lines.length,
      });
      return 'done';
    } catch (error) {
      return this.settle.fail(key, error, 'draft', auditId);
    }
  }

  /** Alerts every uncertain or quarantined order whose alert for its current state has not gone out. */
  alertUnreported(): Promise<void> {
    return this.settle.alertUnreported();
  }
}
