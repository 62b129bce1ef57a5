import { afterEach, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { ShoprenterClient } from '../src/shoprenter/client.js';
import type { ShoprenterClientOptions } from '../src/shoprenter/client.js';
import { normalizeOrder } from '../src/shoprenter/normalize-order.js';
import { demoConfigYaml } from '../src/standins/local-shop.js';
import { buildShoprenterOrder, netOf } from '../src/standins/shoprenter-fixtures.js';
import type { OrderSpec, ProductSpec } from '../src/standins/shoprenter-fixtures.js';
import { startShoprenterStandin } from '../src/standins/shoprenter-standin.js';
import type { ShoprenterStandin, ShoprenterStandinOptions } from '../src/standins/shoprenter-standin.js';
import { runCycle } from '../src/sync/cycle.js';
import { startHarness, type Harness } from './helpers/harness.js';
import { standinClient } from './helpers/standin-client.js';

/**
 * An order's option and unit reads as one POST /batch (src/shoprenter/batch.ts), against the
 * stand-in's /batch as reference §2.4 describes it; and every answer that is not that one falls
 * back to the single reads, with the same result.
 */
const running: ShoprenterStandin[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

let shopCounter = 0;
async function setup(o: { standin?: ShoprenterStandinOptions; client?: Partial<ShoprenterClientOptions> } = {}) {
  const standin = await startShoprenterStandin({ rateLimitPerSecond: 0, ...o.standin });
  running.push(standin);
  const client = standinClient(standin, { limitPerSecond: 1000, batchReads: true, ...o.client });
  return { standin, client };
}

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
const bread: ProductSpec = { name: 'Kenyér', sku: 'KENYER', netPrice: netOf(899, 5), taxRate: 5, stocks: [1], unit: 'db' };

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

async function listed(standin: ShoprenterStandin, client: ShoprenterClient, innerId: number, products: ProductSpec[]) {
  standin.addOrder(buildShoprenterOrder(spec(innerId, products)));
  const sourced = await client.getOrder(String(innerId));
  if (!sourced?.ok) throw new Error(`order ${innerId} did not normalise`);
  standin.resetStats();
  return sourced.order;
}

const ALL = { options: true, units: true };
/** HTTP requests to the API (the token endpoint is not a read). */
const requests = (s: ShoprenterStandin) => s.requestLog.filter((r) => r.path.startsWith('/api/')).map((r) => `${r.method} ${r.path.replace(/\/productExtend\/.*/, '/productExtend/{id}')}`);
const served = (s: ShoprenterStandin) => s.batchLog.map((r) => r.path.replace(/\/productExtend\/.*/, '/productExtend/{id}'));
/** By hand from the specs: the shirt's two options, the cheese in kg, the bread in db. */
const EXPECTED = [
  [['Méret: XL', 'Szín: piros'], null],
  [[], 'kg'],
  [[], 'db'],
];
const looked = (order: { products: { options: string[]; unit: string | null }[] }) => order.products.map((p) => [p.options, p.unit]);

describe('an order\'s product reads in one batch', () => {
  it('reads three lines\' options and three units in one request, with the single reads\' result', async () => {
    const { standin, client } = await setup();
    const order = await listed(standin, client, 1001, [shirt, cheese, bread]);
    expect(looked(await client.enrichOrder(order, ALL))).toEqual(EXPECTED);
    expect(requests(standin)).toEqual(['POST /api/batch']);
    expect(served(standin).sort()).toEqual(['/orderProductOptions', '/orderProductOptions', '/orderProductOptions', '/productExtend/{id}', '/productExtend/{id}', '/productExtend/{id}'].map((p) => `/api${p}`).sort());
  });

  it('asks nothing for cached units, and sends a lone read on its own', async () => {
    const { standin, client } = await setup();
    await client.enrichOrder(await listed(standin, client, 1001, [shirt, cheese]), ALL);
    const again = await listed(standin, client, 1002, [cheese]);
    expect(looked(await client.enrichOrder(again, ALL))).toEqual([[[], 'kg']]);
    expect(requests(standin)).toEqual(['GET /api/orderProductOptions']);
    expect(standin.batchLog).toHaveLength(0);
  });

  it('takes a product the batch found gone (404 40401, resource not found) as deleted, without another read', async () => {
    const { standin, client } = await setup();
    const order = await listed(standin, client, 1001, [shirt, cheese]);
    standin.deleteProduct(order.products[1]?.productId ?? '');
    expect(looked(await client.enrichOrder(order, ALL))).toEqual([[['Méret: XL', 'Szín: piros'], null], [[], null]]);
    expect(requests(standin)).toEqual(['POST /api/batch']);
  });
});

describe('a long option list in a batch', () => {
  it('takes the first page from the batch and reads the rest on their own, in order', async () => {
    const { standin, client } = await setup({ client: { pageSize: 2 } });
    const many: ProductSpec = { ...shirt, options: ['A', 'B', 'C', 'D', 'E'].map((v, i) => ({ name: `Opció ${i + 1}`, value: v })) };
    const order = await listed(standin, client, 1002, [many, cheese]);
    const enriched = await client.enrichOrder(order, ALL);
    expect(looked(enriched)).toEqual([[['Opció 1: A', 'Opció 2: B', 'Opció 3: C', 'Opció 4: D', 'Opció 5: E'], null], [[], 'kg']]);
    expect(requests(standin)).toEqual(['POST /api/batch', 'GET /api/orderProductOptions', 'GET /api/orderProductOptions']);
    const pages = standin.requestLog.filter((r) => r.method === 'GET').map((r) => new URLSearchParams(r.query).get('page'));
    expect(pages).toEqual(['1', '2']);
  });
});

describe('answers other than the documented one fall back to single reads', () => {
  it('a shop without /batch (404): single reads, and no batch again for a while', async () => {
    const { standin, client } = await setup({ standin: { batch: 'absent' } });
    expect(looked(await client.enrichOrder(await listed(standin, client, 1001, [shirt, cheese, bread]), ALL))).toEqual(EXPECTED);
    expect(requests(standin)).toEqual(['POST /api/batch', ...Array(3).fill('GET /api/orderProductOptions'), ...Array(3).fill('GET /api/productExtend/{id}')]);
    const next = await listed(standin, client, 1002, [shirt, bread]);
    await client.enrichOrder(next, ALL);
    expect(requests(standin)).toEqual(['GET /api/orderProductOptions', 'GET /api/orderProductOptions']);
  });

  it('a batch counted as many (sub-requests refused with 429): those are read on their own, then batches rest', async () => {
    const { standin, client } = await setup({ standin: { batch: 'each', rateLimitPerSecond: 3 }, client: { limitPerSecond: 3 } });
    const order = await listed(standin, client, 1001, [shirt, cheese, bread]);
    expect(looked(await client.enrichOrder(order, ALL))).toEqual(EXPECTED);
    expect(standin.batchLog.some((r) => r.status === 429)).toBe(true);
    const refused = standin.batchLog.filter((r) => r.status === 429).length;
    // The batch, then exactly the refused reads once more on their own (paced, so none is refused).
    expect(requests(standin)).toHaveLength(1 + refused);
    expect(standin.stats.status429).toBe(0);
    await client.enrichOrder(await listed(standin, client, 1002, [shirt, bread]), ALL);
    expect(requests(standin)).toEqual(['GET /api/orderProductOptions', 'GET /api/orderProductOptions']);
  });

  it('a sub-request failing inside the batch (503) is read on its own, with its retries', async () => {
    const { standin, client } = await setup();
    const order = await listed(standin, client, 1001, [shirt, cheese]);
    standin.setFault({ kind: 'status', status: 503, path: '/productExtend', times: 2 });
    expect(looked(await client.enrichOrder(order, ALL))).toEqual([[['Méret: XL', 'Szín: piros'], null], [[], 'kg']]);
    // The batch (its cheese unit 503), the single read (503), its retry (200).
    expect(requests(standin)).toEqual(['POST /api/batch', 'GET /api/productExtend/{id}', 'GET /api/productExtend/{id}']);
  });

  it('a whole batch failing (500) costs the single reads, never a wrong unit', async () => {
    const { standin, client } = await setup();
    const order = await listed(standin, client, 1001, [cheese, bread]);
    standin.setFault({ kind: 'status', status: 500, path: '/batch' });
    expect(looked(await client.enrichOrder(order, ALL))).toEqual([[[], 'kg'], [[], 'db']]);
    expect(requests(standin)).toEqual(['POST /api/batch', 'GET /api/orderProductOptions', 'GET /api/orderProductOptions', 'GET /api/productExtend/{id}', 'GET /api/productExtend/{id}']);
  });
});

describe('the stand-in\'s /batch answers as reference §2.4 says', () => {
  async function post(standin: ShoprenterStandin, body: unknown): Promise<{ status: number; json: unknown }> {
    const token = (await (await fetch(standin.tokenUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_type: 'client_credentials', client_id: standin.clientId, client_secret: standin.clientSecret }) })).json()) as { access_token: string };
    const response = await fetch(`${standin.url}/batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token.access_token}`, accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, json: await response.json() };
  }

  it('answers 200 with each sub-request\'s status (a success as text, a failure as a number) and body', async () => {
    const standin = await startShoprenterStandin({ rateLimitPerSecond: 0 });
    running.push(standin);
    const uris = [`${standin.url}/paymentModes?full=1`, `${standin.url}/productExtend/bm9wZQ==`];
    const { status, json } = await post(standin, { data: { requests: uris.map((uri) => ({ method: 'GET', uri })) } });
    expect(status).toBe(200);
    const items = (json as { requests: { request: { uri: string; response: { header: { statusCode: unknown }; body: { items?: unknown[]; message?: string } } }[] } }).requests.request;
    expect(items.map((i) => [i.uri, i.response.header.statusCode])).toEqual([
      [uris[0], '200'],
      [uris[1], 404],
    ]);
    expect(items[0]?.response.body.items?.length).toBeGreaterThan(0);
    expect(items[1]?.response.body.message).toMatch(/not found/i);
  });

  it('wants the body wrapped in data (40001 otherwise) and at most 200 sub-requests', async () => {
    const standin = await startShoprenterStandin({ rateLimitPerSecond: 0 });
    running.push(standin);
    expect(await post(standin, { requests: [] })).toMatchObject({ status: 400, json: { error: 40001 } });
    const many = Array.from({ length: 201 }, () => ({ method: 'GET', uri: `${standin.url}/paymentModes` }));
    expect((await post(standin, { data: { requests: many } })).status).toBe(400);
  });
});

describe('the daemon with the shipped defaults on a fresh ledger', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it('makes at most one Shoprenter read per product line: one batch per order', async () => {
    // The shipped defaults: neither invoice.productOptions nor units.fromProducts in the file.
    const config = demoConfigYaml().replace(/^\s*productOptions:.*\n/m, '').replace(/^\s*fromProducts:.*\n/m, '');
    h = await startHarness({ config, shoprenter: { rateLimitPerSecond: 0 } });
    writeFileSync(h.env.CONFIG_PATH, config);
    const orders: ProductSpec[][] = [[shirt, cheese, bread], [cheese, bread], [shirt]];
    orders.forEach((products, i) => h.shop.shoprenter.addOrder(buildShoprenterOrder({ ...spec(2001 + i, products), paymentMethodCode: 'cod', email: `u${i}@example.hu`, dateUpdated: `2026-11-20T10:0${i}:00` })));
    const runtime = await h.runtime();
    h.shop.shoprenter.resetStats();
    await runCycle(runtime.deps);
    expect(h.shop.cashman.drafts).toHaveLength(3);
    const reads = h.shop.shoprenter.requestLog.filter((r) => /\/(batch|orderProductOptions|productExtend)/.test(r.path)).map((r) => `${r.method} ${r.path}`);
    // By hand: order 1 = 3 options + 3 units (one batch), order 2 = 2 options (one batch), order 3 = 1 option (alone).
    expect(reads).toEqual(['POST /api/batch', 'POST /api/batch', 'GET /api/orderProductOptions']);
    expect(reads.length / 6).toBeLessThanOrEqual(1);
    const names = h.shop.cashman.drafts.flatMap((d) => d.rows.map((r) => r['megnevezes']));
    expect(names).toContain('Póló (Méret: XL, Szín: piros)');
  });
});

/**
 * A shop whose single GETs answer as they should and whose /batch answers as `batch` says (the
 * sub-requests sent, in order); for answers the stand-in never gives.
 */
async function oddBatchShop(batch: (uris: string[]) => unknown, units: Record<string, string>) {
  const { createServer } = await import('node:http');
  const product = (id: string) => ({ id, productDescriptions: [{ measurementUnit: units[id] ?? '', language: { code: 'hu' } }] });
  const seen: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push(`${req.method} ${req.url?.split('?')[0]}`);
      res.writeHead(200, { 'content-type': 'application/json' });
      if (req.method === 'POST') {
        const sent = (JSON.parse(Buffer.concat(chunks).toString()) as { data: { requests: { uri: string }[] } }).data.requests;
        res.end(JSON.stringify(batch(sent.map((r) => r.uri))));
      } else res.end(JSON.stringify(product(decodeURIComponent(req.url?.split('/').pop() ?? ''))));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const client = new ShoprenterClient({ apiUrl: `http://127.0.0.1:${port}/api`, auth: { kind: 'basic', user: 'u', password: 'p' }, shop: `odd-${++shopCounter}`, limitPerSecond: 1000, batchReads: true });
  const sourced = normalizeOrder(buildShoprenterOrder(spec(3001, [cheese, bread])));
  if (!sourced.ok) throw new Error('order did not normalise');
  const order = { ...sourced.order, products: sourced.order.products.map((p, i) => ({ ...p, productId: i === 0 ? 'cA' : 'cB' })) };
  const close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { client, order, seen, product, close };
}

describe('a batch answering otherwise than documented, by a shop of its own', () => {
  it('a 404 that may be "no such route" (the docs\' example) is read on its own: a unit never defaults by mistake', async () => {
    const shop = await oddBatchShop((uris) => ({ requests: { request: uris.map((uri) => ({ uri, response: { header: { statusCode: 404 }, body: { message: `Resource matching URI "${uri}" not found` } } })) } }), { cA: 'kg', cB: 'l' });
    try {
      expect((await shop.client.enrichOrder(shop.order, { options: false, units: true })).products.map((p) => p.unit)).toEqual(['kg', 'l']);
      expect(shop.seen).toEqual(['POST /api/batch', 'GET /api/productExtend/cA', 'GET /api/productExtend/cB']);
    } finally {
      await shop.close();
    }
  });
});

describe('a batch that mixes up its answers', () => {
  it('never gives a product another product\'s unit: the mixed-up ones are read on their own', async () => {
    const units = { cA: 'kg', cB: 'l' };
    // The answers reversed and without their URIs, so only their content can tell.
    const shop = await oddBatchShop(
      (uris) => ({ requests: { request: uris.reverse().map((uri) => ({ response: { header: { statusCode: '200' }, body: shop.product(decodeURIComponent(uri.split('/').pop() ?? '')) } })) } }),
      units,
    );
    try {
      expect((await shop.client.enrichOrder(shop.order, { options: false, units: true })).products.map((p) => p.unit)).toEqual(['kg', 'l']);
      expect(shop.seen).toEqual(['POST /api/batch', 'GET /api/productExtend/cA', 'GET /api/productExtend/cB']);
    } finally {
      await shop.close();
    }
  });
});
