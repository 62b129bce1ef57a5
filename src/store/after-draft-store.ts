import type { DraftCondition } from '../domain/after-draft-judgement.js';
import type { Fingerprint } from '../domain/fingerprint.js';
import { lazyTransaction } from './statement-cache.js';
import { AfterDraftRedrafts } from './after-draft-redrafts.js';
import { toWatch, type NewEvent, type RawWatch, type WatchRow } from './after-draft-rows.js';

export type { AfterDraftEvent, EventKind, NewEvent, RedraftOwner, WatchRow } from './after-draft-rows.js';

/**
 * The ledger's part for life after the draft (SPEC §1.7), on the ledger's own database handle:
 * fingerprints of what each draft was built from, and the events a person must hear about. Orders
 * are known here by their order number (innerId). Every report is one transaction together with
 * the new condition, and an event is unique per order, kind and version, so a version is reported
 * once however often it is listed. Split by responsibility: the events (after-draft-events.ts),
 * the redrafts (after-draft-redrafts.ts), and here the watch of each drafted order.
 */
export class AfterDraftStore extends AfterDraftRedrafts {
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
