import { MappingError } from '../errors.js';
import { pow10 } from './money.js';
import type { DraftLine, DraftResult, InvoiceDraft, ShippingAddress } from './draft.js';
import type { MappingConfig } from './mapping-config.js';
import type { Order } from './order.js';
import type { PartnerData } from './partner.js';
import { clean, countryText, isCompanyPartner } from './build-partner.js';
import { draftMoney, inDraftCurrency, type DraftMoney } from './draft-currency.js';
import { draftDates } from './draft-dates.js';
import { discountTargets, paymentFeeTargets, readTotals, shippingTargets, type ShopTotals } from './draft-fees.js';
import { addonTargets, lookupIgnoringCase, productTargets, type LineTarget } from './draft-lines.js';
import { moneyText, refuse, reasons } from './draft-reasons.js';
import { finishLines, reconcile } from './draft-split.js';
import { navFailure, rebalance } from './nav-checks.js';
import { navText } from './nav-text.js';
import { checkRestatingRows } from './price-checks.js';
import { buyerVatCase, type VatCase } from './vat-cases.js';

/** More lines than this is taken for a data error rather than an order. */
export const MAX_LINES = 1000;
/** Amounts above 100 billion forint (or units of the order currency) are taken for a data error. */
const MAX_AMOUNT = 100_000_000_000n;

/**
 * Order -> invoice draft (SPEC §1.3-1.4), pure and total: any order value yields a draft or the
 * one sentence that explains why not; this function never throws. Lines, in order: products,
 * add-ons, cart discount, coupon, loyalty points, shipping, payment fee. The draft is checked
 * against Shoprenter's total, the shop's own net/VAT rows and NAV's checks before it is returned,
 * so nothing wrong reaches Cashman.
 */
/**
 * `today` is the shop-local calendar day (YYYY-MM-DD) the draft is made on: the invoice's issue
 * date. The caller reads the clock, so this function stays pure and a test can pin the day.
 */
export function buildDraft(order: Order, partner: PartnerData, config: MappingConfig, today: string): DraftResult {
  try {
    return { ok: true, ...draftOf(order, partner, config, today) };
  } catch (error) {
    if (error instanceof MappingError) return { ok: false, reason: error.message };
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: reasons.unexpected(order.orderNumber, message) };
  }
}

function draftOf(order: Order, partner: PartnerData, config: MappingConfig, today: string): { draft: InvoiceDraft; corrections: number } {
  const money = draftMoney(order);
  const { issueDate, fulfilmentDate, dueDate } = draftDates(order, config, today);
  const code = clean(order.paymentMethodCode);
  if (code === null) refuse(reasons.paymentMissing(order.orderNumber));
  const paymentMethod = navText(lookupIgnoringCase(config.paymentMethods, code) ?? refuse(reasons.paymentUnmapped(code)));
  const company = isCompanyPartner(partner);
  const totals = readTotals(order);
  const targets = lineTargets(order, totals, money, config, buyerVatCase(partner));
  const split = finishLines(reconcile(targets, inDraftCurrency(money, totals.total), money), company, order.orderNumber, money);
  // An empty order passes the total check (0 = 0), but Cashman needs at least one line.
  if (split.length === 0) refuse(reasons.nothingToInvoice(order.orderNumber));
  const { lines, corrections } = rebalance(split, money.decimals);
  checkRestatingRows(order, lines, money);
  const draft: InvoiceDraft = {
    orderId: order.id,
    orderNumber: order.orderNumber,
    buyer: partner,
    buyerKind: company ? 'company' : 'private',
    shipping: shippingAddress(order),
    issueDate,
    fulfilmentDate,
    dueDate,
    currency: money.code,
    decimals: money.decimals,
    paymentMethod,
    orderNumberText: navText(config.invoice.orderNumberText.replaceAll('{orderNumber}', order.orderNumber)),
    note: invoiceNote(order, money),
    lines,
    totals: sumLines(lines),
  };
  const failure = navFailure(draft);
  if (failure) refuse(reasons.navCheck(order.orderNumber, failure.check, failure.detail));
  return { draft, corrections };
}

function lineTargets(order: Order, totals: ShopTotals, money: DraftMoney, config: MappingConfig, buyer: Exclude<VatCase, 'deposit'>): LineTarget[] {
  if (order.products.length + order.addons.length > MAX_LINES) {
    refuse(reasons.tooManyLines(order.orderNumber, order.products.length + order.addons.length, MAX_LINES));
  }
  const { total, ...amounts } = totals;
  checkAmounts(order, money, [total, ...Object.values(amounts)].map((a) => inDraftCurrency(money, a)));
  const products = productTargets(order, money, config, buyer);
  checkAmounts(order, money, products.map((t) => t.gross));
  const names = config.invoice.lineNames;
  const coupon = clean(order.couponCode);
  const discount = (kind: 'discount' | 'coupon' | 'loyalty', name: string, amount: bigint): LineTarget[] =>
    discountTargets(kind, name, inDraftCurrency(money, amount), products, order, money, config);
  const discounts = [
    ...discount('discount', names.discount, totals.cartDiscount),
    ...discount('coupon', coupon === null ? names.coupon : `${names.coupon} (${coupon})`, totals.coupon),
    ...discount('loyalty', names.loyalty, totals.loyalty),
  ];
  checkDiscounts(order, money, products, discounts);
  const targets = [
    ...products,
    ...addonTargets(order, money, config, buyer),
    ...discounts,
    ...shippingTargets(order, totals, money, config, buyer),
    ...paymentFeeTargets(order, totals, money, config, buyer),
  ];
  checkAmounts(order, money, targets.map((t) => t.gross));
  return targets;
}

/** Discounts larger than the goods would leave a rate with negative net: never a real order. */
function checkDiscounts(order: Order, money: DraftMoney, products: LineTarget[], discounts: LineTarget[]): void {
  const goods = products.reduce((a, t) => a + t.gross, 0n);
  const off = discounts.reduce((a, t) => a + t.gross, 0n);
  if (goods + off < 0n) {
    refuse(reasons.discountTooLarge(order.orderNumber, moneyText(off, money.code, money.decimals), moneyText(goods, money.code, money.decimals)));
  }
}

function checkAmounts(order: Order, money: DraftMoney, amounts: bigint[]): void {
  const limit = MAX_AMOUNT * pow10(money.decimals);
  if (amounts.some((a) => a > limit || a < -limit)) refuse(reasons.absurdAmount(order.orderNumber, moneyText(limit, money.code, money.decimals)));
}

/** The customer's comment, kept for the accountant, and for a converted order the exchange rate. */
function invoiceNote(order: Order, money: DraftMoney): string | null {
  const comment = clean(order.comment);
  const parts = [comment === null ? null : `Vevő megjegyzése: ${comment}`, money.rateNote];
  // One line: a line break in an invoice text is a schema error at NAV (nav-rules.md §8).
  return parts.filter((p) => p !== null).join(' | ') || null;
}

/** The shipping block only when it is complete: Cashman requires all of it once a shipping name is given. */
function shippingAddress(order: Order): ShippingAddress | null {
  const s = order.shipping;
  if (s === null) return null;
  const name = clean(s.name) ?? clean(s.company);
  const [postcode, city, street] = [clean(s.postcode), clean(s.city), clean(s.street)];
  if (name === null || postcode === null || city === null || street === null) return null;
  return { name, postcode, city, street, country: countryText(s) };
}

function sumLines(lines: DraftLine[]): InvoiceDraft['totals'] {
  return lines.reduce((a, l) => ({ net: a.net + l.net, vat: a.vat + l.vat, gross: a.gross + l.gross }), { net: 0n, vat: 0n, gross: 0n });
}
