import { z } from 'zod';

/**
 * Wire schemas for the Shoprenter REST API (reference/shoprenter-api.md). They check structure
 * only and smooth over the API's quirks once: numbers arrive as strings or numbers, empties as
 * `{}`, "" or null (an XML->JSON artifact, gotcha 3), list metadata as strings or numbers.
 * Amounts stay text here; normalize-order.ts parses them so it can say which one is unreadable.
 */

function isEmptyObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
}

function emptyToNull(value: unknown): unknown {
  return value === undefined || value === null || isEmptyObject(value) ? null : value;
}

/** Any scalar field: trimmed text, or null for `{}`, "", null and a missing key. Numbers become their text. */
export const Text = z
  .preprocess((v) => (typeof v === 'number' ? String(v) : emptyToNull(v)), z.string().nullable())
  .transform((s) => (s === null || s.trim() === '' ? null : s.trim()));

/** page / pageCount / limit: "0" or 0. */
export const IntText = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/).transform(Number)]);

/** A related resource `{href}`; `{}` and null mean "none". */
export const Ref = z.preprocess(emptyToNull, z.object({ href: z.string() }).nullable());

/** An embedded child collection; absent, null or `{}` is an empty list. */
function embeddedList<T extends z.ZodType>(item: T) {
  return z.preprocess((v) => emptyToNull(v) ?? [], z.array(item));
}

/** An embedded object that may also be a bare `{href}`, `{}` or null. */
function embedded<T extends z.ZodType>(shape: T) {
  return z.preprocess(emptyToNull, shape.nullable());
}

export const ListEnvelope = z.object({
  page: IntText.optional(),
  pageCount: IntText.nullish(),
  limit: IntText.optional(),
  /** null on the last page; absent on resources that do not send it. */
  next: z.preprocess((v) => (isEmptyObject(v) ? null : v), z.object({ href: z.string() }).nullish()),
  items: embeddedList(z.unknown()),
});
export type ListEnvelope = z.infer<typeof ListEnvelope>;

export const CountryWire = embedded(z.object({ name: Text, isoCode2: Text }));
export const CurrencyWire = embedded(z.object({ code: Text, decimalPlace: Text, value: Text }));
export const CouponWire = embedded(z.object({ code: Text }));

export const OrderProductWire = z.object({
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

/** `/paymentModes` item; `code` is what orders carry as paymentMethodCode (case differs, §9.6). */
export const PaymentModeWire = z.object({
  id: Text,
  innerId: Text,
  code: Text,
  status: Text,
  paymentDescription: embeddedList(z.object({ name: Text })),
});
export type PaymentModeWire = z.infer<typeof PaymentModeWire>;

/** `/shippingModeExtend` item: its fields are not documented, so everything else is kept as sent. */
export const ShippingModeWire = z.looseObject({ id: Text, innerId: Text, name: Text, extension: Text });
export type ShippingModeWire = z.infer<typeof ShippingModeWire>;

export const TaxClassWire = z.object({
  id: Text,
  name: Text,
  taxRates: embeddedList(z.object({ rate: Text, description: Text })),
});
export type TaxClassWire = z.infer<typeof TaxClassWire>;

export const OrderStatusDescriptionWire = z.object({ id: Text, name: Text, orderStatus: Ref, language: Ref });
export type OrderStatusDescriptionWire = z.infer<typeof OrderStatusDescriptionWire>;

/** The OAuth token answer (reference §1.2). */
export const TokenResponse = z.object({
  access_token: z.string().min(1),
  expires_in: IntText,
  token_type: z.string().optional(),
});

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
