import { afterEach, describe, expect, it } from '@jest/globals';
import { main } from '../src/cli.js';
import { ShoprenterError } from '../src/errors.js';
import { ShoprenterClient } from '../src/shoprenter/client.js';
import type { ShoprenterClientOptions } from '../src/shoprenter/client.js';
import { closedPortUrl } from '../src/standins/cashman-standin.js';
import { sampleShop } from '../src/standins/shoprenter-fixtures.js';
import { startShoprenterStandin, type ShoprenterStandin } from '../src/standins/shoprenter-standin.js';
import { startHarness, type Harness } from './helpers/harness.js';

/**
 * Read storms (issue 9 §10): a read rides out a run of 429/5xx answers for as long as its time
 * budget allows (default 90 s, about a minute of storm), honouring Retry-After and the shared
 * 3-per-second pacing, and gives up once the next wait would end past the budget.
 */

const running: ShoprenterStandin[] = [];
let harness: Harness | undefined;
afterEach(async () => {
  for (const standin of running.splice(0)) await standin.close();
  await harness?.close();
  harness = undefined;
});

let shopCounter = 0;
async function setup(client: Partial<ShoprenterClientOptions> = {}) {
  const standin = await startShoprenterStandin({ rateLimitPerSecond: 3, orders: sampleShop(3, 5) });
  running.push(standin);
  const shoprenter = new ShoprenterClient({
    apiUrl: standin.url,
    auth: { kind: 'oauth', tokenUrl: standin.tokenUrl, clientId: standin.clientId, clientSecret: standin.clientSecret },
    shop: `storm-${++shopCounter}`,
    retryBaseMs: 200,
    ...client,
  });
  return { standin, shoprenter };
}

const listRequests = (standin: ShoprenterStandin) => standin.requestLog.filter((r) => r.path === '/api/orderExtend');

async function listAll(shoprenter: ShoprenterClient): Promise<number> {
  let n = 0;
  await shoprenter.listChangedOrders('2026-01-01T00:00:00', (page) => Promise.resolve(void (n += page.length)));
  return n;
}

describe('read storms', () => {
  it('rides out six failures in a row, three of them 429s with Retry-After, with the default budget', async () => {
    const { standin, shoprenter } = await setup({ retryBaseMs: 50 });
    standin.setFault(
      { kind: 'status', status: 429, retryAfter: '1', path: '/orderExtend', times: 3 },
      { kind: 'status', status: 503, path: '/orderExtend' },
      { kind: 'status', status: 502, path: '/orderExtend' },
      { kind: 'status', status: 500, path: '/orderExtend' },
    );
    expect(await listAll(shoprenter)).toBe(3);
    const statuses = listRequests(standin).map((r) => r.status);
    expect(statuses).toEqual([429, 429, 429, 503, 502, 500, 200]);
    // Retry-After honoured: a second (plus a cushion) between the 429s and the next try.
    const times = listRequests(standin).map((r) => r.time);
    for (let i = 1; i <= 3; i++) expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(1000);
    // Never more than 3 requests in any sliding second on the stand-in's side.
    expect(standin.stats.status429).toBe(3);
  }, 30_000);

  it('gives up once the next wait would end past the budget, and says what failed', async () => {
    const { standin, shoprenter } = await setup({ retryBudgetMs: 2500 });
    standin.setFault({ kind: 'status', status: 429, retryAfter: '1', path: '/orderExtend', times: 10 });
    const started = Date.now();
    const error = await listAll(shoprenter).then(
      () => null,
      (caught: unknown) => caught,
    );
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(ShoprenterError);
    expect((error as ShoprenterError).message).toBe('Shoprenter answered 429 three times for the order list; will try again next cycle.');
    expect((error as ShoprenterError).temporary).toBe(true);
    // Tries at about 0, 1.1 and 2.2 s; a third 1.1 s wait would end at 3.3 s, past 2.5 s.
    expect(listRequests(standin)).toHaveLength(3);
    expect(elapsed).toBeGreaterThanOrEqual(2000);
    expect(elapsed).toBeLessThan(2500);
  }, 30_000);

  it('a Retry-After longer than the whole budget is not waited out', async () => {
    const { standin, shoprenter } = await setup({ retryBudgetMs: 2500 });
    standin.setFault({ kind: 'status', status: 429, retryAfter: '5', path: '/orderExtend' });
    await expect(listAll(shoprenter)).rejects.toThrow('Shoprenter asked to wait 5 s before the order list; will try again next cycle.');
    expect(listRequests(standin)).toHaveLength(1);
  });

  it('check fails within a few seconds when Shoprenter cannot be reached', async () => {
    harness = await startHarness({ logLevel: 'warn' });
    const closed = await closedPortUrl();
    const out: string[] = [];
    const env = { ...harness.env, SHOPRENTER_API_URL: `${closed}/api`, SHOPRENTER_TOKEN_URL: `${closed}/oauth/token` };
    const started = Date.now();
    const code = await main(['check'], { env, out: (t) => out.push(t), err: (t) => out.push(t) });
    expect(code).toBe(1);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(out.join('\n')).toContain('FAIL  Shoprenter');
  }, 30_000);
});
