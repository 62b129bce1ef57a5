import type Database from 'better-sqlite3';
import { statementCache } from './statement-cache.js';
import { toEvent, toWatch, type AfterDraftEvent, type NewEvent, type RawEvent, type RawWatch, type WatchRow } from './after-draft-rows.js';

/**
 * The after-draft events (SPEC §1.7): what a person must hear about an order after its draft, each
 * unique per order, kind and version, alerted once, and kept in the order's story. The redrafts
 * (after-draft-redrafts.ts) and the watch (after-draft-store.ts) are written on top of it.
 */
export class AfterDraftEvents {
  /** Statements compiled once (a drafted order runs three of these). */
  protected readonly sql: (text: string) => Database.Statement;

  constructor(
    readonly db: Database.Database,
    protected readonly now: () => Date = () => new Date(),
  ) {
    this.sql = statementCache(db);
  }

  protected stamp(): string {
    return this.now().toISOString();
  }

  protected insertEvent(orderNumber: string, event: NewEvent, alertable: boolean): number | null {
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
}
