import { addMinutes } from '../domain/shop-clock.js';
import { ShoprenterError } from '../errors.js';

/**
 * Reads every order changed since a point in time without depending on the order in which
 * Shoprenter lists them (undocumented, reference §5.2). Offset pages of a list that changes while
 * it is walked can skip an order whatever the sort; a window of dateUpdated that fits in one page
 * cannot. So the range is cut into `updatedAtMin`/`updatedAtMax` windows, and a window's answer is
 * used only when it is complete: one page, fewer items than the server really puts on a page.
 *
 * Whether Shoprenter's bounds are inclusive is unknown (reference §5.3), so each window is asked
 * one second wider on both sides and the answer is cut back to the window here; the windows share
 * no second, so each (order, dateUpdated) is handed over once per walk.
 */

/** A window of dateUpdated, both ends included; `max` null = open-ended. */
export interface Window {
  min: string;
  max: string | null;
}

export interface WindowAnswer<T> {
  items: T[];
  /** The envelope says another page follows (`next`, or `pageCount` > 1). */
  more: boolean;
  pageCount: number | null;
  /** The page size the server says it used, when it says. */
  limit: number | null;
}

/** The request size, which a 504 may shrink (reference §2.2) for the rest of the walk. */
export interface PageSize {
  limit: number;
  shrink(): boolean;
}

export interface WindowSource<T> {
  /** Page `page` of the orders whose dateUpdated lies in `query` (bounds as sent); null past the last page. */
  fetch(query: Window, page: number, size: PageSize): Promise<WindowAnswer<T> | null>;
  dateOf(item: T): string | null;
  idOf(item: T): string;
  /** The order in which a window's items are handed over (windows go oldest first). */
  compare(a: T, b: T): number;
}

/** A window read by offset pages must give the same orders twice running; after this many passes the cycle gives up. */
const MAX_PASSES = 4;
/** Windows are cut to hold about this share of a page, so orders changing meanwhile rarely overfill them. */
const FILL = 0.75;

const addSeconds = (local: string, seconds: number) => addMinutes(local, seconds / 60);

export class WindowWalk<T> {
  private readonly size: PageSize;
  /** The most items the server has put on one page so far (a cap below `limit` shows as a full page with more to come). */
  private cap = Infinity;
  /** Orders without a readable dateUpdated cannot be placed in one window; they are handed over once. */
  private readonly undated = new Set<string>();
  /** Requests made, for the benchmark and tests. */
  requests = 0;

  constructor(
    private readonly source: WindowSource<T>,
    pageSize: number,
  ) {
    this.size = {
      limit: pageSize,
      shrink: () => {
        if (this.size.limit <= 1) return false;
        this.size.limit = Math.floor(this.size.limit / 2);
        return true;
      },
    };
  }

  /** Hands every order changed at or after `from` to `onItems`, one window at a time, oldest window first. */
  async walk(from: string, onItems: (items: T[]) => Promise<void>): Promise<void> {
    const pending: Window[] = [{ min: from, max: null }];
    for (let window = pending.shift(); window; window = pending.shift()) {
      const answer = await this.fetch(window, 0);
      if (answer && !this.isFull(answer)) {
        await this.hand(window, answer.items, onItems);
        continue;
      }
      const parts = window.min === window.max ? [window] : await this.cut(window, answer);
      if (parts.length > 1) {
        pending.unshift(...parts);
        continue;
      }
      await this.hand(window, await this.readStable(window), onItems);
    }
  }

  private async fetch(window: Window, page: number): Promise<WindowAnswer<T> | null> {
    const query = { min: addSeconds(window.min, -1), max: window.max === null ? null : addSeconds(window.max, 1) };
    this.requests += 1;
    const answer = await this.source.fetch(query, page, this.size);
    if (answer?.more && answer.items.length > 0) this.cap = Math.min(this.cap, answer.items.length);
    return answer;
  }

  private isFull(answer: WindowAnswer<T>): boolean {
    const honoured = Math.min(this.size.limit, answer.limit ?? Infinity, this.cap);
    return answer.more || answer.items.length >= honoured;
  }

  private inWindow(window: Window, item: T): boolean {
    const date = this.source.dateOf(item);
    if (date === null) return true;
    return date >= window.min && (window.max === null || date <= window.max);
  }

  private async hand(window: Window, items: T[], onItems: (items: T[]) => Promise<void>): Promise<void> {
    const mine = items.filter((item) => {
      if (!this.inWindow(window, item)) return false;
      if (this.source.dateOf(item) !== null) return true;
      const id = this.source.idOf(item);
      if (this.undated.has(id)) return false;
      this.undated.add(id);
      return true;
    });
    // Sorted, so orders are drafted oldest first whatever order the list came in.
    if (mine.length > 0) await onItems(mine.sort((a, b) => this.source.compare(a, b)));
  }

  /**
   * Sub-windows of a full window, cut where the dates of all its pages say each holds about
   * FILL of a page. The pages are read only for their dates (offsets in a moving list are a fair
   * sample, not a reliable read), so nothing is handed over here. One part = no cut helps.
   */
  private async cut(window: Window, first: WindowAnswer<T> | null): Promise<Window[]> {
    const dates: string[] = [];
    const collect = (answer: WindowAnswer<T>) => {
      for (const item of answer.items) {
        const date = this.source.dateOf(item);
        if (date !== null && this.inWindow(window, item)) dates.push(date);
      }
    };
    if (first) collect(first);
    for (let page = 1, answer = first; answer?.more && answer.items.length > 0; page++) {
      answer = await this.fetch(window, page);
      if (answer) collect(answer);
    }
    const target = Math.max(1, Math.floor(Math.min(this.size.limit, this.cap) * FILL));
    return cutAt(window, dates.sort(), target);
  }

  /**
   * A window no cut can shrink (one second holding more orders than a page, or neighbours filling
   * it): read by offset pages, again and again until two passes running give the same orders.
   * Only the last pass is handed over: an order that left meanwhile was cancelled (storno, which
   * must not be drafted) or changed to a later dateUpdated (a later window or poll reads it).
   */
  private async readStable(window: Window): Promise<T[]> {
    let previous: string | null = null;
    for (let pass = 0; pass < MAX_PASSES; pass++) {
      const limit = this.size.limit;
      const seen = new Map<string, T>();
      for (let page = 0; ; page++) {
        const answer = await this.fetch(window, page);
        for (const item of answer?.items ?? []) if (this.inWindow(window, item)) seen.set(this.source.idOf(item), item);
        if (!answer?.more || answer.items.length === 0) break;
      }
      // A page size changed by a 504 mid-pass moves every offset: that pass proves nothing.
      if (limit !== this.size.limit) continue;
      const ids = [...seen.keys()].sort().join('\n');
      if (ids === previous) return [...seen.values()];
      previous = ids;
    }
    throw new ShoprenterError(
      'SHOPRENTER_BAD_RESPONSE',
      `Shoprenter's order list kept changing while the orders changed at ${window.min} were read; will try again next cycle.`,
      true,
    );
  }
}

/** Consecutive windows covering `window`, cut between distinct seconds so each holds at most `target` of `sorted`. */
export function cutAt(window: Window, sorted: readonly string[], target: number): Window[] {
  const starts: string[] = [window.min];
  let inPart = 0;
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j < sorted.length && sorted[j] === sorted[i]) j++;
    const group = j - i;
    const date = sorted[i] ?? window.min;
    // A second that alone overfills a page gets a window of its own.
    if (inPart > 0 && (inPart + group > target || inPart > target) && date > window.min) {
      starts.push(date);
      inPart = 0;
    }
    inPart += group;
    i = j;
  }
  return starts.map((min, k) => {
    const next = starts[k + 1];
    return { min, max: next === undefined ? window.max : addSeconds(next, -1) };
  });
}
