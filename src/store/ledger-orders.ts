import { NOT_QUALIFYING, ORDER_STATES, toOrderRow, type OrderKey, type OrderRow, type OrderState, type RawOrderRow } from './ledger-rows.js';
import { LedgerConnection, type Intent } from './ledger-connection.js';

/**
 * The orders table: one row per Shoprenter order, moved through its states by compare-and-set
 * updates, each intent committed (and fenced) before the request it guards.
 */
export class LedgerOrders extends LedgerConnection {
  /** By order number (innerId): the ledger's key since migration 2. */
  getOrder(orderNumber: string): OrderRow | undefined {
    const raw = this.sql('SELECT * FROM orders WHERE order_number = ?').get(orderNumber) as RawOrderRow | undefined;
    return raw && toOrderRow(raw);
  }

  /** By order number (what people type) or API id. */
  findOrder(ref: string): OrderRow | undefined {
    const raw = this
      .sql('SELECT * FROM orders WHERE order_number = ? OR order_id = ? ORDER BY order_number = ? DESC, updated_at DESC LIMIT 1')
      .get(ref, ref, ref) as RawOrderRow | undefined;
    return raw && toOrderRow(raw);
  }

  /**
   * Puts a new, waiting or quarantined order in line as `pending` with a fresh attempt count.
   * Compare-and-set: a row in any other state (submitting, done, uncertain, failed) is left alone
   * and false comes back. Lazy: nothing is sent on it alone.
   */
  markPending(key: OrderKey, partnerEmail: string | null = null): boolean {
    const at = this.stamp();
    return this.lazily(
      () =>
        this
          .sql(
            `INSERT INTO orders (order_number, order_id, state, attempts, date_updated, partner_email, created_at, updated_at)
             VALUES (@orderNumber, @orderId, 'pending', 0, @dateUpdated, @partnerEmail, @at, @at)
             ON CONFLICT (order_number) DO UPDATE SET state = 'pending', attempts = 0, next_attempt_at = NULL,
               last_error = NULL, last_error_code = NULL, order_id = @orderId,
               date_updated = COALESCE(@dateUpdated, date_updated), partner_email = COALESCE(@partnerEmail, partner_email), updated_at = @at
             WHERE orders.state IN ('pending', 'quarantined')`,
          )
          .run({ ...key, partnerEmail, at }).changes === 1,
    );
  }

  /**
   * Intent: the draft request is about to leave. Committed before the request, together with the
   * audit row of exactly what is sent, so a crash from here on is seen as "maybe sent"; the request
   * leaves once `durable` resolved.
   */
  markSubmitting(key: OrderKey, partnerEmail: string, requestRows: unknown): Intent | null {
    const at = this.stamp();
    const { result: auditId, durable } = this.intent(() => {
      this.checkFence();
      const changed = this
        .sql(
          `UPDATE orders SET state = 'submitting', partner_email = ?, date_updated = COALESCE(?, date_updated), updated_at = ?
           WHERE order_number = ? AND state IN ('pending', 'failed')`,
        )
        .run(partnerEmail, key.dateUpdated, at, key.orderNumber);
      // Compare-and-set missed: someone else moved the row; nothing is sent (the caller reports it).
      if (changed.changes !== 1) return null;
      return Number(
        this
          .sql(`INSERT INTO audit (at, order_id, order_number, kind, request, outcome) VALUES (?, ?, ?, 'draft', ?, 'sent')`)
          .run(at, key.orderId, key.orderNumber, JSON.stringify(requestRows)).lastInsertRowid,
      );
    });
    return auditId === null ? null : { auditId, durable };
  }

  /**
   * Lazy: losing this commit to a power cut leaves the durable `submitting` row, which the next
   * start turns into `uncertain` (checked by a person, never resent); the next intent or the end
   * of the cycle makes it durable within milliseconds. See BENCHMARKS.md, "Durability".
   * Only from `submitting`; the audit row records Cashman's answer either way.
   */
  markDone(orderNumber: string, cashmanRef: string | null, auditId?: number): boolean {
    const at = this.stamp();
    return this.lazily(() => {
      const changed = this
        .sql(
          `UPDATE orders SET state = 'done', cashman_ref = ?, last_error = NULL, last_error_code = NULL, next_attempt_at = NULL, updated_at = ?
           WHERE order_number = ? AND state = 'submitting'`,
        )
        .run(cashmanRef, at, orderNumber).changes;
      if (auditId !== undefined) this.sql(`UPDATE audit SET outcome = 'ok', response = ? WHERE id = ?`).run(cashmanRef, auditId);
      return changed === 1;
    });
  }

  /**
   * The draft request was answered with a login refusal, so it provably created nothing: back to
   * `pending` without counting an attempt (SPEC §2: login failures touch no order).
   */
  releaseSubmitting(orderNumber: string, auditId: number, outcome: string): void {
    this.db.transaction(() => {
      this.sql(`UPDATE orders SET state = 'pending', updated_at = ? WHERE order_number = ? AND state = 'submitting'`).run(this.stamp(), orderNumber);
      this.sql('UPDATE audit SET outcome = ? WHERE id = ?').run(outcome, auditId);
    })();
  }

  /** A temporary failure: counted, and due again at `nextAttemptAt`. Only from pending, submitting or failed. */
  markFailed(orderNumber: string, code: string, message: string, nextAttemptAt: Date, auditId?: number): boolean {
    return this.db.transaction(() => {
      const changed = this
        .sql(
          `UPDATE orders SET state = 'failed', attempts = attempts + 1, next_attempt_at = ?, last_error = ?, last_error_code = ?, updated_at = ?
           WHERE order_number = ? AND state IN ('pending', 'submitting', 'failed')`,
        )
        .run(nextAttemptAt.toISOString(), message, code, this.stamp(), orderNumber).changes;
      if (auditId !== undefined) this.sql(`UPDATE audit SET outcome = ? WHERE id = ?`).run(code, auditId);
      return changed === 1;
    })();
  }

  /**
   * Needs a person (or a change of the order in the shop). Creates the row when the order was never
   * seen; never overwrites a done or uncertain one (a draft may exist there).
   */
  markQuarantined(key: OrderKey, code: string, message: string, auditId?: number): boolean {
    return this.settle(key, 'quarantined', "'pending', 'submitting', 'failed', 'quarantined'", code, message, auditId);
  }

  /** A draft may or may not exist in Cashman: never resent automatically. Only a new or `submitting` row. */
  markUncertain(key: OrderKey, code: string, message: string, auditId?: number): boolean {
    return this.settle(key, 'uncertain', "'submitting'", code, message, auditId);
  }

  private settle(key: OrderKey, state: 'quarantined' | 'uncertain', expected: string, code: string, message: string, auditId?: number): boolean {
    const at = this.stamp();
    return this.db.transaction(() => {
      const changed = this
        .sql(
          `INSERT INTO orders (order_number, order_id, state, attempts, last_error, last_error_code, date_updated, created_at, updated_at)
           VALUES (@orderNumber, @orderId, @state, 0, @message, @code, @dateUpdated, @at, @at)
           ON CONFLICT (order_number) DO UPDATE SET state = @state, last_error = @message, last_error_code = @code, order_id = @orderId,
             next_attempt_at = NULL, date_updated = COALESCE(@dateUpdated, date_updated), updated_at = @at
           WHERE orders.state IN (${expected})`,
        )
        .run({ ...key, state, message, code, at }).changes;
      if (auditId !== undefined) this.sql(`UPDATE audit SET outcome = ? WHERE id = ?`).run(code, auditId);
      return changed === 1;
    })();
  }

  /**
   * `retry`: back in line with a fresh attempt count, only if the row is still in the state the
   * person saw (one conditional UPDATE: safe while the daemon runs, no lock needed).
   */
  requeue(orderNumber: string, expected: OrderState): boolean {
    return (
      this
        .sql(
          `UPDATE orders SET state = 'pending', attempts = 0, next_attempt_at = NULL, alerted_state = NULL, updated_at = ?
           WHERE order_number = ? AND state = ?`,
        )
        .run(this.stamp(), orderNumber, expected).changes === 1
    );
  }

  /** `resolve --done`: a person confirmed the draft of an uncertain order exists in Cashman. */
  resolveDone(orderNumber: string, note: string): boolean {
    return (
      this
        .sql(
          `UPDATE orders SET state = 'done', cashman_ref = COALESCE(cashman_ref, ?), last_error = NULL, last_error_code = NULL, next_attempt_at = NULL, updated_at = ?
           WHERE order_number = ? AND state = 'uncertain'`,
        )
        .run(note, this.stamp(), orderNumber).changes === 1
    );
  }

  /**
   * Orders left in `submitting` by a crash: their request may have reached Cashman. A row that a
   * `redraft` process marked as its own (after_draft.redraft_pid) is left out: `redraft` runs beside
   * the daemon without the writer lock, so its row is judged by that process's life instead
   * (recoverRedrafts in src/sync/after-draft-cycle.ts, before every cycle).
   */
  // Call only while holding the writer lock: otherwise a `submitting` row may be another live
  // process's request in flight, not a crash's leftover.
  recoverInterrupted(message: (row: OrderRow) => string): OrderRow[] {
    const rows = (
      this.sql(
        `SELECT * FROM orders WHERE state = 'submitting'
           AND order_number NOT IN (SELECT order_number FROM after_draft WHERE redraft_pid IS NOT NULL)`,
      ).all() as RawOrderRow[]
    ).map(toOrderRow);
    return rows.filter((row) => this.markUncertain(row, 'INTERRUPTED', message(row)));
  }

  /** Failed orders whose backoff has passed, and pending ones (put back in line by `retry`, or left by a crash before sending). */
  dueRetries(limit = 200): OrderRow[] {
    return (
      this
        .sql(
          `SELECT * FROM orders WHERE (state = 'failed' AND next_attempt_at <= @now) OR state = 'pending'
           ORDER BY COALESCE(next_attempt_at, updated_at) LIMIT @limit`,
        )
        .all({ now: this.stamp(), limit }) as RawOrderRow[]
    ).map(toOrderRow);
  }

  counts(): Record<OrderState, number> {
    const counts = Object.fromEntries(ORDER_STATES.map((state) => [state, 0])) as Record<OrderState, number>;
    for (const row of this.sql('SELECT state, COUNT(*) AS n FROM orders GROUP BY state').all() as { state: OrderState; n: number }[]) {
      counts[row.state] = row.n;
    }
    return counts;
  }

  /** Every order that is not done, most urgent first. */
  listNotDone(): OrderRow[] {
    return (
      this
        .sql(
          `SELECT * FROM orders WHERE state <> 'done'
           ORDER BY CASE state WHEN 'uncertain' THEN 0 WHEN 'quarantined' THEN 1 WHEN 'submitting' THEN 2 WHEN 'failed' THEN 3 ELSE 4 END, updated_at`,
        )
        .all() as RawOrderRow[]
    ).map(toOrderRow);
  }

  /**
   * Quarantined or uncertain orders whose alert for their current state has not gone out (the
   * marker is "state:dateUpdated", as process-order writes it): checked every cycle, so it is one
   * indexed query instead of a lookup per order that needs a person.
   */
  listUnalerted(): OrderRow[] {
    return (
      this.sql(
        `SELECT * FROM orders WHERE state IN ('quarantined', 'uncertain')
           AND alerted_state IS NOT (state || ':' || COALESCE(date_updated, ''))
           AND last_error_code IS NOT '${NOT_QUALIFYING}'
         ORDER BY updated_at`,
      ).all() as RawOrderRow[]
    ).map(toOrderRow);
  }

  setAlerted(orderNumber: string, state: string): void {
    this.sql('UPDATE orders SET alerted_state = ? WHERE order_number = ?').run(state, orderNumber);
  }
}
