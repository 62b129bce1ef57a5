import { AlertDeliveryError, DEFAULT_REQUEST_TIMEOUT_MS, type ChannelSender } from '../alerts/channel.js';
import type { Logger } from '../log/logger.js';
import type { AlertOutbox, WaitingDelivery } from '../store/alert-outbox.js';
import type { AlertEvent } from './alerts.js';

/** Pacing of the deliveries; the defaults are what `run` and `once` use. */
export interface DeliveryTuning {
  /** One request's budget (webhook POST, SMTP conversation). */
  requestTimeoutMs: number;
  /** First retry delay; doubles per failed attempt up to backoffMaxMs. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** How often the outbox is looked at for alerts raised by other processes (commands, a redraft). */
  pollMs: number;
  /**
   * E-mail waits until no alert came for this long, so a burst becomes one e-mail. At go-live the
   * quarantines of one config gap arrive about one a second for minutes (each order's product
   * reads are rate-limited), so the quiet gap that ends a burst is tens of seconds, not a few...
   */
  settleMs: number;
  /** ...but never holds an alert longer than this (a burst of 10 minutes still makes one e-mail). */
  maxHoldMs: number;
}

export const DEFAULT_DELIVERY_TUNING: DeliveryTuning = {
  requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
  backoffBaseMs: 15_000,
  backoffMaxMs: 15 * 60_000,
  pollMs: 5_000,
  settleMs: 30_000,
  maxHoldMs: 10 * 60_000,
};

export interface DeliveryDeps {
  outbox: AlertOutbox;
  /** Only the writer delivers, so two processes never send the same alert. */
  holdsWriterLock: () => boolean;
  channels: readonly ChannelSender[];
  logger: Logger;
  now: () => Date;
  tuning?: Partial<DeliveryTuning>;
  /** Runs before each pass (the morning summary is enqueued from here). */
  beforePass?: () => void;
}

type Mode = 'steady' | 'flush';

/**
 * Drains the alert outbox beside the order lane: nothing in a cycle ever waits for it. Each
 * channel has its own delivery state per alert and its own queue here, so a hung webhook does not
 * hold the e-mails. A failure is retried with backoff, across restarts (the row stays); a new
 * process tries every waiting alert once at its first pass, whatever the backoff said, since a
 * restart is often the fix. A 2xx or the SMTP server's acceptance that is lost on the way back
 * makes a repeat, never a loss: delivery is at least once.
 */
export class AlertDelivery {
  private readonly tuning: DeliveryTuning;
  private readonly tried = new Set<string>();
  private readonly queues = new Map<string, Promise<void>>();
  private readonly busy = new Set<string>();
  private readonly abort = new AbortController();
  private loop: Promise<void> | null = null;
  private stopped = false;
  private readonly unrecorded = new Set<Promise<void>>();
  private wakeUp: (() => void) | null = null;

  constructor(private readonly deps: DeliveryDeps) {
    this.tuning = { ...DEFAULT_DELIVERY_TUNING, ...deps.tuning };
  }

  get channels(): readonly ChannelSender[] {
    return this.deps.channels;
  }

  /** Starts delivering in the background (`run`, `once`, `demo`: the writer). */
  start(): void {
    if (this.loop || this.stopped) return;
    this.loop = this.steadyLoop();
  }

  /** An alert was just enqueued: look now rather than at the next poll. */
  wake(): void {
    this.wakeUp?.();
  }

  /** Delivers everything due now, ignoring the e-mail settle time, and resolves when done. */
  async flush(): Promise<void> {
    await this.pass('flush');
  }

  /**
   * `once`: keeps delivering for at most `budgetMs`, then cuts what is in flight and leaves the
   * rest in the outbox for the next process. Returns how many deliveries still wait.
   */
  async finish(budgetMs: number): Promise<number> {
    this.stopped = true;
    this.wakeUp?.();
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<void>((resolve) => (timer = setTimeout(resolve, budgetMs)));
    const work = (async () => {
      await Promise.all([...this.unrecorded]);
      await this.loop;
      await this.pass('flush');
    })();
    await Promise.race([work, budget]);
    clearTimeout(timer);
    this.halt();
    await Promise.race([work.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
    return this.waitingNow();
  }

  /** Stops at once: what is in flight is cut and stays in the outbox. */
  halt(): void {
    this.stopped = true;
    this.abort.abort();
    this.wakeUp?.();
  }

  /** An alert the ledger could not record (a full disk): one try per channel from memory, no retry. */
  tryOnce(event: AlertEvent): Promise<void> {
    // Kept until done, so a stopping `once` gives it its exit budget instead of cutting it.
    const attempt = this.tryOnceNow(event);
    this.unrecorded.add(attempt);
    void attempt.finally(() => this.unrecorded.delete(attempt));
    return attempt;
  }

  private async tryOnceNow(event: AlertEvent): Promise<void> {
    await Promise.all(
      this.deps.channels.map(async (channel) => {
        try {
          const note = await channel.deliver([event], this.abort.signal);
          if (note) this.deps.logger.warn('unrecorded alert delivered, but not to everyone', { channel: channel.name, host: channel.where, kind: event.kind, warning: note });
        } catch (error) {
          const words = error instanceof AlertDeliveryError ? error.message : 'request failed';
          this.deps.logger.error('unrecorded alert not delivered; it is lost', { channel: channel.name, host: channel.where, kind: event.kind, error: words });
        }
      }),
    );
  }

  private waitingNow(): number {
    try {
      const counts = this.deps.outbox.waitingCounts();
      return this.deps.channels.reduce((sum, c) => sum + counts[c.name], 0);
    } catch {
      return 0;
    }
  }

  private async steadyLoop(): Promise<void> {
    while (!this.stopped) {
      // Not awaited: a channel stuck on a hung endpoint skips its turn, the others go on.
      void this.pass('steady');
      if (this.stopped) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.tuning.pollMs);
        timer.unref();
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeUp = null;
    }
  }

  private async pass(mode: Mode): Promise<void> {
    try {
      if (!this.deps.holdsWriterLock()) return this.halt();
    } catch (error) {
      this.deps.logger.error('alert delivery could not read the ledger', { error: (error as Error).message });
      return;
    }
    try {
      this.deps.beforePass?.();
    } catch (error) {
      // The summary is one e-mail; the alerts must not wait for it.
      this.deps.logger.error('could not prepare the daily summary', { error: (error as Error).message });
    }
    await Promise.all(this.deps.channels.map((channel) => this.queued(channel, mode)));
  }

  /** One channel's passes run one after another: the same alert is never in flight twice. */
  private queued(channel: ChannelSender, mode: Mode): Promise<void> {
    if (mode === 'steady' && this.busy.has(channel.name)) return Promise.resolve();
    this.busy.add(channel.name);
    const previous = this.queues.get(channel.name) ?? Promise.resolve();
    const next = previous.then(() => this.channelPass(channel, mode)).catch((error: unknown) => {
      if (!this.abort.signal.aborted) this.deps.logger.error('alert delivery failed unexpectedly', { channel: channel.name, error: (error as Error).message });
    });
    void next.finally(() => {
      if (this.queues.get(channel.name) === next) this.busy.delete(channel.name);
    });
    this.queues.set(channel.name, next);
    return next;
  }

  private async channelPass(channel: ChannelSender, mode: Mode): Promise<void> {
    if (this.abort.signal.aborted) return;
    const nowMs = this.deps.now().getTime();
    const due = this.deps.outbox.waiting(channel.name).filter((d) => this.isDue(d, nowMs));
    if (due.length === 0) return;
    if (mode === 'steady' && channel.bundle > 1 && this.settling(due, nowMs)) return;
    for (const batch of batches(channel, due)) {
      if (this.abort.signal.aborted || (mode === 'steady' && this.stopped)) return;
      if (!this.deps.holdsWriterLock()) return this.halt();
      await this.deliver(channel, batch);
    }
  }

  /**
   * Never tried by this process, or its backoff has passed. A retry time further away than the
   * longest backoff means the clock was set back: due now rather than hours late.
   */
  private isDue(d: WaitingDelivery, nowMs: number): boolean {
    if (!this.tried.has(key(d)) || d.nextAttemptAt === null) return true;
    const waitMs = Date.parse(d.nextAttemptAt) - nowMs;
    return waitMs <= 0 || waitMs > this.tuning.backoffMaxMs;
  }

  /** A burst still arriving: wait for it to end (or for maxHoldMs) so it becomes one e-mail. */
  private settling(due: readonly WaitingDelivery[], nowMs: number): boolean {
    const sinceNewest = nowMs - Date.parse(due[due.length - 1]!.at);
    const sinceOldest = nowMs - Date.parse(due[0]!.at);
    // An alert "from the future" means the clock was set back: no waiting on it.
    if (sinceNewest < 0 || sinceOldest < 0) return false;
    return sinceNewest < this.tuning.settleMs && sinceOldest < this.tuning.maxHoldMs;
  }

  private async deliver(channel: ChannelSender, batch: readonly WaitingDelivery[]): Promise<void> {
    const ids = batch.map((d) => d.alertId);
    for (const d of batch) this.tried.add(key(d));
    const events = batch.map((d) => JSON.parse(d.event) as AlertEvent);
    // A bundle is logged as one (how many, which kinds), not as its first order.
    const about =
      batch.length === 1
        ? { channel: channel.name, host: channel.where, alerts: 1, kind: batch[0]!.kind, orderNumber: batch[0]!.orderNumber ?? undefined }
        : { channel: channel.name, host: channel.where, alerts: batch.length, kinds: [...new Set(batch.map((d) => d.kind))].join(', ') };
    let note: string | void;
    try {
      note = await channel.deliver(events, this.abort.signal);
    } catch (error) {
      const words = error instanceof AlertDeliveryError ? error.message : 'request failed';
      const attempts = Math.max(...batch.map((d) => d.attempts)) + 1;
      const delay = Math.min(this.tuning.backoffBaseMs * 2 ** (attempts - 1), this.tuning.backoffMaxMs);
      const next = new Date(this.deps.now().getTime() + delay);
      this.deps.outbox.markFailed(channel.name, ids, words, next);
      this.deps.logger.warn('alert not delivered; it stays queued and is retried', { ...about, error: words, attempts, retryAt: next.toISOString() });
      return;
    }
    this.deps.outbox.markSent(channel.name, ids);
    for (const d of batch) this.tried.delete(key(d));
    if (note) this.deps.logger.warn('alert delivered, but not to everyone', { ...about, warning: note });
    else this.deps.logger.info('alert delivered', about);
  }
}

/** Up to `bundle` alerts per delivery, oldest first; a kind the channel sends alone goes alone. */
function batches(channel: ChannelSender, due: readonly WaitingDelivery[]): WaitingDelivery[][] {
  const out: WaitingDelivery[][] = [];
  let current: WaitingDelivery[] = [];
  for (const d of due) {
    if (channel.alone?.(d.kind)) {
      out.push([d]);
      continue;
    }
    current.push(d);
    if (current.length === channel.bundle) {
      out.push(current);
      current = [];
    }
  }
  if (current.length > 0) out.push(current);
  return out;
}

function key(d: WaitingDelivery): string {
  return `${d.channel}:${d.alertId}`;
}
