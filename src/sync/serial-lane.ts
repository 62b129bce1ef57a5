/**
 * One lane for every piece of work that touches orders: the poll cycle and webhook-triggered
 * orders run one after another, never side by side, so two workers never hold the same order
 * (SPEC §2's exactly-once rests on a single writer per ledger).
 */
export class SerialLane {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;

  /** Runs `work` after everything queued before it has settled. */
  run<T>(work: () => Promise<T>): Promise<T> {
    this.pending += 1;
    const result = this.tail.then(work).finally(() => {
      this.pending -= 1;
    });
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** True while some work is running or waiting. */
  get busy(): boolean {
    return this.pending > 0;
  }

  /** Resolves once everything queued so far has settled. */
  idle(): Promise<void> {
    return this.tail.then(() => undefined);
  }
}
