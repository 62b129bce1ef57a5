import type Database from 'better-sqlite3';
import type { AfterDraftEventKind, DraftCondition } from '../domain/after-draft-judgement.js';
import type { Fingerprint } from '../domain/fingerprint.js';
import type { Identity } from './writer-lock.js';

/**
 * The ledger's part for life after the draft (SPEC §1.7), on the ledger's own database handle:
 * fingerprints of what each draft was built from, and the events a person must hear about. Orders
 * are known here by their order number (innerId). Every report is one transaction together with
 * the new condition, and an event is unique per order, kind and version, so a version is reported
 * once however often it is listed.
 */

export interface WatchRow {
  orderNumber: string;
  fingerprint: Fingerprint;
  source: 'draft' | 'audit' | 'observed';
  seenUpdated: string | null;
  observed: Fingerprint | null;
  condition: DraftCondition;
  attention: boolean;
  redraftPid: number | null;
}

/** The process a `redraft` runs in, as recorded with its intent (judged by src/sync/after-draft-cycle.ts). */
export interface RedraftOwner extends Identity {
  startedAt: string;
}

export type EventKind = AfterDraftEventKind | 'acked' | 'redraft-started' | 'redrafted' | 'redraft-failed';

export interface AfterDraftEvent {
  id: number;
  at: string;
  orderNumber: string;
  kind: EventKind;
  version: string | null;
  reason: string;
  cashmanRef: string | null;
  alerted: boolean;
}

interface RawWatch {
  order_number: string;
  fingerprint: string;
  source: WatchRow['source'];
  seen_updated: string | null;
  observed: string | null;
  condition: DraftCondition;
  attention: number;
  redraft_pid: number | null;
}

interface RawEvent {
  id: number;
  at: string;
  order_number: string;
  kind: EventKind;
  version: string | null;
  reason: string;
  cashman_ref: string | null;
  alerted: number;
}

const toWatch = (raw: RawWatch): WatchRow => ({
  orderNumber: raw.order_number,
  fingerprint: JSON.parse(raw.fingerprint) as Fingerprint,
  source: raw.source,
  seenUpdated: raw.seen_updated,
  observed: raw.observed === null ? null : (JSON.parse(raw.observed) as Fingerprint),
  condition: raw.condition,
  attention: raw.attention === 1,
  redraftPid: raw.redraft_pid,
});

const toEvent = (raw: RawEvent): AfterDraftEvent => ({
  id: raw.id,
  at: raw.at,
  orderNumber: raw.order_number,
  kind: raw.kind,
  version: raw.version,
  reason: raw.reason,
  cashmanRef: raw.cashman_ref,
  alerted: raw.alerted === 1,
});

export interface NewEvent {
  kind: EventKind;
  version: string | null;
  reason: string;
  cashmanRef: string | null;
}

export class AfterDraftStore {
  constructor(
    readonly db: Database.Database,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private stamp(): string {
    return this.now().toISOString();
  }

  get(orderNumber: string): WatchRow | undefined {
    const raw = this.db.prepare('SELECT * FROM after_draft WHERE order_number = ?').get(orderNumber) as RawWatch | undefined;
    return raw && toWatch(raw);
  }

  /**
   * The draft was just made (or remade) from `fingerprint`: the order matches it. Committed without
   * waiting for the disk, like the ledger's markDone it follows: no request depends on it, and a
   * fingerprint lost to a power cut is rebuilt from the audit trail (see Ledger.lazily).
   */
  recordDraft(orderNumber: string, fingerprint: Fingerprint, dateUpdated: string, statusId: string | null = null): void {
    const json = JSON.stringify(fingerprint);
    this.db.pragma('synchronous = NORMAL');
    try {
      this.db
        .prepare(
        `INSERT INTO after_draft (order_number, fingerprint, source, seen_updated, observed, condition, updated_at, status_id)
         VALUES (?, ?, 'draft', ?, ?, 'ok', ?, ?)
         ON CONFLICT (order_number) DO UPDATE SET fingerprint = excluded.fingerprint, source = 'draft',
           seen_updated = excluded.seen_updated, observed = excluded.observed, condition = 'ok', updated_at = excluded.updated_at,
           status_id = excluded.status_id`,
      )
        .run(orderNumber, json, dateUpdated, json, this.stamp(), statusId);
    } finally {
      this.db.pragma('synchronous = FULL');
    }
  }

  /** First sight of an order drafted before fingerprints existed. */
  adopt(orderNumber: string, base: Fingerprint, source: 'audit' | 'observed'): WatchRow {
    this.db
      .prepare(`INSERT OR IGNORE INTO after_draft (order_number, fingerprint, source, updated_at) VALUES (?, ?, ?, ?)`)
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
      this.db
        .prepare('UPDATE after_draft SET seen_updated = ?, observed = ?, condition = ?, updated_at = ?, status_id = COALESCE(?, status_id) WHERE order_number = ?')
        .run(seenUpdated, JSON.stringify(observed), condition, this.stamp(), statusId ?? null, orderNumber);
      if (event === null) return null;
      const id = this.insertEvent(orderNumber, event, true);
      if (id !== null) this.db.prepare('UPDATE after_draft SET attention = 1 WHERE order_number = ?').run(orderNumber);
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
    const rows = this.db
      .prepare(`SELECT * FROM after_draft WHERE status_id IN (${marks}) AND condition != 'cancelled' AND redraft_pid IS NULL ORDER BY order_number`)
      .all(...statusIds) as (RawWatch & { status_id: string })[];
    return rows.map((raw) => ({ ...toWatch(raw), statusId: raw.status_id }));
  }

  private insertEvent(orderNumber: string, event: NewEvent, alertable: boolean): number | null {
    const result = this.db
      .prepare(
        `INSERT OR IGNORE INTO after_draft_events (at, order_number, kind, version, reason, cashman_ref, alerted)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(this.stamp(), orderNumber, event.kind, event.version, event.reason, event.cashmanRef, alertable ? 0 : 1);
    return result.changes === 1 ? Number(result.lastInsertRowid) : null;
  }

  /** Reportable events whose alert has not gone out (a crash between the two is repaired next cycle). */
  unalerted(): AfterDraftEvent[] {
    return (this.db.prepare('SELECT * FROM after_draft_events WHERE alerted = 0 ORDER BY id').all() as RawEvent[]).map(toEvent);
  }

  setAlerted(eventId: number): void {
    this.db.prepare('UPDATE after_draft_events SET alerted = 1 WHERE id = ?').run(eventId);
  }

  /** Orders reported and not yet acked, each with its latest report. */
  needingAttention(): { watch: WatchRow; event: AfterDraftEvent }[] {
    const rows = this.db
      .prepare(
        `SELECT a.*, e.id AS e_id FROM after_draft a
         JOIN after_draft_events e ON e.id = (SELECT MAX(id) FROM after_draft_events
           WHERE order_number = a.order_number AND kind IN ('cancelled','changed','restored'))
         WHERE a.attention = 1 ORDER BY e.id`,
      )
      .all() as (RawWatch & { e_id: number })[];
    return rows.map((raw) => ({ watch: toWatch(raw), event: this.event(raw.e_id)! }));
  }

  private event(id: number): AfterDraftEvent | undefined {
    const raw = this.db.prepare('SELECT * FROM after_draft_events WHERE id = ?').get(id) as RawEvent | undefined;
    return raw && toEvent(raw);
  }

  eventsFor(orderNumber: string): AfterDraftEvent[] {
    return (this.db.prepare('SELECT * FROM after_draft_events WHERE order_number = ? ORDER BY id').all(orderNumber) as RawEvent[]).map(toEvent);
  }

  /** `ack`: compare-and-set on the attention flag, so two acks record one. */
  ack(orderNumber: string, note: string, cashmanRef: string | null): boolean {
    return this.db.transaction(() => {
      const changed = this.db.prepare('UPDATE after_draft SET attention = 0, updated_at = ? WHERE order_number = ? AND attention = 1').run(this.stamp(), orderNumber);
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
    this.db.prepare('UPDATE after_draft SET redraft_pid = NULL, redraft_owner = NULL, updated_at = ? WHERE order_number = ?').run(this.stamp(), orderNumber);
  }

  /** Orders a redraft process has under way (or left mid-send), with that process. */
  redraftsInFlight(): { orderNumber: string; owner: RedraftOwner }[] {
    return (
      this.db.prepare('SELECT order_number, redraft_pid, redraft_owner, updated_at FROM after_draft WHERE redraft_pid IS NOT NULL').all() as {
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
   * counted as sent, the process id kept for crash recovery, and the old reference in the story.
   * Compare-and-set on the state the person's command saw (`expected`): false when another process
   * moved the order meanwhile, or when it is not drafted (or left by a redraft) any more.
   */
  startRedraft(orderNumber: string, expected: 'done' | 'quarantined', dateUpdated: string, oldRef: string | null, me: Identity): boolean {
    const at = this.stamp();
    const owner: RedraftOwner = { ...me, startedAt: at };
    const reason = `A redraft started at ${at} did not finish; nothing was sent by it. Run "redraft ${orderNumber}" again.`;
    return this.db.transaction(() => {
      const changed = this.db
        .prepare(
          `UPDATE orders SET state = 'quarantined', attempts = 0, next_attempt_at = NULL, last_error = ?, last_error_code = 'REDRAFT',
             date_updated = ?, alerted_state = 'quarantined:' || ?, updated_at = ?
           WHERE order_number = ? AND state = ? AND (state = 'done' OR last_error_code = 'REDRAFT')`,
        )
        .run(reason, dateUpdated, dateUpdated, at, orderNumber, expected);
      if (changed.changes !== 1) return false;
      this.db
        .prepare(`INSERT OR IGNORE INTO after_draft (order_number, fingerprint, source, updated_at) VALUES (?, '{}', 'observed', ?)`)
        .run(orderNumber, at);
      this.db
        .prepare('UPDATE after_draft SET redraft_pid = ?, redraft_owner = ?, updated_at = ? WHERE order_number = ?')
        .run(me.pid, JSON.stringify(owner), at, orderNumber);
      this.insertEvent(orderNumber, { kind: 'redraft-started', version: dateUpdated, reason: `Redraft requested; the old draft ${oldRef ?? '(reference unknown)'} was deleted in Cashman.`, cashmanRef: oldRef }, false);
      return true;
    })();
  }

  /** The redraft is over: with a new draft the order needs no attention any more. */
  finishRedraft(orderNumber: string, event: NewEvent, drafted: boolean): void {
    this.db.transaction(() => {
      this.insertEvent(orderNumber, event, false);
      this.db
        .prepare(`UPDATE after_draft SET redraft_pid = NULL, redraft_owner = NULL, attention = CASE WHEN ? THEN 0 ELSE attention END, updated_at = ? WHERE order_number = ?`)
        .run(drafted ? 1 : 0, this.stamp(), orderNumber);
    })();
  }

  /** The last successful draft request of an order, from the audit trail (JSON rows), or null. */
  lastDraftRequest(orderNumber: string): unknown {
    const raw = this.db
      .prepare(`SELECT request FROM audit WHERE order_number = ? AND kind = 'draft' AND outcome = 'ok' ORDER BY id DESC LIMIT 1`)
      .get(orderNumber) as { request: string } | undefined;
    return raw ? (JSON.parse(raw.request) as unknown) : null;
  }
}
