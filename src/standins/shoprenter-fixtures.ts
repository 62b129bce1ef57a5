import { buildShoprenterOrder } from './shoprenter-order-builder.js';
import type { AddonSpec, OrderSpec, ProductSpec } from './shoprenter-order-builder.js';
import {
  EMAIL_DOMAINS,
  FAMILY_NAMES,
  GIVEN_NAMES,
  PAYMENT_METHODS,
  PLACES,
  PRODUCTS,
  SHIPPING_METHODS,
  STATUSES,
  STREETS,
} from './shoprenter-sample-data.js';
import { addMinutes, apiId, DEFAULT_SHOP, hrefBase, netOf, statusHref } from './shoprenter-wire.js';

export { buildShoprenterOrder, builtOrderEnrichment, productInnerIdFor } from './shoprenter-order-builder.js';
export type { AddonSpec, AddressSpec, OrderSpec, ProductSpec, ShoprenterEnrichment } from './shoprenter-order-builder.js';
export { apiId, COUNTRIES, netOf, statusHref } from './shoprenter-wire.js';

export interface SampleShopOptions {
  shop?: string;
  /** dateUpdated of the first order, shop-local. */
  start?: string;
  firstInnerId?: number;
  /** Deposit-fee add-ons on bottled drinks (0% VAT lines); default true. */
  addons?: boolean;
}

/** Deterministic PRNG (mulberry32): the same seed always yields the same shop (or kill schedule). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Buyer = Pick<OrderSpec, 'firstname' | 'lastname' | 'email' | 'phone' | 'company' | 'taxNumber' | 'billing' | 'customerId'>;

const ascii = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();

/**
 * n realistic orders in ascending dateUpdated: Hungarian buyers (about 30% returning, some with a
 * changed phone or address, about 12% companies with a tax number), mixed 27/18/5% baskets,
 * several warehouses, COD fees, coupons, loyalty points and deposit fees. Same seed, same shop.
 */
export function sampleShop(n: number, seed: number, options: SampleShopOptions = {}): Record<string, unknown>[] {
  const rnd = seededRandom(seed);
  const int = (min: number, max: number) => min + Math.floor(rnd() * (max - min + 1));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
  const chance = (p: number) => rnd() < p;
  const buyers: Buyer[] = [];
  let date = options.start ?? '2026-11-02T08:00:00';
  const orders: Record<string, unknown>[] = [];

  const newBuyer = (i: number): Buyer => {
    const family = pick(FAMILY_NAMES);
    const given = pick(GIVEN_NAMES);
    const place = pick(PLACES);
    const company = chance(0.12);
    const email = `${ascii(given)}.${ascii(family)}${i}@${pick(EMAIL_DOMAINS)}`;
    return {
      firstname: family,
      lastname: given,
      // A few addresses typed with capitals and stray spaces, as buyers do.
      email: chance(0.05) ? ` ${email.replace(/^./, (c) => c.toUpperCase())} ` : email,
      phone: `+36 ${pick(['20', '30', '70'])} ${int(100, 999)} ${int(1000, 9999)}`,
      company: company ? `${family} és Társa Kft.` : undefined,
      taxNumber: company ? `${int(10000000, 29999999)}-${pick(['1', '2', '3'])}-${String(int(2, 44)).padStart(2, '0')}` : undefined,
      billing: {
        postcode: place.postcode,
        city: place.city,
        address1: `${pick(STREETS)} ${int(1, 120)}.`,
        address2: chance(0.25) ? `${int(1, 8)}. emelet ${int(1, 20)}.` : undefined,
      },
      customerId: chance(0.7) ? 30 + i : undefined,
    };
  };

  for (let i = 0; i < n; i++) {
    let buyer: Buyer;
    if (buyers.length > 0 && chance(0.3)) {
      buyer = pick(buyers);
      if (chance(0.2)) buyer = { ...buyer, phone: `+36 30 ${int(100, 999)} ${int(1000, 9999)}` };
    } else {
      buyer = newBuyer(i);
      buyers.push(buyer);
    }

    const products: ProductSpec[] = [];
    const addons: AddonSpec[] = [];
    let grossSum = 0;
    const lineCount = pick([1, 1, 1, 2, 2, 2, 3, 3, 4]);
    const chosen = new Set<number>();
    while (chosen.size < lineCount) chosen.add(int(0, PRODUCTS.length - 1));
    for (const index of chosen) {
      const p = PRODUCTS[index];
      if (!p) continue;
      const quantity = pick([1, 1, 1, 1, 1, 1, 1, 2, 2, 3]);
      const stocks: ProductSpec['stocks'] = quantity > 1 && chance(0.15) ? [1, quantity - 1, 0, 0] : [quantity, 0, 0, 0];
      products.push({ name: p.name, sku: p.sku, gtin: p.gtin, netPrice: netOf(p.gross, p.taxRate), taxRate: p.taxRate, stocks });
      grossSum += p.gross * quantity;
      if (p.deposit && options.addons !== false) {
        addons.push({ name: 'Visszaváltási díj – PET palack', sku: 'DRS-PET', netPrice: 50, taxRate: 0, quantity });
      }
    }

    const payment = weighted(PAYMENT_METHODS, rnd);
    const shipping = pick(SHIPPING_METHODS);
    const coupon = chance(0.1)
      ? chance(0.5)
        ? { code: 'TAVASZ10', gross: -Math.round(grossSum * 0.1) }
        : { code: 'HIRLEVEL1000', gross: -1000 }
      : undefined;
    date = addMinutes(date, int(3, 120));
    const spec: OrderSpec = {
      ...buyer,
      shop: options.shop,
      innerId: (options.firstInnerId ?? 1001) + i,
      dateCreated: addMinutes(date, -int(0, 60)),
      dateUpdated: date,
      status: pick([1, 1, 1, 1, 1, 1, 1, 2, 5, 5]),
      shipping: chance(0.2) ? { ...pick(PLACES), address1: `${pick(STREETS)} ${int(1, 60)}.`, lastname: pick(GIVEN_NAMES) } : undefined,
      comment: chance(0.15)
        ? pick(['Kérem, délután hozzák.', 'Ajándékba lesz, számla nélkül a dobozban.', 'Csengő nem működik, telefonáljanak!'])
        : undefined,
      paymentMethodCode: payment.code,
      paymentMethodName: payment.name,
      paymentFee: payment.code === 'cod' ? { gross: 490, taxRate: 27 } : undefined,
      shippingExtension: shipping.extension,
      shippingMethodName: shipping.name,
      shippingFee: { gross: grossSum >= 25000 ? 0 : shipping.gross, taxRate: 27 },
      products,
      addons,
      coupon: coupon && grossSum + coupon.gross > 0 ? coupon : undefined,
      loyalty: chance(0.04) ? { gross: -300 } : undefined,
    };
    orders.push(buildShoprenterOrder(spec));
  }
  return orders;
}

function weighted<T extends { weight: number }>(list: readonly T[], rnd: () => number): T {
  const total = list.reduce((s, x) => s + x.weight, 0);
  let r = rnd() * total;
  for (const item of list) {
    r -= item.weight;
    if (r < 0) return item;
  }
  return list[list.length - 1] as T;
}

/** The shop's lookup lists in wire shape, for the stand-in's /paymentModes, /shippingModeExtend, ... */
export function shopCatalog(
  shop = DEFAULT_SHOP,
): Record<'paymentModes' | 'shippingModeExtend' | 'taxClassExtend' | 'orderStatusDescriptions', Record<string, unknown>[]> {
  const base = hrefBase(shop);
  const language = { href: `${base}/languages/${apiId('language', 'language_id', 1)}`, id: apiId('language', 'language_id', 1) };
  return {
    paymentModes: PAYMENT_METHODS.map((p, i) => {
      const id = apiId('paymentMode', 'extension_id', 20 + i);
      return {
        href: `${base}/paymentModes/${id}`,
        id,
        innerId: String(20 + i),
        code: p.code,
        status: '1',
        sortOrder: String(i + 1),
        orderStatus: { href: statusHref(shop, 1) },
        paymentDescription: [{ name: p.name, description: '', language }],
      };
    }),
    shippingModeExtend: SHIPPING_METHODS.map((s, i) => {
      const id = apiId('shippingMode', 'id', 10 + i);
      return {
        href: `${base}/shippingModeExtend/${id}`,
        id,
        innerId: String(10 + i),
        name: s.name,
        extension: s.extension,
        enabled: '1',
        sortOrder: String(i + 1),
      };
    }),
    taxClassExtend: [
      ['Általános 27%', 27],
      ['Kedvezményes 18%', 18],
      ['Kedvezményes 5%', 5],
      ['Tárgyi adómentes', 0],
    ].map(([name, rate], i) => {
      const id = apiId('taxClass', 'tax_class_id', 10 + i);
      const rateId = apiId('taxRate', 'tax_rate_id', 90 + i);
      return {
        href: `${base}/taxClassExtend/${id}`,
        id,
        name,
        description: '',
        taxRates: [
          {
            href: `${base}/taxRates/${rateId}`,
            id: rateId,
            priority: '1',
            rate: `${String(rate)}.0000`,
            description: `ÁFA (${String(rate)}%)`,
          },
        ],
      };
    }),
    orderStatusDescriptions: STATUSES.map((s) => {
      const id = apiId('orderStatusDescription', 'order_status_id', `${s.id}&language_id=1`);
      return {
        href: `${base}/orderStatusDescriptions/${id}`,
        id,
        name: s.name,
        color: '#336699',
        orderStatus: { href: statusHref(shop, s.id) },
        language,
      };
    }),
  };
}
