import { expect } from '@jest/globals';
import { buildShoprenterOrder, seededRandom } from '../../src/standins/shoprenter-fixtures.js';
import { SIMPLE_ORDER } from './order-specs.js';

/** Shop-local "YYYY-MM-DDTHH:MM:SS" of a UTC millisecond count. */
export const localTime = (ms: number): string => new Date(ms).toISOString().slice(0, 19);

/**
 * The benchmark's kind of backlog: `n` orders, one every 3 to 120 minutes after `start` (ms),
 * each changed when placed, numbered in date order from 100,000.
 */
export function spreadBacklog(n: number, seed: number, start: number): Record<string, unknown>[] {
  const random = seededRandom(seed);
  let at = start;
  return Array.from({ length: n }, (_, i) => {
    at += (3 + Math.floor(random() * 118)) * 60_000;
    const dateUpdated = localTime(at);
    return buildShoprenterOrder({ ...SIMPLE_ORDER, email: `b${i}@example.hu`, innerId: 100_000 + i, dateUpdated, dateCreated: dateUpdated });
  });
}

/** Each number exactly once (as counts, so a failure names the orders). */
export function expectOnceEach(seen: readonly string[], orders: readonly Record<string, unknown>[]): void {
  const counts = new Map<string, number>();
  for (const n of seen) counts.set(n, (counts.get(n) ?? 0) + 1);
  const wrong = [...counts].filter(([, c]) => c !== 1);
  expect(wrong).toEqual([]);
  expect(counts.size).toBe(orders.length);
  expect(orders.every((o) => counts.has(String(o['innerId'])))).toBe(true);
}
