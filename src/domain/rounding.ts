import { formatMinor, pow10, roundHalfUp, SCALE4, type Amount4 } from './money.js';

/**
 * The invoice rounding rules, all built on money.ts's one `roundHalfUp`. Amounts are whole minor
 * units of the draft currency (HUF: forint); rates are Amount4 percents (27% = 270000n).
 * See reference/hungarian-invoicing.md §1: private buyers gross-first, company buyers net-first.
 */

/** Net, VAT and gross of one line in whole minor units; net + vat = gross always. */
export interface LineAmounts {
  net: bigint;
  vat: bigint;
  gross: bigint;
}

/** 100% as an Amount4 percent. */
const HUNDRED = 100n * SCALE4;

/** Scale of exchange multipliers ("1.00000000" = 10^8). */
export const RATE_SCALE = 100_000_000n;

/** Gross-first: VAT = round(gross × r / (100 + r)), net = gross − VAT. */
export function splitGross(gross: bigint, rate: Amount4): LineAmounts {
  const vat = roundHalfUp(gross * rate, HUNDRED + rate);
  return { net: gross - vat, vat, gross };
}

/** Net-first: VAT = round(net × r / 100), gross = net + VAT. */
export function fromNet(net: bigint, rate: Amount4): LineAmounts {
  const vat = roundHalfUp(net * rate, HUNDRED);
  return { net, vat, gross: net + vat };
}

/**
 * The net-first line with the largest gross not above `gross`. Its gross equals `gross` unless no
 * whole net reaches it: net-first grosses climb in steps of 1 or 2, so at 27% about one gross value
 * in five is skipped (net 787 -> 999, net 788 -> 1001; 1000 is unreachable). Needs 0 <= rate < 100%.
 */
export function netFirstAtMost(gross: bigint, rate: Amount4): LineAmounts {
  let net = roundHalfUp(gross * HUNDRED, HUNDRED + rate);
  while (fromNet(net, rate).gross > gross) net -= 1n;
  while (fromNet(net + 1n, rate).gross <= gross) net += 1n;
  return fromNet(net, rate);
}

/** Unit gross from a net unit price, the way the shop shows it: round(net × (100 + r) / 100) in minor units. */
export function unitGrossFromNet(netUnit: Amount4, rate: Amount4, decimals: number): bigint {
  return roundHalfUp(netUnit * (HUNDRED + rate) * pow10(decimals), HUNDRED * SCALE4);
}

/** A unit price in minor units times an Amount4 quantity, rounded to whole minor units. */
export function timesQuantity(unitMinor: bigint, quantity: Amount4): bigint {
  return roundHalfUp(unitMinor * quantity, SCALE4);
}

/** An Amount4 in the shop currency times the exchange multiplier (scaled 10^8), in minor units of the order currency. */
export function convertToMinor(amount: Amount4, multiplier8: bigint, decimals: number): bigint {
  return roundHalfUp(amount * multiplier8 * pow10(decimals), SCALE4 * RATE_SCALE);
}

/** The same conversion kept at Amount4 precision (for net unit prices, which are rounded later). */
export function convertAmount4(amount: Amount4, multiplier8: bigint): Amount4 {
  return roundHalfUp(amount * multiplier8, RATE_SCALE);
}

/** Net unit price text for Cashman: line net / quantity with two decimals more than the currency's. */
export function unitPriceText(lineNet: bigint, quantity: Amount4, decimals: number): string {
  return formatMinor(roundHalfUp(lineNet * 100n * SCALE4, quantity), decimals + 2);
}

/**
 * Splits `total` in proportion to non-negative `weights` so that the parts add up to `total`
 * exactly: each part is first cut toward zero, then the leftover minor units go one each to the
 * parts with the largest remainders, ties to the earlier weight (largest-remainder method).
 */
export function apportion(total: bigint, weights: readonly bigint[]): bigint[] {
  const sum = weights.reduce((a, b) => a + b, 0n);
  if (sum <= 0n || weights.some((w) => w < 0n)) throw new RangeError('apportion needs non-negative weights with a positive sum');
  const magnitude = total < 0n ? -total : total;
  const parts = weights.map((w) => (magnitude * w) / sum);
  let leftover = magnitude - parts.reduce((a, b) => a + b, 0n);
  const byRemainder = weights
    .map((w, index) => ({ index, remainder: (magnitude * w) % sum }))
    .sort((a, b) => (a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1));
  for (const { index } of byRemainder) {
    if (leftover === 0n) break;
    parts[index] = (parts[index] ?? 0n) + 1n;
    leftover -= 1n;
  }
  return total < 0n ? parts.map((p) => -p) : parts;
}
