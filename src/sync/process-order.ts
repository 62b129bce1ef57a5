import { buildDraft } from '../domain/build-draft.js';
import { buildPartner } from '../domain/build-partner.js';
import type { InvoiceDraft } from '../domain/draft.js';
import type { MappingConfig } from '../domain/mapping-config.js';
import type { Order } from '../domain/order.js';
import { changedPartnerFields, type PartnerData } from '../domain/partner.js';
import type { Logger } from '../log/logger.js';
import type { Ledger, OrderKey, OrderRow } from '../store/ledger.js';
import type { Alerter } from './alerts.js';
import { MAX_ATTEMPTS, backoffDelayMs, classify, describeError, errorCode } from './classify.js';
import type { InvoiceBackend, SourcedOrder } from './ports.js';

/** Settings of the per-order pipeline, from config.yaml. */
export interface PipelineSettings {
  mapping: MappingConfig;
  /** Status inner ids that trigger a draft; null = every completed checkout. */
  statusIds: ReadonlySet<string> | null;
  /** Shop-local "YYYY-MM-DDTHH:MM:SS"; orders last updated earlier are never drafted. */
  startFrom: string;
  partnerCodePrefix: string;
  partnerCodeDigits: number;
  dueDays: number;
}

export interface PipelineDeps {
  ledger: Ledger;
  backend: InvoiceBackend;
  logger: Logger;
  alerts: Alerter;
  settings: PipelineSettings;
  now?: () => Date;
  random?: () => number;
}

export type OrderOutcome =
  | 'skipped' // already handled, or not due: no remote call
  | 'ignored' // does not qualify (status, startFrom)
  | 'done'
  | 'failed'
  | 'quarantined'
  | 'uncertain';

/** Thrown to stop the cycle when Cashman refuses the login (no order is touched). */
export class CycleAbort extends Error {
  constructor(readonly reason: string, options?: { cause?: unknown }) {
    super(reason, options);
  }
}

export interface PartnerStats {
  created: number;
  updated: number;
}

/** One order's state machine (SPEC §2): decides, then moves the ledger row, intent first. */
export class OrderPipeline {
  readonly partnerStats: PartnerStats = { created: 0, updated: 0 };
  private readonly now: () => Date;

  constructor(private readonly deps: PipelineDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** Decides what a listed (or re-fetched) order needs, and does it. */
  async handle(sourced: SourcedOrder): Promise<OrderOutcome> {
    const key = keyOf(sourced);
    const row = this.deps.ledger.getOrder(key.orderId);
    if (row && !this.needsWork(row, key)) return 'skipped';
    if (!sourced.ok) {
      if (key.dateUpdated !== null && key.dateUpdated < this.deps.settings.startFrom) return 'ignored';
      return this.quarantine(key, 'UNREADABLE_ORDER', sourced.reason);
    }
    const order = sourced.order;
    if (!this.qualifies(order)) return 'ignored';
    if (row?.state === 'quarantined') {
      this.deps.logger.info('order changed in the shop since it was quarantined; trying again', { orderNumber: key.orderNumber });
    }
    return this.submit(order, key, row);
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

  private qualifies(order: Order): boolean {
    const { statusIds, startFrom } = this.deps.settings;
    if (order.statusId === null || order.statusId === '0') return false;
    if (statusIds && !statusIds.has(order.statusId)) return false;
    return order.dateUpdated >= startFrom;
  }

  private async submit(order: Order, key: OrderKey, row: OrderRow | undefined): Promise<OrderOutcome> {
    const partner = buildPartner(order);
    if ('reason' in partner) return this.quarantine(key, 'MAPPING', partner.reason);
    const result = buildDraft(order, partner, this.deps.settings.mapping);
    if (!result.ok) return this.quarantine(key, 'MAPPING', result.reason);
    const draft = result.draft;
    const { ledger } = this.deps;
    if (!row || row.state === 'quarantined' || row.state === 'pending') ledger.markPending(key, partner.email);

    let partnerCode: string;
    try {
      partnerCode = await this.ensurePartner(partner, draft, key);
    } catch (error) {
      return this.fail(key, error, 'partner');
    }

    const auditId = ledger.markSubmitting(key, partner.email, this.deps.backend.describeDraftRequest(draft, partnerCode));
    try {
      const { reference } = await this.deps.backend.createDraft(draft, partnerCode);
      ledger.markDone(key.orderId, reference, auditId);
      this.deps.logger.info('draft created in Cashman', {
        orderNumber: key.orderNumber,
        partner: partnerCode,
        gross: `${draft.totals.gross} ${draft.currency}`,
        lines: draft.lines.length,
      });
      return 'done';
    } catch (error) {
      return this.fail(key, error, 'draft', auditId);
    }
  }

  /** Creates or updates the Cashman partner only when needed; an unchanged buyer costs no call. */
  private async ensurePartner(partner: PartnerData, draft: InvoiceDraft, key: OrderKey): Promise<string> {
    const { ledger, backend, settings, logger } = this.deps;
    const existing = ledger.getPartner(partner.email) ?? ledger.allocatePartner(partner.email, settings.partnerCodePrefix, settings.partnerCodeDigits);
    const changed = existing.snapshot ? changedPartnerFields(existing.snapshot, partner) : [];
    if (existing.partnerId && existing.snapshot && changed.length === 0) return existing.partnerCode;

    const request = {
      partner,
      partnerCode: existing.partnerCode,
      partnerId: existing.partnerId,
      paymentMethod: draft.paymentMethod,
      dueDays: settings.dueDays,
    };
    const auditId = ledger.markPartnerSending(partner.email, partner, key, backend.describePartnerRequest(request));
    try {
      const { partnerId } = await backend.savePartner(request);
      ledger.confirmPartner(partner.email, partnerId, partner, auditId);
    } catch (error) {
      ledger.setAuditOutcome(auditId, errorCode(error));
      throw error;
    }
    if (existing.partnerId) {
      this.partnerStats.updated += 1;
      logger.info('partner updated in Cashman', { orderNumber: key.orderNumber, partner: existing.partnerCode, changed: changed.join(',') });
    } else {
      this.partnerStats.created += 1;
      logger.info('partner created in Cashman', { orderNumber: key.orderNumber, partner: existing.partnerCode });
    }
    return existing.partnerCode;
  }

  private async fail(key: OrderKey, error: unknown, phase: 'partner' | 'draft', auditId?: number): Promise<OrderOutcome> {
    const decision = classify(error, phase);
    const message = describeError(error);
    const code = errorCode(error);
    const { ledger, logger } = this.deps;
    switch (decision) {
      case 'abort-cycle':
        if (auditId !== undefined) ledger.releaseSubmitting(key.orderId, auditId, code);
        throw new CycleAbort(message, { cause: error });
      case 'quarantine':
        return this.quarantine(key, code, message, auditId);
      case 'uncertain': {
        const reason = `The draft request may have reached Cashman (${message}); check Cashman for this order, then run "resolve ${key.orderNumber} --done" if the draft is there or "retry ${key.orderNumber} --force" if it is not.`;
        ledger.markUncertain(key, code, reason, auditId);
        logger.error('draft outcome unknown; will not resend automatically', { orderNumber: key.orderNumber, error: message });
        await this.alertOnce(key, 'uncertain', reason);
        return 'uncertain';
      }
      case 'retry': {
        const row = ledger.getOrder(key.orderId);
        const attempts = (row?.attempts ?? 0) + 1;
        if (attempts >= MAX_ATTEMPTS) {
          return this.quarantine(key, code, `Gave up after ${attempts} attempts; the last one failed with: ${message}`, auditId);
        }
        const next = new Date(this.now().getTime() + backoffDelayMs(attempts, this.deps.random));
        ledger.markFailed(key.orderId, code, message, next, auditId);
        logger.warn('order failed; will try again', { orderNumber: key.orderNumber, attempt: attempts, next: next.toISOString(), error: message });
        return 'failed';
      }
    }
  }

  private async quarantine(key: OrderKey, code: string, reason: string, auditId?: number): Promise<OrderOutcome> {
    this.deps.ledger.markQuarantined(key, code, reason, auditId);
    this.deps.logger.warn('order quarantined', { orderNumber: key.orderNumber, reason });
    await this.alertOnce(key, 'quarantined', reason);
    return 'quarantined';
  }

  private async alertOnce(key: OrderKey, state: 'quarantined' | 'uncertain', reason: string): Promise<void> {
    const row = this.deps.ledger.getOrder(key.orderId);
    const marker = `${state}:${key.dateUpdated ?? ''}`;
    if (row?.alertedState === marker) return;
    this.deps.ledger.setAlerted(key.orderId, marker);
    await this.deps.alerts.send({ kind: state, orderNumber: key.orderNumber, reason });
  }
}

export function keyOf(sourced: SourcedOrder): OrderKey {
  if (sourced.ok) return { orderId: sourced.order.id, orderNumber: sourced.order.orderNumber, dateUpdated: sourced.order.dateUpdated };
  return { orderId: sourced.id, orderNumber: sourced.orderNumber ?? sourced.id, dateUpdated: sourced.dateUpdated };
}
