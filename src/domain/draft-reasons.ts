import { MappingError } from '../errors.js';
import { formatAmount4, formatMinor, type Amount4 } from './money.js';

/**
 * Every quarantine sentence of the order -> draft mapping, in one place so that they stay one
 * plain sentence each, name the config key when adding one is the fix, and are easy to test.
 * build-draft throws them as MappingError internally and returns them as `{ ok: false, reason }`.
 */

/** The first `max` characters of a text, with "…" when it was longer. */
export function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : text;
}

/** Stops building the draft; the message is the quarantine reason. */
export function refuse(reason: string): never {
  throw new MappingError(reason);
}

/** "12 001 Ft", "-1 000 Ft", "1 234.56 EUR": how a shop owner reads an amount in minor units. */
export function moneyText(minor: bigint, currency: string, decimals: number): string {
  const [whole = '0', fraction] = formatMinor(minor, decimals).split('.');
  const sign = whole.startsWith('-') ? '-' : '';
  const grouped = whole.replace('-', '').replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  const number = sign + grouped + (fraction === undefined ? '' : `.${fraction}`);
  return currency === 'HUF' ? `${number} Ft` : `${number} ${currency}`;
}

/** "27%", "5.5%". */
export function rateText(rate: Amount4): string {
  return `${formatAmount4(rate)}%`;
}

/** What each 0 % case means, for the quarantine sentence. */
const ZERO_CASE_TEXT: Record<string, string> = {
  deposit: 'a deposit fee',
  intraEu: 'sold to a business in another EU member state',
  export: 'sold to a buyer outside the EU',
  domestic: 'a domestic exempt sale',
};

const ZERO_CASE_HINT: Record<string, string> = {
  deposit: ' (outside the scope of VAT)',
  intraEu: ' (KBAET)',
  export: ' (EAM)',
  domestic: ' (e.g. AAM or TAM)',
};

export const reasons = {
  vatUnmapped: (rate: Amount4) => `VAT rate ${rateText(rate)} has no entry under vatRates in config.yaml.`,
  vatCaseUnmapped: (order: string, vatCase: string, what: string) =>
    `Order ${order} has ${what} at 0% VAT, ${ZERO_CASE_TEXT[vatCase] ?? vatCase}, and vatExemptions.${vatCase} has no entry in config.yaml; add it, pointing at the Cashman VAT row of that exemption${ZERO_CASE_HINT[vatCase] ?? ''}.`,
  vatNotHungarian: (order: string, what: string, rate: Amount4) =>
    `Order ${order} has ${what} at VAT rate ${rateText(rate)}, which a Hungarian invoice cannot carry (only 27%, 18%, 5% or an exemption); check its tax class in Shoprenter.`,
  rateContradicts: (order: string, name: string, net: string, gross: string, implied: string | null, rate: string) =>
    `Order ${order} has "${name.slice(0, 60)}" with net price ${net} and gross price ${gross}${implied === null ? '' : ` (${implied} VAT)`}, but its VAT rate is ${rate}; check the product's tax class and prices in Shoprenter.`,
  subtotalContradicts: (order: string, shop: string, draft: string) =>
    `Order ${order} shows a net subtotal of ${shop} in Shoprenter, but its products come to ${draft} net at their stated VAT rates; check the products' tax classes in Shoprenter.`,
  taxContradicts: (order: string, shop: string, draft: string) =>
    `Order ${order} shows ${shop} of VAT in Shoprenter, but its products come to ${draft} of VAT at their stated VAT rates; check the products' tax classes in Shoprenter.`,
  nameMissing: (order: string) => `Order ${order} has a line with no name, which an invoice cannot carry; name the product in Shoprenter.`,
  navCheck: (order: string, check: string, detail: string) =>
    `Order ${order} would fail NAV's check ${check} (${detail}), and no one-forint correction fixes it; issue this invoice by hand in Cashman.`,
  vatInvalid: (order: string, what: string, rate: Amount4) =>
    `Order ${order} has ${what} with VAT rate ${rateText(rate)}, which is not a valid rate; check its tax class in Shoprenter.`,
  unitUnmapped: (unit: string) => `Unit "${unit}" has no entry under units.ids in config.yaml.`,
  paymentUnmapped: (code: string) => `Payment method "${code}" has no entry under paymentMethods in config.yaml.`,
  paymentMissing: (order: string) =>
    `Order ${order} has no payment method code, so no entry under paymentMethods in config.yaml can match it; check the order in Shoprenter.`,
  shippingUnmapped: (order: string, method: string | null) =>
    method === null
      ? `Order ${order} has a shipping fee but no shipping method, and there is no "default" entry under shippingMethods in config.yaml.`
      : `Shipping method "${method}" has no entry under shippingMethods in config.yaml, and there is no "default" entry either.`,
  feeRateMissing: (order: string, fee: 'shipping' | 'payment') =>
    `Order ${order} has a ${fee} fee but Shoprenter gave no VAT rate for its ${fee} method; check that method's tax class in Shoprenter.`,
  quantity: (order: string, name: string, quantity: Amount4) =>
    `Order ${order} has "${name}" with quantity ${formatAmount4(quantity)}, which cannot be invoiced; correct the order in Shoprenter.`,
  negativePrice: (order: string, name: string) =>
    `Order ${order} has "${name}" with a negative price, which cannot be invoiced; correct the order in Shoprenter.`,
  unknownTotal: (order: string, name: string, type: string) =>
    `Order ${order} has a total line "${name}" of type ${type === '' ? '(empty)' : type} that this version does not know how to invoice.`,
  totalsDisagree: (order: string) =>
    `Order ${order} has several TOTAL lines with different amounts; check the order's totals in Shoprenter.`,
  discountWithoutProducts: (order: string, name: string, amount: string) =>
    `Order ${order} has a discount "${name}" of ${amount} but no product value to take it from; check the order in Shoprenter.`,
  discountTooLarge: (order: string, discount: string, products: string) =>
    `Order ${order} has discounts of ${discount}, more than its products' value of ${products}; check the order in Shoprenter.`,
  mismatch: (draft: string, shop: string) =>
    `The draft adds up to ${draft} but Shoprenter's total is ${shop}; check the order's prices.`,
  companyUnreachable: (order: string, shop: string, draft: string) =>
    `Order ${order} is for a company and its total of ${shop} cannot be written as net-rounded invoice lines (they come to ${draft}); issue this invoice by hand in Cashman.`,
  date: (order: string, text: string) =>
    `Order ${order} has no valid creation date ("${text}"); check the order in Shoprenter.`,
  timezone: (zone: string) => `sync.timezone "${zone}" in config.yaml is not a time zone this system knows.`,
  dueDays: (days: number) => `invoice.dueDays in config.yaml must be a whole number of days from 0 to 365, not ${days}.`,
  currencyCode: (order: string, code: string) =>
    `Order ${order} has ${code.trim() === '' ? 'no currency code' : `an unusable currency code "${code}"`}; check the currency settings in Shoprenter.`,
  currency: (order: string, code: string, detail: string) =>
    `Order ${order} is in ${code} with ${detail}; check the currency settings in Shoprenter.`,
  hufConverted: (order: string, multiplier: string) =>
    `Order ${order} is in HUF but carries exchange multiplier ${multiplier}; this version expects HUF to be the shop's default currency.`,
  tooManyLines: (order: string, count: number, max: number) =>
    `Order ${order} would need ${count} invoice lines, more than the ${max} this version sends in one draft.`,
  absurdAmount: (order: string, limit: string) =>
    `Order ${order} has an amount above ${limit}, which looks like a data error; check the order in Shoprenter.`,
  nothingToInvoice: (order: string) =>
    `Order ${order} has nothing to invoice (no products, fees or other amounts); check the order in Shoprenter.`,
  nameTooLong: (order: string, name: string, length: number, max: number) =>
    `Order ${order} has a line ("${name.slice(0, 40)}…") whose name is ${length} characters long, more than the ${max} an invoice line can carry; shorten it in Shoprenter.`,
  skuTooLong: (order: string, name: string, length: number, max: number) =>
    `Order ${order} has a line ("${clip(name, 40)}") whose product code (SKU) is ${length} characters long, more than the ${max} an invoice can carry; shorten it in Shoprenter.`,
  unitTooLong: (order: string, name: string, unit: string, length: number, max: number) =>
    `Order ${order} has a line ("${clip(name, 40)}") whose unit "${clip(unit, 20)}" is ${length} characters long, more than the ${max} an invoice can carry; shorten the product's unit in Shoprenter.`,
  futureDate: (order: string, dateCreated: string) =>
    `Order ${order} was created on ${dateCreated}, which is in the future, so it cannot be dated; check the order's date in Shoprenter.`,
  absurdQuantity: (order: string, name: string, quantity: Amount4) =>
    `Order ${order} has "${name}" with quantity ${formatAmount4(quantity)}, which looks like a data error; check the order in Shoprenter.`,
  unexpected: (order: string, message: string) =>
    `Order ${order} could not be turned into a draft because of an unexpected error (${message}); please report this.`,
} as const;
