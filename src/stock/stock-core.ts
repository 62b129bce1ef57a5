/**
 * The pure core of a stock round (SPEC §6): matching Cashman's stock list to the shop's products,
 * the target of each matched product, and what a round would write. No I/O, no clock: the round
 * (stock-round.ts) reads both sides, calls `planRound`, judges the plan (stock-safety.ts) and
 * writes. Quantities are exact: Cashman's stock is a decimal text, open quantities are Amount4.
 */

import type { CashmanStockRow, ShopProduct } from '../sync/ports.js';

export type { CashmanStockRow, ShopProduct } from '../sync/ports.js';

export type MatchBy = 'sku' | 'barcode';

export interface PlanInput {
  cashman: readonly CashmanStockRow[];
  products: readonly ShopProduct[];
  /** Open-order quantity per product API id, Amount4 (scaled 10^4). */
  open: ReadonlyMap<string, bigint>;
  matchBy: MatchBy;
}

export interface PlanItem {
  productId: string;
  key: string;
  cashmanStock: string;
  /** Open-order quantity as a decimal text ("2", "1.5"). */
  open: string;
  current: string | null;
  target: number;
  /** True when `current` differs from `target`: the round writes this one. */
  write: boolean;
}

export interface RoundPlan {
  matched: PlanItem[];
  /** Products with a key Cashman does not list (never touched). */
  unmatchedShop: string[];
  /** Cashman keys no product carries. */
  unmatchedCashman: string[];
  /** Keys found twice on either side: skipped. */
  duplicateShop: string[];
  duplicateCashman: string[];
  /** Cashman rows whose stock is not a number (skipped, like an unmatched key). */
  unreadableCashman: string[];
  /** Products without a key (empty SKU or barcode): not counted as unmatched. */
  keyless: number;
}

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?$/;
const SCALE = 10_000n;

/** A decimal text as Amount4, truncated toward minus infinity at the 4th decimal; null when not a number. */
export function decimalToScaled(text: string): bigint | null {
  const m = DECIMAL.exec(text.trim());
  if (!m) return null;
  const [, sign, whole = '0', frac = ''] = m;
  const digits = BigInt(whole) * SCALE + BigInt((frac + '0000').slice(0, 4));
  const exact = frac.length <= 4 || /^0*$/.test(frac.slice(4));
  if (sign !== '-') return digits;
  return -(exact ? digits : digits + 1n);
}

/** floor(value / 10^4) for a scaled value. */
function floorScaled(value: bigint): bigint {
  const q = value / SCALE;
  return value < 0n && q * SCALE !== value ? q - 1n : q;
}

function scaledText(value: bigint): string {
  const sign = value < 0n ? '-' : '';
  const abs = value < 0n ? -value : value;
  const frac = (abs % SCALE).toString().padStart(4, '0').replace(/0+$/, '');
  return `${sign}${abs / SCALE}${frac ? `.${frac}` : ''}`;
}

/**
 * target = floor(Cashman stock − open quantity), and 0 when that is negative. For whole open
 * quantities (the normal case) this is floor(Cashman stock) − open, as SPEC §6 states it.
 */
export function stockTarget(cashmanStock: bigint, open: bigint): number {
  const target = floorScaled(cashmanStock - open);
  return target < 0n ? 0 : Number(target);
}

/** Whether Shoprenter's current value already equals the target ("12", "12.0000"; anything unreadable differs). */
export function sameStock(current: string | null, target: number): boolean {
  if (current === null) return false;
  const scaled = decimalToScaled(current);
  return scaled !== null && scaled === BigInt(target) * SCALE;
}

/** Groups by key; keys seen more than once are returned apart. Empty keys are dropped. */
function byKey<T>(items: readonly T[], keyOf: (item: T) => string): { unique: Map<string, T>; duplicates: string[] } {
  const unique = new Map<string, T>();
  const duplicates = new Set<string>();
  for (const item of items) {
    const key = keyOf(item).trim();
    if (key === '') continue;
    if (duplicates.has(key)) continue;
    if (unique.has(key)) {
      unique.delete(key);
      duplicates.add(key);
      continue;
    }
    unique.set(key, item);
  }
  return { unique, duplicates: [...duplicates].sort() };
}

/** Matches both sides and computes every matched product's target; decides nothing about safety. */
export function planRound(input: PlanInput): RoundPlan {
  const cashmanKey = (row: CashmanStockRow) => (input.matchBy === 'sku' ? row.sku : row.barcode);
  const shopKey = (product: ShopProduct) => (input.matchBy === 'sku' ? product.sku : product.gtin);
  const cashman = byKey(input.cashman, cashmanKey);
  const shop = byKey(input.products, shopKey);
  const matched: PlanItem[] = [];
  const unmatchedShop: string[] = [];
  const unreadableCashman: string[] = [];
  const used = new Set<string>();
  const cashmanDuplicates = new Set(cashman.duplicates);
  const shopDuplicates = new Set(shop.duplicates);
  for (const [key, product] of shop.unique) {
    if (cashmanDuplicates.has(key)) continue;
    const row = cashman.unique.get(key);
    if (!row) {
      unmatchedShop.push(key);
      continue;
    }
    used.add(key);
    const stock = decimalToScaled(row.stock);
    if (stock === null) {
      unreadableCashman.push(key);
      continue;
    }
    const open = input.open.get(product.id) ?? 0n;
    const target = stockTarget(stock, open);
    matched.push({
      productId: product.id,
      key,
      cashmanStock: row.stock.trim(),
      open: scaledText(open),
      current: product.current,
      target,
      write: !sameStock(product.current, target),
    });
  }
  const unmatchedCashman = [...cashman.unique.keys()].filter((key) => !used.has(key) && !shopDuplicates.has(key));
  return {
    matched,
    unmatchedShop: unmatchedShop.sort(),
    unmatchedCashman: unmatchedCashman.sort(),
    duplicateShop: shop.duplicates,
    duplicateCashman: cashman.duplicates,
    unreadableCashman: unreadableCashman.sort(),
    keyless: input.products.filter((p) => shopKey(p).trim() === '').length,
  };
}

/** Adds one order's lines to the open quantities (a line's quantity counts once per order). */
export function addOpenLines(open: Map<string, bigint>, lines: readonly { productId: string; quantity: bigint }[]): void {
  for (const line of lines) open.set(line.productId, (open.get(line.productId) ?? 0n) + line.quantity);
}
