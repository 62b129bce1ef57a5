import type { Ledger } from './ledger.js';
import { roundRow, type HeldRound, type RoundDbRow, type RoundOutcome, type StockRoundRow, type WriteIntent, type WriteRow } from './stock-rows.js';

export type { HeldRound, RoundOutcome, StockRoundRow, WriteIntent } from './stock-rows.js';
import { lazyTransaction } from './statement-cache.js';

/**
 * The ledger's stock tables (SPEC §6): orders seen in listings with their lines (the open
 * quantities), each round, and each write with intent first: a write row is `sending` before the
 * PUT leaves and `written` once Shoprenter confirmed it, so a crash leaves a visible trace and the
 * next round (absolute values) converges whatever happened.
 */

export interface OpenOrderRecord {
  orderId: string;
  orderNumber: string;
  statusId: string | null;
  dateCreated: string;
  dateUpdated: string;
  lines: { productId: string; quantity: bigint }[];
}

const HELD = 'stock_held';

export class StockStore {
  constructor(
    private readonly ledger: Ledger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private get db() {
    return this.ledger.db;
  }

  /**
   * Keeps the newest view of each order (an older listing never overwrites it); a record that cannot
   * be written goes to `onError`. One lazy commit per page, not an fsync per order: nothing is sent
   * on these rows alone, and the stock round's intents and the cursor are durable commits after them.
   */
  recordOrders(orders: readonly OpenOrderRecord[], onError: (error: unknown) => void): void {
    if (orders.length === 0) return;
    const statement = this.db.prepare(
      `INSERT INTO stock_open_orders (order_id, order_number, status_id, date_created, date_updated, lines) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (order_id) DO UPDATE SET order_number = excluded.order_number, status_id = excluded.status_id,
         date_created = excluded.date_created, date_updated = excluded.date_updated, lines = excluded.lines
       WHERE excluded.date_updated >= stock_open_orders.date_updated`,
    );
    lazyTransaction(this.db, () => {
      for (const order of orders) {
        try {
          const lines = JSON.stringify(order.lines.map((l) => [l.productId, l.quantity.toString()]));
          statement.run(order.orderId, order.orderNumber, order.statusId, order.dateCreated, order.dateUpdated, lines);
        } catch (error) {
          onError(error);
        }
      }
    });
  }

  /** Quantity per product on orders in `statusIds` created at or after `createdSince` (shop-local). */
  openQuantities(statusIds: ReadonlySet<string>, createdSince: string, exclude: ReadonlySet<string> = new Set()): { quantities: Map<string, bigint>; orders: number } {
    const quantities = new Map<string, bigint>();
    if (statusIds.size === 0) return { quantities, orders: 0 };
    const rows = this.db
      .prepare('SELECT order_id, status_id, lines FROM stock_open_orders WHERE date_created >= ?')
      .all(createdSince) as { order_id: string; status_id: string | null; lines: string }[];
    let orders = 0;
    for (const row of rows) {
      if (exclude.has(row.order_id) || row.status_id === null || !statusIds.has(row.status_id)) continue;
      orders += 1;
      for (const [productId, quantity] of JSON.parse(row.lines) as [string, string][]) {
        quantities.set(productId, (quantities.get(productId) ?? 0n) + BigInt(quantity));
      }
    }
    return { quantities, orders };
  }

  /** Drops orders older than the window: they no longer count, whatever their status. */
  pruneOrders(createdBefore: string): void {
    this.db.prepare('DELETE FROM stock_open_orders WHERE date_created < ?').run(createdBefore);
  }

  /** Starts a round; a round a crash left `running` becomes `interrupted`, its unconfirmed writes stay `sending`. */
  startRound(): number {
    const at = this.now().toISOString();
    return this.db.transaction(() => {
      this.db.prepare(`UPDATE stock_rounds SET outcome = 'interrupted', finished_at = ? WHERE outcome = 'running'`).run(at);
      return Number(this.db.prepare(`INSERT INTO stock_rounds (started_at, outcome) VALUES (?, 'running')`).run(at).lastInsertRowid);
    })();
  }

  finishRound(id: number, outcome: Exclude<RoundOutcome, 'running'>, fields: Partial<Omit<StockRoundRow, 'id' | 'startedAt' | 'finishedAt' | 'outcome'>>): void {
    this.db
      .prepare(
        `UPDATE stock_rounds SET outcome = ?, finished_at = ?, reason = ?, matched = ?, changes = ?, zeroes = ?, written = ?,
           failed_writes = ?, unmatched = ?, duplicates = ?, approved = ? WHERE id = ? AND outcome = 'running'`,
      )
      .run(
        outcome,
        this.now().toISOString(),
        fields.reason ?? null,
        fields.matched ?? 0,
        fields.changes ?? 0,
        fields.zeroes ?? 0,
        fields.written ?? 0,
        fields.failedWrites ?? 0,
        fields.unmatched ?? 0,
        fields.duplicates ?? 0,
        fields.approved ? 1 : 0,
        id,
      );
  }

  /** Recorded before the PUT leaves (intent first). */
  writeIntent(roundId: number, intent: WriteIntent): number {
    const result = this.db
      .prepare(
        `INSERT INTO stock_writes (round_id, product_id, match_key, field, shop_before, written, cashman_stock, open_quantity, state, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'sending', ?)`,
      )
      .run(roundId, intent.productId, intent.key, intent.field, intent.before, intent.target, intent.cashmanStock, intent.open, this.now().toISOString());
    return Number(result.lastInsertRowid);
  }

  writeSettled(writeId: number, state: 'written' | 'failed', error: string | null = null): void {
    this.db.prepare(`UPDATE stock_writes SET state = ?, error = ?, at = ? WHERE id = ? AND state = 'sending'`).run(state, error, this.now().toISOString(), writeId);
  }

  lastRound(): StockRoundRow | null {
    const row = this.db.prepare('SELECT * FROM stock_rounds ORDER BY id DESC LIMIT 1').get() as RoundDbRow | undefined;
    return row ? roundRow(row) : null;
  }

  /** The matched count of the last round that wrote or had nothing to write; null before the first. */
  lastGoodMatched(): number | null {
    const row = this.db.prepare(`SELECT matched FROM stock_rounds WHERE outcome = 'done' ORDER BY id DESC LIMIT 1`).get() as { matched: number } | undefined;
    return row ? row.matched : null;
  }

  writes(roundId: number): { productId: string; key: string; before: string | null; written: number; cashmanStock: string; open: string; state: string; error: string | null }[] {
    return (
      this.db.prepare('SELECT * FROM stock_writes WHERE round_id = ? ORDER BY id').all(roundId) as WriteRow[]
    ).map((r) => ({
      productId: r.product_id,
      key: r.match_key,
      before: r.shop_before,
      written: r.written,
      cashmanStock: r.cashman_stock,
      open: r.open_quantity,
      state: r.state,
      error: r.error,
    }));
  }

  /** Totals for /metrics: rounds by outcome and confirmed writes. */
  totals(): { rounds: Record<string, number>; writes: number } {
    const rounds: Record<string, number> = {};
    for (const row of this.db.prepare('SELECT outcome, COUNT(*) AS n FROM stock_rounds GROUP BY outcome').all() as { outcome: string; n: number }[]) {
      rounds[row.outcome] = row.n;
    }
    const writes = (this.db.prepare(`SELECT COUNT(*) AS n FROM stock_writes WHERE state = 'written'`).get() as { n: number }).n;
    return { rounds, writes };
  }

  held(): HeldRound | null {
    const text = this.ledger.getMeta(HELD);
    return text ? (JSON.parse(text) as HeldRound) : null;
  }

  /**
   * Records a hold (a new one replaces the last, approval included: a round that outgrew its
   * approval is a new question). True when it starts a hold or holds for another kind of reason:
   * those alert; the same hold round after round does not.
   */
  setHeld(hold: Omit<HeldRound, 'at'>): boolean {
    return this.db.transaction(() => {
      const before = this.held();
      // A round held again after `stock approve` (it outgrew the approval) is news: the person was
      // told the round would go, so they are told again. The same hold repeating is not.
      const news = before === null || before.kind !== hold.kind || before.approvedAt !== undefined;
      const since = news ? this.now().toISOString() : before.at;
      this.ledger.setMeta(HELD, JSON.stringify({ ...hold, at: since } satisfies HeldRound));
      return news;
    })();
  }

  clearHeld(): void {
    this.db.prepare('DELETE FROM meta WHERE key = ?').run(HELD);
  }

  /**
   * `stock approve`: marks the current hold approved, conditionally on it still being the hold the
   * person saw (its round id), so a command typed twice or racing a new round approves at most once.
   */
  approve(expectedRoundId: number | null): 'approved' | 'already' | 'nothing' | 'moved' {
    return this.db.transaction(() => {
      const hold = this.held();
      if (!hold) return 'nothing';
      if (expectedRoundId !== null && hold.roundId !== expectedRoundId) return 'moved';
      if (hold.approvedAt) return 'already';
      this.ledger.setMeta(HELD, JSON.stringify({ ...hold, approvedAt: this.now().toISOString() }));
      return 'approved';
    }).immediate();
  }

  getMeta(key: string): string | undefined {
    return this.ledger.getMeta(key);
  }

  setMeta(key: string, value: string): void {
    this.ledger.setMeta(key, value);
  }

  deleteMeta(key: string): void {
    this.db.prepare('DELETE FROM meta WHERE key = ?').run(key);
  }
}
