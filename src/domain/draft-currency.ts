import { formatAmount4, roundHalfUp, SCALE4, type Amount4 } from './money.js';
import type { Order } from './order.js';
import { refuse, reasons } from './draft-reasons.js';
import { convertToMinor, RATE_SCALE } from './rounding.js';

/**
 * The currency a draft is written in. Shoprenter keeps every amount (product prices, orderTotals,
 * order.total) in the shop's default currency, which this version takes to be HUF, and gives the
 * order's exchange multiplier (`value`, order currency per HUF, "1.00000000" for HUF); see
 * reference/shoprenter-api.md §7.1 and §9.5. A non-HUF order is converted line by line, and the
 * rate goes into the invoice note, because a foreign-currency invoice must state it.
 */
export interface DraftMoney {
  /** ISO code, upper-case ("HUF", "EUR"). */
  code: string;
  /** Minor-unit digits of the draft: HUF is always 0, because HUF invoice lines are whole forints by law. */
  decimals: number;
  /** Order currency per 1 HUF, scaled 10^8. */
  multiplier8: bigint;
  /** False for HUF: nothing is converted, and the draft must match Shoprenter to the forint. */
  converted: boolean;
  /** "Árfolyam: 1 EUR = 400 HUF" for a converted order, else null. */
  rateNote: string | null;
}

export function draftMoney(order: Order): DraftMoney {
  const code = order.currency.code.trim().toUpperCase();
  const multiplier8 = parseMultiplier8(order.currency.value);
  if (!/^[A-Z]{3}$/.test(code)) refuse(reasons.currencyCode(order.orderNumber, order.currency.code));
  if (multiplier8 === null || multiplier8 <= 0n) {
    refuse(reasons.currency(order.orderNumber, code, `an unusable exchange multiplier "${order.currency.value}"`));
  }
  if (code === 'HUF') {
    if (multiplier8 !== RATE_SCALE) refuse(reasons.hufConverted(order.orderNumber, order.currency.value));
    return { code, decimals: 0, multiplier8, converted: false, rateNote: null };
  }
  const decimals = order.currency.decimals;
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 4) {
    refuse(reasons.currency(order.orderNumber, code, `${decimals} decimal places, where 0 to 4 are supported`));
  }
  if (multiplier8 === RATE_SCALE) {
    refuse(reasons.currency(order.orderNumber, code, 'exchange multiplier 1, so its exchange rate to HUF is unknown'));
  }
  // 1 / multiplier, to 4 decimals: the HUF price of one unit of the order currency.
  const hufPerUnit = formatAmount4(roundHalfUp(SCALE4 * RATE_SCALE, multiplier8));
  return { code, decimals, multiplier8, converted: true, rateNote: `Árfolyam: 1 ${code} = ${hufPerUnit} HUF` };
}

/** An amount in the shop currency (HUF Amount4) in minor units of the draft currency. */
export function inDraftCurrency(money: DraftMoney, amount: Amount4): bigint {
  return convertToMinor(amount, money.multiplier8, money.decimals);
}

/** "0.00250000" -> 250000n (scaled 10^8); digits past the 8th are rounded half up; null when not a plain decimal. */
export function parseMultiplier8(text: string): bigint | null {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!m) return null;
  const [, whole = '0', fraction = ''] = m;
  const padded = (fraction + '000000000').slice(0, 9);
  const value = BigInt(whole) * RATE_SCALE + BigInt(padded.slice(0, 8));
  return Number(padded[8]) >= 5 ? value + 1n : value;
}
