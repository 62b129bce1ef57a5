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
 * 27%, because some grosses (e.g. 1000 at 27%) have no whole net at all. Such a line takes the
 * net-first gross 1 below; pairs of them step 2 up; a last odd unit moves onto the first line that
 * can step by exactly 1. Every line stays net-first and Σ gross stays the shop's; a one-line order
 * with an unreachable gross cannot, and is refused.
 */
export function splitCompanyLines(targets: readonly LineTarget[], orderNumber: string, money: DraftMoney): LineAmounts[] {
  const lines = targets.map((t) => netFirstAtMost(t.gross, t.rate));
  const short = (i: number): boolean => (lines[i]?.gross ?? 0n) < (targets[i]?.gross ?? 0n);
  const move = (i: number, by: bigint): LineAmounts => fromNet((lines[i]?.net ?? 0n) + by, targets[i]?.rate ?? 0n);
  const stepSize = (i: number, by: bigint): bigint => move(i, by).gross - (lines[i]?.gross ?? 0n);
  const shortIndexes = targets.map((_, i) => i).filter(short);
  for (let k = 0; k + 1 < shortIndexes.length; k += 2) {
    const i = shortIndexes[k] ?? 0;
    lines[i] = move(i, 1n);
  }
  if (shortIndexes.length % 2 === 1) {
    const movable = (i: number, by: bigint): boolean => (targets[i]?.gross ?? 0n) !== 0n && stepSize(i, by) === by;
    const up = targets.findIndex((_, i) => movable(i, 1n));
    const last = shortIndexes[shortIndexes.length - 1] ?? 0;
    const down = targets.findIndex((_, i) => i !== last && movable(i, -1n));
    if (up >= 0) lines[up] = move(up, 1n);
    else if (down >= 0) [lines[last], lines[down]] = [move(last, 1n), move(down, -1n)];
    else {
      const target = targets.reduce((a, t) => a + t.gross, 0n);
      const reached = lines.reduce((a, l) => a + (l?.gross ?? 0n), 0n);
      refuse(reasons.companyUnreachable(orderNumber, moneyText(target, money.code, money.decimals), moneyText(reached, money.code, money.decimals)));
    }
  }
  return lines;
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
