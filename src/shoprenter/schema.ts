import { z } from 'zod';

/**
 * Wire schemas for the Shoprenter REST API (reference/shoprenter-api.md). They check structure
 * only and smooth over the API's quirks once: numbers arrive as strings or numbers, empties as
 * `{}`, "" or null (an XML->JSON artifact, gotcha 3), list metadata as strings or numbers.
 * Amounts stay text here; normalize-order.ts parses them so it can say which one is unreadable.
 */

import { embedded, embeddedList, IntText, isEmptyObject, looseText, Ref, Text } from './schema-primitives.js';

export { emptyToNull, embeddedList, IntText, isEmptyObject, looseText, Ref, Text } from './schema-primitives.js';
export { OrderStatusDescriptionWire, PaymentModeWire, ShippingModeWire, TaxClassWire, TokenResponse } from './schema-catalog.js';
export { ProductDescriptionWire, ProductExtendWire } from './schema-products.js';

export const ListEnvelope = z.object({
  page: IntText.optional(),
  pageCount: IntText.nullish(),
  limit: IntText.optional(),
  /** null on the last page; absent on resources that do not send it. */
  next: z.preprocess((v) => (isEmptyObject(v) ? null : v), z.object({ href: z.string() }).nullish()),
  /** The last page's link: its `page` tells the page count where `pageCount` is missing (reference §5.1). */
  last: z.preprocess((v) => (isEmptyObject(v) ? null : v), z.object({ href: z.string() }).nullish()),
  items: embeddedList(z.unknown()),
});
export type ListEnvelope = z.infer<typeof ListEnvelope>;

export const CountryWire = embedded(z.object({ name: Text, isoCode2: Text }));
export const CurrencyWire = embedded(z.object({ code: Text, decimalPlace: Text, value: Text }));
export const CouponWire = embedded(z.object({ code: Text }));

/**
 * A related resource in whatever form it comes: `{href}`, an embedded object with `href`/`id`,
 * `{}`, null or something else entirely. Never fails: used where the link is a nice-to-have and
 * an odd value must not make the whole order unreadable.
 */
export const LooseRef = z.preprocess(
  (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
    const record = value as Record<string, unknown>;
    const href = looseText(record['href']);
    const id = looseText(record['id']);
    return href === null && id === null ? null : { href, id };
  },
  z.object({ href: z.string().nullable(), id: z.string().nullable() }).nullable(),
);
export type LooseRef = z.infer<typeof LooseRef>;

/**
 * One `/orderProductOptions` item (reference §8.1): the chosen option `name` ("Méret") and value
 * `valueName` ("XL"), with the price modifier `price` and its direction `prefix` (+/-).
 */
export const OrderProductOptionWire = z.object({
  id: Text,
  name: Text,
  valueName: Text,
  price: Text,
  prefix: Text,
  orderProduct: LooseRef,
});
export type OrderProductOptionWire = z.infer<typeof OrderProductOptionWire>;

/**
 * Chosen options as the invoice names them: "name: valueName" ("Méret: XL"), in the order given.
 * An option with only one of the two keeps that one; one with neither is skipped.
 */
export function optionTexts(items: readonly OrderProductOptionWire[]): string[] {
  return items.flatMap((item) => {
    if (item.name !== null && item.valueName !== null) return [`${item.name}: ${item.valueName}`];
    const only = item.valueName ?? item.name;
    return only === null ? [] : [only];
  });
}

/**
 * `orderProductOptions` on an embedded orderProduct. Documented as an href only (kept: it names
 * the orderProduct); should a shop ever embed the items as an array, they are read into `items`
 * (null otherwise: "not embedded, ask /orderProductOptions"). Never fails: an array with an
 * unreadable item also counts as not embedded.
 */
const EmbeddedOptions = z.preprocess(
  (value): { href: string | null; items: OrderProductOptionWire[] | null } => {
    if (Array.isArray(value)) {
      const items: OrderProductOptionWire[] = [];
      for (const item of value) {
        const parsed = OrderProductOptionWire.safeParse(item);
        if (!parsed.success) return { href: null, items: null };
        items.push(parsed.data);
      }
      return { href: null, items };
    }
    const ref = LooseRef.safeParse(value);
    return { href: ref.success ? (ref.data?.href ?? null) : null, items: null };
  },
  z.object({ href: z.string().nullable(), items: z.array(z.custom<OrderProductOptionWire>()).nullable() }),
);

/** Text that never fails: anything but a non-empty string or a number is null. For optional links and ids. */
const LooseText = z.preprocess(looseText, z.string().nullable());

export const OrderProductWire = z.object({
  /** orderProduct API id; `href` is the fallback when a shop leaves `id` out. Never fail the order. */
  id: LooseText,
  href: LooseText,
  /** Link to the product, whose productDescriptions carry the measurement unit. */
  product: LooseRef,
  orderProductOptions: EmbeddedOptions,
  name: Text,
  sku: Text,
  gtin: Text,
  price: Text,
  grossPrice: Text,
  priceCurrency: Text,
  grossPriceCurrency: Text,
  taxRate: Text,
  stock1: Text,
  stock2: Text,
  stock3: Text,
  stock4: Text,
});
export type OrderProductWire = z.infer<typeof OrderProductWire>;

export const OrderProductAddonWire = z.object({
  name: Text,
  sku: Text,
  type: Text,
  price: Text,
  quantity: Text,
  taxRate: Text,
});
export type OrderProductAddonWire = z.infer<typeof OrderProductAddonWire>;

/** `type` may be empty or undocumented (gotcha 16): kept as text. */
export const OrderTotalWire = z.object({ name: Text, value: Text, type: Text, key: Text });
export type OrderTotalWire = z.infer<typeof OrderTotalWire>;

/** One orderExtend item (`full=1`): the order with its totals, products, add-ons and lookups embedded. */
export const OrderExtendWire = z.object({
  id: Text,
  innerId: Text,
  firstname: Text,
  lastname: Text,
  phone: Text,
  email: Text,
  taxNumber: Text,
  comment: Text,
  paymentFirstname: Text,
  paymentLastname: Text,
  paymentCompany: Text,
  paymentAddress1: Text,
  paymentAddress2: Text,
  paymentCity: Text,
  paymentPostcode: Text,
  paymentCountryName: Text,
  shippingFirstname: Text,
  shippingLastname: Text,
  shippingCompany: Text,
  shippingAddress1: Text,
  shippingAddress2: Text,
  shippingCity: Text,
  shippingPostcode: Text,
  shippingCountryName: Text,
  shippingMethodName: Text,
  shippingMethodTaxRate: Text,
  shippingMethodExtension: Text,
  paymentMethodName: Text,
  paymentMethodCode: Text,
  paymentMethodTaxRate: Text,
  total: Text,
  value: Text,
  dateCreated: Text,
  dateUpdated: Text,
  paymentCountry: CountryWire,
  shippingCountry: CountryWire,
  orderStatus: Ref,
  currency: CurrencyWire,
  coupon: CouponWire,
  orderProducts: embeddedList(OrderProductWire),
  orderTotals: embeddedList(OrderTotalWire),
  orderProductAddons: embeddedList(OrderProductAddonWire),
});
export type OrderExtendWire = z.infer<typeof OrderExtendWire>;

/**
 * The last path segment of an href (query and fragment dropped, %-escapes undone), or null: the
 * API id of the resource an href names (reference §3).
 */
export function lastPathSegment(href: string | null | undefined): string | null {
  if (!href) return null;
  const path = href.split(/[?#]/, 1)[0] ?? '';
  const raw = path.slice(path.lastIndexOf('/') + 1).trim();
  if (raw === '') return null;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** A query parameter of an href ("orderProductId" of an orderProductOptions link), or null. */
export function hrefParam(href: string | null | undefined, name: string): string | null {
  if (!href) return null;
  const query = href.split('#', 1)[0]?.split('?')[1];
  if (!query) return null;
  // Not URLSearchParams: it reads "+" as a space, and base64 ids contain "+" unescaped.
  for (const pair of query.split('&')) {
    const at = pair.indexOf('=');
    if (at < 0 || pair.slice(0, at) !== name) continue;
    const raw = pair.slice(at + 1).trim();
    if (raw === '') return null;
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  }
  return null;
}

/**
 * Status inner id from an orderStatus href: its last path segment is base64 of
 * "orderStatus-order_status_id=5". Padding may be wrong in the wild (reference §3), which
 * Buffer's lenient decoder tolerates. Returns null when the segment is not such an id.
 */
export function decodeStatusId(href: string): string | null {
  const path = href.split(/[?#]/, 1)[0] ?? '';
  const segment = decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
  const decoded = Buffer.from(segment, 'base64').toString('utf8');
  return /^orderStatus-order_status_id=(\d+)$/.exec(decoded)?.[1] ?? null;
}
