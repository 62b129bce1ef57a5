import type { Order, OrderAddress } from './order.js';
import type { PartnerData } from './partner.js';
import { lengthBeyond, navText } from './nav-text.js';

/**
 * Order -> Cashman partner (SPEC §1.2). A tax number makes the buyer a business: it is named by
 * the billing company, or, for a sole trader (egyéni vállalkozó) who left the company empty, by the
 * person's name, and carries the tax number. Without one the buyer is a private person under the
 * billing name, whatever the company field says. `isCompanyPartner` tells build-draft how to round.
 */
export function buildPartner(order: Order): PartnerData | { reason: string } {
  const email = usableEmail(order.email);
  if (email === null) {
    return { reason: `Order ${order.orderNumber} has no usable e-mail address, so no Cashman partner can be matched; add one in Shoprenter.` };
  }
  const billing = order.billing;
  const company = clean(billing.company);
  const tax = classifyTaxNumber(order.taxNumber);
  const person = clean(billing.name) ?? clean(order.shipping?.name);
  const name = tax !== null ? (company ?? person) : person;
  if (name === null) {
    return { reason: `Order ${order.orderNumber} has no billing name, so the Cashman partner cannot be named; add one in Shoprenter.` };
  }
  // NAV's customerName (reference/nav-rules.md §8): a longer name fails the invoice's schema at NAV.
  const length = lengthBeyond(name, MAX_BUYER_NAME);
  if (length > MAX_BUYER_NAME) {
    const shown = [...name].slice(0, 40).join('');
    return { reason: `Order ${order.orderNumber} has a buyer name of ${length} characters ("${shown}…"), more than the ${MAX_BUYER_NAME} an invoice can carry; shorten it in Shoprenter.` };
  }
  return {
    email,
    name,
    phone: clean(order.phone),
    postcode: clean(billing.postcode),
    city: clean(billing.city),
    street: clean(billing.street),
    country: countryText(billing),
    countryCode: clean(billing.countryCode)?.toUpperCase() ?? null,
    companyName: tax !== null ? company : null,
    taxNumber: tax?.taxNumber ?? null,
    euVatNumber: tax?.euVatNumber ?? null,
  };
}

/** Longest buyer name NAV takes (customerName, SimpleText512NotBlankType). */
export const MAX_BUYER_NAME = 512;

/** True for business buyers (a tax number, HU or EU): their drafts are rounded net-first. */
export function isCompanyPartner(partner: PartnerData): boolean {
  return partner.taxNumber !== null || partner.euVatNumber !== null;
}

/**
 * Country text for Cashman (`orszag`). Shoprenter's country name is localised ("Hungary" in an
 * English admin), so a Hungarian address is always written "Magyarország", as Cashman's own
 * examples do. An address with neither a name nor a code is taken as domestic: Shoprenter leaves
 * both empty only on hand-made orders of a Hungarian shop, and the accountant sees the draft.
 */
export function countryText(address: OrderAddress): string {
  const code = clean(address.countryCode)?.toUpperCase() ?? null;
  if (code === 'HU') return 'Magyarország';
  return clean(address.countryName) ?? code ?? 'Magyarország';
}

const EU_PREFIXES = new Set('AT BE BG CY CZ DE DK EE EL ES FI FR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK XI'.split(' '));

/**
 * Sorts what the buyer typed as tax number into the HU tax number (`adoszam`) and the EU VAT
 * number (`kozossegi_adoszam`). Text without a digit ("-", "nincs") counts as no tax number.
 * "HU12345678" is a Hungarian company's community VAT number: it is kept as such, and its
 * 8-digit törzsszám also becomes the tax number, because since 2020-07-01 the törzsszám is what a
 * domestic invoice must show (reference/hungarian-invoicing.md §3). Anything unrecognised is
 * kept as typed, for the accountant to judge.
 */
export function classifyTaxNumber(raw: string | null): { taxNumber: string | null; euVatNumber: string | null } | null {
  const text = clean(raw)?.replace(/\s+/g, ' ') ?? null;
  if (text === null || !/\d/.test(text)) return null;
  const domestic = /^(\d{8})-?(\d)-?(\d{2})$/.exec(text.replace(/ /g, ''));
  if (domestic) return { taxNumber: `${domestic[1]}-${domestic[2]}-${domestic[3]}`, euVatNumber: null };
  if (/^\d{8}$/.test(text)) return { taxNumber: text, euVatNumber: null };
  const compact = text.replace(/[\s.-]/g, '').toUpperCase();
  const hu = /^HU(\d{8})$/.exec(compact);
  if (hu) return { taxNumber: hu[1] ?? null, euVatNumber: compact };
  if (/^[A-Z]{2}[0-9A-Z+*]{2,13}$/.test(compact) && EU_PREFIXES.has(compact.slice(0, 2))) {
    return { taxNumber: null, euVatNumber: compact };
  }
  return { taxNumber: text, euVatNumber: null };
}

/**
 * The partner key, so it must be exactly what the buyer can receive mail at: no invisible or
 * text-direction characters (\p{C}: a zero-width space would silently make a second partner),
 * and at most 254 characters, the longest address SMTP can carry (RFC 5321 §4.5.3).
 */
const EMAIL = /^[^\s@\p{C}]+@[^\s@\p{C}]+\.[^\s@\p{C}]+$/u;
const MAX_EMAIL = 254;

function usableEmail(raw: string | null): string | null {
  const email = clean(raw)?.toLowerCase() ?? null;
  return email !== null && email.length <= MAX_EMAIL && EMAIL.test(email) ? email : null;
}

/** Text NAV accepts (line breaks and control characters collapsed to one space, trimmed), or null when empty. */
export function clean(text: string | null | undefined): string | null {
  const trimmed = navText(text ?? '');
  return trimmed === '' ? null : trimmed;
}
