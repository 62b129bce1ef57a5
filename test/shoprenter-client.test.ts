import { afterEach, describe, expect, it } from '@jest/globals';
import { ConfigError, ShoprenterError } from '../src/errors.js';
import { ShoprenterClient, smallerLimit } from '../src/shoprenter/client.js';
import type { ShoprenterClientOptions } from '../src/shoprenter/client.js';
import { retryAfterMs } from '../src/shoprenter/http.js';
import { sampleShop } from '../src/standins/shoprenter-fixtures.js';
import { startShoprenterStandin } from '../src/standins/shoprenter-standin.js';
import type { ShoprenterStandin, ShoprenterStandinOptions } from '../src/standins/shoprenter-standin.js';
import type { SourcedOrder } from '../src/sync/ports.js';

const SINCE = '2026-01-01T00:00:00';
let shopCounter = 0;
const running: ShoprenterStandin[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

/**
 * A fresh stand-in and client per test. Unless `paced`, the stand-in's own 3 req/s limit is off
 * and the client's limiter is wide open, so tests about other behaviour do not wait on pacing;
 * the pacing tests run with the real limits on both sides.
 */
async function setup(
  o: { standin?: ShoprenterStandinOptions; client?: Partial<ShoprenterClientOptions>; paced?: boolean; orders?: number } = {},
) {
  const standin = await startShoprenterStandin({
    rateLimitPerSecond: o.paced ? 3 : 0,
    orders: sampleShop(o.orders ?? 5, 7),
    ...o.standin,
  });
  running.push(standin);
  const client = new ShoprenterClient({
    apiUrl: standin.url,
    auth: { kind: 'oauth', tokenUrl: standin.tokenUrl, clientId: standin.clientId, clientSecret: standin.clientSecret },
    shop: `client-test-${++shopCounter}`,
    limitPerSecond: o.paced ? 3 : 1000,
    retryBaseMs: 10,
    ...o.client,
  });
  return { standin, client };
}

async function collect(client: ShoprenterClient, since = SINCE) {
  const orders: SourcedOrder[] = [];
  const pages: number[] = [];
  await client.listChangedOrders(since, async (page) => {
    pages.push(page.length);
    orders.push(...page);
  });
  return { orders, pages };
}

const ids = (orders: SourcedOrder[]) => orders.map((o) => (o.ok ? o.order.orderNumber : o.orderNumber));
const apiLog = (standin: ShoprenterStandin) => standin.requestLog.filter((r) => r.path.startsWith('/api/'));
const orderListRequests = (standin: ShoprenterStandin) => standin.requestLog.filter((r) => r.path === '/api/orderExtend');

async function rejection(promise: Promise<unknown>): Promise<ShoprenterError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ShoprenterError);
  return error as ShoprenterError;
}

describe('ShoprenterClient: authentication', () => {
  it('caches the token across requests', async () => {
    const { standin, client } = await setup();
    await client.getOrder('1001');
    await client.getOrder('1002');
    expect(standin.stats.tokenRequests).toBe(1);
  });

  it('renews the token before it expires', async () => {
    const { standin, client } = await setup({ standin: { tokenTtlSeconds: 1 } });
    await client.getOrder('1001');
    await new Promise((resolve) => setTimeout(resolve, 600));
    await client.getOrder('1001');
    expect(standin.stats.tokenRequests).toBe(2);
    expect(standin.requestLog.some((r) => r.status === 401)).toBe(false);
  });

  it('renews once on a 401 and carries on', async () => {
    const { standin, client } = await setup();
    await client.getOrder('1001');
    standin.expireTokens();
    expect((await client.getOrder('1002'))?.ok).toBe(true);
    expect(apiLog(standin).map((r) => r.status)).toEqual([200, 401, 200]);
    expect(standin.stats.tokenRequests).toBe(2);
  });

  it('gives up after a second 401 with a fresh token', async () => {
    const { client, standin } = await setup();
    standin.setFault({ kind: 'status', status: 401, times: 2 });
    const error = await rejection(client.getOrder('1001'));
    expect(error.code).toBe('SHOPRENTER_AUTH');
    expect(error.temporary).toBe(false);
    expect(error.message).toMatch(/even with a fresh token/);
  });

  it('reports refused client credentials without the secret', async () => {
    const { standin } = await setup();
    const wrong = new ShoprenterClient({
      apiUrl: standin.url,
      auth: { kind: 'oauth', tokenUrl: standin.tokenUrl, clientId: standin.clientId, clientSecret: 'hunter2-very-secret' },
      shop: `client-test-${++shopCounter}`,
      limitPerSecond: 1000,
    });
    const error = await rejection(wrong.getOrder('1001'));
    expect(error.code).toBe('SHOPRENTER_AUTH');
    expect(error.message).toMatch(/SHOPRENTER_CLIENT_SECRET/);
    expect(`${error.message} ${String(error.cause)} ${JSON.stringify(error)}`).not.toMatch(/hunter2/);
  });

  it('works with legacy Basic auth and keeps the password out of errors', async () => {
    const { standin } = await setup({ standin: { basic: { user: 'api-user', password: 'pw-s3cret' } } });
    const make = (password: string) =>
      new ShoprenterClient({
        apiUrl: standin.url,
        auth: { kind: 'basic', user: 'api-user', password },
        shop: `client-test-${++shopCounter}`,
        limitPerSecond: 1000,
      });
    expect((await make('pw-s3cret').getOrder('1001'))?.ok).toBe(true);
    const error = await rejection(make('wrong-pw-s3cret').getOrder('1001'));
    expect(error.message).toMatch(/SHOPRENTER_API_USER/);
    expect(error.message).not.toMatch(/s3cret/);
    expect(standin.stats.tokenRequests).toBe(0);
  });

  it('asks for JSON: without Accept the API answers XML', async () => {
    const { standin, client } = await setup();
    expect((await client.getOrder('1001'))?.ok).toBe(true);
    const token = (await (
      await fetch(standin.tokenUrl, {
        method: 'POST',
        body: JSON.stringify({ grant_type: 'client_credentials', client_id: standin.clientId, client_secret: standin.clientSecret }),
      })
    ).json()) as { access_token: string };
    const raw = await fetch(`${standin.url}/orderExtend?limit=1`, { headers: { authorization: `Bearer ${token.access_token}` } });
    expect(raw.headers.get('content-type')).toMatch(/xml/);
    expect(await raw.text()).toMatch(/^<\?xml/);
  });
});

describe('ShoprenterClient: listing orders', () => {
  it('reads 450 orders in windows of dateUpdated that each fit one page, with the documented query', async () => {
    const { standin, client } = await setup({ orders: 450, paced: true });
    const { orders, pages } = await collect(client);
    expect(pages.every((n) => n < 200)).toBe(true);
    expect(ids(orders).sort()).toEqual(Array.from({ length: 450 }, (_, i) => String(1001 + i)));
    expect(orders.every((o) => o.ok)).toBe(true);
    const list = orderListRequests(standin);
    // One second wider than asked: whether Shoprenter's bounds are inclusive is unknown.
    expect(list[0]?.query).toBe(`full=1&excludeAbandonedCart=1&excludeStorno=1&updatedAtMin=${encodeURIComponent('2025-12-31T23:59:59')}&limit=200&page=0`);
    expect(list.some((r) => new URLSearchParams(r.query).has('updatedAtMax'))).toBe(true);
    expect(list.every((r) => r.status === 200)).toBe(true);
  });

  it('costs exactly one request when nothing changed', async () => {
    const { standin, client } = await setup();
    const { orders, pages } = await collect(client, '2099-01-01T00:00:00');
    expect(orders).toEqual([]);
    expect(pages).toEqual([]);
    expect(orderListRequests(standin)).toHaveLength(1);
  });

  it('shrinks the page on a 504 and still returns every order exactly once', async () => {
    const { standin, client } = await setup({ orders: 450 });
    const seen: SourcedOrder[] = [];
    await client.listChangedOrders(SINCE, async (page) => {
      if (seen.length === 0) standin.setFault({ kind: 'status', status: 504, path: '/orderExtend' });
      seen.push(...page);
    });
    expect(ids(seen).sort()).toEqual(Array.from({ length: 450 }, (_, i) => String(1001 + i)));
    const queries = orderListRequests(standin).map((r) => `${r.status} ${new URLSearchParams(r.query).get('limit')}`);
    const failed = queries.indexOf('504 200');
    expect(failed).toBeGreaterThan(0);
    // The same window again at half the size; a later window may ask the full page again.
    expect(queries[failed + 1]).toBe('200 100');
    expect(queries.slice(failed + 1).every((q) => q === '200 100' || q === '200 200')).toBe(true);
  });

  it('honours Retry-After on a 429', async () => {
    const { standin, client } = await setup();
    standin.setFault({ kind: 'status', status: 429, retryAfter: '1' });
    await collect(client);
    const [limited, retried] = orderListRequests(standin);
    expect(limited?.status).toBe(429);
    expect(retried?.status).toBe(200);
    expect((retried?.time ?? 0) - (limited?.time ?? 0)).toBeGreaterThanOrEqual(1000);
  });

  it('retries 500s, dropped connections, timeouts and truncated JSON', async () => {
    const { standin, client } = await setup({ client: { timeoutMs: 300, maxRetries: 5 } });
    standin.setFault({ kind: 'status', status: 503, target: 'token' });
    standin.setFault({ kind: 'status', status: 500 }, { kind: 'drop' }, { kind: 'slow', delayMs: 2000 }, { kind: 'malformed' });
    const { orders } = await collect(client);
    expect(orders).toHaveLength(5);
    expect(standin.requestLog.filter((r) => r.path.includes('/token')).map((r) => r.status)).toEqual([503, 200]);
    expect(orderListRequests(standin).map((r) => r.status)).toEqual([500, 0, 0, 200, 200]);
  });

  it('gives up with one clear sentence after maxRetries', async () => {
    const { standin, client } = await setup({ client: { maxRetries: 4 } });
    standin.setFault({ kind: 'status', status: 503, times: 5 });
    const error = await rejection(collect(client));
    expect(error.message).toBe('Shoprenter answered 503 five times for the order list; will try again next cycle.');
    expect(error).toMatchObject({ code: 'SHOPRENTER_HTTP', temporary: true, status: 503 });
  });

  it('never starts more than 3 requests in any second, measured at the stand-in', async () => {
    const { standin, client } = await setup({ orders: 170, paced: true, client: { pageSize: 10 } });
    const { orders } = await collect(client);
    expect(orders).toHaveLength(170);
    const times = standin.requestLog.map((r) => r.time);
    expect(times.length).toBeGreaterThanOrEqual(18);
    const worst = Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 1000).length));
    expect(worst).toBeLessThanOrEqual(3);
    expect(standin.stats.status429).toBe(0);
  });
});

describe('ShoprenterClient: single orders and lookups', () => {
  it('gets an order by number (innerId) and by API id; unknown ones are null', async () => {
    const { standin, client } = await setup();
    const byNumber = await client.getOrder('1003');
    expect(byNumber?.ok && byNumber.order.orderNumber).toBe('1003');
    const byId = await client.getOrder('b3JkZXItb3JkZXJfaWQ9MTAwNA==');
    expect(byId?.ok && byId.order.orderNumber).toBe('1004');
    expect(await client.getOrder('424242')).toBeNull();
    expect(await client.getOrder('bm9wZQ==')).toBeNull();
    expect(apiLog(standin).map((r) => (r.query ? `${r.path}?${r.query}` : r.path))).toEqual([
      '/api/orderExtend?full=1&innerId=1003&excludeStorno=1&limit=1',
      '/api/orderExtend/b3JkZXItb3JkZXJfaWQ9MTAwNA==',
      '/api/orderExtend?full=1&innerId=424242&excludeStorno=1&limit=1',
      '/api/orderExtend/bm9wZQ==',
    ]);
  });

  it('lists the shop lookups through the generic lister', async () => {
    const { client } = await setup();
    expect((await client.listPaymentModes()).map((m) => m.code)).toEqual(['cod', 'bank_transfer', 'barion', 'simple']);
    expect((await client.listShippingModes()).map((m) => m.extension)).toContain('foxpost');
    expect((await client.listTaxClasses()).flatMap((t) => t.taxRates.map((r) => r.rate))).toEqual([
      '27.0000',
      '18.0000',
      '5.0000',
      '0.0000',
    ]);
    expect((await client.listOrderStatusDescriptions()).map((d) => d.name)).toContain('Teljesítve');
  });
});

describe('ShoprenterClient: configuration and helpers', () => {
  const auth = { kind: 'basic' as const, user: 'u', password: 'p' };
  it.each(['http://example.com/api', 'http://10.0.0.5/api', 'ftp://localhost/api', 'not a url'])('rejects %s', (apiUrl) => {
    expect(() => new ShoprenterClient({ apiUrl, auth, shop: 'cfg' })).toThrow(ConfigError);
  });

  it.each(['https://demo.api2.myshoprenter.hu/api', 'http://127.0.0.1:8080/api', 'http://localhost/api', 'http://[::1]:9/api'])(
    'accepts %s',
    (apiUrl) => {
      expect(() => new ShoprenterClient({ apiUrl, auth, shop: 'cfg' })).not.toThrow();
    },
  );

  it('rejects a plain-http token URL off this machine', () => {
    const oauth = { kind: 'oauth' as const, tokenUrl: 'http://oauth.app.shoprenter.net/demo/app/token', clientId: 'a', clientSecret: 'b' };
    expect(() => new ShoprenterClient({ apiUrl: 'https://demo.api2.myshoprenter.hu/api', auth: oauth, shop: 'cfg' })).toThrow(
      /SHOPRENTER_TOKEN_URL/,
    );
  });

  it('picks a smaller page size that divides what was already read', () => {
    expect(smallerLimit(200, 0)).toBe(100);
    expect(smallerLimit(200, 400)).toBe(100);
    expect(smallerLimit(25, 25)).toBe(5);
    expect(smallerLimit(1, 7)).toBeNull();
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(retryAfterMs('soon')).toBeNull();
    expect(retryAfterMs(undefined)).toBeNull();
  });
});
