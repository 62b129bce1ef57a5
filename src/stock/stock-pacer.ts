import { RateLimiter } from '../shoprenter/rate-limiter.js';

/**
 * Stock's share of Shoprenter's 3 requests a second (SPEC §6 "Pace"): at most 1 a second, and none
 * while order work is running or waiting (`orderWorkPending`), so polling and webhook reads go
 * first; then the shop's shared limiter, so stock and orders together never pass the shop's
 * limit. Token requests of the stock clients go through it too.
 */
export class StockLimiter extends RateLimiter {
  constructor(
    private readonly shared: RateLimiter,
    private readonly yieldToOrders: () => Promise<void> = () => Promise.resolve(),
  ) {
    super({ limit: 1, windowMs: 1000 });
  }

  override async acquire(): Promise<void> {
    await this.yieldToOrders();
    await super.acquire();
    // Order work may have started while this request waited for its second.
    await this.yieldToOrders();
    await this.shared.acquire();
  }
}

/** Waits until the order lane is idle (the poll cycle and webhook-triggered orders). */
export function laneGate(lane: { busy: boolean; idle(): Promise<void> }): () => Promise<void> {
  return async () => {
    while (lane.busy) await lane.idle();
  };
}
