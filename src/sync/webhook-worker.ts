import type { CycleDeps } from './cycle.js';
import { describeError } from './classify.js';
import { CashmanWatch, cashmanFailing } from './cycle-health.js';
import { OrderPipeline, type OrderOutcome } from './process-order.js';
import type { SerialLane } from './serial-lane.js';
import type { TokenBucket, Trigger, TriggerQueue } from './trigger-queue.js';

export interface WebhookWorkerDeps {
  cycle: CycleDeps;
  queue: TriggerQueue;
  bucket: TokenBucket;
  /** Shared with the poll cycle: an order is only ever handled inside it. */
  lane: SerialLane;
  /** Called once per trigger handled: 'read-saved' when the ledger already settled the order. */
  onHandled?: (trigger: Trigger, outcome: HandleOutcome) => void;
}

export type HandleOutcome = OrderOutcome | 'read-saved' | 'not-found' | 'error' | 'stopped';

/**
 * The one worker behind the webhook route. It takes triggers one at a time, spends a token of the
 * read budget, fetches the order through the API (the webhook payload is never trusted) and hands
 * it to the same OrderPipeline a poll cycle uses, inside the lane the cycle runs in. Whatever goes
 * wrong here is left to polling, which lists the order anyway; nothing is quarantined because a
 * webhook named an order the shop does not have.
 */
export class WebhookWorker {
  private stopped = false;
  /** A webhook's request met Cashman failing: the next one checks Cashman first (issue 16 §10). */
  private cashmanSuspect = false;
  private loop: Promise<void> | null = null;
  private sleeping: { timer: NodeJS.Timeout; resolve: () => void } | null = null;

  constructor(private readonly deps: WebhookWorkerDeps) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops taking triggers and waits for the one in hand; waiting triggers are left to polling. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.deps.queue.interrupt();
    if (this.sleeping) {
      clearTimeout(this.sleeping.timer);
      this.sleeping.resolve();
    }
    await this.loop;
  }

  private async run(): Promise<void> {
    const { queue } = this.deps;
    while (!this.stopped) {
      await queue.next();
      const trigger = this.stopped ? undefined : queue.take();
      if (!trigger) continue;
      // A duplicate or late delivery of an order already drafted costs neither a token nor a read.
      if (this.settled(trigger.ref)) {
        this.deps.onHandled?.(trigger, 'read-saved');
        continue;
      }
      this.deps.onHandled?.(trigger, await this.handleInLane(trigger));
    }
  }

  /**
   * The token is taken inside the lane, right before the read, so time spent waiting behind a
   * cycle cannot bunch reads together; without a token the lane is given back while it refills.
   */
  private async handleInLane(trigger: Trigger): Promise<HandleOutcome> {
    for (;;) {
      const result = await this.deps.lane.run(async (): Promise<HandleOutcome | number> => {
        if (this.stopped) return 'stopped';
        // The cycle that ran before us in the lane may have drafted it meanwhile.
        if (this.settled(trigger.ref)) return 'read-saved';
        const wait = this.deps.bucket.tryTake();
        return wait > 0 ? wait : this.handle(trigger);
      });
      if (typeof result !== 'number') return result;
      await this.sleep(result);
    }
  }

  private settled(ref: string): boolean {
    const state = this.deps.cycle.ledger.findOrder(ref)?.state;
    return state === 'done' || state === 'submitting' || state === 'uncertain';
  }

  private async handle(trigger: Trigger): Promise<HandleOutcome> {
    const { cycle } = this.deps;
    try {
      const sourced = await cycle.source.getOrder(trigger.ref);
      if (sourced === null) {
        cycle.logger.debug('a webhook named an order the shop does not list (unknown or cancelled); nothing to do');
        return 'not-found';
      }
      // Never a draft into a known outage: while Cashman fails, a read-only check goes first, so
      // only the poll cycle's first request can put an order in doubt.
      const now = cycle.now ?? (() => new Date());
      const backend = new CashmanWatch(cycle.backend, this.cashmanSuspect || cashmanFailing(cycle.ledger, now()));
      try {
        return await new OrderPipeline({ ...cycle, backend }).handle(sourced);
      } finally {
        if (backend.learnedSomething) this.cashmanSuspect = backend.failing !== null;
      }
    } catch (error) {
      cycle.logger.warn('webhook-triggered order not handled now; polling will pick it up', { order: trigger.ref, error: describeError(error) });
      return 'error';
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.sleeping = null;
        resolve();
      }, ms);
      this.sleeping = { timer, resolve };
    });
  }
}
