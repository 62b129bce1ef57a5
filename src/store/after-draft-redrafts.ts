import type { Fingerprint } from '../domain/fingerprint.js';
import { AfterDraftEvents } from './after-draft-events.js';
import type { NewEvent, RedraftOwner } from './after-draft-rows.js';
import type { Identity } from './process-identity.js';

/**
 * A `redraft` (SPEC §1.7) on the ledger: its intent, its process kept for crash recovery, its end,
 * and a person's `resolve --done` closing one. Each step is one compare-and-set transaction.
 */
export class AfterDraftRedrafts extends AfterDraftEvents {
  /** Forgets the redraft process of an order (it finished, or it is known to be gone). */
  clearRedraft(orderNumber: string): void {
    this.sql('UPDATE after_draft SET redraft_pid = NULL, redraft_owner = NULL, updated_at = ? WHERE order_number = ?').run(this.stamp(), orderNumber);
  }

  /** Orders a redraft process has under way (or left mid-send), with that process. */
  redraftsInFlight(): { orderNumber: string; owner: RedraftOwner }[] {
    return (
      this.sql('SELECT order_number, redraft_pid, redraft_owner, updated_at FROM after_draft WHERE redraft_pid IS NOT NULL').all() as {
        order_number: string;
        redraft_pid: number;
        redraft_owner: string | null;
        updated_at: string;
      }[]
    ).map((r) => ({
      orderNumber: r.order_number,
      // A row without an owner (none is written so any more) is judged by its pid and age only.
      owner: r.redraft_owner
        ? (JSON.parse(r.redraft_owner) as RedraftOwner)
        : { pid: r.redraft_pid, host: '', bootId: null, pidNs: null, startedAt: r.updated_at },
    }));
  }

  /**
   * Intent of a `redraft`, committed before anything is sent: the drafted order becomes quarantined
   * with a sentence saying a redraft is under way (so neither the daemon nor a crash sends anything
   * by itself; a daemon cycle re-tries it only if the order changes in the shop again), its alert
   * counted as sent, the process id kept for crash recovery, and the person's statement about the
   * old draft in the story, as their words. Compare-and-set, checked when it acts: the order is
   * still in the state the command saw (`expected`: drafted, or left by a redraft that stopped
   * before sending), its report is still open (not acked, not redrafted) and no other redraft has
   * it. False otherwise: two redrafts started together, or one typed twice, send one draft.
   */
  startRedraft(orderNumber: string, expected: 'done' | 'quarantined', dateUpdated: string, oldRef: string | null, me: Identity, statement: string): boolean {
    const at = this.stamp();
    const owner: RedraftOwner = { ...me, startedAt: at };
    const reason = `A redraft started at ${at} did not finish; nothing was sent by it. Run "redraft ${orderNumber} --old-draft-deleted" again.`;
    return this.db.transaction(() => {
      const changed = this
        .sql(
          `UPDATE orders SET state = 'quarantined', attempts = 0, next_attempt_at = NULL, last_error = ?, last_error_code = 'REDRAFT',
             date_updated = ?, alerted_state = 'quarantined:' || ?, updated_at = ?
           WHERE order_number = ? AND state = ? AND (state = 'done' OR last_error_code = 'REDRAFT')
             AND EXISTS (SELECT 1 FROM after_draft WHERE order_number = ? AND attention = 1 AND redraft_pid IS NULL)`,
        )
        .run(reason, dateUpdated, dateUpdated, at, orderNumber, expected, orderNumber);
      if (changed.changes !== 1) return false;
      this
        .sql('UPDATE after_draft SET redraft_pid = ?, redraft_owner = ?, updated_at = ? WHERE order_number = ?')
        .run(me.pid, JSON.stringify(owner), at, orderNumber);
      this.insertEvent(orderNumber, { kind: 'redraft-started', version: dateUpdated, reason: statement, cashmanRef: oldRef }, false);
      return true;
    }).immediate();
  }

  /** The redraft is over: with a new draft the order needs no attention any more. */
  finishRedraft(orderNumber: string, event: NewEvent, drafted: boolean): void {
    this.db.transaction(() => {
      this.insertEvent(orderNumber, event, false);
      this
        .sql(`UPDATE after_draft SET redraft_pid = NULL, redraft_owner = NULL, attention = CASE WHEN ? THEN 0 ELSE attention END, updated_at = ? WHERE order_number = ?`)
        .run(drafted ? 1 : 0, this.stamp(), orderNumber);
    })();
  }

  /**
   * A person resolved an uncertain order as done: its draft exists, made from `base` (its last
   * draft request; {} when none is readable, so only a cancellation is seen). While it was
   * uncertain nobody compared it, and the storno sweep moved on, so the watch starts over with no
   * version seen: the next cycle looks at it once (firstLooksDue) and reports what it finds.
   */
  resolvedByHand(orderNumber: string, base: Fingerprint | null): void {
    // The uncertain draft was a redraft's (or came after one): its report is dealt with now, so a
    // `redraft` typed again is refused like after any redraft that sent its draft.
    this.completeOpenRedraft(orderNumber, 'A person confirmed with "resolve --done" that the new draft of the redraft exists in Cashman.');
    this
      .sql(
        `INSERT INTO after_draft (order_number, fingerprint, source, seen_updated, observed, condition, updated_at)
         VALUES (?, ?, 'audit', NULL, NULL, 'ok', ?)
         ON CONFLICT (order_number) DO UPDATE SET fingerprint = excluded.fingerprint, source = 'audit',
           seen_updated = NULL, observed = NULL, condition = 'ok', updated_at = excluded.updated_at`,
      )
      .run(orderNumber, JSON.stringify(base ?? {}), this.stamp());
  }

  /** A redraft started after the order's last report and not finished: its new draft exists now, so the report is dealt with. */
  protected completeOpenRedraft(orderNumber: string, reason: string): void {
    const last = (kinds: string) =>
      (this.sql(`SELECT MAX(id) AS id FROM after_draft_events WHERE order_number = ? AND kind IN (${kinds})`).get(orderNumber) as { id: number | null }).id ?? 0;
    const started = last("'redraft-started'");
    if (started === 0 || started < last("'cancelled','changed','restored'") || started < last("'redrafted'")) return;
    this.insertEvent(orderNumber, { kind: 'redrafted', version: null, reason, cashmanRef: null }, false);
    this.sql('UPDATE after_draft SET attention = 0 WHERE order_number = ?').run(orderNumber);
  }
}
