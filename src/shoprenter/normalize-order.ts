import { parseAmount4 } from '../domain/money.js';
import type { Amount4 } from '../domain/money.js';
import type { Order, OrderAddon, OrderAddress, OrderCurrency, OrderProduct, OrderTotal } from '../domain/order.js';
import type { SourcedOrder } from '../sync/ports.js';
import { HIDDEN, readOrderWire, type WireIssue } from './order-wire.js';

export { hasHiddenCharacters } from './order-wire.js';
import { decodeStatusId, hrefParam, lastPathSegment, optionTexts } from './schema.js';
import type { OrderExtendWire, OrderProductAddonWire, OrderProductWire, OrderTotalWire } from './schema.js';

/** Raised inside this module only; its message is the shop-owner sentence. */
class Unreadable extends Error {}

const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;

/**
 * One orderExtend item -> domain Order, or the reason it cannot be one, in a sentence a shop
 * owner understands. Never throws: one bad order must not stop the others (SPEC §2).
 */
export function normalizeOrder(raw: unknown): SourcedOrder {
  const ident = identify(raw);
  try {
    const parsed = readOrderWire(raw);
    if (!parsed.ok) return failure(ident, describeIssue(ident.label, parsed.issue));
    const hidden = parsed.hidden ? hiddenCharacterField(parsed.data) : null;
    if (hidden !== null) {
      return failure(ident, `${ident.label} has invisible control or text-direction characters in ${hidden}; correct it in Shoprenter.`);
    }
    return { ok: true, order: toOrder(parsed.data, ident.label) };
  } catch (error) {
    const reason = error instanceof Unreadable ? error.message : `${ident.label} could not be read (${String(error)}).`;
    return failure(ident, reason);
  }
}

interface Ident {
  id: string | null;
  orderNumber: string | null;
  dateUpdated: string | null;
  label: string;
}

/** Best-effort identity read before validation, so even an unreadable order can be named and tracked. */
function identify(raw: unknown): Ident {
  const record = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  // An identity with hidden characters is not used: it would end up in log lines and sentences.
  const text = (v: unknown) =>
    typeof v === 'string' && v.trim() !== '' && !HIDDEN.test(v) ? v.trim() : typeof v === 'number' ? String(v) : null;
  const id = text(record['id']);
  const orderNumber = text(record['innerId']);
  const label = orderNumber ? `Order ${orderNumber}` : id ? `Order ${id}` : 'An order';
  return { id, orderNumber, dateUpdated: text(record['dateUpdated']), label };
}

function failure(ident: Ident, reason: string): SourcedOrder {
  // Without an API id the innerId is the only stable key left.
  const id = ident.id ?? (ident.orderNumber ? `innerId:${ident.orderNumber}` : '(unknown)');
  return { ok: false, id, orderNumber: ident.orderNumber, dateUpdated: ident.dateUpdated, reason };
}

function describeIssue(label: string, issue: WireIssue): string {
  const field = issue.path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');
  if (field === '') return `${label} could not be read: Shoprenter sent something that is not an order.`;
  if (issue.input === undefined) return `${label} is missing the field "${field}".`;
  return `${label} has an unexpected value in the field "${field}".`;
}

/** Where in the order the first text with HIDDEN characters is, in words ("the field "paymentCity""); null when none. */
function hiddenCharacterField(wire: OrderExtendWire): string | null {
  const trail = hiddenTrail(wire);
  if (trail === null) return null;
  // The trail runs from the text up to the order; its path reads the other way ("orderProducts[0].name").
  const path = trail.reverse().join('').replace(/^\./, '');
  const product = /^orderProducts\[(\d+)\]\.(\w+)($|[.[])/.exec(path);
  const field = product?.[2] === 'orderProductOptions' ? 'options' : product?.[2];
  return product ? `the ${field ?? ''} of product ${Number(product[1]) + 1}` : `the field "${path}"`;
}

/**
 * The steps (".key", "[index]") from the first text with HIDDEN characters up to `value`, or null
 * when there is none. Depth first in key order; the steps are only written down on a find.
 */
function hiddenTrail(value: unknown): string[] | null {
  if (typeof value === 'string') return HIDDEN.test(value) ? [] : null;
  if (value === null || typeof value !== 'object') return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const trail = hiddenTrail(value[i]);
      if (trail !== null) return (trail.push(`[${i}]`), trail);
    }
    return null;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const trail = hiddenTrail(record[key]);
    if (trail !== null) return (trail.push(`.${key}`), trail);
  }
  return null;
}

function toOrder(wire: OrderExtendWire, label: string): Order {
  if (!wire.id) throw new Unreadable(`${label} has no API id.`);
  if (!wire.innerId) throw new Unreadable(`${label} has no order number (innerId).`);
  const has = () => `${label} has`;
  const billingName = joinName(wire.paymentFirstname, wire.paymentLastname) ?? joinName(wire.firstname, wire.lastname) ?? '';
  return {
    id: wire.id,
    orderNumber: wire.innerId,
    dateCreated: datetime(wire.dateCreated, has, 'creation date'),
    dateUpdated: datetime(wire.dateUpdated, has, 'last-update date'),
    statusId: statusId(wire.orderStatus, label),
    email: wire.email,
    phone: wire.phone,
    taxNumber: wire.taxNumber,
    comment: wire.comment,
    billing: {
      name: billingName,
      company: wire.paymentCompany,
      postcode: wire.paymentPostcode,
      city: wire.paymentCity,
      street: joinStreet(wire.paymentAddress1, wire.paymentAddress2),
      countryName: wire.paymentCountryName ?? wire.paymentCountry?.name ?? null,
      countryCode: wire.paymentCountry?.isoCode2 ?? null,
    },
    shipping: shippingAddress(wire, billingName),
    currency: currency(wire, label),
    paymentMethodCode: wire.paymentMethodCode,
    paymentMethodName: wire.paymentMethodName,
    paymentMethodTaxRate: optionalAmount(wire.paymentMethodTaxRate, has, 'payment fee VAT rate'),
    shippingMethodName: wire.shippingMethodName,
    shippingMethodExtension: wire.shippingMethodExtension,
    shippingMethodTaxRate: optionalAmount(wire.shippingMethodTaxRate, has, 'shipping VAT rate'),
    products: wire.orderProducts.map((p) => product(p, label)),
    addons: wire.orderProductAddons.map((a) => addon(a, label)),
    totals: wire.orderTotals.map((t) => total(t, label)),
    total: amount(wire.total, has, 'total'),
    couponCode: wire.coupon?.code ?? null,
  };
}

/** Shoprenter's `firstname` is the family name, so "firstname lastname" is the Hungarian order (§9.2). */
function joinName(family: string | null, given: string | null): string | null {
  return joinTwo(family, given);
}

function joinStreet(address1: string | null, address2: string | null): string | null {
  return joinTwo(address1, address2);
}

/** The non-empty ones of two texts, joined by a space; null when both are empty. */
function joinTwo(a: string | null, b: string | null): string | null {
  if (!a) return b || null;
  return b ? `${a} ${b}` : a;
}

function shippingAddress(wire: OrderExtendWire, billingName: string): OrderAddress | null {
  const street = joinStreet(wire.shippingAddress1, wire.shippingAddress2);
  const name = joinName(wire.shippingFirstname, wire.shippingLastname);
  if (!street && !wire.shippingCity && !wire.shippingPostcode && !name) return null;
  return {
    name: name ?? billingName,
    company: wire.shippingCompany,
    postcode: wire.shippingPostcode,
    city: wire.shippingCity,
    street,
    countryName: wire.shippingCountryName ?? wire.shippingCountry?.name ?? null,
    countryCode: wire.shippingCountry?.isoCode2 ?? null,
  };
}

/** A shop has a handful of statuses, so their hrefs are decoded once each (a few hundred kept at most). */
const statusIds = new Map<string, string | null>();

function statusId(ref: { href: string } | null, label: string): string | null {
  if (!ref) return null;
  let id = statusIds.get(ref.href);
  if (id === undefined) {
    id = decodeStatusId(ref.href);
    if (statusIds.size < 500) statusIds.set(ref.href, id);
  }
  if (id === null) throw new Unreadable(`${label} has an order status that cannot be read ("${ref.href}").`);
  return id;
}

function currency(wire: OrderExtendWire, label: string): OrderCurrency {
  const embedded = wire.currency;
  if (!embedded?.code) throw new Unreadable(`${label} does not say which currency it is in.`);
  const decimals = embedded.decimalPlace !== null && /^\d$/.test(embedded.decimalPlace) ? Number(embedded.decimalPlace) : null;
  if (decimals === null) throw new Unreadable(`${label} has a currency (${embedded.code}) without a readable number of decimal places.`);
  const value = wire.value ?? embedded.value;
  if (!value || !/^\d+(\.\d+)?$/.test(value)) throw new Unreadable(`${label} has an unreadable exchange rate "${value ?? ''}".`);
  return { code: embedded.code, decimals, value };
}

function product(p: OrderProductWire, label: string): OrderProduct {
  if (!p.name) throw new Unreadable(`${label} has a product without a name.`);
  const name = p.name;
  const subject = () => `${label} has a product ("${name}") with`;
  let quantity = 0n;
  quantity += optionalAmount(p.stock1, subject, 'stock1 quantity') ?? 0n;
  quantity += optionalAmount(p.stock2, subject, 'stock2 quantity') ?? 0n;
  quantity += optionalAmount(p.stock3, subject, 'stock3 quantity') ?? 0n;
  quantity += optionalAmount(p.stock4, subject, 'stock4 quantity') ?? 0n;
  return {
    name: p.name,
    sku: p.sku,
    gtin: p.gtin,
    quantity,
    netUnitPrice: amount(p.price, subject, 'price'),
    grossUnitPrice: optionalAmount(p.grossPrice, subject, 'gross price'),
    netUnitPriceCurrency: optionalAmount(p.priceCurrency, subject, 'price in the order currency'),
    grossUnitPriceCurrency: optionalAmount(p.grossPriceCurrency, subject, 'gross price in the order currency'),
    taxRate: amount(p.taxRate, subject, 'VAT rate'),
    // The unit lives on the product (productDescriptions[].measurementUnit, reference §8.1): a
    // unit-like field on an orderProduct is undocumented and ignored; ShoprenterClient.enrichOrder fetches it.
    unit: null,
    // Only an href in orderExtend; read here only if a shop ever embeds them, else enrichOrder fetches them.
    options: p.orderProductOptions.items === null ? [] : optionTexts(p.orderProductOptions.items),
    orderProductId: p.id ?? lastPathSegment(p.href) ?? hrefParam(p.orderProductOptions.href, 'orderProductId'),
    productId: p.product === null ? null : (p.product.id ?? lastPathSegment(p.product.href)),
  };
}

function addon(a: OrderProductAddonWire, label: string): OrderAddon {
  if (!a.name) throw new Unreadable(`${label} has an add-on (deposit fee) without a name.`);
  const name = a.name;
  const subject = () => `${label} has an add-on ("${name}") with`;
  return {
    name: a.name,
    sku: a.sku,
    type: a.type ?? '',
    netUnitPrice: amount(a.price, subject, 'price'),
    quantity: amount(a.quantity, subject, 'quantity'),
    taxRate: amount(a.taxRate, subject, 'VAT rate'),
  };
}

function total(t: OrderTotalWire, label: string): OrderTotal {
  const name = t.name ?? '';
  const subject = () => `${label} has a total row (${t.type ?? 'no type'}${name ? ` "${name}"` : ''}) with`;
  return { type: t.type ?? '', key: t.key, name, value: amount(t.value, subject, 'value') };
}

/**
 * `subject()` ends in "has" or "with" so the sentence reads "... with an unreadable price "abc"."
 * It is a function so that the sentence is only written for an order that needs it.
 */
type Subject = () => string;

function amount(text: string | null, subject: Subject, what: string): Amount4 {
  if (text === null) throw new Unreadable(`${subject()} no ${what}.`);
  const value = parseAmount4(text);
  if (value === null) throw new Unreadable(`${subject()} an unreadable ${what} "${text}".`);
  return value;
}

function optionalAmount(text: string | null, subject: Subject, what: string): Amount4 | null {
  return text === null ? null : amount(text, subject, what);
}

function datetime(text: string | null, subject: Subject, what: string): string {
  if (text === null) throw new Unreadable(`${subject()} no ${what}.`);
  if (!DATETIME.test(text)) throw new Unreadable(`${subject()} an unreadable ${what} "${text}".`);
  return text;
}
