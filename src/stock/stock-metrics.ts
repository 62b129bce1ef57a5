import { Gauge, type Registry } from 'prom-client';
import type { Ledger } from '../store/ledger.js';
import { StockStore } from '../store/stock-store.js';

/**
 * Stock's `/metrics` (SPEC §6 "Record"), read from the ledger at scrape time so the figures
 * survive restarts: rounds by outcome, confirmed writes, held rounds, and whether stock is held now.
 */
export function registerStockMetrics(registry: Registry, ledgerOf: () => Ledger | null): void {
  const totals = () => {
    const ledger = ledgerOf();
    if (!ledger) return null;
    const table = ledger.db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'stock_rounds'`).get();
    if (!table) return null;
    const store = new StockStore(ledger);
    return { ...store.totals(), held: store.held() !== null };
  };
  new Gauge({
    name: 'sync_stock_rounds',
    help: 'Stock rounds recorded in the ledger, by outcome (done, held, failed, interrupted, running).',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      const t = totals();
      if (!t) return;
      for (const outcome of ['done', 'held', 'failed', 'interrupted', 'running']) this.set({ outcome }, t.rounds[outcome] ?? 0);
    },
  });
  new Gauge({
    name: 'sync_stock_writes',
    help: 'Stock values written to Shoprenter and confirmed, all rounds.',
    registers: [registry],
    collect() {
      this.set(totals()?.writes ?? 0);
    },
  });
  new Gauge({
    name: 'sync_stock_held_rounds',
    help: 'Stock rounds held (nothing written), all rounds.',
    registers: [registry],
    collect() {
      this.set(totals()?.rounds['held'] ?? 0);
    },
  });
  new Gauge({
    name: 'sync_stock_held',
    help: '1 while stock is held and waits for "stock approve" or a good round.',
    registers: [registry],
    collect() {
      this.set(totals()?.held ? 1 : 0);
    },
  });
}
