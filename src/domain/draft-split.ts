import type { DraftLine } from './draft.js';
import { formatAmount4, SCALE4 } from './money.js';
import type { DraftMoney } from './draft-currency.js';
import type { LineTarget } from './draft-lines.js';
import { moneyText, refuse, reasons } from './draft-reasons.js';
import { fromNet, netFirstAtMost, splitGross, unitPriceText, type LineAmounts } from './rounding.js';

/**
 * The last two steps of a draft: check the line grosses against Shoprenter's total, then split
 * each gross into whole-unit net and VAT, gross-first for private buyers and net-first for
 * companies (reference/hungarian-invoicing.md §1).
 */

/**
 * HUF: Σ line gross must equal the shop's total to the forint, or the order is refused. A
 * converted order may differ by conversion rounding: each line's unit price was rounded to the
 * order currency, so a line may be off by up to one minor unit per unit of quantity (at least
 * one). A difference within that allowance is put back one unit at a time, round-robin over the
 * largest lines (earlier first on ties), so the invoice total is exactly the shop's total in the
 * order currency; a larger one is refused like a HUF mismatch.
 */
export function reconcile(targets: LineTarget[], shopTotal: bigint, money: DraftMoney): LineTarget[] {
  const sum = targets.reduce((a, t) => a + t.gross, 0n);
  const difference = shopTotal - sum;
  if (difference === 0n) return targets;
  const carriers = targets
    .map((t, index) => ({ index, size: t.gross < 0n ? -t.gross : t.gross, room: (t.quantity + SCALE4 - 1n) / SCALE4 }))
    .filter((c) => c.size > 0n)
    .map((c) => ({ ...c, room: c.room < 1n ? 1n : c.room }))
    .sort((a, b) => (a.size === b.size ? a.index - b.index : a.size > b.size ? -1 : 1));
  let steps = difference < 0n ? -difference : difference;
  if (!money.converted || steps > carriers.reduce((a, c) => a + c.room, 0n)) {
    refuse(reasons.mismatch(moneyText(sum, money.code, money.decimals), moneyText(shopTotal, money.code, money.decimals)));
  }
  const step = difference < 0n ? -1n : 1n;
  const adjusted = [...targets];
  while (steps > 0n) {
    for (const carrier of carriers) {
      const t = adjusted[carrier.index];
      if (steps === 0n || !t || carrier.room === 0n) continue;
      adjusted[carrier.index] = { ...t, gross: t.gross + step };
      carrier.room -= 1n;
      steps -= 1n;
    }
  }
  return adjusted;
}

/**
 * Company lines: each is net-first (VAT = round(net × r)) AND carries the gross the shop charged.
 * Plain round(net unit × qty) would miss Shoprenter's gross by 1 Ft on about one line in five at
 * 27%, because some grosses (1000 at 27%) have no whole net at all (see netFirstAtMost). Such a
 * line takes the net-first gross 1 below; of each pair of such lines the first takes the one 1
 * above instead, so the pair cancels out. A last odd forint goes to the first non-zero line that
 * can rise by exactly 1; failing that, the short line rises to 1 above and the first other line
 * that can fall by exactly 1 does. Every line stays net-first and Σ gross stays the shop's; only
 * an order with a single non-zero line can be left short, and it is refused.
 */
export function splitCompanyLines(targets: readonly LineTarget[], orderNumber: string, money: DraftMoney): LineAmounts[] {
  const rows = targets.map((t) => ({ gross: t.gross, rate: t.rate, line: netFirstAtMost(t.gross, t.rate) }));
  type Row = (typeof rows)[number];
  const shifted = (row: Row, by: bigint): LineAmounts => fromNet(row.line.net + by, row.rate);
  const canShift = (row: Row, by: bigint): boolean => row.gross !== 0n && shifted(row, by).gross - row.line.gross === by;
  const short = rows.filter((row) => row.line.gross < row.gross);
  for (let k = 0; k + 1 < short.length; k += 2) {
    const row = short[k];
    if (row) row.line = shifted(row, 1n);
  }
  const odd = short.length % 2 === 1 ? short[short.length - 1] : undefined;
  if (odd) {
    const up = rows.find((row) => canShift(row, 1n));
    const down = rows.find((row) => row !== odd && canShift(row, -1n));
    if (up) up.line = shifted(up, 1n);
    else if (down) [odd.line, down.line] = [shifted(odd, 1n), shifted(down, -1n)];
    else {
      const sum = (pick: (row: Row) => bigint): string => moneyText(rows.reduce((a, row) => a + pick(row), 0n), money.code, money.decimals);
      refuse(reasons.companyUnreachable(orderNumber, sum((row) => row.gross), sum((row) => row.line.gross)));
    }
  }
  return rows.map((row) => row.line);
}

/** Turns the reconciled targets into the draft's lines. */
export function finishLines(targets: readonly LineTarget[], company: boolean, orderNumber: string, money: DraftMoney): DraftLine[] {
  const amounts = company ? splitCompanyLines(targets, orderNumber, money) : targets.map((t) => splitGross(t.gross, t.rate));
  return targets.map((t, i) => {
    const { net, vat, gross } = amounts[i] ?? splitGross(t.gross, t.rate);
    return {
      kind: t.kind,
      name: t.name,
      sku: t.sku,
      note: t.note,
      quantity: formatAmount4(t.quantity),
      unitText: t.unitText,
      unitId: t.unitId,
      vatRate: formatAmount4(t.rate),
      vatId: t.vatId,
      netUnitPrice: unitPriceText(net, t.quantity, money.decimals),
      net,
      vat,
      gross,
    };
  });
}
