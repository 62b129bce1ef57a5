/**
 * The stock tables' row shapes (src/store/stock-store.ts): rounds, writes and the hold, as the
 * store hands them out, and the raw rows SQLite returns.
 */

export type RoundOutcome = 'running' | 'done' | 'held' | 'failed' | 'interrupted';

export interface StockRoundRow {
  id: number;
  startedAt: string;
  finishedAt: string | null;
  outcome: RoundOutcome;
  reason: string | null;
  matched: number;
  changes: number;
  zeroes: number;
  written: number;
  failedWrites: number;
  unmatched: number;
  duplicates: number;
  approved: boolean;
}

export interface WriteIntent {
  productId: string;
  key: string;
  field: string;
  before: string | null;
  target: number;
  cashmanStock: string;
  open: string;
}

/** The hold that waits for `stock approve`: its round and counts. */
export interface HeldRound {
  roundId: number;
  kind: string;
  reason: string;
  changes: number;
  zeroes: number;
  matched: number;
  at: string;
  /** Set by `stock approve`: the next round within these counts may write once. */
  approvedAt?: string;
}

export interface WriteRow {
  product_id: string;
  match_key: string;
  shop_before: string | null;
  written: number;
  cashman_stock: string;
  open_quantity: string;
  state: string;
  error: string | null;
}

export interface RoundDbRow {
  id: number;
  started_at: string;
  finished_at: string | null;
  outcome: RoundOutcome;
  reason: string | null;
  matched: number;
  changes: number;
  zeroes: number;
  written: number;
  failed_writes: number;
  unmatched: number;
  duplicates: number;
  approved: number;
}

export function roundRow(r: RoundDbRow): StockRoundRow {
  return {
    id: r.id,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    outcome: r.outcome,
    reason: r.reason,
    matched: r.matched,
    changes: r.changes,
    zeroes: r.zeroes,
    written: r.written,
    failedWrites: r.failed_writes,
    unmatched: r.unmatched,
    duplicates: r.duplicates,
    approved: r.approved === 1,
  };
}
