import { addMinutes } from '../domain/shop-clock.js';
import { ShoprenterError } from '../errors.js';

/**
 * Reads every order changed since a point in time without depending on the order in which
 * Shoprenter lists them (undocumented, reference §5.2). Offset pages of a list that changes while
 * it is walked can skip an order whatever the sort; a window of dateUpdated that fits in one page
 * cannot. So the range is cut into `updatedAtMin`/`updatedAtMax` windows, and a window's answer is
 * used only when it is complete: one page, fewer items than the server really puts on a page.
 *
 * A single second of dateUpdated can hold more orders than a page (a bulk status change): such a
 * window is cut again by dateCreated (`createdAtMin`/`createdAtMax`). Only orders alike in both
 * seconds fall back to offset pages, read until two passes running agree (readStable).
 *
 * Whether Shoprenter's bounds keep the orders exactly on them is unknown, and each end may differ
 * (reference §5.3: `[min, max]`, `(min, max)`, `[min, max)` or `(min, max]`). So every window is
 * asked one second wider on both sides, always, and the answer is cut back to the window here:
 * under any shape the wider question holds the whole window. Nothing is learned about the shape,
 * so nothing goes wrong when a guess would be (or the API changes under a running daemon). The
 * windows share no second, so each (order, dateUpdated) is handed over once per walk.
 *
 * The price of the extra second is paid only beside a crowded second (more orders than a page): a
 * neighbour asked one second wider would drag it in whole. So a crowded second gets a window one
 * second wider than itself (cutAt), and the neighbours' wider questions reach only those quiet
 * padding seconds.
 */

/** Seconds from `min` to `max`, both included; null = open on that side. */
export interface Range {
  min: string | null;
  max: string | null;
}

/** A window of dateUpdated, and within it of dateCreated (null = any). */
export interface Window {
  updated: Range;
  created: Range | null;
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
  /** Page `page` of the orders whose dates lie in `query` (bounds as sent); null past the last page. */
  fetch(query: Window, page: number, size: PageSize): Promise<WindowAnswer<T> | null>;
  dateOf(item: T): string | null;
  createdOf(item: T): string | null;
  idOf(item: T): string;
  /** The order in which a window's items are handed over (windows go oldest first). */
  compare(a: T, b: T): number;
}

/** A window read by offset pages must give the same orders twice running; after this many passes the cycle gives up. */
const MAX_PASSES = 6;
/** Windows are cut to hold about this share of a page, so orders changing meanwhile rarely overfill them. */
const FILL = 0.75;

const addSeconds = (local: string, seconds: number) => addMinutes(local, seconds / 60);

export class WindowWalk<T> {
  private readonly size: PageSize;
  /** The most items the server has put on one page so far (a cap below `limit` shows as a full page with more to come). */
  private cap = Infinity;
  /**
   * (order, dateUpdated) pairs handed over in this walk. Windows share no second, so this only
   * matters for orders whose dates could not be read (they fall in every window).
   */
  private readonly handed = new Set<string>();
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

  /**
   * Hands every order changed at or after `from` (null: ever) and, with `created`, created within
   * it, to `onItems`, one window at a time, oldest window first.
   */
  async walk(from: string | null, onItems: (items: T[]) => Promise<void>, created: Range | null = null): Promise<void> {
    const pending: Window[] = [{ updated: { min: from, max: null }, created }];
    for (let window = pending.shift(); window; window = pending.shift()) {
      const answer = await this.fetch(window, 0);
      if (answer && !this.isFull(answer)) {
        await this.hand(window, answer.items, onItems);
        continue;
      }
      const parts = await this.cut(window, answer);
      if (parts.length > 1) {
        pending.unshift(...parts);
        continue;
      }
      await this.hand(window, await this.readStable(window), onItems);
    }
  }

  /** Asks one second wider on every bound: under any of the four shapes that holds the whole window. */
  private async fetch(window: Window, page: number): Promise<WindowAnswer<T> | null> {
    const query = { updated: widen(window.updated), created: window.created && widen(window.created) };
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
    return inRange(window.updated, this.source.dateOf(item)) && (window.created === null || inRange(window.created, this.source.createdOf(item)));
  }

  private async hand(window: Window, items: T[], onItems: (items: T[]) => Promise<void>): Promise<void> {
    const mine = items.filter((item) => {
      if (!this.inWindow(window, item)) return false;
      const key = `${this.source.idOf(item)}@${this.source.dateOf(item) ?? ''}`;
      if (this.handed.has(key)) return false;
      this.handed.add(key);
      return true;
    });
    // Sorted, so orders are drafted oldest first whatever order the list came in.
    if (mine.length > 0) await onItems(mine.sort((a, b) => this.source.compare(a, b)));
  }

  /**
   * Sub-windows of a full window, cut where the dates of all its pages say each holds about FILL
   * of a page: by dateUpdated, or, where that cannot help (one crowded second and its padding), by
   * dateCreated. The pages are read only for their dates (offsets in a moving list are a fair
   * sample, not a reliable read), so nothing is handed over here. One part = no cut helps.
   */
  private async cut(window: Window, first: WindowAnswer<T> | null): Promise<Window[]> {
    const updated: string[] = [];
    const created: string[] = [];
    const collect = (answer: WindowAnswer<T>) => {
      for (const item of answer.items) {
        if (!this.inWindow(window, item)) continue;
        const [u, c] = [this.source.dateOf(item), this.source.createdOf(item)];
        if (u !== null) updated.push(u);
        if (c !== null) created.push(c);
      }
    };
    if (first) collect(first);
    for (let page = 1, answer = first; answer?.more && answer.items.length > 0; page++) {
      answer = await this.fetch(window, page);
      if (answer) collect(answer);
    }
    const target = Math.max(1, Math.floor(Math.min(this.size.limit, this.cap) * FILL));
    const byUpdated = cutAt(window.updated, updated.sort(), target);
    if (byUpdated.length > 1) return byUpdated.map((r) => ({ updated: r, created: window.created }));
    const byCreated = cutAt(window.created ?? { min: null, max: null }, created.sort(), target);
    if (byCreated.length > 1) return byCreated.map((r) => ({ updated: window.updated, created: r }));
    // The window is full, yet what its pages showed fits in a part: offset pages of a list whose
    // order changes between requests showed some orders twice and others never. Halving by the
    // dates they did show still narrows the window; only one second in both dates is read by offsets.
    const halfUpdated = halve(window.updated, updated);
    if (halfUpdated) return halfUpdated.map((r) => ({ updated: r, created: window.created }));
    const halfCreated = halve(window.created ?? { min: null, max: null }, created);
    if (halfCreated) return halfCreated.map((r) => ({ updated: window.updated, created: r }));
    return [window];
  }

  /**
   * A window no cut can shrink (one second holding more orders than a page, or neighbours filling
   * it): read by offset pages, again and again until two passes running give the same orders.
   * Only the last pass is handed over: an order that left meanwhile was cancelled (storno, which
   * must not be drafted) or changed to a later dateUpdated (a later window or poll reads it).
   */
  private async readStable(window: Window): Promise<T[]> {
    let previous: string | null = null;
    const ever = new Set<string>();
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
      for (const id of seen.keys()) ever.add(id);
      // Two passes alike, holding every order any pass saw: a list that reorders between requests
      // shows up as passes that disagree, and the cycle stops rather than skip an order.
      const ids = [...seen.keys()].sort().join('\n');
      if (ids === previous && seen.size === ever.size) return [...seen.values()];
      previous = ids;
    }
    throw new ShoprenterError(
      'SHOPRENTER_BAD_RESPONSE',
      `Shoprenter's order list kept changing while the orders changed ${when(window.updated)} were read; will try again next cycle.`,
      true,
    );
  }
}

function when(range: Range): string {
  if (range.min !== null && range.min === range.max) return `at ${range.min}`;
  return `between ${range.min ?? 'the start'} and ${range.max ?? 'now'}`;
}

/** Two ranges split at the middle distinct date of `sorted` (within `range`); null when it holds fewer than two. */
function halve(range: Range, sorted: readonly string[]): [Range, Range] | null {
  const distinct = [...new Set(sorted)].filter((d) => inRange(range, d));
  if (distinct.length < 2) return null;
  const middle = distinct[Math.floor(distinct.length / 2)] as string;
  return [
    { min: range.min, max: addSeconds(middle, -1) },
    { min: middle, max: range.max },
  ];
}

function widen(range: Range): Range {
  return { min: range.min === null ? null : addSeconds(range.min, -1), max: range.max === null ? null : addSeconds(range.max, 1) };
}

/** An unreadable date cannot be placed: such an order belongs to every window (and is handed over once). */
function inRange(range: Range, date: string | null): boolean {
  if (date === null) return true;
  return (range.min === null || date >= range.min) && (range.max === null || date <= range.max);
}

/**
 * Consecutive ranges covering `range`, cut between distinct seconds so each holds at most `target`
 * of `sorted`. A second that alone holds more than `target` gets a range of its own (then cut by
 * the other date) padded by one quiet second on each side, overlapping paddings merged: the
 * neighbours' questions, one second wider than their ranges, then stop short of the crowd.
 */
export function cutAt(range: Range, sorted: readonly string[], target: number): Range[] {
  const groups: { date: string; count: number }[] = [];
  for (const date of sorted) {
    const last = groups.at(-1);
    if (last?.date === date) last.count += 1;
    else groups.push({ date, count: 1 });
  }
  const clampMin = (d: string) => (range.min !== null && d < range.min ? range.min : d);
  const clampMax = (d: string) => (range.max !== null && d > range.max ? range.max : d);
  const crowds: { min: string; max: string }[] = [];
  for (const { date, count } of groups) {
    if (count <= target) continue;
    const padded = { min: clampMin(addSeconds(date, -1)), max: clampMax(addSeconds(date, 1)) };
    const last = crowds.at(-1);
    if (last && padded.min <= last.max) last.max = padded.max;
    else crowds.push(padded);
  }
  const parts: Range[] = [];
  let from: string | null = range.min;
  /** The quiet stretch from `from` to `upTo`, cut greedily at about `target` orders a part. */
  const quiet = (upTo: string | null) => {
    const inside = groups.filter((g) => (from === null || g.date >= from) && (upTo === null || g.date <= upTo));
    let start = from;
    let inPart = 0;
    for (const { date, count } of inside) {
      if (inPart > 0 && inPart + count > target && (start === null || date > start)) {
        parts.push({ min: start, max: addSeconds(date, -1) });
        start = date;
        inPart = 0;
      }
      inPart += count;
    }
    parts.push({ min: start, max: upTo });
  };
  for (const crowd of crowds) {
    if (from === null || crowd.min > from) quiet(addSeconds(crowd.min, -1));
    parts.push(crowd);
    from = addSeconds(crowd.max, 1);
  }
  if (range.max === null || from === null || from <= range.max) quiet(range.max);
  return parts;
}
