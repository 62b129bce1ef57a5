import Database from 'better-sqlite3';
import { mkdirSync, realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import type { PartnerData } from '../domain/partner.js';
import type { OrderKey, PartnerRow } from './ledger-rows.js';
import type { Intent } from './ledger-connection.js';
import { formatPartnerCode } from '../domain/partner.js';
import { AfterDraftStore } from './after-draft-store.js';
import { LedgerOrders } from './ledger-orders.js';
import { migrate } from './migrations.js';
import { LedgerBusyError } from '../errors.js';
import { WalSync, type WalSyncCall } from './wal-sync.js';

export { LOCK_LOST, type Intent } from './ledger-connection.js';
export { ORDER_STATES, type OrderKey, type OrderRow, type OrderState, type PartnerRow } from './ledger-rows.js';

/**
 * The ledger: the only module that touches SQLite. Every state change is its own committed
 * transaction, written BEFORE the remote call it guards (intent first), so a crash at any instant
 * leaves a row that says what might have happened. WAL with synchronous=FULL: a committed row
 * survives power loss. The two intents (partner, draft) are as durable before their request leaves,
 * their WAL sync run beside the event loop (src/store/wal-sync.ts). The few bookkeeping writes that
 * guard nothing by themselves (pending, partner code, partner confirmation) commit lazily and
 * become durable with the next intent.
 * Split by responsibility: the connection and its writer fence (ledger-connection.ts), the orders
 * (ledger-orders.ts), and here the opening, the partners, the meta rows, the cycles and the audit.
 */
export class Ledger extends LedgerOrders {
  /** Opens (creating folders and schema as needed) and migrates the database file. */
  static open(path: string, options: { now?: () => Date; readonly?: boolean; syncWal?: WalSyncCall } = {}): Ledger {
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
    return new Ledger(db, options.now ?? (() => new Date()), walSyncFor(db, options.syncWal));
  }

  close(): void {
    if (this.db.open) this.db.close();
    this.walSync?.close();
  }

  private afterDraftStore: AfterDraftStore | undefined;

  /** Fingerprints and after-draft events (SPEC §1.7), on this same database handle. */
  get afterDraft(): AfterDraftStore {
    this.afterDraftStore ??= new AfterDraftStore(this.db, this.now);
    return this.afterDraftStore;
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
  markPartnerSending(email: string, data: PartnerData, order: OrderKey, requestRows: unknown): Intent {
    const at = this.stamp();
    const { result: auditId, durable } = this.intent(() => {
      this.checkFence();
      this.sql('UPDATE partners SET pending = ?, updated_at = ? WHERE email = ?').run(JSON.stringify(data), at, email);
      return Number(
        this
          .sql(`INSERT INTO audit (at, order_id, order_number, kind, request, outcome) VALUES (?, ?, ?, 'partner', ?, 'sent')`)
          .run(at, order.orderId, order.orderNumber, JSON.stringify(requestRows)).lastInsertRowid,
      );
    });
    return { auditId, durable };
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

/**
 * The WAL sync for a writable file in WAL mode. SQLite names the WAL after the database's real
 * path (symbolic links resolved), so the sync must too.
 */
function walSyncFor(db: Database.Database, call: WalSyncCall | undefined): WalSync | null {
  if (db.readonly || db.memory || db.pragma('journal_mode', { simple: true }) !== 'wal') return null;
  return new WalSync(`${realpathSync(db.name)}-wal`, call);
}
