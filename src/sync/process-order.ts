import { MAX_LINES, buildDraft } from '../domain/build-draft.js';
import { buildPartner } from '../domain/build-partner.js';
import type { InvoiceDraft } from '../domain/draft.js';
import type { MappingConfig } from '../domain/mapping-config.js';
import type { Order } from '../domain/order.js';
import { reasons } from '../domain/draft-reasons.js';
import { formatMinor } from '../domain/money.js';
import { addMinutes, shopNow, shopToday } from '../domain/shop-clock.js';
import { placedBeforeGoLive } from '../domain/go-live.js';
import { changedPartnerFields, type PartnerData } from '../domain/partner.js';
import type { Logger } from '../log/logger.js';
import type { Ledger, OrderKey, OrderRow } from '../store/ledger.js';
import { NOT_QUALIFYING } from '../store/ledger-rows.js';
import type { Alerter } from './alerts.js';
import { MAX_ATTEMPTS, backoffDelayMs, classify, describeError, errorCode, provablyNotProcessed } from './classify.js';
import type { InvoiceBackend, SourcedOrder } from './ports.js';
import { holdForPilot, type PilotGate } from './pilot.js';
import { PartnerCodeInDoubt, codeTakenSuspected, createWithNextFreeCode, partnerCodeInDoubtReason } from './partner-code-skip.js';
import { PARTNER_CODE_IN_DOUBT, markPartnerCodeInDoubt } from '../store/partner-codes.js';

/** Settings of the per-order pipeline, from config.yaml. */
export interface PipelineSettings {
  mapping: MappingConfig;
  /** Status inner ids that trigger a draft; null = every completed checkout. */
  statusIds: ReadonlySet<string> | null;
  /** Status inner ids that mean "cancelled" (sync.cancelStatuses): never drafted. */
  cancelStatusIds?: ReadonlySet<string>;
  /** Shop-local "YYYY-MM-DDTHH:MM:SS"; orders placed (created) earlier are never drafted. */
  startFrom: string;
  partnerCodePrefix: string;
  partnerCodeDigits: number;
  dueDays: number;
}

export interface PipelineDeps {
  ledger: Ledger;
  /**
   * Fills what the order listing does not carry (chosen options, product units) with extra
   * Shoprenter reads. Called only for orders about to be drafted, so skipped orders stay free.
   */
  enrich?: (order: Order) => Promise<Order>;
  backend: InvoiceBackend;
  logger: Logger;
  alerts: Alerter;
  settings: PipelineSettings;
  /** The go-live pilot (SPEC §1.8); absent = no pilot. */
  pilot?: PilotGate;
  now?: () => Date;
  random?: () => number;
  /** Watches drafted orders for cancellation and change (SPEC §1.7). */
  afterDraft?: AfterDraftHooks;
  /** Set by a signal: no new Cashman request starts. */
  stop?: { requested: boolean };
}

/** What the pipeline tells the after-draft watch (src/sync/after-draft.ts). */
export interface AfterDraftHooks {
  drafted(order: Order): void;
  observe(order: Order, row: OrderRow): Promise<void>;
}

export type OrderOutcome =
  | 'skipped' // already handled, or not due: no remote call
  | 'ignored' // does not qualify (status, startFrom)
  | 'done'
  | 'failed'
  | 'quarantined'
  | 'uncertain'
  | 'held'; // qualifies, but the pilot waits for `approve`: recorded as pending

/** Thrown to stop the cycle when Cashman refuses the login (no order is touched). */
export class CycleAbort extends Error {
  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
    /** What became of the order in hand before the stop (an uncertain draft), for the summary. */
    readonly outcome?: OrderOutcome,
  ) {
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
      return this.quarantine(key, 'UNREADABLE_ORDER', sourced.reason);
    }
    const order = sourced.order;
    if (!this.qualifies(order)) {
      // A failed or waiting order would otherwise be fetched again every cycle, forever.
      if (row?.state === 'failed' || row?.state === 'pending') {
        const cancelled = order.statusId !== null && this.deps.settings.cancelStatusIds?.has(order.statusId);
        return this.quarantine(
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
    if (order.dateCreated > latest) return this.quarantine(key, 'MAPPING', reasons.futureDate(order.orderNumber, order.dateCreated));
    const partner = buildPartner(order);
    if ('reason' in partner) return this.quarantine(key, 'MAPPING', partner.reason);
    if (order.products.length > MAX_LINES) return this.quarantine(key, 'MAPPING', reasons.tooManyLines(order.orderNumber, order.products.length, MAX_LINES));
    if (await this.deps.pilot?.holds()) return holdForPilot(this.deps, key, partner.email);
    let enriched: Order;
    try {
      enriched = this.deps.enrich ? await this.deps.enrich(order) : order;
    } catch (error) {
      if (!row && !this.deps.ledger.markPending(key)) return this.conflict(key);
      return this.fail(key, error, 'before-send');
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
    if (!result.ok) return this.quarantine(key, 'MAPPING', result.reason);
    if (result.corrections > 0) this.deps.logger.debug('one forint moved between net and VAT to pass NAV check 890', { orderNumber: key.orderNumber, lines: result.corrections });
    const draft = result.draft;
    const { ledger } = this.deps;
    if ((!row || row.state === 'quarantined' || row.state === 'pending') && !ledger.markPending(key, partner.email)) return this.conflict(key);

    if (this.deps.stop?.requested) return 'skipped';
    let partnerCode: string;
    try {
      partnerCode = await this.ensurePartner(partner, draft, key);
    } catch (error) {
      if (error instanceof PartnerCodeInDoubt) return this.holdForPartnerCode(key, partner, error.partnerCode);
      return this.fail(key, error, 'partner');
    }

    let requestRows: unknown;
    try {
      requestRows = this.deps.backend.describeDraftRequest(draft, partnerCode);
    } catch (error) {
      // Nothing has left yet: a draft the backend cannot write is this order's problem, not the cycle's.
      return this.fail(key, error, 'before-send');
    }
    // A stop (signal) waits for no further request: the row stays pending for the next run.
    if (this.deps.stop?.requested) return 'skipped';
    const auditId = ledger.markSubmitting(key, partner.email, requestRows);
    if (auditId === null) return this.conflict(key);
    try {
      const { reference } = await this.deps.backend.createDraft(draft, partnerCode);
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
      return this.fail(key, error, 'draft', auditId);
    }
  }

  /**
   * A compare-and-set missed: another writer (a person's `retry`/`resolve`) moved the row since it
   * was read. Nothing is sent on it; the row keeps the state the other writer gave it.
   */
  private conflict(key: OrderKey): OrderOutcome {
    // A write that matched no row fires no fence trigger: ask before going on to the next order.
    this.deps.ledger.assertWriter();
    const state = this.deps.ledger.getOrder(key.orderNumber)?.state ?? 'gone';
    this.deps.logger.warn('order changed in the ledger meanwhile; left as it is', { orderNumber: key.orderNumber, state });
    return 'skipped';
  }

  /** Creates or updates the Cashman partner only when needed; an unchanged buyer costs no call. */
  private async ensurePartner(partner: PartnerData, draft: InvoiceDraft, key: OrderKey): Promise<string> {
    const { ledger, backend, settings, logger } = this.deps;
    const existing = ledger.getPartner(partner.email) ?? ledger.allocatePartner(partner.email, settings.partnerCodePrefix, settings.partnerCodeDigits);
    const changed = existing.snapshot ? changedPartnerFields(existing.snapshot, partner) : [];
    if (existing.partnerId && existing.snapshot && changed.length === 0) return existing.partnerCode;
    if (existing.partnerId === null && existing.stated !== null) {
      // A person stated that Cashman's partner under this code is this buyer; its Cashman id is
      // unknown (no lookup exists), so it can be neither created nor updated from here.
      if (changed.length > 0) {
        logger.warn('buyer details changed, but the partner was confirmed by a person and its Cashman id is unknown; update it in Cashman by hand', {
          orderNumber: key.orderNumber,
          partner: existing.partnerCode,
          changed: changed.join(','),
        });
      }
      return existing.partnerCode;
    }
    // A create with this code left earlier and its answer never came back (crash, timeout): Cashman
    // may already hold the partner, and then refuses the same code again.
    const createInDoubt = existing.partnerId === null && existing.pending !== null;

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
      if (!existing.partnerId && !createInDoubt && codeTakenSuspected(error, existing.partnerCode)) {
        ledger.clearPartnerPending(partner.email);
        const skipDeps = { ledger, backend, logger, prefix: settings.partnerCodePrefix, digits: settings.partnerCodeDigits };
        const code = await createWithNextFreeCode(skipDeps, request, partner, key);
        this.partnerStats.created += 1;
        logger.info('partner created in Cashman', { orderNumber: key.orderNumber, partner: code });
        return code;
      }
      // Taken after a lost answer: ours, or another buyer's from a lost ledger; Cashman cannot say which.
      if (createInDoubt && codeTakenSuspected(error, existing.partnerCode)) throw new PartnerCodeInDoubt(existing.partnerCode);
      // Any other refusal says nothing about the earlier create: its doubt (the intent) stays.
      if (createInDoubt) throw error;
      if (provablyNotProcessed(error)) ledger.clearPartnerPending(partner.email);
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

  /** issue 16 §4: in doubt stays in doubt; nothing is drafted until a person says whose partner the code is. */
  private async holdForPartnerCode(key: OrderKey, partner: PartnerData, code: string): Promise<OrderOutcome> {
    this.deps.ledger.assertWriter();
    const reason = partnerCodeInDoubtReason(key.orderNumber, code, partner);
    if (!markPartnerCodeInDoubt(this.deps.ledger, key.orderNumber, key.dateUpdated, reason)) return this.conflict(key);
    this.deps.logger.error('partner code taken after a create whose answer was lost; no draft sent, a person decides', { orderNumber: key.orderNumber, partner: code });
    await this.alertOnce(key, 'uncertain', reason, code);
    return 'uncertain';
  }

  private async fail(key: OrderKey, error: unknown, phase: 'before-send' | 'partner' | 'draft', auditId?: number): Promise<OrderOutcome> {
    // Whose failure is it? A lost ledger is this process's (issue 16 §2), whatever the error says
    // (a fenced write, or a timeout that is only the pause that cost the lock): stop, touch nothing.
    this.deps.ledger.assertWriter();
    const decision = classify(error, phase);
    const message = describeError(error);
    const code = errorCode(error);
    const { ledger, logger } = this.deps;
    switch (decision) {
      case 'stop-process':
        throw error;
      case 'abort-cycle':
      case 'remote-down':
        // Provably nothing was created (a refused login, a request that never reached Cashman, a
        // read): the order keeps its place and its attempt count.
        if (auditId !== undefined) ledger.releaseSubmitting(key.orderNumber, auditId, code);
        throw new CycleAbort(message, { cause: error });
      case 'quarantine':
        return this.quarantine(key, code, message, auditId);
      case 'uncertain':
      case 'uncertain-remote-down': {
        const reason = `The draft request may have reached Cashman (${message}); check Cashman for this order, then run "resolve ${key.orderNumber} --done" if the draft is there or "retry ${key.orderNumber} --force" if it is not.`;
        if (!ledger.markUncertain(key, code, reason, auditId)) return this.conflict(key);
        logger.error('draft outcome unknown; will not resend automatically', { orderNumber: key.orderNumber, error: message });
        await this.alertOnce(key, 'uncertain', reason);
        // Cashman itself is failing: no further order is sent into the outage (issue 16 §10).
        if (decision === 'uncertain-remote-down') throw new CycleAbort(message, { cause: error }, 'uncertain');
        return 'uncertain';
      }
      case 'retry': {
        const row = ledger.getOrder(key.orderNumber);
        const attempts = (row?.attempts ?? 0) + 1;
        if (attempts >= MAX_ATTEMPTS) {
          // Count the last attempt too, so `status` shows 5 of 5.
          ledger.markFailed(key.orderNumber, code, message, this.now());
          return this.quarantine(key, code, `Gave up after ${attempts} attempts; the last one failed with: ${message}`, auditId);
        }
        const next = new Date(this.now().getTime() + backoffDelayMs(attempts, this.deps.random));
        if (!ledger.markFailed(key.orderNumber, code, message, next, auditId)) return this.conflict(key);
        logger.warn('order failed; will try again', { orderNumber: key.orderNumber, attempt: attempts, next: next.toISOString(), error: message });
        return 'failed';
      }
    }
  }

  private async quarantine(key: OrderKey, code: string, reason: string, auditId?: number): Promise<OrderOutcome> {
    if (!this.deps.ledger.markQuarantined(key, code, reason, auditId)) return this.conflict(key);
    if (code === NOT_QUALIFYING) {
      // Nothing is wrong and nobody has to act (ledger-rows.ts): said in the log and in status only.
      this.deps.logger.info('order no longer qualifies; not drafted', { orderNumber: key.orderNumber, reason });
      return 'quarantined';
    }
    this.deps.logger.warn('order quarantined', { orderNumber: key.orderNumber, reason });
    await this.alertOnce(key, 'quarantined', reason);
    return 'quarantined';
  }

  /**
   * Alerts every uncertain or quarantined order that has not been alerted in its current state:
   * those a crash left in `submitting` (marked uncertain at start) and those settled by a cycle
   * that was killed before its alert went out.
   */
  async alertUnreported(): Promise<void> {
    for (const row of this.deps.ledger.listUnalerted()) {
      // An order held for its partner code is told as such (its own texts), also when a crash cut its first alert.
      const held = row.lastErrorCode === PARTNER_CODE_IN_DOUBT && row.partnerEmail ? this.deps.ledger.getPartner(row.partnerEmail)?.partnerCode : undefined;
      await this.alertOnce(row, row.state as 'quarantined' | 'uncertain', row.lastError ?? '', held);
    }
  }

  // Sent before it is marked as sent: a crash in between repeats an alert rather than losing it.
  private async alertOnce(key: OrderKey, state: 'quarantined' | 'uncertain', reason: string, partnerCode?: string): Promise<void> {
    const row = this.deps.ledger.getOrder(key.orderNumber);
    const marker = alertMarker(state, key.dateUpdated);
    if (row?.alertedState === marker) return;
    // A process that lost the ledger reports nothing about orders: the new holder does.
    this.deps.ledger.assertWriter();
    await this.deps.alerts.send({ kind: state, orderNumber: key.orderNumber, reason, ...(partnerCode ? { partnerCode } : {}) });
    this.deps.ledger.setAlerted(key.orderNumber, marker);
  }
}

/** One alert per order, state and version of the order in the shop; the ledger's SQL builds the same text. */
function alertMarker(state: string, dateUpdated: string | null): string {
  return `${state}:${dateUpdated ?? ''}`;
}

export function keyOf(sourced: SourcedOrder): OrderKey {
  if (sourced.ok) return { orderId: sourced.order.id, orderNumber: sourced.order.orderNumber, dateUpdated: sourced.order.dateUpdated };
  return { orderId: sourced.id, orderNumber: sourced.orderNumber ?? sourced.id, dateUpdated: sourced.dateUpdated };
}
