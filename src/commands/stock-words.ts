import type { FileConfig } from '../config/schema.js';
import type { Ledger } from '../store/ledger.js';
import { StockStore, type HeldRound, type StockRoundRow } from '../store/stock-store.js';
import type { RoundPlan } from '../stock/stock-core.js';
import type { Hold } from '../stock/stock-safety.js';
import type { RoundResult } from '../stock/stock-round.js';

/** What the stock commands and `status` print. */

export function previewJson(plan: RoundPlan, hold: Hold | null, stock: FileConfig['stock']) {
  return {
    field: stock.field,
    matchBy: stock.matchBy,
    matched: plan.matched.map((item) => ({
      productId: item.productId,
      key: item.key,
      cashman: item.cashmanStock,
      openOrders: item.open,
      shoprenterNow: item.current,
      target: item.target,
      wouldWrite: item.write ? item.target : null,
    })),
    wouldWrite: plan.matched.filter((item) => item.write).length,
    unmatchedShop: plan.unmatchedShop,
    unmatchedCashman: plan.unmatchedCashman,
    duplicates: { shoprenter: plan.duplicateShop, cashman: plan.duplicateCashman },
    unreadableCashman: plan.unreadableCashman,
    keyless: plan.keyless,
    held: hold ? { kind: hold.kind, reason: hold.reason } : null,
  };
}

export function previewLines(plan: RoundPlan, hold: Hold | null, stock: FileConfig['stock']): string[] {
  const writes = plan.matched.filter((item) => item.write).length;
  const lines = [
    `Stock preview (${stock.matchBy === 'sku' ? 'Cashman cikkszam = Shoprenter sku' : 'Cashman vonalkod = Shoprenter gtin'}, field ${stock.field}): ${plan.matched.length} matched, ${writes} would be written. Nothing was written.`,
    '',
    `${'key'.padEnd(20)} ${'Cashman'.padStart(10)} ${'open'.padStart(6)} ${'shop now'.padStart(9)} ${'target'.padStart(7)}  would write`,
  ];
  for (const item of plan.matched) {
    lines.push(
      `${item.key.padEnd(20)} ${item.cashmanStock.padStart(10)} ${item.open.padStart(6)} ${(item.current ?? '-').padStart(9)} ${String(item.target).padStart(7)}  ${item.write ? String(item.target) : '-'}`,
    );
  }
  const list = (label: string, keys: string[]) => {
    if (keys.length > 0) lines.push('', `${label} (${keys.length}): ${keys.slice(0, 50).join(', ')}${keys.length > 50 ? ', …' : ''}`);
  };
  list('Shop products Cashman does not list (not touched)', plan.unmatchedShop);
  list('Cashman products the shop does not have', plan.unmatchedCashman);
  list('Keys found twice in the shop (skipped)', plan.duplicateShop);
  list('Keys found twice in Cashman (skipped)', plan.duplicateCashman);
  list('Cashman rows with unreadable stock (skipped)', plan.unreadableCashman);
  if (plan.keyless > 0) lines.push('', `${plan.keyless} shop products have no ${stock.matchBy === 'sku' ? 'sku' : 'gtin'} (not touched).`);
  lines.push('', hold ? `A round now would be HELD: ${hold.reason}` : 'A round now would write these values.');
  return lines;
}

export function roundLine(result: RoundResult): string {
  switch (result.outcome) {
    case 'done':
      return result.written + result.failedWrites === 0
        ? `Stock round done: nothing to write (${result.plan?.matched.length ?? 0} matched products already right).`
        : `Stock round done: ${result.written} products written${result.failedWrites ? `, ${result.failedWrites} refused by Shoprenter (see the log)` : ''}, ${result.plan?.matched.length ?? 0} matched${result.approved ? ' (approved round)' : ''}.`;
    case 'held':
      return `Stock round HELD, nothing written: ${result.reason ?? ''} Check "stock preview", then run "stock approve" if it is right.`;
    case 'interrupted':
      return `Stock round stopped after ${result.written} writes: ${result.reason ?? ''}`;
    case 'failed':
      return `Stock round failed after ${result.written} writes: ${result.reason ?? ''}`;
  }
}

/** `status`: the last round and a hold; null when the ledger has no stock tables or no round yet. */
export function stockStatus(ledger: Ledger): { lastRound: StockRoundRow; held: HeldRound | null } | null {
  const table = ledger.db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'stock_rounds'`).get();
  if (!table) return null;
  const store = new StockStore(ledger);
  const lastRound = store.lastRound();
  return lastRound ? { lastRound, held: store.held() } : null;
}

export function stockStatusLines(status: ReturnType<typeof stockStatus>): string[] {
  if (!status) return [];
  const r = status.lastRound;
  const what =
    r.outcome === 'done'
      ? `done, ${r.written} written of ${r.matched} matched${r.failedWrites ? `, ${r.failedWrites} refused` : ''}${r.approved ? ' (approved)' : ''}`
      : r.outcome === 'running'
        ? 'running'
        : `${r.outcome.toUpperCase()}${r.reason ? `: ${r.reason}` : ''}`;
  const lines = [`Last stock round: ${r.startedAt} (UTC), ${what}`];
  if (status.held) {
    lines.push(
      status.held.approvedAt
        ? `  Stock is held but approved on ${status.held.approvedAt}: the next round writes once.`
        : `  Stock is HELD since ${status.held.at}: ${status.held.reason} Check "stock preview", then "stock approve".`,
    );
  }
  return lines;
}
