import { afterEach, describe, expect, it } from '@jest/globals';
import { listLowerBound, localToInstant } from '../src/domain/shop-clock.js';
import { demoConfigYaml } from '../src/standins/local-shop.js';
import { buildShoprenterOrder } from '../src/standins/shoprenter-fixtures.js';
import { runCycle } from '../src/sync/cycle.js';
import { startHarness, type Harness } from './helpers/harness.js';
import { SIMPLE_ORDER } from './helpers/order-specs.js';

/**
 * The cursor across both daylight-saving changes (issue 9 §2). Shoprenter stamps dateUpdated with
 * the shop's wall clock (Europe/Budapest), which repeats 02:00–03:00 on the last Sunday of October
 * (2026-10-25: 02:59:59 CEST = 00:59:59 UTC is followed by 02:00:00 CET = 01:00:00 UTC) and skips
 * it on the last Sunday of March (2026-03-29: 01:59:59 CET = 00:59:59 UTC, then 03:00:00 CEST).
 * Each case below gives the real instants (UTC) by hand; the daemon's clock is set to them.
 */

function order(innerId: number, dateUpdated: string): Record<string, unknown> {
  return buildShoprenterOrder({ ...SIMPLE_ORDER, email: `buyer${innerId}@example.hu`, innerId, dateUpdated, dateCreated: dateUpdated });
}

function config(overlapMinutes: number): string {
  return demoConfigYaml({ startFrom: '2026-03-01T00:00:00' }).replace('overlapMinutes: 10', `overlapMinutes: ${overlapMinutes}`);
}

describe.each([1, 10, 45])('cursor across daylight-saving changes, overlapMinutes %i', (overlap) => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  async function setup(startUtc: string) {
    let t = Date.parse(startUtc);
    h = await startHarness({ logLevel: 'warn', config: config(overlap), shoprenter: { shop: `dstshop${overlap}`, rateLimitPerSecond: 30 } });
    const runtime = await h.runtime({ now: () => new Date(t), shoprenterTuning: { limitPerSecond: 30 } });
    return { harness: h, runtime, setClock: (utc: string) => (t = Date.parse(utc)) };
  }

  const drafted = (harness: Harness) =>
    harness.shop.cashman.drafts.map((d) => /(\d+)\s*$/.exec(d.rows[0]?.['egyeb'] ?? '')?.[1]).sort();

  it('autumn: an order changed in the repeated hour (02:15 CET) after the cursor reached 02:40 CEST is drafted', async () => {
    const { harness, runtime, setClock } = await setup('2026-10-25T00:41:00Z'); // 02:41 CEST
    harness.shop.shoprenter.addOrder(order(3001, '2026-10-25T02:40:00')); // 00:40 UTC
    expect((await runCycle(runtime.deps)).ok).toBe(true);
    expect(runtime.ledger.getMeta('cursor')).toBe('2026-10-25T02:40:00');

    setClock('2026-10-25T01:16:00Z'); // 02:16 CET, the second 02:16 of the day
    harness.shop.shoprenter.addOrder(order(3002, '2026-10-25T02:15:00')); // 01:15 UTC
    expect((await runCycle(runtime.deps)).ok).toBe(true);

    setClock('2026-10-25T02:05:00Z'); // 03:05 CET
    harness.shop.shoprenter.addOrder(order(3003, '2026-10-25T02:59:00')); // 01:59 UTC, the second 02:59
    harness.shop.shoprenter.addOrder(order(3004, '2026-10-25T03:04:00')); // 02:04 UTC
    await runCycle(runtime.deps);
    await runCycle(runtime.deps);
    expect(drafted(harness)).toEqual(['3001', '3002', '3003', '3004']);
  });

  it('spring: orders on both sides of the skipped hour, one committed late, are drafted once each', async () => {
    const { harness, runtime, setClock } = await setup('2026-03-29T00:56:00Z'); // 01:56 CET
    harness.shop.shoprenter.addOrder(order(4001, '2026-03-29T01:55:00')); // 00:55 UTC
    await runCycle(runtime.deps);

    setClock('2026-03-29T01:05:00Z'); // 03:05 CEST
    harness.shop.shoprenter.addOrder(order(4002, '2026-03-29T03:04:00')); // 01:04 UTC
    await runCycle(runtime.deps);
    expect(runtime.ledger.getMeta('cursor')).toBe('2026-03-29T03:04:00');

    // Stamped 01:58 CET (00:58 UTC, six real minutes before the cursor's 01:04 UTC) but visible
    // only now: a late commit, which the overlap is there for (when it is at least that long).
    setClock('2026-03-29T01:06:00Z');
    harness.shop.shoprenter.addOrder(order(4003, '2026-03-29T01:58:00'));
    harness.shop.shoprenter.addOrder(order(4004, '2026-03-29T03:05:30')); // 01:05:30 UTC
    await runCycle(runtime.deps);
    await runCycle(runtime.deps);
    expect(drafted(harness)).toEqual(overlap >= 10 ? ['4001', '4002', '4003', '4004'] : ['4001', '4002', '4004']);
  });
});

describe('listLowerBound (Europe/Budapest, values worked out by hand)', () => {
  const tz = 'Europe/Budapest';
  it('is cursor − overlap on an ordinary day', () => {
    expect(listLowerBound('2026-11-10T08:00:00', 10, tz, new Date('2026-11-10T07:05:00Z'))).toBe('2026-11-10T07:50:00');
  });
  it('goes back to the start of the repeated hour when the autumn change lies between the cursor and now', () => {
    // Cursor 02:40 CEST = 00:40 UTC; minus 10 min = 00:30 UTC; the clocks go back at 01:00 UTC to 02:00.
    expect(listLowerBound('2026-10-25T02:40:00', 10, tz, new Date('2026-10-25T01:16:00Z'))).toBe('2026-10-25T02:00:00');
    // Already after the change: 03:05 CET = 02:05 UTC, minus 10 min = 01:55 UTC = 02:55 CET.
    expect(listLowerBound('2026-10-25T03:05:00', 10, tz, new Date('2026-10-25T02:16:00Z'))).toBe('2026-10-25T02:55:00');
  });
  it('counts real minutes across the spring gap', () => {
    // 03:05 CEST = 01:05 UTC, minus 10 min = 00:55 UTC = 01:55 CET (naive arithmetic would say 02:55).
    expect(listLowerBound('2026-03-29T03:05:00', 10, tz, new Date('2026-03-29T01:16:00Z'))).toBe('2026-03-29T01:55:00');
  });
  it('takes a repeated time at its first occurrence and a skipped one at the change', () => {
    expect(localToInstant('2026-10-25T02:40:00', tz).toISOString()).toBe('2026-10-25T00:40:00.000Z');
    expect(localToInstant('2026-03-29T02:30:00', tz).toISOString()).toBe('2026-03-29T01:00:00.000Z');
    expect(localToInstant('2026-10-25T03:30:00', tz).toISOString()).toBe('2026-10-25T02:30:00.000Z');
  });
});
