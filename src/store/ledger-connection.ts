import type Database from 'better-sqlite3';
import { WriterLostError } from '../errors.js';
import { lazyTransaction, statementCache } from './statement-cache.js';
import type { WalSync } from './wal-sync.js';

/**
 * An intent row committed before the request it guards. Committed and visible at once; on the disk
 * when `durable` resolves, and the request sends no byte before that (InvoiceBackend's `sendAfter`).
 */
export interface Intent {
  auditId: number;
  /** Rejects with LedgerSyncError when the disk refused: the request must then not leave. */
  durable: Promise<void>;
}

const ALREADY_DURABLE: Promise<void> = Promise.resolve();

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
 * The ledger's connection: the statement cache, the lazy commit, and the writer fence that keeps a
 * process that lost the writer lock from writing (src/store/writer-lock.ts). The orders
 * (ledger-orders.ts) and the rest of the ledger (ledger.ts) are written on top of it.
 */
export class LedgerConnection {
  readonly db: Database.Database;
  protected readonly now: () => Date;
  /** Compiled once per connection (statement-cache.ts). */
  protected readonly sql: (text: string) => Database.Statement;
  private writerToken: string | null = null;

  protected constructor(
    db: Database.Database,
    now: () => Date,
    /** Set for a WAL-mode file; without it (":memory:", a journal mode other than WAL) intents commit with a synchronous sync. */
    protected readonly walSync: WalSync | null = null,
  ) {
    this.db = db;
    this.now = now;
    this.sql = statementCache(db);
  }

  /**
   * An intent's transaction: committed now, durable when the returned promise resolves (the WAL
   * sync runs off the event loop while the request is built and connected: src/store/wal-sync.ts).
   * Every lazy commit before it is carried to the disk by the same sync.
   */
  protected intent<T>(write: () => T): { result: T; durable: Promise<void> } {
    if (this.walSync === null) return { result: this.db.transaction(write)(), durable: ALREADY_DURABLE };
    const result = lazyTransaction(this.db, write);
    const durable = this.walSync.durable();
    // Awaited by the request's sender; a caller that sends nothing (a missed compare-and-set)
    // leaves it unawaited, which must not become an unhandled rejection.
    durable.catch(() => undefined);
    return { result, durable };
  }

  /**
   * One transaction committed without waiting for the disk (synchronous=NORMAL for this commit
   * only), for writes that no remote call depends on yet. They are durable as soon as the next
   * ordinary commit is: in WAL mode that commit's fsync covers every frame before it, so a power
   * loss can only take a suffix of lazy commits, never one that an intent (always durable, written
   * before its request) relies on. A crash of the process alone loses nothing: the OS holds the
   * written frames. See BENCHMARKS.md, "Durability".
   */
  protected lazily<T>(write: () => T): T {
    return lazyTransaction(this.db, write);
  }

  protected stamp(): string {
    return this.now().toISOString();
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

  protected checkFence(): void {
    this.assertWriter();
  }
}
