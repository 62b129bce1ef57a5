import type { PageSize, WindowAnswer } from './list-source.js';

/**
 * What the order list really puts on a page, as the window walk (list-windows.ts) learns it: the
 * size it asks for (halved by a 504 for that request, reference §2.2), the server's own page size
 * and a cap it may not tell. A window's answer is whole only below what a page really holds, so
 * this decides completeness; it also sizes the windows the planner plans.
 */
export class ListPageSize {
  /** Asked of the list; a 504 halves it (the source's retry), each new window regrows it. */
  readonly size: PageSize;
  /** The most items the server puts on a page: a cap below `limit` shows as fewer items than asked with more to come. */
  private cap = Infinity;
  /**
   * A page asked below the configured size (halved after a 504) and served in full, with more to
   * come: as far as it shows, the server serves no more than that (a cap its envelope need not
   * tell). Until a page with more orders disproves it, an answer of that many counts as full;
   * windows are still planned for the full page, so an honest server disproves it at once.
   */
  private suspect = Infinity;
  /** The page size the server said it used last, when below what was asked. */
  private served = Infinity;

  constructor(private readonly pageSize: number) {
    this.size = {
      limit: pageSize,
      shrink: () => {
        if (this.size.limit <= 1) return false;
        this.size.limit = Math.floor(this.size.limit / 2);
        return true;
      },
    };
  }

  /**
   * A 504 asks for a smaller request, not a smaller walk: each new window may ask twice the last
   * size again, up to the configured page (never within a window: offsets would move).
   */
  regrow(): void {
    this.size.limit = Math.min(this.pageSize, this.size.limit * 2);
  }

  /**
   * Learns from an answer. Only fewer orders than asked prove a cap or the server's own page size:
   * a page halved after a 504 and served in full proves neither, so it plans no smaller windows (a
   * 10,000-order walk took 121 requests instead of 57); it is only suspected.
   */
  saw(answer: WindowAnswer<unknown> | null): void {
    const count = answer?.items.length ?? 0;
    if (count > this.suspect) this.suspect = Infinity;
    // Asked for more and given exactly the suspected number again: a cap after all.
    if (count === this.suspect && count < this.size.limit) this.cap = Math.min(this.cap, count);
    if (answer?.more && count > 0) {
      if (count < this.size.limit) this.cap = Math.min(this.cap, count);
      else if (this.size.limit < this.pageSize) this.suspect = Math.min(this.suspect, count);
    }
    if (answer?.limit !== null && answer?.limit !== undefined) this.served = answer.limit < this.size.limit ? answer.limit : Infinity;
  }

  /** What a page of this answer really holds: one with fewer items (and no more to come) is whole. */
  honoured(answer: WindowAnswer<unknown>): number {
    return Math.min(this.size.limit, answer.limit ?? Infinity, this.cap, this.suspect);
  }

  isFull(answer: WindowAnswer<unknown>): boolean {
    return answer.more || answer.items.length >= this.honoured(answer);
  }

  /** The page the next window is planned to fill about 90% of. */
  planned(): number {
    return Math.min(this.size.limit, this.served, this.cap);
  }

  /** The most orders a page holds for the careful read's cuts. */
  limit(): number {
    return Math.min(this.size.limit, this.cap);
  }
}
