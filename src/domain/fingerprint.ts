import { buildPartner, clean, countryText } from './build-partner.js';
import { formatAmount4, roundHalfUp, SCALE4, type Amount4 } from './money.js';
import type { Order } from './order.js';

/**
 * What a draft was built from, reduced to what the invoice shows (SPEC §1.7): lines, quantities,
 * prices, totals, buyer and addresses. The order's status, comment and dates are left out, so a
 * change of those alone is never reported. A field that could not be known (a fingerprint rebuilt
 * from an old audit row has no product lines, no e-mail) is absent, and absent fields are not
 * compared.
 */
export interface Fingerprint {
  /**
   * Which rules made it: FINGERPRINT_RULES for this version's. Absent: an earlier version's (or one
   * rebuilt from an old draft request), whose drafts left a sole trader's tax number out.
   */
  rules?: number;
  /** Order currency code, upper-case. */
  currency?: string;
  /** Gross total in whole forints (Shoprenter keeps amounts in HUF, the shop's currency). */
  grossHuf?: string;
  buyerName?: string;
  email?: string;
  taxNumber?: string;
  /** "postcode|city|street|country", as the draft's buyer block carries it. */
  billing?: string;
  /** Same shape for the shipping block; "" when the draft has none. */
  shipping?: string;
  lines?: FingerprintLine[];
}

/** One product or add-on line: identified by SKU (or name), then compared. */
export interface FingerprintLine {
  key: string;
  name: string;
  /** Decimal text ("2", "1.5"). */
  quantity: string;
  /** Net unit price in HUF, decimal text ("3937.0079"). */
  netUnitPrice: string;
  /** VAT percent, decimal text ("27"). */
  taxRate: string;
}

/** 2: a tax number makes the buyer a business, sole traders included (issue 10); 1 (unmarked) before. */
export const FINGERPRINT_RULES = 2;

/** The fingerprint of an order as Shoprenter shows it now. */
export function fingerprintOrder(order: Order): Fingerprint {
  const partner = buildPartner(order);
  const fingerprint: Fingerprint = {
    rules: FINGERPRINT_RULES,
    currency: order.currency.code.trim().toUpperCase(),
    grossHuf: wholeForints(totalOf(order)),
    shipping: shippingText(order),
    lines: [
      ...order.products.map((p) => line(p.sku, p.name, p.quantity, p.netUnitPrice, p.taxRate)),
      ...order.addons.map((a) => line(a.sku, a.name, a.quantity, a.netUnitPrice, a.taxRate)),
    ],
  };
  if (!('reason' in partner)) {
    fingerprint.buyerName = partner.companyName && partner.taxNumber ? partner.companyName : partner.name;
    fingerprint.email = partner.email;
    fingerprint.taxNumber = partner.taxNumber ?? partner.euVatNumber ?? '';
    fingerprint.billing = address(partner.postcode, partner.city, partner.street, partner.country);
  }
  return fingerprint;
}

export function address(postcode: string | null, city: string | null, street: string | null, country: string | null): string {
  return [postcode ?? '', city ?? '', street ?? '', country ?? ''].join('|');
}

function line(sku: string | null, name: string, quantity: Amount4, netUnitPrice: Amount4, taxRate: Amount4): FingerprintLine {
  const cleanName = clean(name) ?? '';
  return {
    key: clean(sku) ?? cleanName,
    name: cleanName,
    quantity: formatAmount4(quantity),
    netUnitPrice: formatAmount4(netUnitPrice),
    taxRate: formatAmount4(taxRate),
  };
}

function totalOf(order: Order): Amount4 {
  const row = order.totals.find((t) => t.type.trim().toUpperCase() === 'TOTAL');
  return row?.value ?? order.total;
}

function wholeForints(value: Amount4): string {
  return roundHalfUp(value, SCALE4).toString();
}

/** The same completeness rule as the draft's shipping block: all parts or none. */
function shippingText(order: Order): string {
  const s = order.shipping;
  if (s === null) return '';
  const name = clean(s.name) ?? clean(s.company);
  const [postcode, city, street] = [clean(s.postcode), clean(s.city), clean(s.street)];
  if (name === null || postcode === null || city === null || street === null) return '';
  return `${name}|${address(postcode, city, street, countryText(s))}`;
}
