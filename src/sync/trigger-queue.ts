/**
 * Orders that webhooks made "due now", waiting for the worker. A ref already waiting is not
 * queued again (a duplicate delivery costs nothing), and the queue is bounded: past the bound a
 * trigger is dropped, which only means that polling, the safety net, picks the order up.
 */

export interface Trigger {
  /** Order number or API id, as the webhook named it. */
  ref: string;
  /** When the first delivery naming it arrived (ms since epoch), for the latency metric. */
  receivedAt: number;
}

export type TriggerOutcome = 'queued' | 'coalesced' | 'dropped';

export const MAX_WAITING_TRIGGERS = 1000;

export class TriggerQueue {
  private readonly waiting = new Map<string, Trigger>();
  private wake: (() => void) | null = null;

  constructor(private readonly limit = MAX_WAITING_TRIGGERS) {}

  add(ref: string, receivedAt: number): TriggerOutcome {
    if (this.waiting.has(ref)) return 'coalesced';
    if (this.waiting.size >= this.limit) return 'dropped';
    this.waiting.set(ref, { ref, receivedAt });
    this.wake?.();
    return 'queued';
  }

  /** The oldest waiting trigger, removed from the queue; undefined when none waits. */
  take(): Trigger | undefined {
    const first = this.waiting.values().next();
    if (first.done) return undefined;
    this.waiting.delete(first.value.ref);
    return first.value;
  }

  get size(): number {
    return this.waiting.size;
  }

  /** Resolves when a trigger is added (or `interrupt` is called). */
  next(): Promise<void> {
    if (this.waiting.size > 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.wake = () => {
        this.wake = null;
        resolve();
      };
    });
  }

  interrupt(): void {
    this.wake?.();
  }
}

/**
 * A token bucket for webhook-triggered Shoprenter reads: `burst` at once, then `perSecond`
 * sustained. Shoprenter allows 3 requests a second per shop (reference §2.1); keeping triggered
 * reads at 1/s leaves polling and enrichment their share even under a flood of webhooks.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.last = clock();
  }

  /** Milliseconds until a token is available (0 = now); takes it when available. */
  tryTake(): number {
    const now = this.clock();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.perSecond) * 1000);
  }
}
