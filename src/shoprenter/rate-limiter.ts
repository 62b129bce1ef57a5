/** Time source, injectable so tests can run the pacer on a fake clock. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface RateLimiterOptions {
  /** Request starts allowed in any window (Shoprenter: 3 per second per app per shop, reference §2.1). */
  limit?: number;
  windowMs?: number;
  /**
   * Extra wait beyond the window. The server counts arrivals, not our start times: a request that
   * is a few ms slower on the wire than the one three places after it would otherwise land in the
   * same server-side window.
   */
  marginMs?: number;
  clock?: Clock;
}

/**
 * Guarantees at most `limit` request starts in any sliding window of `windowMs`. A token bucket
 * (burst of 3, then refills) can put 4+ requests into one second; a log of the last `limit` start
 * times cannot: a new start waits until the oldest of them is a full window (plus margin) old.
 * Callers are served strictly in arrival order.
 */
export class RateLimiter {
  readonly limit: number;
  private readonly windowMs: number;
  private readonly marginMs: number;
  private readonly clock: Clock;
  private readonly starts: number[] = [];
  private tail: Promise<void> = Promise.resolve();

  constructor(options: RateLimiterOptions = {}) {
    this.limit = Math.max(1, Math.floor(options.limit ?? 3));
    this.windowMs = options.windowMs ?? 1000;
    this.marginMs = options.marginMs ?? 100;
    this.clock = options.clock ?? systemClock;
  }

  /** Resolves when the caller may start its request; the start is recorded at that moment. */
  acquire(): Promise<void> {
    const turn = this.tail.then(() => this.waitForSlot());
    // A rejected turn must not poison the queue for later callers.
    this.tail = turn.catch(() => undefined);
    return turn;
  }

  private async waitForSlot(): Promise<void> {
    while (this.starts.length >= this.limit) {
      const oldest = this.starts[0] ?? 0;
      const wait = oldest + this.windowMs + this.marginMs - this.clock.now();
      if (wait > 0) await this.clock.sleep(wait);
      else this.starts.shift();
    }
    this.starts.push(this.clock.now());
  }
}

const shared = new Map<string, RateLimiter>();

/**
 * The process-wide limiter for one shop, so every client of that shop (the poller, `preview`,
 * `check`) draws from the same budget. The first caller's limit wins for that shop.
 */
export function sharedRateLimiter(shop: string, limit = 3): RateLimiter {
  const key = shop.toLowerCase();
  let limiter = shared.get(key);
  if (!limiter) {
    limiter = new RateLimiter({ limit });
    shared.set(key, limiter);
  }
  return limiter;
}
