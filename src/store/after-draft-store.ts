import type Database from 'better-sqlite3';
import type { DraftCondition } from '../domain/after-draft-judgement.js';
import type { Fingerprint } from '../domain/fingerprint.js';
import { toEvent, toWatch, type AfterDraftEvent, type NewEvent, type RawEvent, type RawWatch, type RedraftOwner, type WatchRow } from './after-draft-rows.js';
import type { Identity } from './writer-lock.js';
import { lazyTransaction, statementCache } from './statement-cache.js';

export type { AfterDraftEvent, EventKind, NewEvent, RedraftOwner, WatchRow } from './after-draft-rows.js';

/**
 * The ledger's part for life after the draft (SPEC §1.7), on the ledger's own database handle:
 * fingerprints of what each draft was built from, and the events a person must hear about. Orders
 * are known here by their order number (innerId). Every report is one transaction together with
 * the new condition, and an event is unique per order, kind and version, so a version is reported
 * once however often it is listed.
 */

export class AfterDraftStore {
  /** Statements compiled once (a drafted order runs three of these). */
  private readonly sql: (text: string) => Database.Statement;

  constructor(
    readonly db: Database.Database,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.sql = statementCache(db);
  }

  private stamp(): string {
    return this.now().toISOString();
  }

  get(orderNumber: string): WatchRow | undefined {
    const raw = this.sql('SELECT * FROM after_draft WHERE order_number = ?').get(orderNumber) as RawWatch | undefined;
    return raw && toWatch(raw);
  }

  /**
   * The draft was just made (or remade) from `fingerprint`: the order matches it. Committed without
   * waiting for the disk, like the ledger's markDone it follows: no request depends on it, and a
   * fingerprint lost to a power cut is rebuilt from the audit trail (see Ledger.lazily).
   */
  recordDraft(orderNumber: string, fingerprint: Fingerprint, dateUpdated: string, statusId: string | null = null): void {
    const json = JSON.stringify(fingerprint);
    lazyTransaction(this.db, () => {
      // The daemon drafted an order a redraft had started on and left (its draft failed for a
      // passing reason, and the daemon sent it later): that draft completes the redraft. A
      // redraft's own draft is closed by finishRedraft (its process is still recorded).
      const row = this.get(orderNumber);
      if (row && row.redraftPid === null) this.completeOpenRedraft(orderNumber, 'The daemon sent the new draft that a redraft had started on.');
      this
        .sql(
          `INSERT INTO after_draft (order_number, fingerprint, source, seen_updated, observed, condition, updated_at, status_id)
           VALUES (?, ?, 'draft', ?, ?, 'ok', ?, ?)
           ON CONFLICT (order_number) DO UPDATE SET fingerprint = excluded.fingerprint, source = 'draft',
             seen_updated = excluded.seen_updated, observed = excluded.observed, condition = 'ok', updated_at = excluded.updated_at,
             status_id = excluded.status_id`,
        )
        .run(orderNumber, json, dateUpdated, json, this.stamp(), statusId);
    });
  }

  /** First sight of an order drafted before fingerprints existed. */
  adopt(orderNumber: string, base: Fingerprint, source: 'audit' | 'observed'): WatchRow {
    this
      .sql(`INSERT OR IGNORE INTO after_draft (order_number, fingerprint, source, updated_at) VALUES (?, ?, ?, ?)`)
      .run(orderNumber, JSON.stringify(base), source, this.stamp());
    return this.get(orderNumber)!;
  }

  /** Records a compared version; with an event, also the report (attention until acked). Returns the new event's id, if any. */
  settleVersion(
    orderNumber: string,
    seenUpdated: string,
    observed: Fingerprint,
    condition: DraftCondition,
    event: NewEvent | null,
    statusId?: string | null,
  ): number | null {
    return this.db.transaction(() => {
      this
        .sql('UPDATE after_draft SET seen_updated = ?, observed = ?, condition = ?, updated_at = ?, status_id = COALESCE(?, status_id) WHERE order_number = ?')
        .run(seenUpdated, JSON.stringify(observed), condition, this.stamp(), statusId ?? null, orderNumber);
      if (event === null) return null;
      const id = this.insertEvent(orderNumber, event, true);
      if (id !== null) this.sql('UPDATE after_draft SET attention = 1 WHERE order_number = ?').run(orderNumber);
      return id;
    })();
  }

  /**
   * Drafted orders last seen in one of `statusIds` that are not counted as cancelled, with that
   * status: after `sync.cancelStatuses` changed, these are judged again (issue 17).
   */
  inStatusNotCancelled(statusIds: readonly string[]): (WatchRow & { statusId: string })[] {
    if (statusIds.length === 0) return [];
    const marks = statusIds.map(() => '?').join(', ');
    const rows = this
      .sql(`SELECT * FROM after_draft WHERE status_id IN (${marks}) AND condition != 'cancelled' AND redraft_pid IS NULL ORDER BY order_number`)
      .all(...statusIds) as (RawWatch & { status_id: string })[];
    return rows.map((raw) => ({ ...toWatch(raw), statusId: raw.status_id }));
  }

  private insertEvent(orderNumber: string, event: NewEvent, alertable: boolean): number | null {
    const result = this
      .sql(
        `INSERT OR IGNORE INTO after_draft_events (at, order_number, kind, version, reason, cashman_ref, alerted)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(this.stamp(), orderNumber, event.kind, event.version, event.reason, event.cashmanRef, alertable ? 0 : 1);
    return result.changes === 1 ? Number(result.lastInsertRowid) : null;
  }

  /** Reportable events whose alert has not gone out (a crash between the two is repaired next cycle). */
  unalerted(): AfterDraftEvent[] {
    return (this.sql('SELECT * FROM after_draft_events WHERE alerted = 0 ORDER BY id').all() as RawEvent[]).map(toEvent);
  }

  setAlerted(eventId: number): void {
    this.sql('UPDATE after_draft_events SET alerted = 1 WHERE id = ?').run(eventId);
  }

  /** Orders reported and not yet acked, each with its latest report. */
  needingAttention(): { watch: WatchRow; event: AfterDraftEvent }[] {
    const rows = this
      .sql(
        `SELECT a.*, e.id AS e_id FROM after_draft a
         JOIN after_draft_events e ON e.id = (SELECT MAX(id) FROM after_draft_events
           WHERE order_number = a.order_number AND kind IN ('cancelled','changed','restored'))
         WHERE a.attention = 1 ORDER BY e.id`,
      )
      .all() as (RawWatch & { e_id: number })[];
    return rows.map((raw) => ({ watch: toWatch(raw), event: this.event(raw.e_id)! }));
  }

  private event(id: number): AfterDraftEvent | undefined {
    const raw = this.sql('SELECT * FROM after_draft_events WHERE id = ?').get(id) as RawEvent | undefined;
    return raw && toEvent(raw);
  }

  eventsFor(orderNumber: string): AfterDraftEvent[] {
    return (this.sql('SELECT * FROM after_draft_events WHERE order_number = ? ORDER BY id').all(orderNumber) as RawEvent[]).map(toEvent);
  }

  /** `ack`: compare-and-set on the attention flag, so two acks record one. */
  ack(orderNumber: string, note: string, cashmanRef: string | null): boolean {
    return this.db.transaction(() => {
      const changed = this.sql('UPDATE after_draft SET attention = 0, updated_at = ? WHERE order_number = ? AND attention = 1').run(this.stamp(), orderNumber);
      if (changed.changes !== 1) return false;
      this.insertEvent(orderNumber, { kind: 'acked', version: null, reason: note, cashmanRef }, false);
      return true;
    })();
  }

  /** A note in the order's story that needs no alert (redraft steps). */
  note(orderNumber: string, event: NewEvent): void {
    this.insertEvent(orderNumber, event, false);
  }

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
   * The last successful draft request of an order, from the audit trail (JSON rows), or null. With
   * `anyOutcome`, the last one sent whatever its answer: what an uncertain draft a person resolved
   * as done was made from.
   */
  lastDraftRequest(orderNumber: string, anyOutcome = false): unknown {
    const raw = this
      .sql(`SELECT request FROM audit WHERE order_number = ? AND kind = 'draft' AND (outcome = 'ok' OR ?) ORDER BY id DESC LIMIT 1`)
      .get(orderNumber, anyOutcome ? 1 : 0) as { request: string } | undefined;
    return raw ? (JSON.parse(raw.request) as unknown) : null;
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
  private completeOpenRedraft(orderNumber: string, reason: string): void {
    const last = (kinds: string) =>
      (this.sql(`SELECT MAX(id) AS id FROM after_draft_events WHERE order_number = ? AND kind IN (${kinds})`).get(orderNumber) as { id: number | null }).id ?? 0;
    const started = last("'redraft-started'");
    if (started === 0 || started < last("'cancelled','changed','restored'") || started < last("'redrafted'")) return;
    this.insertEvent(orderNumber, { kind: 'redrafted', version: null, reason, cashmanRef: null }, false);
    this.sql('UPDATE after_draft SET attention = 0 WHERE order_number = ?').run(orderNumber);
  }

  /** Drafted orders the watch has never compared (resolved by hand, or a crash right after adopt). */
  firstLooksDue(): string[] {
    return (
      this
        .sql(
          `SELECT a.order_number FROM after_draft a JOIN orders o ON o.order_number = a.order_number
           WHERE a.seen_updated IS NULL AND o.state = 'done' AND a.redraft_pid IS NULL ORDER BY a.order_number`,
        )
        .all() as { order_number: string }[]
    ).map((r) => r.order_number);
  }

  /**
   * Drafted orders the storno check (src/sync/storno-check.ts) expects in the shop's list: done, not
   * known to be cancelled, no redraft in flight, and changed last at or after `since` (shop-local):
   * an order whose drafted version is older than `since` was created before it too. Orders the
   * daemon drafted before it kept fingerprints have no watch row yet and are included.
   */
  stornoCheckCandidates(since: string): string[] {
    return (
      this
        .sql(
          `SELECT o.order_number FROM orders o LEFT JOIN after_draft a ON a.order_number = o.order_number
           WHERE o.state = 'done' AND (o.date_updated IS NULL OR o.date_updated >= ?)
             AND COALESCE(a.condition, 'ok') <> 'cancelled' AND a.redraft_pid IS NULL
           ORDER BY o.order_number`,
        )
        .all(since) as { order_number: string }[]
    ).map((r) => r.order_number);
  }

  /** The order is gone from the shop altogether: nothing to compare, and no reason to look again. */
  markLooked(orderNumber: string, version: string): void {
    this.sql('UPDATE after_draft SET seen_updated = ?, updated_at = ? WHERE order_number = ? AND seen_updated IS NULL').run(version, this.stamp(), orderNumber);
  }
}
