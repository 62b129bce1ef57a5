import type { DraftLineKind } from './draft.js';
import type { MappingConfig } from './mapping-config.js';
import type { Amount4 } from './money.js';
import type { Order } from './order.js';
import { clean } from './build-partner.js';
import { inDraftCurrency, type DraftMoney } from './draft-currency.js';
import { feeTarget, lookupIgnoringCase, type LineTarget } from './draft-lines.js';
import { moneyText, rateText, refuse, reasons } from './draft-reasons.js';
import { apportion } from './rounding.js';
import { vatIdFor, type VatCase } from './vat-cases.js';
import { upperCleaned, upperTrimmed } from './words.js';

/**
 * The money rows of orderTotals (reference/shoprenter-api.md §7). All are GROSS amounts in the
 * shop currency; discounts are made negative whatever sign Shoprenter used, since a discount
 * never raises a price (and the reconciliation would catch a misread sign anyway).
 */
export interface ShopTotals {
  cartDiscount: Amount4;
  coupon: Amount4;
  loyalty: Amount4;
  shipping: Amount4;
  payment: Amount4;
  /** The TOTAL row, or `order.total` when there is none. */
  total: Amount4;
}

/** Rows that restate the products (or count points, not money) and so need no line of their own. */
const RESTATING = new Set(['SUB_TOTAL', 'TAX', 'SUB_TOTAL_WITH_TAX', 'LOYALTYPOINTS_TO_GET']);

/** Several rows of one kind are added up. The cart-amount discount is known only by its key (its type is undocumented). */
export function readTotals(order: Order): ShopTotals {
  const sums = { cartDiscount: 0n, coupon: 0n, loyalty: 0n, shipping: 0n, payment: 0n };
  const totalRows: Amount4[] = [];
  const negative = (v: Amount4): Amount4 => (v > 0n ? -v : v);
  for (const row of order.totals) {
    const type = upperTrimmed(row.type);
    if (upperCleaned(row.key) === 'CART_AMOUNT_DISCOUNT') sums.cartDiscount += negative(row.value);
    else if (type === 'SHIPPING') sums.shipping += row.value;
    else if (type === 'PAYMENT') sums.payment += row.value;
    else if (type === 'COUPON') sums.coupon += negative(row.value);
    else if (type === 'LOYALTYPOINTS_TO_USE') sums.loyalty += negative(row.value);
    else if (type === 'TOTAL') totalRows.push(row.value);
    else if (!RESTATING.has(type) && row.value !== 0n) refuse(reasons.unknownTotal(order.orderNumber, row.name.trim(), type));
  }
  if (totalRows.some((v) => v !== totalRows[0])) refuse(reasons.totalsDisagree(order.orderNumber));
  return { ...sums, total: totalRows[0] ?? order.total };
}

/**
 * A discount as negative line(s). On a basket with several VAT rates it is split across the
 * product rates in proportion to each rate's product gross (add-ons such as deposit fees are not
 * discounted), largest-remainder so the parts add up exactly; the higher rate comes first and wins
 * ties. Each part then carries its own rate, so the VAT of the discount follows the goods'.
 */
export function discountTargets(
  kind: DraftLineKind,
  name: string,
  gross: bigint,
  products: readonly LineTarget[],
  order: Order,
  money: DraftMoney,
  config: MappingConfig,
): LineTarget[] {
  if (gross === 0n) return [];
  const groups = new Map<Amount4, { id: number; vatCase: VatCase | null; gross: bigint }>();
  for (const p of products) {
    const group = groups.get(p.rate) ?? { id: p.vatId, vatCase: p.vatCase, gross: 0n };
    groups.set(p.rate, { ...group, gross: group.gross + p.gross });
  }
  const rates = [...groups.entries()].filter(([, g]) => g.gross > 0n).sort(([a], [b]) => (a > b ? -1 : a < b ? 1 : 0));
  if (rates.length === 0) {
    refuse(reasons.discountWithoutProducts(order.orderNumber, name, moneyText(gross, money.code, money.decimals)));
  }
  const parts = apportion(gross, rates.map(([, g]) => g.gross));
  return rates.flatMap(([rate, group], i) => {
    const part = parts[i] ?? 0n;
    if (part === 0n) return [];
    const suffix = rates.length === 1 ? '' : rate === 0n ? ' – áfamentes' : ` – ${rateText(rate)} ÁFA`;
    return [feeTarget(kind, name + suffix, rate, group, part, config)];
  });
}

/** The shipping fee at the shipping method's VAT rate, named through `shippingMethods`; none when zero. */
export function shippingTargets(order: Order, totals: ShopTotals, money: DraftMoney, config: MappingConfig, buyer: VatCase): LineTarget[] {
  const gross = inDraftCurrency(money, totals.shipping);
  if (gross === 0n) return [];
  const rate = order.shippingMethodTaxRate ?? refuse(reasons.feeRateMissing(order.orderNumber, 'shipping'));
  const extension = clean(order.shippingMethodExtension);
  const name =
    lookupIgnoringCase(config.shippingMethods, extension) ??
    lookupIgnoringCase(config.shippingMethods, 'default') ??
    refuse(reasons.shippingUnmapped(order.orderNumber, extension));
  return [feeTarget('shipping', name, rate, { id: vatIdFor(order, 'a shipping fee', rate, buyer, config), vatCase: buyer }, gross, config)];
}

/** The payment method's fee (e.g. cash on delivery) at its VAT rate; none when zero. */
export function paymentFeeTargets(order: Order, totals: ShopTotals, money: DraftMoney, config: MappingConfig, buyer: VatCase): LineTarget[] {
  const gross = inDraftCurrency(money, totals.payment);
  if (gross === 0n) return [];
  const rate = order.paymentMethodTaxRate ?? refuse(reasons.feeRateMissing(order.orderNumber, 'payment'));
  const method = clean(order.paymentMethodName);
  const name = config.invoice.lineNames.paymentFee + (method === null ? '' : ` (${method})`);
  return [feeTarget('payment', name, rate, { id: vatIdFor(order, 'a payment fee', rate, buyer, config), vatCase: buyer }, gross, config)];
}
