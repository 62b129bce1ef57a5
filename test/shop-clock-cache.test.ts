import { describe, expect, it } from '@jest/globals';
import { shopNow, shopToday } from '../src/domain/shop-clock.js';

// shopNow keeps its last answer per zone for the same whole second: these instants straddle the
// spring-forward change in Budapest (2026-03-29 01:00 UTC, 02:00 CET becomes 03:00 CEST), so a
// cache keyed wrongly (by zone only, by the minute, or shared between zones) answers wrongly.
describe('shopNow answers per instant and zone, asked again and again', () => {
  it('gives each second its own wall-clock time across a DST change, whatever the milliseconds', () => {
    const asked: [string, string, string][] = [
      ['2026-03-29T00:59:59.000Z', 'Europe/Budapest', '2026-03-29T01:59:59'],
      ['2026-03-29T00:59:59.999Z', 'Europe/Budapest', '2026-03-29T01:59:59'],
      ['2026-03-29T00:59:59.500Z', 'UTC', '2026-03-29T00:59:59'],
      ['2026-03-29T00:59:59.999Z', 'Europe/Budapest', '2026-03-29T01:59:59'],
      ['2026-03-29T01:00:00.000Z', 'Europe/Budapest', '2026-03-29T03:00:00'],
      ['2026-03-29T01:00:00.000Z', 'UTC', '2026-03-29T01:00:00'],
      ['2026-03-29T00:59:59.000Z', 'Europe/Budapest', '2026-03-29T01:59:59'],
      ['2026-03-28T22:59:59.999Z', 'Europe/Budapest', '2026-03-28T23:59:59'],
      ['2026-03-28T23:00:00.000Z', 'Europe/Budapest', '2026-03-29T00:00:00'],
    ];
    for (const [instant, zone, expected] of asked) expect([instant, zone, shopNow(new Date(instant), zone)]).toEqual([instant, zone, expected]);
  });

  it('dates a draft by the shop day, also right after midnight was asked in another zone', () => {
    expect(shopToday(new Date('2026-03-28T23:00:00.000Z'), 'UTC')).toBe('2026-03-28');
    expect(shopToday(new Date('2026-03-28T23:00:00.000Z'), 'Europe/Budapest')).toBe('2026-03-29');
    expect(shopToday(new Date('2026-03-28T23:00:00.000Z'), 'UTC')).toBe('2026-03-28');
  });

  it('still refuses an invalid date', () => {
    expect(() => shopNow(new Date(Number.NaN), 'UTC')).toThrow(RangeError);
    expect(() => shopNow(new Date(Number.NaN), 'UTC')).toThrow(RangeError);
  });
});
