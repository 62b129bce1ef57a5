import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import type { Order } from '../src/domain/order.js';
import { normalizeOrder } from '../src/shoprenter/normalize-order.js';
import { buildShoprenterOrder, netOf, sampleShop } from '../src/standins/shoprenter-fixtures.js';
import type { OrderSpec } from '../src/standins/shoprenter-fixtures.js';
import type { SourcedOrder } from '../src/sync/ports.js';

/** Copies of Shoprenter's documentation samples (see fixtures/shoprenter-samples/SOURCES.md): real shape, wrong arithmetic. */
const SAMPLES = new URL('./fixtures/shoprenter-samples/', import.meta.url);
const sample = (name: string) => JSON.parse(readFileSync(new URL(name, SAMPLES), 'utf8')) as Record<string, unknown>;
const pageItem = () => (sample('orderExtend.get_page.json')['items'] as Record<string, unknown>[])[0] as Record<string, unknown>;

function ok(result: SourcedOrder): Order {
  if (!result.ok) throw new Error(`expected an order, got: ${result.reason}`);
  return result.order;
}

function reason(result: SourcedOrder): string {
  if (result.ok) throw new Error('expected a failure');
  return result.reason;
}

describe('normalizeOrder on the documentation samples', () => {
  it('reads the list-page item', () => {
    const order = ok(normalizeOrder(pageItem()));
    expect(order).toMatchObject({
      id: 'b3JkZXItb3JkZXJfaWQ9MTI=',
      orderNumber: '12',
      dateCreated: '2012-01-12T12:11:59',
      dateUpdated: '2012-11-26T17:58:43',
      statusId: '1',
      email: 'testelek@test.hu',
      phone: '+36201234567',
      taxNumber: null,
      comment: 'test order',
      currency: { code: 'HUF', decimals: 0, value: '1.00000000' },
      paymentMethodCode: 'cod',
      paymentMethodTaxRate: 0n,
      shippingMethodExtension: null,
      shippingMethodTaxRate: 250_000n,
      total: 40_380_000n,
      couponCode: 'COUPONCODE',
      addons: [],
    });
    expect(order.billing).toEqual({
      name: 'testvsz testvsz',
      company: null,
      postcode: '4028',
      city: 'Debrecen',
      street: 'kassai 129',
      countryName: 'Hungary',
      countryCode: 'HU',
    });
    expect(order.products).toHaveLength(2);
    expect(order.products[0]).toEqual({
      name: 'Harry Potter és a Főnix Rendje',
      sku: '9789639715615',
      gtin: '0123456789012',
      quantity: 10_000n,
      netUnitPrice: 24_000_000n,
      grossUnitPrice: null,
      netUnitPriceCurrency: 24_000_000n,
      grossUnitPriceCurrency: 30_480_000n,
      taxRate: 270_000n,
      unit: null,
      options: [],
      orderProductId: 'b3JkZXJQcm9kdWN0LW9yZGVyX3Byb2R1Y3RfaWQ9MTI=',
      productId: 'cHJvZHVjdC1wcm9kdWN0X2lkPTUx',
    });
    expect(order.totals.map((t) => t.type)).toEqual(['SUB_TOTAL', 'TAX', 'SUB_TOTAL_WITH_TAX', 'SHIPPING', 'TOTAL']);
    expect(order.totals[4]).toEqual({ type: 'TOTAL', key: null, name: 'Totally gross:', value: 40_380_000n });
  });

  it('reads the single order with its deposit-fee add-on', () => {
    const order = ok(normalizeOrder(sample('orderExtend.get_id.json')));
    expect(order.orderNumber).toBe('172');
    expect(order.billing.name).toBe('Test Test');
    expect(order.shippingMethodExtension).toBe('wseship');
    expect(order.addons).toEqual([
      { name: '1L Üveg Betétdíj', sku: 'BETETDIJ01', type: 'DEPOSIT_FEE', netUnitPrice: 500_000n, quantity: 30_000n, taxRate: 0n },
    ]);
  });

  it('reads the Hungarian 2023 sample (null keys, no add-ons, no gtin)', () => {
    const order = ok(normalizeOrder(sample('orderExtend.get_id.HU-2023.json')));
    expect(order.billing).toMatchObject({ name: 'Teszt Teszt', street: 'Teszt út 11', countryName: 'Magyarország', countryCode: 'HU' });
    expect(order.shipping).toMatchObject({ name: 'Teszt Teszt', city: 'Teszt', countryCode: 'HU' });
    expect(order.products.map((p) => [p.name, p.gtin])).toEqual([
      ['Mini Tündér karkötő', null],
      ['Borotválkozó Ken', null],
    ]);
    expect(order.totals.every((t) => t.key === null)).toBe(true);
    expect(order.addons).toEqual([]);
  });
});

describe('normalizeOrder quirks', () => {
  it('turns {} / "" / null empties into null', () => {
    const raw = {
      ...pageItem(),
      paymentCompany: {},
      taxNumber: {},
      comment: '',
      phone: null,
      coupon: {},
      paymentZone: {},
      orderProductAddons: {},
    };
    const order = ok(normalizeOrder(raw));
    expect(order).toMatchObject({ taxNumber: null, comment: null, phone: null, couponCode: null, addons: [] });
    expect(order.billing.company).toBeNull();
  });

  it('puts the family name (Shoprenter firstname) first and falls back to the buyer names', () => {
    const base = { ...pageItem(), firstname: 'Kovács', lastname: 'Anna' };
    expect(ok(normalizeOrder({ ...base, paymentFirstname: 'Szőke', paymentLastname: 'Ödön' })).billing.name).toBe('Szőke Ödön');
    expect(ok(normalizeOrder({ ...base, paymentFirstname: '', paymentLastname: {} })).billing.name).toBe('Kovács Anna');
  });

  it('sums the four warehouses into the quantity, whether strings or numbers', () => {
    const raw = pageItem();
    const products = raw['orderProducts'] as Record<string, unknown>[];
    const first = { ...products[0], stock1: '1', stock2: 2, stock3: '0.5', stock4: {} };
    const order = ok(normalizeOrder({ ...raw, orderProducts: [first] }));
    expect(order.products[0]?.quantity).toBe(35_000n);
  });

  it('accepts numbers where Shoprenter usually sends strings', () => {
    const order = ok(normalizeOrder({ ...pageItem(), innerId: 12, total: 4038 }));
    expect(order.orderNumber).toBe('12');
    expect(order.total).toBe(40_380_000n);
  });

  it('decodes the status id, tolerating bad padding, and keeps null for no status', () => {
    const href = 'https://x.api.myshoprenter.hu/orderStatuses/b3JkZXJTdGF0dXMtb3JkZXJfc3RhdHVzX2lkPTMz=';
    expect(ok(normalizeOrder({ ...pageItem(), orderStatus: { href } })).statusId).toBe('33');
    expect(ok(normalizeOrder({ ...pageItem(), orderStatus: null })).statusId).toBeNull();
  });

  it('keeps unknown and empty total types as text', () => {
    const totals = [
      { name: 'Mennyiségi kedvezmény:', value: '-500.0000', type: 'DISCOUNT', key: 'CART_AMOUNT_DISCOUNT' },
      { name: 'Valami:', value: '0.0000', type: '' },
    ];
    const order = ok(normalizeOrder({ ...pageItem(), orderTotals: totals }));
    expect(order.totals).toEqual([
      { type: 'DISCOUNT', key: 'CART_AMOUNT_DISCOUNT', name: 'Mennyiségi kedvezmény:', value: -5_000_000n },
      { type: '', key: null, name: 'Valami:', value: 0n },
    ]);
  });
});

describe('normalizeOrder: what orderExtend links to (options, unit)', () => {
  const first = () => (pageItem()['orderProducts'] as Record<string, unknown>[])[0] as Record<string, unknown>;
  const withProduct = (patch: Record<string, unknown>, drop: string[] = []) => {
    const product: Record<string, unknown> = { ...first(), ...patch };
    for (const key of drop) delete product[key];
    return ok(normalizeOrder({ ...pageItem(), orderProducts: [product] })).products[0];
  };

  it('keeps the orderProduct id and the product id from product.href, options empty and unit null', () => {
    expect(withProduct({})).toMatchObject({
      orderProductId: 'b3JkZXJQcm9kdWN0LW9yZGVyX3Byb2R1Y3RfaWQ9MTI=',
      productId: 'cHJvZHVjdC1wcm9kdWN0X2lkPTUx',
      options: [],
      unit: null,
    });
  });

  it('falls back to the href, then the options link, for the orderProduct id; null when there is none', () => {
    expect(withProduct({ id: '' })?.orderProductId).toBe('b3JkZXJQcm9kdWN0LW9yZGVyX3Byb2R1Y3RfaWQ9MTI=');
    expect(withProduct({ id: {}, href: null, orderProductOptions: { href: 'https://x/orderProductOptions?orderProductId=a+b=' } })?.orderProductId).toBe(
      'a+b=',
    );
    expect(withProduct({}, ['id', 'href', 'orderProductOptions'])?.orderProductId).toBeNull();
    expect(withProduct({ id: { odd: 1 }, href: ['x'], orderProductOptions: 5 })?.orderProductId).toBeNull();
  });

  it('reads the product id from an embedded product or a link with a query, null without one', () => {
    expect(withProduct({ product: { href: 'https://x/products/cHJvZA%3D%3D?full=1' } })?.productId).toBe('cHJvZA==');
    expect(withProduct({ product: { id: 'UHJvZA==', name: 'x' } })?.productId).toBe('UHJvZA==');
    expect(withProduct({ product: null })?.productId).toBeNull();
    expect(withProduct({ product: {} })?.productId).toBeNull();
    expect(withProduct({ product: 'garbage' })?.productId).toBeNull();
  });

  it('reads options a shop embeds as an array, as "name: valueName", in order, skipping empties', () => {
    const embedded = [
      { name: 'Méret', valueName: 'XL', price: '0.0000', prefix: '+' },
      { name: {}, valueName: '' },
      { name: 'Szín', valueName: ' piros ', price: '500.0000', prefix: '+' },
      { name: 'Gravírozás', valueName: {} },
    ];
    expect(withProduct({ orderProductOptions: embedded })?.options).toEqual(['Méret: XL', 'Szín: piros', 'Gravírozás']);
  });

  it('treats any other options value as not embedded, never as unreadable', () => {
    for (const value of [[{ name: ['x'] }], { orderProductOption: [] }, 'x', 7, null, {}]) {
      expect(withProduct({ orderProductOptions: value })?.options).toEqual([]);
    }
  });

  it('ignores a unit-like field on an orderProduct: only the product\'s measurementUnit is documented', () => {
    expect(withProduct({ unit: 'kg', measurementUnit: 'kg', quantityUnit: 'kg' })?.unit).toBeNull();
  });

  it('refuses embedded options with invisible characters, naming the product', () => {
    const raw = { ...pageItem(), orderProducts: [{ ...first(), orderProductOptions: [{ name: 'Méret', valueName: 'X\u202eL' }] }] };
    expect(reason(normalizeOrder(raw))).toBe(
      'Order 12 has invisible control or text-direction characters in the options of product 1; correct it in Shoprenter.',
    );
  });

  it('reads each order\'s own status, whichever orders and statuses came before (status hrefs are remembered)', () => {
    const href = (n: string) => `https://x/orderStatuses/${Buffer.from(`orderStatus-order_status_id=${n}`).toString('base64')}`;
    const status = (h: string) => normalizeOrder({ ...pageItem(), orderStatus: { href: h } });
    for (const n of ['5', '1', '5', '12', '1']) expect(ok(status(href(n))).statusId).toBe(n);
    const bad = 'https://x/orderStatuses/bm9wZQ==';
    for (let i = 0; i < 2; i++) expect(reason(status(bad))).toBe(`Order 12 has an order status that cannot be read ("${bad}").`);
    for (let i = 0; i < 700; i++) expect(ok(status(href(String(1000 + i)))).statusId).toBe(String(1000 + i));
    expect(ok(status(href('5'))).statusId).toBe('5');
  });

  it('names the first field with invisible characters wherever it sits, in the order the fields are read', () => {
    const where = (change: Record<string, unknown>) => {
      const text = reason(normalizeOrder({ ...pageItem(), ...change }));
      return /characters in (.*); correct it/.exec(text)?.[1];
    };
    const country = pageItem()['paymentCountry'] as Record<string, unknown>;
    const rows = pageItem()['orderTotals'] as Record<string, unknown>[];
    expect(where({ paymentCity: 'Buda\u0007pest' })).toBe('the field "paymentCity"');
    expect(where({ paymentCountry: { ...country, name: 'Hun\u202egary' } })).toBe('the field "paymentCountry.name"');
    expect(where({ orderTotals: [rows[0], { ...rows[1], name: 'Sz\u0000állítás' }] })).toBe('the field "orderTotals[1].name"');
    expect(where({ orderProducts: [first(), { ...first(), sku: 'A\u001bB' }] })).toBe('the sku of product 2');
    expect(where({ orderProducts: [{ ...first(), product: { href: 'https://x/products/\u202e1' } }] })).toBe('the product of product 1');
    // Two at once: the order's own fields come before its products, as the reader meets them.
    expect(where({ comment: 'a\u0008b', orderProducts: [{ ...first(), name: 'x\u0000' }] })).toBe('the field "comment"');
  });
});

describe('normalizeOrder failures are reasons, never throws', () => {
  const products = () => pageItem()['orderProducts'] as Record<string, unknown>[];

  it.each([
    [
      'an unreadable price',
      { orderProducts: [{ ...products()[0], price: 'abc' }] },
      'Order 12 has a product ("Harry Potter és a Főnix Rendje") with an unreadable price "abc".',
    ],
    ['a missing total', { total: '' }, 'Order 12 has no total.'],
    ['a bad date', { dateUpdated: '2012-11-26 17:58:43' }, 'Order 12 has an unreadable last-update date "2012-11-26 17:58:43".'],
    [
      'an unreadable status',
      { orderStatus: { href: 'https://x/orderStatuses/bm9wZQ==' } },
      'Order 12 has an order status that cannot be read ("https://x/orderStatuses/bm9wZQ==").',
    ],
    [
      'products as a bare link',
      { orderProducts: { href: 'https://x/orderProducts?orderId=1' } },
      'Order 12 has an unexpected value in the field "orderProducts".',
    ],
    ['no currency', { currency: { href: 'https://x/currencies/1' } }, 'Order 12 does not say which currency it is in.'],
    [
      'a total row without value',
      { orderTotals: [{ name: 'Összesen:', type: 'TOTAL' }] },
      'Order 12 has a total row (TOTAL "Összesen:") with no value.',
    ],
  ])('%s', (_label, patch, expected) => {
    const result = normalizeOrder({ ...pageItem(), ...patch });
    expect(reason(result)).toBe(expected);
    expect(result).toMatchObject({ ok: false, id: 'b3JkZXItb3JkZXJfaWQ9MTI=', orderNumber: '12', dateUpdated: expect.any(String) });
  });

  it.each([null, 42, 'order', [], {}])('handles a non-order %j', (raw) => {
    const result = normalizeOrder(raw);
    expect(result.ok).toBe(false);
    expect(reason(result)).toMatch(/^An order /);
  });
});

describe('fixtures normalise into consistent orders', () => {
  const spec: OrderSpec = {
    innerId: 1234,
    dateUpdated: '2026-11-03T10:15:00',
    status: 5,
    email: ' Kiss.Reka@Gmail.com ',
    firstname: 'Kiss',
    lastname: 'Réka',
    billing: { postcode: '6720', city: 'Szeged', address1: 'Kárász utca 5.', address2: '2. emelet' },
    paymentMethodCode: 'cod',
    paymentFee: { gross: 490, taxRate: 27 },
    shippingExtension: 'gls',
    shippingFee: { gross: 1690, taxRate: 27 },
    products: [
      { name: 'Kerámia bögre', sku: 'BOG-1', netPrice: netOf(3490, 27), taxRate: 27, stocks: [1, 1] },
      { name: 'Az ajtó', sku: 'K-2', netPrice: netOf(4499, 5), taxRate: 5, stocks: [1] },
    ],
    addons: [{ name: 'Betétdíj', sku: 'DRS', netPrice: 50, taxRate: 0, quantity: 2 }],
    coupon: { code: 'TAVASZ10', gross: -1000 },
  };

  it('builds an order whose totals add up', () => {
    const order = ok(normalizeOrder(buildShoprenterOrder(spec)));
    const value = (type: string) => order.totals.filter((t) => t.type === type).reduce((s, t) => s + t.value, 0n);
    expect(order.billing).toMatchObject({ name: 'Kiss Réka', street: 'Kárász utca 5. 2. emelet', countryCode: 'HU' });
    expect(order.email).toBe('Kiss.Reka@Gmail.com');
    expect(order.statusId).toBe('5');
    expect(order.products[0]?.quantity).toBe(20_000n);
    expect(value('SUB_TOTAL') + value('TAX')).toBe(value('SUB_TOTAL_WITH_TAX'));
    expect(value('SUB_TOTAL_WITH_TAX')).toBe((3490n * 2n + 4499n + 100n) * 10_000n);
    expect(value('TOTAL')).toBe((3490n * 2n + 4499n + 100n + 1690n + 490n - 1000n) * 10_000n);
    expect(order.total).toBe(value('TOTAL'));
    expect(order.couponCode).toBe('TAVASZ10');
  });

  it('generates a deterministic, varied sample shop that normalises completely', () => {
    const shop = sampleShop(120, 42);
    expect(JSON.stringify(sampleShop(120, 42))).toBe(JSON.stringify(shop));
    const orders = shop.map((raw) => ok(normalizeOrder(raw)));
    const emails = orders.map((o) => o.email?.toLowerCase());
    const returning = emails.length - new Set(emails).size;
    expect(returning / orders.length).toBeGreaterThan(0.15);
    expect(returning / orders.length).toBeLessThan(0.45);
    expect(new Set(orders.flatMap((o) => o.products.map((p) => p.taxRate)))).toEqual(new Set([270_000n, 180_000n, 50_000n]));
    expect(orders.some((o) => /[áéíóöőúüű]/.test(o.billing.name))).toBe(true);
    const dates = orders.map((o) => o.dateUpdated);
    expect([...dates].sort()).toEqual(dates);
    for (const order of orders) {
      const value = (type: string) => order.totals.filter((t) => t.type === type).reduce((s, t) => s + t.value, 0n);
      expect(value('SUB_TOTAL') + value('TAX')).toBe(value('SUB_TOTAL_WITH_TAX'));
      expect(order.total).toBe(value('TOTAL'));
    }
  });
});
