import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { PartnerData } from '../domain/partner.js';
import { NOT_QUALIFYING, ORDER_STATES, toOrderRow, type OrderKey, type OrderRow, type OrderState, type PartnerRow, type RawOrderRow } from './ledger-rows.js';
import { formatPartnerCode } from '../domain/partner.js';
import { AfterDraftStore } from './after-draft-store.js';
import { migrate } from './migrations.js';
import { LedgerBusyError, WriterLostError } from '../errors.js';

/**
 * Tables a fenced connection may still write after losing the lock: the lock row itself (its
 * heartbeat and release carry their own token condition).
 */
const UNFENCED_TABLES: ReadonlySet<string> = new Set(['writer_lock']);

/**
 * The alert outbox takes new rows from any process, a fenced one included: the alert that this
 * process stopped (commands/writer-stopped.ts) is queued there and delivered by the new holder.
 * Marking an alert delivered stays fenced, so a process that lost the ledger never claims one.
 */
const INSERT_ONLY_TABLES: ReadonlySet<string> = new Set(['alert_outbox', 'alert_deliveries']);

export const LOCK_LOST =
  'Another process took over the ledger while this one was stalled past the lock\'s staleness limit; this one stops sending so that only one writes.';

/**
 * The ledger: the only module that touches SQLite. Every state change is its own committed
 * transaction, written BEFORE the remote call it guards (intent first), so a crash at any instant
 * leaves a row that says what might have happened. WAL with synchronous=FULL: a committed row
 * survives power loss. The few bookkeeping writes that guard nothing by themselves (pending,
 * partner code, partner confirmation) commit lazily and become durable with the next intent.
 */

export { ORDER_STATES, type OrderKey, type OrderRow, type OrderState, type PartnerRow } from './ledger-rows.js';

export class Ledger {
  readonly db: Database.Database;
  private readonly now: () => Date;
  /** Compiled once per connection: preparing is a large share of a small statement's cost. */
  private readonly statements = new Map<string, Database.Statement>();
  private writerToken: string | null = null;

  private constructor(db: Database.Database, now: () => Date) {
    this.db = db;
    this.now = now;
  }

  /** Opens (creating folders and schema as needed) and migrates the database file. */
  static open(path: string, options: { now?: () => Date; readonly?: boolean } = {}): Ledger {
    if (path !== ':memory:' && !options.readonly) mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
    // better-sqlite3 builds SQLite with a 16 MB page cache; point lookups and appends need far less,
    // and on a small VPS those 16 MB are most of the daemon's memory beyond Node itself.
    db.pragma('cache_size = -2000');
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('busy_timeout = 5000');
      try {
        migrate(db);
      } catch (error) {
        db.close();
        throw busyOrSame(error);
      }
    }
    return new Ledger(db, options.now ?? (() => new Date()));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private afterDraftStore: AfterDraftStore | undefined;

  /** Fingerprints and after-draft events (SPEC §1.7), on this same database handle. */
  get afterDraft(): AfterDraftStore {
    this.afterDraftStore ??= new AfterDraftStore(this.db, this.now);
    return this.afterDraftStore;
  }

  private sql(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  /**
   * One transaction committed without waiting for the disk (synchronous=NORMAL for this commit
   * only), for writes that no remote call depends on yet. They are durable as soon as the next
   * ordinary commit is: in WAL mode that commit's fsync covers every frame before it, so a power
   * loss can only take a suffix of lazy commits, never one that an intent (always durable, written
   * before its request) relies on. A crash of the process alone loses nothing: the OS holds the
   * written frames. See BENCHMARKS.md, "Durability".
   */
  private lazily<T>(write: () => T): T {
    this.sql('PRAGMA synchronous = NORMAL').run();
    try {
      return this.db.transaction(write)();
    } finally {
      this.sql('PRAGMA synchronous = FULL').run();
    }
  }

  private stamp(): string {
    return this.now().toISOString();
  }

  // ----- orders -----

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
   * From here on this connection writes only while the writer lock's row holds `token`: a process
   * that lost the lock (stalled past the staleness limit and taken over) can neither send again nor
   * write an order row, a cursor, a meta row or a cycle (issue 16 §2). Two layers:
   * - every intent (partner or draft) checks the token in its own transaction and throws
   *   WriterLostError, so no request leaves after the loss;
   * - TEMP triggers (this connection only: `retry`, `resolve` and the other commands that write
   *   without the lock are not affected) abort any other write to any ledger table but the lock's
   *   own, whatever code path attempts it. The caller then asks writerLost() to name the owner.
   * Set by src/store/writer-lock.ts, after the migrations, so every table exists.
   */
  fence(token: string): void {
    this.writerToken = token;
    this.db.exec('CREATE TEMP TABLE IF NOT EXISTS writer_fence (token TEXT NOT NULL)');
    this.db.prepare('DELETE FROM temp.writer_fence').run();
    this.db.prepare('INSERT INTO temp.writer_fence (token) VALUES (?)').run(token);
    const tables = (
      this.db.prepare(`SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).all() as { name: string }[]
    ).map((row) => row.name);
    for (const table of tables.filter((name) => !UNFENCED_TABLES.has(name))) {
      for (const event of ['INSERT', 'UPDATE', 'DELETE']) {
        if (event === 'INSERT' && INSERT_ONLY_TABLES.has(table)) continue;
        this.db.exec(
          `CREATE TEMP TRIGGER IF NOT EXISTS "fence_${table}_${event.toLowerCase()}" BEFORE ${event} ON main."${table}"
           WHEN (SELECT token FROM temp.writer_fence) IS NOT (SELECT token FROM main.writer_lock WHERE id = 1)
           BEGIN SELECT RAISE(ABORT, 'this process no longer holds the ledger'); END`,
        );
      }
    }
  }

  /** True when this connection was fenced and another process holds the ledger now (probed, not guessed). */
  writerLost(): boolean {
    if (this.writerToken === null || !this.db.open) return false;
    const row = this.sql('SELECT token FROM writer_lock WHERE id = 1').get() as { token: string } | undefined;
    return row?.token !== this.writerToken;
  }

  /** Throws WriterLostError when writerLost(): called before anything leaves on the ledger's behalf. */
  assertWriter(): void {
    if (this.writerLost()) throw new WriterLostError(LOCK_LOST);
  }

  /** False once another process took over the writer lock this one held; true without a lock. */
  holdsWriterLock(): boolean {
    if (this.writerToken === null) return true;
    const row = this.sql('SELECT token FROM writer_lock WHERE id = 1').get() as { token: string } | undefined;
    return row?.token === this.writerToken;
  }

  private checkFence(): void {
    this.assertWriter();
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
   * audit row of exactly what is sent, so a crash from here on is seen as "maybe sent".
   */
  markSubmitting(key: OrderKey, partnerEmail: string, requestRows: unknown): number | null {
    const at = this.stamp();
    return this.db.transaction(() => {
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
    })();
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

  // ----- partners -----

  getPartner(email: string): PartnerRow | undefined {
    const raw = this.sql('SELECT * FROM partners WHERE email = ?').get(email) as
      | { email: string; partner_code: string; partner_id: string | null; snapshot: string | null; pending: string | null; stated: string | null }
      | undefined;
    if (!raw) return undefined;
    return {
      email: raw.email,
      partnerCode: raw.partner_code,
      partnerId: raw.partner_id,
      snapshot: raw.snapshot ? (JSON.parse(raw.snapshot) as PartnerData) : null,
      pending: raw.pending ? (JSON.parse(raw.pending) as PartnerData) : null,
      stated: raw.stated,
    };
  }

  /**
   * Gives a new buyer the next partner code and commits it before any call, so a resend after a
   * crash or timeout reuses the same code instead of minting a second partner. Lazy: the partner
   * intent that must precede the create request is a durable commit and carries this one with it.
   */
  allocatePartner(email: string, prefix: string, digits: number): PartnerRow {
    return this.lazily(() => {
      const existing = this.getPartner(email);
      if (existing) return existing;
      let sequence = Number(this.getMeta('partner_sequence') ?? '0');
      let code: string;
      do {
        sequence += 1;
        code = formatPartnerCode(prefix, digits, sequence);
      } while (this.sql('SELECT 1 FROM partners WHERE partner_code = ?').get(code));
      this.setMeta('partner_sequence', String(sequence));
      const at = this.stamp();
      this
        .sql('INSERT INTO partners (email, partner_code, created_at, updated_at) VALUES (?, ?, ?, ?)')
        .run(email, code, at, at);
      return { email, partnerCode: code, partnerId: null, snapshot: null, pending: null, stated: null };
    });
  }

  /** Intent: this partner data is about to be sent (audit row included). */
  markPartnerSending(email: string, data: PartnerData, order: OrderKey, requestRows: unknown): number {
    const at = this.stamp();
    return this.db.transaction(() => {
      this.checkFence();
      this.sql('UPDATE partners SET pending = ?, updated_at = ? WHERE email = ?').run(JSON.stringify(data), at, email);
      return Number(
        this
          .sql(`INSERT INTO audit (at, order_id, order_number, kind, request, outcome) VALUES (?, ?, ?, 'partner', ?, 'sent')`)
          .run(at, order.orderId, order.orderNumber, JSON.stringify(requestRows)).lastInsertRowid,
      );
    })();
  }

  /** Lazy: the order's draft intent, a durable commit, follows before any further request. */
  confirmPartner(email: string, partnerId: string, data: PartnerData, auditId?: number): void {
    this.lazily(() => {
      this
        .sql('UPDATE partners SET partner_id = ?, snapshot = ?, pending = NULL, updated_at = ? WHERE email = ?')
        .run(partnerId, JSON.stringify(data), this.stamp(), email);
      if (auditId !== undefined) this.sql(`UPDATE audit SET outcome = 'ok', response = ? WHERE id = ?`).run(partnerId, auditId);
    });
  }

  /** The partner request provably created nothing (refused, login, never sent): forget the intent. */
  clearPartnerPending(email: string): void {
    this.sql('UPDATE partners SET pending = NULL, updated_at = ? WHERE email = ?').run(this.stamp(), email);
  }

  setAuditOutcome(auditId: number, outcome: string): void {
    this.sql('UPDATE audit SET outcome = ? WHERE id = ?').run(outcome, auditId);
  }

  // ----- meta: cursor, start, cycles -----

  getMeta(key: string): string | undefined {
    return (this.sql('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  setMeta(key: string, value: string): void {
    this.sql('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  startCycle(): number {
    return Number(this.sql('INSERT INTO cycles (started_at) VALUES (?)').run(this.stamp()).lastInsertRowid);
  }

  finishCycle(id: number, ok: boolean, summary: unknown): void {
    const at = this.stamp();
    this.db.transaction(() => {
      this.sql('UPDATE cycles SET finished_at = ?, ok = ?, summary = ? WHERE id = ?').run(at, ok ? 1 : 0, JSON.stringify(summary), id);
      this.setMeta('last_cycle_at', at);
      this.setMeta('last_cycle_ok', ok ? '1' : '0');
      if (ok) this.setMeta('last_success_at', at);
      // Keep the cycle table small on a daemon that runs for years.
      this.sql('DELETE FROM cycles WHERE id < ?').run(id - 5000);
    })();
  }

  auditFor(orderNumber: string): { kind: string; request: unknown; outcome: string | null }[] {
    return (
      this.sql('SELECT kind, request, outcome FROM audit WHERE order_number = ? ORDER BY id').all(orderNumber) as {
        kind: string;
        request: string;
        outcome: string | null;
      }[]
    ).map((row) => ({ ...row, request: JSON.parse(row.request) as unknown }));
  }
}

/**
 * SQLite's own write lock held past the busy timeout at start: another process is in the middle of
 * a write and not finishing it (stopped with Ctrl-Z or SIGSTOP, a frozen container, a stalled
 * disk, or a `sqlite3` session left in a transaction). Said as a sentence, not as "database is locked".
 */
function busyOrSame(error: unknown): unknown {
  if ((error as { code?: unknown }).code !== 'SQLITE_BUSY') return error;
  return new LedgerBusyError(
    'The ledger file stayed locked by another process for more than 5 s (a process paused or stalled in the middle of a write, or a sqlite3 session or backup holding it); resume or stop that process, then start this one again.',
    { cause: error },
  );
}
