import type Database from 'better-sqlite3';

/** A way an alert reaches a person; the ledger names the channel, never its address. */
export type AlertChannel = 'webhook' | 'email';

/** One alert waiting on one channel. */
export interface WaitingDelivery {
  alertId: number;
  channel: AlertChannel;
  /** When it was enqueued (ISO UTC). */
  at: string;
  kind: string;
  orderNumber: string | null;
  /** The alert as JSON, exactly as enqueued. */
  event: string;
  attempts: number;
  nextAttemptAt: string | null;
}

/** One alert as it was raised, whichever channels carried it (the morning summary reads these). */
export interface RaisedAlert {
  id: number;
  at: string;
  kind: string;
  orderNumber: string | null;
  event: string;
}

interface RawWaiting {
  alert_id: number;
  channel: AlertChannel;
  at: string;
  kind: string;
  order_number: string | null;
  event: string;
  attempts: number;
  next_attempt_at: string | null;
}

/**
 * The alert outbox (SPEC §2 "delivered, never fired"). Raising an alert is one local insert, from
 * any process (a command, a writer that lost the lock); the process holding the writer lock
 * delivers it later, channel by channel. A delivery row stays until its channel accepted the alert,
 * so a failure or a restart never loses one.
 */
export class AlertOutbox {
  constructor(
    private readonly db: Database.Database,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Records the alert and one delivery per channel, in one transaction; returns its id. */
  enqueue(alert: { kind: string; orderNumber?: string | null | undefined }, event: string, channels: readonly AlertChannel[]): number {
    return this.db.transaction(() => {
      const id = Number(
        this.db
          .prepare('INSERT INTO alert_outbox (at, kind, order_number, event) VALUES (?, ?, ?, ?)')
          .run(this.now().toISOString(), alert.kind, alert.orderNumber ?? null, event).lastInsertRowid,
      );
      const insert = this.db.prepare('INSERT INTO alert_deliveries (alert_id, channel) VALUES (?, ?)');
      for (const channel of new Set(channels)) insert.run(id, channel);
      return id;
    })();
  }

  /** Undelivered alerts of a channel, oldest first. */
  waiting(channel: AlertChannel, limit = 500): WaitingDelivery[] {
    const rows = this.db
      .prepare(
        `SELECT d.alert_id, d.channel, o.at, o.kind, o.order_number, o.event, d.attempts, d.next_attempt_at
         FROM alert_deliveries d JOIN alert_outbox o ON o.id = d.alert_id
         WHERE d.channel = ? AND d.sent_at IS NULL ORDER BY d.alert_id LIMIT ?`,
      )
      .all(channel, limit) as RawWaiting[];
    return rows.map((r) => ({
      alertId: r.alert_id,
      channel: r.channel,
      at: r.at,
      kind: r.kind,
      orderNumber: r.order_number,
      event: r.event,
      attempts: r.attempts,
      nextAttemptAt: r.next_attempt_at,
    }));
  }

  /** The channel accepted these alerts. Conditional on still waiting: a repeat changes nothing. */
  markSent(channel: AlertChannel, alertIds: readonly number[]): void {
    const at = this.now().toISOString();
    const update = this.db.prepare('UPDATE alert_deliveries SET sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE alert_id = ? AND channel = ? AND sent_at IS NULL');
    this.db.transaction(() => {
      for (const id of alertIds) update.run(at, id, channel);
    })();
  }

  /** One more failed attempt; `error` must not hold the address (the caller words it). */
  markFailed(channel: AlertChannel, alertIds: readonly number[], error: string, nextAttemptAt: Date): void {
    const update = this.db.prepare(
      'UPDATE alert_deliveries SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE alert_id = ? AND channel = ? AND sent_at IS NULL',
    );
    this.db.transaction(() => {
      for (const id of alertIds) update.run(error, nextAttemptAt.toISOString(), id, channel);
    })();
  }

  /** How many alerts still wait, per channel. */
  waitingCounts(): Record<AlertChannel, number> {
    const rows = this.db.prepare('SELECT channel, COUNT(*) AS n FROM alert_deliveries WHERE sent_at IS NULL GROUP BY channel').all() as { channel: AlertChannel; n: number }[];
    const counts: Record<AlertChannel, number> = { webhook: 0, email: 0 };
    for (const row of rows) counts[row.channel] = row.n;
    return counts;
  }

  /**
   * Per channel with undelivered alerts: how many, since when, and the last failure (for `status`).
   * Empty on a ledger from before the outbox (status opens it read-only, unmigrated).
   */
  backlog(): { channel: AlertChannel; waiting: number; oldestAt: string; lastError: string | null }[] {
    if (!this.db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alert_deliveries'`).get()) return [];
    return this.db
      .prepare(
        `SELECT d.channel AS channel, COUNT(*) AS waiting, MIN(o.at) AS oldestAt,
           (SELECT last_error FROM alert_deliveries x WHERE x.channel = d.channel AND x.sent_at IS NULL AND x.last_error IS NOT NULL ORDER BY x.alert_id DESC LIMIT 1) AS lastError
         FROM alert_deliveries d JOIN alert_outbox o ON o.id = d.alert_id WHERE d.sent_at IS NULL GROUP BY d.channel ORDER BY d.channel`,
      )
      .all() as { channel: AlertChannel; waiting: number; oldestAt: string; lastError: string | null }[];
  }

  /** Alerts raised in [fromIso, toIso), oldest first. */
  raisedBetween(fromIso: string, toIso: string): RaisedAlert[] {
    const rows = this.db
      .prepare('SELECT id, at, kind, order_number, event FROM alert_outbox WHERE at >= ? AND at < ? ORDER BY id')
      .all(fromIso, toIso) as { id: number; at: string; kind: string; order_number: string | null; event: string }[];
    return rows.map((r) => ({ id: r.id, at: r.at, kind: r.kind, orderNumber: r.order_number, event: r.event }));
  }

  /** The last alert of one of these kinds raised before `beforeIso` (an outage that began earlier). */
  lastBefore(kinds: readonly string[], beforeIso: string): RaisedAlert | undefined {
    if (kinds.length === 0) return undefined;
    const row = this.db
      .prepare(`SELECT id, at, kind, order_number, event FROM alert_outbox WHERE at < ? AND kind IN (${kinds.map(() => '?').join(',')}) ORDER BY id DESC LIMIT 1`)
      .get(beforeIso, ...kinds) as { id: number; at: string; kind: string; order_number: string | null; event: string } | undefined;
    return row && { id: row.id, at: row.at, kind: row.kind, orderNumber: row.order_number, event: row.event };
  }
}
