import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildShoprenterOrder, sampleShop } from '../src/standins/shoprenter-fixtures.js';
import { startShoprenterStandin } from '../src/standins/shoprenter-standin.js';
import type { ShoprenterStandin } from '../src/standins/shoprenter-standin.js';

async function token(standin: ShoprenterStandin, secret = standin.clientSecret): Promise<Response> {
  return fetch(standin.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: standin.clientId, client_secret: secret }),
  });
}

async function bearer(standin: ShoprenterStandin): Promise<string> {
  const body = (await (await token(standin)).json()) as { access_token: string };
  return `Bearer ${body.access_token}`;
}

describe('Shoprenter stand-in', () => {
  let standin: ShoprenterStandin;
  let auth: string;
  const get = (path: string, headers: Record<string, string> = { accept: 'application/json' }) =>
    fetch(`${standin.url}${path}`, { headers: { authorization: auth, ...headers } });

  beforeAll(async () => {
    standin = await startShoprenterStandin({ rateLimitPerSecond: 0, orders: sampleShop(30, 1) });
    auth = await bearer(standin);
  });
  afterAll(() => standin.close());

  it('issues tokens only for the right client credentials', async () => {
    const bad = await token(standin, 'wrong');
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ error: 'invalid_client' });
    const good = (await (await token(standin)).json()) as Record<string, unknown>;
    expect(good).toMatchObject({ token_type: 'Bearer', expires_in: 3600, access_token: expect.any(String) });
  });

  it('requires a valid bearer token', async () => {
    const response = await fetch(`${standin.url}/orderExtend`, { headers: { accept: 'application/json', authorization: 'Bearer nope' } });
    expect(response.status).toBe(401);
  });

  it('answers XML unless JSON is asked for', async () => {
    const response = await get('/orderExtend?limit=1', {});
    expect(response.headers.get('content-type')).toMatch(/^application\/xml/);
    expect(await response.text()).toMatch(/^<\?xml version="1.0"/);
  });

  it('pages 0-based with the sample envelope and answers 400 (40008) past the last page', async () => {
    const first = (await (await get('/orderExtend?full=1&limit=10&page=0')).json()) as Record<string, unknown>;
    expect(first).toMatchObject({ page: 0, pageCount: 3, limit: 10, previous: null, next: { href: expect.stringContaining('page=1') } });
    expect(String((first['first'] as { href: string }).href)).toMatch(/^https:\/\/demo\.api\.myshoprenter\.hu\/orderExtend\?/);
    const last = (await (await get('/orderExtend?full=1&limit=10&page=2')).json()) as Record<string, unknown>;
    expect(last['next']).toBeNull();
    const past = await get('/orderExtend?full=1&limit=10&page=3');
    expect(past.status).toBe(400);
    expect(await past.json()).toMatchObject({ error: 40008, message: expect.stringMatching(/^Page not found!.*maximum page is 2/) });
  });

  it('answers an empty page 0 when nothing matches, and 400 for page 1', async () => {
    const empty = (await (await get('/orderExtend?full=1&updatedAtMin=2099-01-01T00:00:00')).json()) as Record<string, unknown>;
    expect(empty).toMatchObject({ page: 0, pageCount: 0, next: null, items: [] });
    expect((await get('/orderExtend?updatedAtMin=2099-01-01T00:00:00&page=1')).status).toBe(400);
  });

  it('rejects a badly formatted datetime filter (40009) and unknown parameters (40010)', async () => {
    const bad = await get('/orderExtend?updatedAtMin=2026-11-01%2010:00:00');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 40009 });
    expect(await (await get('/orderExtend?updatedSince=2026-11-01T10:00:00')).json()).toMatchObject({ error: 40010 });
  });

  it('filters (inclusive updatedAtMin, innerId, abandoned carts, storno) and sorts by dateUpdated then innerId', async () => {
    const spec = {
      email: 'a@b.hu',
      firstname: 'Fehér',
      lastname: 'Ádám',
      billing: { postcode: '1052', city: 'Budapest', address1: 'Fő utca 1.' },
      paymentMethodCode: 'cod',
      shippingExtension: 'gls',
      products: [],
    };
    standin.addOrder(buildShoprenterOrder({ ...spec, innerId: 9002, dateUpdated: '2030-01-01T00:00:00', status: 1 }));
    standin.addOrder(buildShoprenterOrder({ ...spec, innerId: 9001, dateUpdated: '2030-01-01T00:00:00', status: 1 }));
    standin.addOrder(buildShoprenterOrder({ ...spec, innerId: 9003, dateUpdated: '2030-01-01T00:00:00', status: 0 }));
    standin.addOrder(buildShoprenterOrder({ ...spec, innerId: 9004, dateUpdated: '2030-01-02T00:00:00', status: 1 }), { storno: true });
    const list = async (query: string) =>
      (
        (await (await get(`/orderExtend?full=1&updatedAtMin=2030-01-01T00:00:00${query}`)).json()) as { items: { innerId: string }[] }
      ).items.map((o) => o.innerId);
    expect(await list('')).toEqual(['9001', '9002', '9003', '9004']);
    expect(await list('&excludeAbandonedCart=1&excludeStorno=1')).toEqual(['9001', '9002']);
    expect(await list('&innerId=9002')).toEqual(['9002']);
    const single = (await (await get(`/orderExtend/${encodeURIComponent('b3JkZXItb3JkZXJfaWQ9OTAwMQ==')}`)).json()) as { innerId: string };
    expect(single.innerId).toBe('9001');
    expect((await get('/orderExtend/bm9wZQ==')).status).toBe(404);
  });

  it('serves the lookup lists', async () => {
    const modes = (await (await get('/paymentModes?full=1')).json()) as { items: { code: string }[] };
    expect(modes.items.map((m) => m.code)).toContain('cod');
    const taxes = (await (await get('/taxClassExtend?full=1')).json()) as { items: { taxRates: { rate: string }[] }[] };
    expect(taxes.items.flatMap((t) => t.taxRates.map((r) => r.rate))).toEqual(['27.0000', '18.0000', '5.0000', '0.0000']);
  });

  it('serves options and products beside a built order, which itself only links to them', async () => {
    const wire = buildShoprenterOrder({
      innerId: 9501,
      dateUpdated: '2026-11-04T10:00:00',
      status: 5,
      email: 'a@example.hu',
      firstname: 'Kiss',
      lastname: 'Anna',
      billing: { postcode: '1111', city: 'Budapest', address1: 'Fő utca 1.' },
      paymentMethodCode: 'BANK_TRANSFER',
      shippingExtension: 'GLS',
      products: [
        { name: 'Póló', sku: 'POLO-9501', netPrice: 1000, taxRate: 27, stocks: [1], options: [{ name: 'Méret', value: 'XL' }, { name: 'Szín', value: 'kék', price: 200, prefix: '-' }] },
        { name: 'Sajt', sku: 'SAJT-9501', netPrice: 1000, taxRate: 5, stocks: [2], unit: 'kg' },
      ],
    });
    standin.addOrder(wire);
    const listed = (await (await get('/orderExtend?full=1&innerId=9501')).json()) as { items: { orderProducts: Record<string, unknown>[] }[] };
    const [shirt, cheese] = listed.items[0]?.orderProducts ?? [];
    expect(shirt?.['orderProductOptions']).toEqual({ href: `https://demo.api.myshoprenter.hu/orderProductOptions?orderProductId=${String(shirt?.['id'])}` });

    const options = (await (await get(`/orderProductOptions?full=1&orderProductId=${String(shirt?.['id'])}`)).json()) as Record<string, unknown>;
    expect(options).toMatchObject({ page: 0, pageCount: 1, next: null });
    expect(options['items']).toEqual([
      expect.objectContaining({ name: 'Méret', valueName: 'XL', price: '0.0000', prefix: '+', orderProduct: { href: expect.stringContaining(String(shirt?.['id'])) } }),
      expect.objectContaining({ name: 'Szín', valueName: 'kék', price: '200.0000', prefix: '-' }),
    ]);
    const bare = (await (await get(`/orderProductOptions?orderProductId=${String(shirt?.['id'])}`)).json()) as { items: Record<string, unknown>[] };
    expect(Object.keys(bare.items[0] ?? {})).toEqual(['href']);
    const none = (await (await get(`/orderProductOptions?full=1&orderProductId=${String(cheese?.['id'])}`)).json()) as { items: unknown[] };
    expect(none.items).toEqual([]);
    expect((await get('/orderProductOptions?orderId=x')).status).toBe(400);

    const productId = String((cheese?.['product'] as { href: string }).href.split('/').pop());
    const product = (await (await get(`/productExtend/${productId}`)).json()) as Record<string, unknown>;
    expect(product).toMatchObject({
      id: productId,
      productDescriptions: [{ name: 'Sajt', measurementUnit: 'kg', language: { id: 'bGFuZ3VhZ2UtbGFuZ3VhZ2VfaWQ9MQ==' } }],
    });
    const plain = (await (await get(`/products/${productId}`)).json()) as Record<string, unknown>;
    expect(plain['productDescriptions']).toEqual({ href: expect.stringContaining('/productDescriptions?productId=') });
    expect((await get('/productExtend/bm9wZQ==')).status).toBe(404);

    standin.addEnrichment({ units: { [productId]: null } });
    expect((await get(`/productExtend/${productId}`)).status).toBe(404);
  });

  it('injects faults in order, then behaves again', async () => {
    standin.setFault({ kind: 'status', status: 503 }, { kind: 'malformed' }, { kind: 'xml' }, { kind: 'drop' });
    const unavailable = await get('/orderExtend?limit=1');
    expect(unavailable.status).toBe(503);
    expect(await unavailable.text()).toMatch(/<html>/);
    await expect((await get('/orderExtend?limit=1')).json()).rejects.toThrow();
    expect(await (await get('/orderExtend?limit=1')).text()).toMatch(/^<\?xml/);
    await expect(get('/orderExtend?limit=1')).rejects.toThrow();
    expect((await get('/orderExtend?limit=1')).status).toBe(200);
  });
});

describe('Shoprenter stand-in rate limit', () => {
  it('answers 429 beyond 3 requests in a sliding second, token requests included', async () => {
    const standin = await startShoprenterStandin({ retryAfterSeconds: 1 });
    try {
      const auth = await bearer(standin);
      const answers = await Promise.all(
        Array.from({ length: 4 }, () =>
          fetch(`${standin.url}/paymentModes`, { headers: { accept: 'application/json', authorization: auth } }),
        ),
      );
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses).toEqual([200, 200, 429, 429]);
      expect(answers.find((a) => a.status === 429)?.headers.get('retry-after')).toBe('1');
      expect(standin.stats).toMatchObject({ requests: 5, tokenRequests: 1, status429: 2 });
      await Promise.all(answers.map((a) => a.text()));
    } finally {
      await standin.close();
    }
  });
});
