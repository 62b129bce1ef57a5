import { describe, expect, it } from '@jest/globals';
import { RateLimiter, sharedRateLimiter } from '../src/shoprenter/rate-limiter.js';
import type { Clock } from '../src/shoprenter/rate-limiter.js';

/** A clock that only moves when someone sleeps: timing without waiting or flakiness. */
function fakeClock(): Clock {
  let t = 1_000_000;
  return {
    now: () => t,
    sleep: (ms) => {
      t += ms;
      return Promise.resolve();
    },
  };
}

/** Largest number of starts inside any half-open window [t, t + windowMs). */
function maxInWindow(starts: number[], windowMs: number): number {
  let max = 0;
  for (const [i, start] of starts.entries()) {
    max = Math.max(max, starts.filter((s, j) => j >= i && s < start + windowMs).length);
  }
  return max;
}

describe('RateLimiter', () => {
  it('lets the first N start at once, then never more than N in any window', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter({ limit: 3, windowMs: 1000, marginMs: 50, clock });
    const starts: number[] = [];
    await Promise.all(Array.from({ length: 12 }, () => limiter.acquire().then(() => starts.push(clock.now()))));
    const t0 = starts[0] ?? 0;
    expect(starts.slice(0, 3)).toEqual([t0, t0, t0]);
    expect(maxInWindow(starts, 1000)).toBe(3);
    for (let i = 3; i < starts.length; i++) {
      expect((starts[i] ?? 0) - (starts[i - 3] ?? 0)).toBeGreaterThanOrEqual(1050);
    }
  });

  it('paces callers that arrive in bursts after idle time', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter({ limit: 3, windowMs: 1000, marginMs: 0, clock });
    const starts: number[] = [];
    const take = async (n: number) => {
      for (let i = 0; i < n; i++) {
        await limiter.acquire();
        starts.push(clock.now());
      }
    };
    await take(3);
    await clock.sleep(700);
    await take(3);
    await clock.sleep(2500);
    await take(4);
    expect(maxInWindow(starts, 1000)).toBe(3);
  });

  it('holds with the real clock too (lower bounds only)', async () => {
    const limiter = new RateLimiter({ limit: 2, windowMs: 150, marginMs: 10 });
    const starts: number[] = [];
    await Promise.all(Array.from({ length: 6 }, () => limiter.acquire().then(() => starts.push(performance.now()))));
    for (let i = 2; i < starts.length; i++) {
      expect((starts[i] ?? 0) - (starts[i - 2] ?? 0)).toBeGreaterThanOrEqual(159);
    }
  });

  it('shares one limiter per shop across the process', () => {
    expect(sharedRateLimiter('limiter-test-shop')).toBe(sharedRateLimiter('Limiter-Test-Shop'));
    expect(sharedRateLimiter('limiter-test-shop')).not.toBe(sharedRateLimiter('other-shop'));
  });
});
