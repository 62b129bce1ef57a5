import type { Logger } from '../log/logger.js';
import { runCycle, type CycleDeps, type CycleSummary } from './cycle.js';
import { SerialLane } from './serial-lane.js';
import { WriterLostError } from '../errors.js';

export interface DaemonOptions {
  /** Shared with the webhook worker, so a cycle and a webhook-triggered order never run side by side. */
  lane?: SerialLane;
  /** Told about every finished cycle (metrics). */
  onCycle?: (summary: CycleSummary) => void;
  /** A cycle found that another process took the ledger over: the daemon stops ticking. */
  onWriterLost?: (error: WriterLostError) => void;
}

/**
 * How long a stop waits for the order in hand. The pipeline checks the stop before every Cashman
 * request, so after a signal at most one request is still out: it ends within
 * `cashman.timeoutSeconds` (default 30 s), and 10 s more cover its ledger commit. docker-compose.yml
 * grants 50 s (stop_grace_period) so Docker's SIGKILL never lands inside this wait. With a longer
 * Cashman timeout a stop may cut a draft request in flight: that order becomes `uncertain` (never
 * resent, alerted), never a duplicate.
 */
export const SHUTDOWN_GRACE_MS = 40_000;

/**
 * `run`: a cycle right away, then one every `intervalSeconds`, never two at once. A timer ticks
 * every second and a cycle starts when the interval has passed since the previous start and none
 * is running; this works for any interval (a `*\/45` cron field would not) and a slow cycle simply
 * delays the next one instead of stacking up. The tick was node-cron's `* * * * * *` schedule until
 * 0.5: it did nothing a one-second interval timer does not, yet worked out every tick's date through
 * Intl.DateTimeFormat, whose engine alone kept ~5 MB of the daemon resident.
 */
export class Daemon {
  private running: Promise<CycleSummary> | null = null;
  private lastStart = 0;
  private ticker: NodeJS.Timeout | null = null;
  private readonly stop: { requested: boolean };
  private finished!: () => void;
  private readonly done = new Promise<void>((resolve) => (this.finished = resolve));

  constructor(
    private readonly deps: CycleDeps,
    private readonly intervalSeconds: number,
    private readonly logger: Logger,
    private readonly options: DaemonOptions = {},
  ) {
    // Shared with the runtime: a lost writer lock sets it too.
    this.stop = deps.stop ?? { requested: false };
  }

  /** Starts ticking; resolves when `shutdown()` has finished the order in hand. */
  start(): Promise<void> {
    this.tick();
    this.ticker = setInterval(() => this.tick(), 1000);
    return this.done;
  }

  private tick(): void {
    if (this.stop.requested || this.running) return;
    if (Date.now() - this.lastStart < this.intervalSeconds * 1000 - 500) return;
    this.lastStart = Date.now();
    const lane = this.options.lane ?? new SerialLane();
    this.running = lane.run(() => runCycle({ ...this.deps, stop: this.stop }));
    this.running
      .then((summary) => this.options.onCycle?.(summary))
      .catch((error: unknown) => {
        if (error instanceof WriterLostError) {
          this.stop.requested = true;
          this.options.onWriterLost?.(error);
          return;
        }
        // runCycle records its own failures; this guards the daemon against a bug escaping it.
        this.logger.error('cycle crashed; the daemon keeps running', { error: (error as Error).message });
      })
      .finally(() => {
        this.running = null;
      });
  }

  /** First signal: finish the order in hand (at most `graceMs`), then stop. */
  async shutdown(graceMs = SHUTDOWN_GRACE_MS): Promise<void> {
    this.stop.requested = true;
    if (this.ticker) clearInterval(this.ticker);
    if (this.running) {
      this.logger.info('shutting down: finishing the order in hand');
      await Promise.race([this.running.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
    }
    this.finished();
  }
}
