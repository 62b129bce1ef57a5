import { parseAmount4, roundHalfUp } from '../domain/money.js';

/**
 * Small helpers for writing Shoprenter's wire format in the stand-in and its fixtures:
 * base64 API ids, hrefs, and amounts as strings with exactly 4 decimals ("3990.0000").
 */

export const DEFAULT_SHOP = 'demo';

/** Where Shoprenter's own hrefs point (reference §1.1); clients must never follow them. */
export function hrefBase(shop: string): string {
  return `https://${shop}.api.myshoprenter.hu`;
}

/** base64("order-order_id=172") = "b3JkZXItb3JkZXJfaWQ9MTcy", the shape of every Shoprenter API id (reference §3). */
export function apiId(kind: string, key: string, value: number | string): string {
  return Buffer.from(`${kind}-${key}=${value}`).toString('base64');
}

export function statusHref(shop: string, statusId: number | string): string {
  return `${hrefBase(shop)}/orderStatuses/${apiId('orderStatus', 'order_status_id', statusId)}`;
}

/** A number or decimal text as Amount4 (bigint scaled 10^4); throws on garbage because fixtures are code. */
export function a4(value: number | string | bigint): bigint {
  if (typeof value === 'bigint') return value * 10_000n;
  const parsed = parseAmount4(typeof value === 'number' ? value.toFixed(4) : value);
  if (parsed === null) throw new RangeError(`not a decimal: ${String(value)}`);
  return parsed;
}

/** Amount4 -> "1234.5000": Shoprenter always sends 4 decimals. */
export function fmt4(value: bigint): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  return `${negative ? '-' : ''}${abs / 10_000n}.${(abs % 10_000n).toString().padStart(4, '0')}`;
}

/** Whole-unit Amount4 of net * (1 + rate/100), rounded half up: what a shop shows as the gross unit price. */
export function grossOf(net4: bigint, rate4: bigint, decimals = 0): bigint {
  const unit = 10n ** BigInt(4 - decimals);
  return roundHalfUp(net4 * (1_000_000n + rate4), 1_000_000n * unit) * unit;
}

/** Net with 4 decimals that a shop stores for a gross shelf price: round4(gross / (1 + rate)). */
export function netOf(gross: number, ratePercent: number): string {
  return fmt4(roundHalfUp(a4(gross) * 100n, 100n + BigInt(ratePercent)));
}

/** "YYYY-MM-DDTHH:MM:SS" + minutes, calendar-correct, with no time zone (Shoprenter datetimes are shop-local). */
export function addMinutes(datetime: string, minutes: number): string {
  const t = Date.parse(`${datetime}Z`) + minutes * 60_000;
  return new Date(t).toISOString().slice(0, 19);
}

/** Countries the fixtures know, with Shoprenter country ids (97 = Hungary, as in the samples). */
export const COUNTRIES: Record<string, { id: number; name: string; iso3: string }> = {
  HU: { id: 97, name: 'Magyarország', iso3: 'HUN' },
  AT: { id: 14, name: 'Ausztria', iso3: 'AUT' },
  SK: { id: 189, name: 'Szlovákia', iso3: 'SVK' },
  RO: { id: 175, name: 'Románia', iso3: 'ROU' },
  DE: { id: 81, name: 'Németország', iso3: 'DEU' },
};

/** An embedded paymentCountry / shippingCountry as orderExtend returns it. */
export function country(base: string, iso2 = 'HU') {
  const c = COUNTRIES[iso2];
  if (!c) throw new RangeError(`unknown country ${iso2}`);
  const id = apiId('country', 'country_id', c.id);
  return {
    href: `${base}/countries/${id}`,
    id,
    name: c.name,
    isoCode2: iso2,
    isoCode3: c.iso3,
    status: '1',
    zones: { href: `${base}/zones?countryId=${id}` },
  };
}

/** The embedded currency as orderExtend returns it; `value` is the multiplier against the shop currency. */
export function currencyObject(base: string, code: string, decimals: number, value8: string) {
  const id = apiId('currency', 'currency_id', code === 'HUF' ? 4 : code.charCodeAt(0));
  const symbol = code === 'HUF' ? ' Ft' : ` ${code}`;
  return {
    href: `${base}/currencies/${id}`,
    id,
    name: code,
    code,
    symbolLeft: '',
    symbolRight: symbol,
    decimalPlace: String(decimals),
    value: value8,
    status: '1',
    dateUpdated: '2026-01-02 10:44:07',
  };
}

/** The embedded coupon; only `code` matters to the sync. */
export function couponObject(base: string, code: string, gross: number) {
  const id = apiId('coupon', 'coupon_id', code.length);
  return {
    href: `${base}/coupons/${id}`,
    id,
    code,
    discountType: 'FIXED',
    percentDiscountValue: '0.0000',
    loginRequired: '0',
    freeShipping: '0',
    fixDiscountValue: fmt4(a4(-gross)),
    dateStart: '2026-01-01',
    dateEnd: '2026-12-31',
    status: '1',
    email: '',
    taxClass: { href: `${base}/taxClasses/${apiId('taxClass', 'tax_class_id', 10)}` },
  };
}

/** Amount4 rounded to a currency's decimals, still scaled 10^4. */
export function roundToDecimals(amount4: bigint, decimals: number): bigint {
  const unit = 10n ** BigInt(Math.max(0, 4 - decimals));
  return roundHalfUp(amount4, unit) * unit;
}

/** "8.128" like Shoprenter's valueText (dot as thousands separator); informative only. */
export function formatHuf(value4: bigint): string {
  const whole = roundHalfUp(value4, 10_000n);
  return whole.toString().replace(/\B(?=(\d{3})+(?!\d))/g, '.');
}

/** The flat payment* / shipping* address fields of an order (reference §9.1). */
export function addressFields(
  prefix: 'payment' | 'shipping',
  a: { postcode: string; city: string; address1: string; address2?: string; country?: string },
  firstname: string,
  lastname: string,
  company: string,
) {
  return {
    [`${prefix}Firstname`]: firstname,
    [`${prefix}Lastname`]: lastname,
    [`${prefix}Company`]: company,
    [`${prefix}Address1`]: a.address1,
    [`${prefix}Address2`]: a.address2 ?? '',
    [`${prefix}City`]: a.city,
    [`${prefix}Postcode`]: a.postcode,
    [`${prefix}ZoneName`]: '',
    [`${prefix}CountryName`]: COUNTRIES[a.country ?? 'HU']?.name ?? '',
    [`${prefix}AddressFormat`]: '',
  };
}
