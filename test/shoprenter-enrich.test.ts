import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDraft } from '../src/domain/build-draft.js';
import { buildPartner } from '../src/domain/build-partner.js';
import type { Order } from '../src/domain/order.js';
import { MappingError, ShoprenterError } from '../src/errors.js';
import { ShoprenterClient } from '../src/shoprenter/client.js';
import type { ShoprenterClientOptions } from '../src/shoprenter/client.js';
import { normalizeOrder } from '../src/shoprenter/normalize-order.js';
import { applyProductLookups, hungarianMeasurementUnit } from '../src/shoprenter/product-lookups.js';
import { ProductExtendWire } from '../src/shoprenter/schema.js';
import { apiId, buildShoprenterOrder, netOf, productInnerIdFor } from '../src/standins/shoprenter-fixtures.js';
import type { OrderSpec, ProductSpec } from '../src/standins/shoprenter-fixtures.js';
import { startShoprenterStandin } from '../src/standins/shoprenter-standin.js';
import type { ShoprenterStandin, ShoprenterStandinOptions } from '../src/standins/shoprenter-standin.js';
import { configFor, draftAsJson, draftDayOf, loadGoldenCases, orderFromFixture } from './fixtures/golden/loader.js';
import { standinClient } from './helpers/standin-client.js';

/**
 * ShoprenterClient.enrichOrder against the stand-in: what orderExtend only links to (chosen
 * options, the product's measurement unit) is fetched, formatted, cached, and never half-applied.
 */
const running: ShoprenterStandin[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

let shopCounter = 0;
async function setup(o: { standin?: ShoprenterStandinOptions; client?: Partial<ShoprenterClientOptions> } = {}) {
  const standin = await startShoprenterStandin({ rateLimitPerSecond: 0, ...o.standin });
  running.push(standin);
  const client = standinClient(standin, { limitPerSecond: 1000, ...o.client });
  return { standin, client };
}

const ALL = { options: true, units: true };
const optionRequests = (s: ShoprenterStandin) => s.requestLog.filter((r) => r.path === '/api/orderProductOptions');
const productRequests = (s: ShoprenterStandin) => s.requestLog.filter((r) => r.path.startsWith('/api/productExtend/'));
const apiRequests = (s: ShoprenterStandin) => s.requestLog.filter((r) => r.path.startsWith('/api/'));

const shirt: ProductSpec = {
  name: 'Póló',
  sku: 'POLO-1',
  netPrice: netOf(4990, 27),
  taxRate: 27,
  stocks: [1],
  options: [
    { name: 'Méret', value: 'XL' },
    { name: 'Szín', value: 'piros', price: 500, prefix: '+' },
  ],
};
const cheese: ProductSpec = { name: 'Trappista sajt', sku: 'SAJT-1', netPrice: netOf(3999, 5), taxRate: 5, stocks: [2], unit: 'kg' };
const bread: ProductSpec = { name: 'Kenyér', sku: 'KENYER', netPrice: netOf(899, 5), taxRate: 5, stocks: [1] };

function spec(innerId: number, products: ProductSpec[]): OrderSpec {
  return {
    innerId,
    dateUpdated: '2026-11-20T10:00:00',
    status: 5,
    email: 'kiss.anna@example.hu',
    firstname: 'Kiss',
    lastname: 'Anna',
    billing: { postcode: '1111', city: 'Budapest', address1: 'Fő utca 1.' },
    paymentMethodCode: 'BANK_TRANSFER',
    shippingExtension: 'GLS',
    shippingFee: { gross: 1490, taxRate: 27 },
    products,
  };
}

/** Adds the built order to the stand-in and reads it back the way the daemon does. */
async function listed(standin: ShoprenterStandin, client: ShoprenterClient, innerId: number, products: ProductSpec[]): Promise<Order> {
  standin.addOrder(buildShoprenterOrder(spec(innerId, products)));
  const sourced = await client.getOrder(String(innerId));
  if (!sourced?.ok) throw new Error(`order ${innerId} did not normalise`);
  standin.resetStats();
  return sourced.order;
}

/** A server answering every request with one canned JSON body, for answers the stand-in never gives. */
async function cannedShop(body: unknown): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api` };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('enrichOrder: options', () => {
  it('keeps orderExtend as Shoprenter sends it: options only as an href, no unit', () => {
    const wire = buildShoprenterOrder(spec(1001, [shirt, cheese]));
    const [first] = wire['orderProducts'] as Record<string, unknown>[];
    expect(first?.['orderProductOptions']).toEqual({ href: expect.stringMatching(/\/orderProductOptions\?orderProductId=/) });
    expect(JSON.stringify(wire)).not.toMatch(/Méret|measurementUnit|"kg"/);
    const order = normalizeOrder(wire);
    expect(order.ok && order.order.products.map((p) => [p.options, p.unit])).toEqual([
      [[], null],
      [[], null],
    ]);
  });

  it('fetches each line\'s options (full=1, by orderProductId) and formats them as "name: valueName"', async () => {
    const { standin, client } = await setup();
    const order = await listed(standin, client, 1001, [shirt, bread]);
    const enriched = await client.enrichOrder(order, { options: true, units: false });
    expect(enriched.products.map((p) => p.options)).toEqual([['Méret: XL', 'Szín: piros'], []]);
    // One request per line, including the line that turns out to have no options; nothing else.
    expect(optionRequests(standin)).toHaveLength(2);
    expect(apiRequests(standin)).toHaveLength(2);
    const queries = optionRequests(standin).map((r) => new URLSearchParams(r.query));
    expect(queries.map((q) => [q.get('orderProductId'), q.get('full'), q.get('page')])).toEqual(
      order.products.map((p) => [p.orderProductId, '1', '0']),
    );
  });

  it('reads every page of a long option list, in order', async () => {
    const { standin, client } = await setup({ client: { pageSize: 2 } });
    const many: ProductSpec = { ...shirt, options: ['A', 'B', 'C', 'D', 'E'].map((v, i) => ({ name: `Opció ${i + 1}`, value: v })) };
    const order = await listed(standin, client, 1002, [many]);
    const enriched = await client.enrichOrder(order, { options: true, units: false });
    expect(enriched.products[0]?.options).toEqual(['Opció 1: A', 'Opció 2: B', 'Opció 3: C', 'Opció 4: D', 'Opció 5: E']);
    expect(optionRequests(standin).map((r) => new URLSearchParams(r.query).get('page'))).toEqual(['0', '1', '2']);
  });

  it('leaves options already read from orderExtend alone, and lines without an orderProduct id', async () => {
    const { standin, client } = await setup();
    const order = await listed(standin, client, 1003, [shirt, bread]);
    const given: Order = {
      ...order,
      products: [
        { ...order.products[0]!, options: ['Méret: M'] },
        { ...order.products[1]!, orderProductId: null },
      ],
    };
    const enriched = await client.enrichOrder(given, { options: true, units: false });
    expect(enriched.products.map((p) => p.options)).toEqual([['Méret: M'], []]);
    expect(apiRequests(standin)).toHaveLength(0);
  });

  it('quarantines (MappingError) an option with invisible characters, naming the line', async () => {
    const { standin, client } = await setup();
    const order = await listed(standin, client, 1004, [bread, { ...shirt, options: [{ name: 'Felirat', value: 'Boldog\u202e szülinapot' }] }]);
    const error = await rejection(client.enrichOrder(order, ALL));
    expect(error).toBeInstanceOf(MappingError);
    expect((error as MappingError).message).toBe(
      'Order 1004 has invisible control or text-direction characters in the options of product 2; correct it in Shoprenter.',
    );
  });
});

describe('enrichOrder: units', () => {
  it('takes the Hungarian measurementUnit of the product; a product without one leaves null', async () => {
    const { standin, client } = await setup();
    const order = await listed(standin, client, 1101, [cheese, bread]);
    const enriched = await client.enrichOrder(order, { options: false, units: true });
    expect(enriched.products.map((p) => p.unit)).toEqual(['kg', null]);
    expect(productRequests(standin).map((r) => r.path)).toEqual(order.products.map((p) => `/api/productExtend/${p.productId ?? ''}`));
    expect(apiRequests(standin)).toHaveLength(2);
  });

  it('fetches a product once and serves it from the cache afterwards, across orders', async () => {
    const { standin, client } = await setup();
    const first = await listed(standin, client, 1102, [cheese, bread, { ...cheese, stocks: [3] }]);
    const second = await listed(standin, client, 1103, [bread, cheese]);
    await client.enrichOrder(first, ALL);
    await client.enrichOrder(second, ALL);
    await client.enrichOrder(first, ALL);
    // Two products in all: SAJT-1 twice in the first order, both again in the second and third call.
    expect(productRequests(standin)).toHaveLength(2);
    // Options are not cached (they belong to one order line): 3 + 2 + 3 lines.
    expect(optionRequests(standin)).toHaveLength(8);
    expect((await client.enrichOrder(second, { options: false, units: true })).products.map((p) => p.unit)).toEqual([null, 'kg']);
    expect(productRequests(standin)).toHaveLength(2);
  });

  it('shares one request between concurrent asks for the same product', async () => {
    const { standin, client } = await setup({ standin: { latencyMs: 50 } });
    const a = await listed(standin, client, 1104, [cheese]);
    const b = await listed(standin, client, 1105, [cheese]);
    const [ea, eb] = await Promise.all([client.enrichOrder(a, { options: false, units: true }), client.enrichOrder(b, { options: false, units: true })]);
    expect([ea.products[0]?.unit, eb.products[0]?.unit]).toEqual(['kg', 'kg']);
    expect(productRequests(standin)).toHaveLength(1);
  });

  it('keeps at most unitCacheSize products in memory, dropping the least recently used', async () => {
    const { standin, client } = await setup({ client: { unitCacheSize: 1 } });
    const order = await listed(standin, client, 1106, [cheese]);
    const other = await listed(standin, client, 1107, [bread]);
    const units = { options: false, units: true };
    await client.enrichOrder(order, units);
    await client.enrichOrder(order, units);
    await client.enrichOrder(other, units);
    await client.enrichOrder(order, units);
    expect(productRequests(standin).map((r) => r.path.endsWith(String(order.products[0]?.productId)))).toEqual([true, false, true]);
  });

  it('leaves the unit null for a deleted product (404), and remembers that', async () => {
    const { standin, client } = await setup();
    const order = await listed(standin, client, 1108, [cheese, bread]);
    standin.addEnrichment({ units: { [order.products[0]?.productId ?? '']: null } });
    const enriched = await client.enrichOrder(order, { options: false, units: true });
    expect(enriched.products.map((p) => p.unit)).toEqual([null, null]);
    expect(productRequests(standin).map((r) => r.status)).toEqual([404, 200]);
    await client.enrichOrder(order, { options: false, units: true });
    expect(productRequests(standin)).toHaveLength(2);
  });

  it('prefers the Hungarian description (by language code, inner id or decoded id), else the first with a unit', () => {
    const language = (n: number) => ({ href: `https://x/languages/${apiId('language', 'language_id', n)}` });
    const product = (descriptions: unknown[]) => ProductExtendWire.parse({ id: 'p', productDescriptions: descriptions });
    // Shoprenter's productExtend sample: the language only as an href.
    const sample = [
      { name: 'Product Name', measurementUnit: 'pc', language: language(2) },
      { name: 'Termék Név', measurementUnit: 'db', language: language(1) },
    ];
    expect(hungarianMeasurementUnit(product(sample))).toBe('db');
    expect(hungarianMeasurementUnit(product([{ measurementUnit: 'pc', language: { code: 'en' } }, { measurementUnit: 'kg', language: { code: 'HU' } }]))).toBe('kg');
    expect(hungarianMeasurementUnit(product([{ measurementUnit: 'pc', language: { innerId: '2' } }, { measurementUnit: 'l', language: { innerId: 1 } }]))).toBe('l');
    expect(hungarianMeasurementUnit(product([{ measurementUnit: {}, language: language(1) }, { measurementUnit: 'pc', language: language(2) }]))).toBe('pc');
    expect(hungarianMeasurementUnit(product([{ measurementUnit: '', language: null }]))).toBeNull();
    expect(hungarianMeasurementUnit(product([]))).toBeNull();
    // Descriptions only as a link: unreadable, not "no unit".
    expect(ProductExtendWire.safeParse({ id: 'p', productDescriptions: { href: 'https://x/productDescriptions?productId=p' } }).success).toBe(false);
  });
});

describe('enrichOrder: failures and edges', () => {
  it('costs no request for an order without products, or when nothing is asked', async () => {
    const { standin, client } = await setup();
    const order = await listed(standin, client, 1201, [shirt, cheese]);
    const empty: Order = { ...order, products: [] };
    expect(await client.enrichOrder(empty, ALL)).toEqual(empty);
    expect(await client.enrichOrder(order, { options: false, units: false })).toEqual(order);
    expect(standin.requestLog).toHaveLength(0);
  });

  it('returns a copy and leaves the given order untouched', async () => {
    const { standin, client } = await setup();
    const order = await listed(standin, client, 1202, [shirt, cheese]);
    const before = structuredClone(order);
    const enriched = await client.enrichOrder(order, ALL);
    expect(order).toEqual(before);
    expect(enriched).not.toBe(order);
    expect(enriched.products.map((p) => [p.options, p.unit])).toEqual([
      [['Méret: XL', 'Szín: piros'], null],
      [[], 'kg'],
    ]);
    expect({ ...enriched, products: [] }).toEqual({ ...order, products: [] });
  });

  it('retries a 500 and carries on', async () => {
    const { standin, client } = await setup();
    const order = await listed(standin, client, 1203, [shirt, cheese]);
    standin.setFault({ kind: 'status', status: 500, path: '/productExtend', times: 2 });
    const enriched = await client.enrichOrder(order, ALL);
    expect(enriched.products[1]?.unit).toBe('kg');
    expect(productRequests(standin).map((r) => r.status)).toEqual([500, 500, 200, 200]);
  });

  it('gives up with a temporary ShoprenterError after maxRetries, so the order is tried again later', async () => {
    const { standin, client } = await setup({ client: { maxRetries: 2 } });
    const order = await listed(standin, client, 1204, [shirt, cheese]);
    standin.setFault({ kind: 'status', status: 500, path: '/orderProductOptions', times: 3 });
    const error = await rejection(client.enrichOrder(order, ALL));
    expect(error).toBeInstanceOf(ShoprenterError);
    expect(error).toMatchObject({ code: 'SHOPRENTER_HTTP', temporary: true, status: 500 });
    expect((error as Error).message).toBe('Shoprenter answered 500 three times for the options of a product in order 1204; will try again next cycle.');
    expect(optionRequests(standin)).toHaveLength(3);
    expect(productRequests(standin)).toHaveLength(0);
  });

  it.each([
    ['items not expanded (full=1 not honoured)', [{ href: 'https://x/orderProductOptions/b3A=' }], 'without their names'],
    [
      'items of another orderProduct (the filter ignored)',
      [{ name: 'Méret', valueName: 'XL', orderProduct: { href: 'https://x/orderProducts/b3RoZXI=' } }],
      'mixed with the options of another product',
    ],
    ['an unreadable item', [{ name: ['Méret'], valueName: 'XL' }], 'in an unexpected form'],
  ])('throws a temporary ShoprenterError rather than guess: %s', async (_label, items, problem) => {
    const { server, url } = await cannedShop({ items, page: 0, pageCount: 1, next: null });
    try {
      const client = new ShoprenterClient({ apiUrl: url, auth: { kind: 'basic', user: 'u', password: 'p' }, shop: `enrich-test-${++shopCounter}`, limitPerSecond: 1000 });
      const order = normalizeOrder(buildShoprenterOrder(spec(1205, [shirt])));
      if (!order.ok) throw new Error(order.reason);
      const error = await rejection(client.enrichOrder(order.order, { options: true, units: false }));
      expect(error).toMatchObject({ code: 'SHOPRENTER_BAD_RESPONSE', temporary: true });
      expect((error as Error).message).toBe(`Shoprenter sent the options of a product in order 1205 ${problem}; will try again next cycle.`);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('applies offline lookups the same way (the golden corpus\'s enrichment key)', () => {
    const order = normalizeOrder(buildShoprenterOrder(spec(1206, [shirt, cheese])));
    if (!order.ok) throw new Error(order.reason);
    const [line, kg] = order.order.products;
    const enriched = applyProductLookups(order.order, {
      options: { [line?.orderProductId ?? '']: [{ name: 'Méret', valueName: 'S' }, { name: '', valueName: '' }] },
      units: { [kg?.productId ?? '']: ' kg ', [line?.productId ?? '']: '' },
    });
    expect(enriched.products.map((p) => [p.options, p.unit])).toEqual([
      [['Méret: S'], null],
      [[], 'kg'],
    ]);
    // Inherited keys are not lookups.
    expect(applyProductLookups({ ...order.order, products: [{ ...line!, orderProductId: 'constructor' }] }, { options: {} }).products[0]?.options).toEqual([]);
  });

  it('gives products of the same SKU one product id, of different SKUs different ones', () => {
    const ids = (products: ProductSpec[]) =>
      (buildShoprenterOrder(spec(1207, products))['orderProducts'] as { product: { href: string } }[]).map((p) => p.product.href.split('/').pop());
    const [a, b, c] = ids([cheese, bread, { ...cheese, stocks: [3] }]);
    expect(a).toBe(c);
    expect(a).not.toBe(b);
    expect(a).toBe(apiId('product', 'product_id', productInnerIdFor('SAJT-1')));
    expect(ids([{ ...cheese, productInnerId: 330 }])[0]).toBe('cHJvZHVjdC1wcm9kdWN0X2lkPTMzMA==');
  });
});

describe('enrichOrder: the golden cases orderExtend cannot complete on its own', () => {
  const here = dirname(fileURLToPath(import.meta.url));
  const gapped = loadGoldenCases(join(here, 'fixtures', 'golden')).filter((c) => c.enrichment !== undefined);

  it('are the four known ones (03, 09, 26, 38), each with enrichment data', () => {
    expect(gapped.map((c) => c.file.slice(0, 2))).toEqual(['03', '09', '26', '38']);
    for (const golden of gapped) expect(golden.order).toBeDefined();
  });

  it.each(gapped.map((c) => [c.file, c] as const))('%s: stand-in -> getOrder -> enrichOrder equals the domain view and the expected outcome', async (_file, golden) => {
    const { standin, client } = await setup();
    standin.addOrder(golden.wire);
    standin.addEnrichment(golden.enrichment ?? {});
    const sourced = await client.getOrder(String(golden.wire['innerId']));
    if (!sourced?.ok) throw new Error('the golden order did not normalise');
    const enriched = await client.enrichOrder(sourced.order, ALL);
    if (!golden.order) throw new Error('no domain view');
    expect(enriched).toEqual(orderFromFixture(golden.order));
    // Offline, from the same data: identical.
    expect(applyProductLookups(sourced.order, golden.enrichment ?? {})).toEqual(enriched);

    const partner = buildPartner(enriched);
    if ('reason' in partner) throw new Error(partner.reason);
    const result = buildDraft(enriched, partner, configFor(golden.config), draftDayOf(golden));
    if ('quarantine' in golden.expected) expect(result).toEqual({ ok: false, reason: golden.expected.quarantine });
    else if (!result.ok) throw new Error(`expected a draft, got quarantine: ${result.reason}`);
    else expect(draftAsJson(result.draft)).toEqual('draft' in golden.expected ? golden.expected.draft : golden.expected);
  });
});
