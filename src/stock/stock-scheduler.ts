import type { Logger } from '../log/logger.js';
import { describeError } from '../sync/classify.js';
import { runStockRound, type RoundResult, type StockDeps } from './stock-round.js';

/**
 * Runs a stock round after an order cycle once `stock.intervalMinutes` have passed since the last
 * round started (remembered in the ledger, so a restart does not add a round), never two at once.
 * The round runs beside the order lane, not in it: it never holds an order up, and its requests
 * wait for the lane to be idle (StockLimiter).
 */
export class StockScheduler {
  private running: Promise<RoundResult | null> | null = null;

  constructor(
    private readonly deps: StockDeps,
    private readonly intervalMinutes: number,
    private readonly logger: Logger,
    private readonly onRound?: (result: RoundResult) => void,
  ) {}

  /** Called after every order cycle. */
  afterCycle(): void {
    if (this.running || this.deps.stop.requested) return;
    const last = this.deps.store.lastRound();
    // A last round "in the future" was recorded while the clock ran fast (set back since, e.g. by
    // NTP): waiting for the clock to catch up would stop stock for as long, so it counts as due.
    const elapsed = last ? this.deps.now().getTime() - Date.parse(last.startedAt) : Number.POSITIVE_INFINITY;
    if (elapsed >= 0 && elapsed < this.intervalMinutes * 60_000 - 1000) return;
    this.running = runStockRound(this.deps)
      .then((result) => {
        this.onRound?.(result);
        return result;
      })
      .catch((error: unknown) => {
        this.logger.error('stock round crashed; the next one tries again', { error: describeError(error) });
        return null;
      })
      .finally(() => {
        this.running = null;
      });
  }

  /** Waits for the round in hand (it stops before its next write once stop is requested). */
  async idle(graceMs: number): Promise<void> {
    if (!this.running) return;
    await Promise.race([this.running, new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
  }
}
