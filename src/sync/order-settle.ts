import type { PartnerData } from '../domain/partner.js';
import type { OrderKey } from '../store/ledger.js';
import { NOT_QUALIFYING } from '../store/ledger-rows.js';
import { PARTNER_CODE_IN_DOUBT, markPartnerCodeInDoubt } from '../store/partner-codes.js';
import { MAX_ATTEMPTS, backoffDelayMs, classify, describeError, errorCode } from './classify.js';
import { partnerCodeInDoubtReason } from './partner-code-skip.js';
import { CycleAbort, type OrderOutcome, type PipelineDeps } from './pipeline-types.js';

/**
 * What becomes of an order that did not go through: a failure classified (retry, quarantine,
 * uncertain, or a stop of the cycle or the process), a compare-and-set that missed, and the one
 * alert per order, state and version that a person must hear.
 */
export class OrderSettlement {
  constructor(
    private readonly deps: Pick<PipelineDeps, 'ledger' | 'logger' | 'alerts' | 'random'>,
    private readonly now: () => Date,
  ) {}

  /**
   * A compare-and-set missed: another writer (a person's `retry`/`resolve`) moved the row since it
   * was read. Nothing is sent on it; the row keeps the state the other writer gave it.
   */
  conflict(key: OrderKey): OrderOutcome {
    // A write that matched no row fires no fence trigger: ask before going on to the next order.
    this.deps.ledger.assertWriter();
    const state = this.deps.ledger.getOrder(key.orderNumber)?.state ?? 'gone';
    this.deps.logger.warn('order changed in the ledger meanwhile; left as it is', { orderNumber: key.orderNumber, state });
    return 'skipped';
  }

  /** issue 16 §4: in doubt stays in doubt; nothing is drafted until a person says whose partner the code is. */
  async holdForPartnerCode(key: OrderKey, partner: PartnerData, code: string): Promise<OrderOutcome> {
    this.deps.ledger.assertWriter();
    const reason = partnerCodeInDoubtReason(key.orderNumber, code, partner);
    if (!markPartnerCodeInDoubt(this.deps.ledger, key.orderNumber, key.dateUpdated, reason)) return this.conflict(key);
    this.deps.logger.error('partner code taken after a create whose answer was lost; no draft sent, a person decides', { orderNumber: key.orderNumber, partner: code });
    await this.alertOnce(key, 'uncertain', reason, code);
    return 'uncertain';
  }

  async fail(key: OrderKey, error: unknown, phase: 'before-send' | 'partner' | 'draft', auditId?: number): Promise<OrderOutcome> {
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

  async quarantine(key: OrderKey, code: string, reason: string, auditId?: number): Promise<OrderOutcome> {
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
