import { roundHalfUp } from '../domain/money.js';
import {
  a4,
  addressFields,
  apiId,
  country,
  couponObject,
  currencyObject,
  DEFAULT_SHOP,
  fmt4,
  formatHuf,
  grossOf,
  hrefBase,
  roundToDecimals,
  statusHref,
} from './shoprenter-wire.js';

import type { OrderSpec, ShoprenterEnrichment } from './shoprenter-order-spec.js';
export type { AddonSpec, AddressSpec, OrderSpec, ProductSpec, ShoprenterEnrichment } from './shoprenter-order-spec.js';

const ENRICHMENT = new WeakMap<object, ShoprenterEnrichment>();

/**
 * The enrichment data of an order built by buildShoprenterOrder (undefined for any other object,
 * e.g. a JSON fixture or a copy). Kept beside the wire object, never in it, so the orderExtend
 * item stays exactly as Shoprenter sends it; the stand-in registers it when the order is added.
 */
export function builtOrderEnrichment(wire: object): ShoprenterEnrichment | undefined {
  return ENRICHMENT.get(wire);
}

/** A stable product inner id per SKU (FNV-1a), in 100000..999999 so it never meets the small fixed ids. */
export function productInnerIdFor(sku: string): number {
  let hash = 0x811c9dc5;
  for (const ch of sku) {
    hash ^= ch.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return 100_000 + (hash % 900_000);
}

const ZERO_DATE = '-0001-11-30T00:00:00';

/**
 * Builds one orderExtend item in Shoprenter's exact wire shape (see reference/shoprenter-samples/
 * orderExtend.get_page.json) whose totals are internally consistent.
 *
 * Arithmetic assumption (not documented by Shoprenter): like the shops we know, the gross unit
 * price is the net unit price times (1 + rate) rounded to whole forints, and a line's gross is
 * that unit gross times the quantity. SUB_TOTAL is the exact net sum, TAX rows (one per non-zero
 * rate, products and add-ons only, as in the docs' create-order example) are gross minus net, so
 * SUB_TOTAL + TAX = SUB_TOTAL_WITH_TAX to the unit. SHIPPING, PAYMENT, COUPON, discounts and
 * loyalty are gross; TOTAL adds them up. Add-ons (deposit fees) count into the subtotals.
 */
export function buildShoprenterOrder(spec: OrderSpec): Record<string, unknown> {
  const shop = spec.shop ?? DEFAULT_SHOP;
  const base = hrefBase(shop);
  const orderId = apiId('order', 'order_id', spec.innerId);
  const orderRef = { href: `${base}/orders/${orderId}` };
  const created = spec.dateCreated ?? spec.dateUpdated;
  const currency = spec.currency ?? { code: 'HUF', decimals: 0, value: 1 };
  const value8 = typeof currency.value === 'number' ? currency.value.toFixed(8) : currency.value;
  const toCurrency = (amount4: bigint) =>
    roundHalfUp(amount4 * BigInt(value8.replace('.', '')), 10n ** BigInt(value8.split('.')[1]?.length ?? 0));

  const taxByRate = new Map<number, bigint>();
  let subNet = 0n;
  let subGross = 0n;
  const addLine = (net4: bigint, rate: number, quantity: number) => {
    const gross4 = grossOf(net4, a4(rate));
    subNet += net4 * BigInt(quantity);
    subGross += gross4 * BigInt(quantity);
    taxByRate.set(rate, (taxByRate.get(rate) ?? 0n) + (gross4 - net4) * BigInt(quantity));
    return gross4;
  };

  const enrichment: Required<ShoprenterEnrichment> = { options: {}, units: {}, names: {} };
  const orderProducts = spec.products.map((p, i) => {
    const stocks = [0, 1, 2, 3].map((w) => p.stocks[w] ?? 0);
    const quantity = stocks.reduce((s, q) => s + q, 0);
    const net4 = a4(p.netPrice);
    const gross4 = addLine(net4, p.taxRate, quantity);
    const id = apiId('orderProduct', 'order_product_id', spec.innerId * 100 + i);
    const productId = apiId('product', 'product_id', p.productInnerId ?? productInnerIdFor(p.sku));
    enrichment.units[productId] = p.unit ?? '';
    enrichment.names[productId] = p.name;
    if (p.options && p.options.length > 0) {
      enrichment.options[id] = p.options.map((o) => ({
        name: o.name,
        valueName: o.value,
        price: fmt4(a4(o.price ?? 0)),
        prefix: o.prefix ?? '+',
      }));
    }
    return {
      href: `${base}/orderProducts/${id}`,
      id,
      name: p.name,
      sku: p.sku,
      modelNumber: {},
      originalPrice: fmt4(net4),
      price: fmt4(net4),
      total: fmt4(net4 * BigInt(quantity)),
      taxRate: fmt4(a4(p.taxRate)),
      originalPriceCurrency: fmt4(toCurrency(net4)),
      priceCurrency: fmt4(toCurrency(net4)),
      grossPriceCurrency: fmt4(roundToDecimals(toCurrency(gross4), currency.decimals)),
      originalGrossPriceCurrency: fmt4(roundToDecimals(toCurrency(gross4), currency.decimals)),
      stock1: String(stocks[0]),
      stock2: String(stocks[1]),
      stock3: String(stocks[2]),
      stock4: String(stocks[3]),
      subtractStock: '1',
      dateCreated: created,
      dateUpdated: created,
      gtin: p.gtin ?? '',
      durableMediaDevice: '0',
      order: orderRef,
      product: { href: `${base}/products/${productId}` },
      orderProductOptions: { href: `${base}/orderProductOptions?orderProductId=${id}` },
    };
  });

  const orderProductAddons = (spec.addons ?? []).map((a, i) => {
    const net4 = a4(a.netPrice);
    addLine(net4, a.taxRate, a.quantity);
    const id = apiId('orderProductAddon', 'order_product_addon_id', spec.innerId * 100 + i);
    return {
      href: `${base}/orderProductAddons/${id}`,
      id,
      innerId: String(spec.innerId * 100 + i),
      orderInnerId: String(spec.innerId),
      productInnerId: String(500 + i),
      productAddonInnerId: String(5 + i),
      name: a.name,
      sku: a.sku,
      type: a.type ?? 'DEPOSIT_FEE',
      price: fmt4(net4),
      quantity: String(a.quantity),
      total: fmt4(net4 * BigInt(a.quantity)),
      taxRate: fmt4(a4(a.taxRate)),
      dateCreated: created,
      dateUpdated: created,
      order: orderRef,
      product: { href: `${base}/products/${apiId('product', 'product_id', 500 + i)}` },
    };
  });

  const shippingName = spec.shippingMethodName ?? 'Házhozszállítás futárszolgálattal';
  const rows: { type: string; name: string; value: bigint; key?: string }[] = [
    { type: 'SUB_TOTAL', name: 'Nettó részösszeg:', value: subNet },
    ...[...taxByRate.entries()]
      .filter(([rate]) => rate > 0)
      .sort(([a], [b]) => b - a)
      .map(([rate, tax]) => ({ type: 'TAX', name: `ÁFA (${rate}%):`, value: tax })),
    { type: 'SUB_TOTAL_WITH_TAX', name: 'Bruttó részösszeg:', value: subGross },
    { type: 'SHIPPING', name: `${shippingName}:`, value: a4(spec.shippingFee?.gross ?? 0) },
  ];
  if (spec.paymentFee) rows.push({ type: 'PAYMENT', name: 'Utánvét kezelési költség:', value: a4(spec.paymentFee.gross) });
  if (spec.coupon) rows.push({ type: 'COUPON', name: `Kupon (${spec.coupon.code}):`, value: a4(spec.coupon.gross) });
  if (spec.cartDiscount) {
    rows.push({
      type: spec.cartDiscount.type ?? 'DISCOUNT',
      key: 'CART_AMOUNT_DISCOUNT',
      name: 'Mennyiségi kedvezmény:',
      value: a4(spec.cartDiscount.gross),
    });
  }
  if (spec.loyalty) rows.push({ type: 'LOYALTYPOINTS_TO_USE', name: 'Felhasznált hűségpontok:', value: a4(spec.loyalty.gross) });
  const computedTotal = rows.filter((r) => r.type !== 'SUB_TOTAL' && r.type !== 'TAX').reduce((s, r) => s + r.value, 0n);
  const total = spec.totalOverride === undefined ? computedTotal : a4(spec.totalOverride);
  rows.push({ type: 'TOTAL', name: 'Összesen bruttó:', value: total });

  const orderTotals = rows.map((row, i) => {
    const id = apiId('orderTotal', 'order_total_id', spec.innerId * 100 + i);
    return {
      href: `${base}/orderTotals/${id}`,
      id,
      name: row.name,
      valueText: `${formatHuf(row.value)} Ft`,
      value: fmt4(row.value),
      sortOrder: String(SORT_ORDER[row.type] ?? 8),
      type: row.type,
      key: row.key ?? '',
      description: '',
      dateCreated: ZERO_DATE,
      dateUpdated: ZERO_DATE,
      order: orderRef,
    };
  });

  const shipping = spec.shipping ?? { ...spec.billing };
  const wire = {
    href: `${base}/orderExtend/${orderId}`,
    id: orderId,
    innerId: String(spec.innerId),
    invoiceId: '0',
    invoicePrefix: '',
    firstname: spec.firstname,
    lastname: spec.lastname,
    phone: spec.phone ?? '',
    fax: '',
    email: spec.email,
    ...addressFields(
      'shipping',
      shipping,
      spec.shipping?.firstname ?? spec.firstname,
      spec.shipping?.lastname ?? spec.lastname,
      spec.shipping?.company ?? spec.company ?? '',
    ),
    shippingMethodName: shippingName,
    shippingMethodTaxRate: fmt4(a4(spec.shippingFee?.taxRate ?? spec.shippingMethodTaxRate ?? 27)),
    shippingMethodTaxName: `${spec.shippingFee?.taxRate ?? spec.shippingMethodTaxRate ?? 27} %`,
    shippingMethodExtension: spec.shippingExtension,
    shippingReceivingPointId: '0',
    ...addressFields('payment', spec.billing, spec.firstname, spec.lastname, spec.company ?? ''),
    paymentMethodName: spec.paymentMethodName ?? spec.paymentMethodCode,
    paymentMethodCode: spec.paymentMethodCode,
    paymentMethodTaxRate: fmt4(a4(spec.paymentFee?.taxRate ?? 0)),
    paymentMethodTaxName: '',
    paymentMethodAfter: spec.paymentMethodCode.toLowerCase().startsWith('cod') ? '1' : '0',
    taxNumber: spec.taxNumber ?? '',
    comment: spec.comment ?? '',
    total: fmt4(total),
    value: value8,
    couponTaxRate: '-1.0000',
    dateCreated: created,
    dateUpdated: spec.dateUpdated,
    ip: '192.0.2.10',
    pickPackPontShopCode: '',
    loyaltyPointsTaxRate: '-1.0000',
    customer: spec.customerId === undefined ? null : { href: `${base}/customers/${apiId('customer', 'customer_id', spec.customerId)}` },
    customerGroup: { href: `${base}/customerGroups/${apiId('customerGroup', 'customer_group_id', 8)}` },
    shippingZone: null,
    shippingCountry: country(base, shipping.country),
    paymentZone: null,
    paymentCountry: country(base, spec.billing.country),
    orderStatus: spec.status === null ? null : { href: statusHref(shop, spec.status) },
    language: {
      href: `${base}/languages/${apiId('language', 'language_id', 1)}`,
      id: apiId('language', 'language_id', 1),
      innerId: '1',
      name: 'Hungarian',
      code: 'hu',
    },
    currency: currencyObject(base, currency.code, currency.decimals, value8),
    shippingMode: { href: `${base}/shippingModes/${apiId('shippingMode', 'id', 18)}` },
    coupon: spec.coupon ? couponObject(base, spec.coupon.code, spec.coupon.gross) : null,
    orderTotals,
    orderProducts,
    orderProductAddons,
    orderGiftWrappings: [],
    orderAddressIdentifications: [],
    orderCreditCards: [],
  };
  ENRICHMENT.set(wire, enrichment);
  return wire;
}

const SORT_ORDER: Record<string, number> = { SUB_TOTAL: 1, TAX: 3, SUB_TOTAL_WITH_TAX: 4, COUPON: 5, SHIPPING: 6, PAYMENT: 7, TOTAL: 10 };
