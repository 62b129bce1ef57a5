import { fromSeconds, toSeconds, WindowPlanner, type FullPage, type Plan } from './list-plan.js';
import { cutWindow, readStable, type CarefulReader } from './list-careful.js';
import { ListPageSize } from './list-page-size.js';
import { inRange, widen, type Range, type Window } from './list-ranges.js';

export { cutAt, type Range, type Window } from './list-ranges.js';
export type { PageSize, WindowAnswer, WindowSource } from './list-source.js';
import type { WindowAnswer, WindowSource } from './list-source.js';

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
 *
 * Reading every page of a big window only for its dates costs a request per page, so a big window
 * is not read: after its first page the walk plans a narrower one (list-plan.ts) from that page's
 * dates, the envelope's page count and the density of the windows already read, and after each
 * window read whole it plans the next the same way, ending the walk with an open window. Only a
 * window of about two pages or less, or around a crowded second, is read page by page as above.
 */

/**
 * A window is answered early only from a page of at least this many orders listed oldest first:
 * that many in date order by chance is next to impossible (a shuffled list shows it once in 50!
 * pages), and only windows this big make drafting wait for the next second anyway.
 */
const EARLY_MIN = 50;

/** A window answered early (readWindow), to be read whole. */
interface Owed {
  lo: number | null;
  plan: Plan;
}

export class WindowWalk<T> {
  /** What a page really holds (list-page-size.ts). */
  private readonly pages: ListPageSize;
  /** The careful read (list-careful.ts) of windows the planner cannot narrow. */
  private readonly careful: CarefulReader<T>;
  /**
   * (order, dateUpdated) pairs handed over in this walk. Windows share no second, so this only
   * matters for orders whose dates could not be read (they fall in every window) and for the
   * window answered early, whose orders come again when it is read whole.
   */
  private readonly handedKeys = new Set<string>();
  /** Requests made, for the benchmark and tests. */
  requests = 0;
  /** The window this walk answered early from an oldest-first page (at most one per walk), still to be read whole. */
  private early: Owed | null = null;
  private answeredEarly = false;

  constructor(
    private readonly source: WindowSource<T>,
    pageSize: number,
  ) {
    this.pages = new ListPageSize(pageSize);
    this.careful = {
      source,
      size: this.pages.size,
      fetch: (window, page) => this.fetch(window, page),
      inWindow: (window, item) => this.inWindow(window, item),
      pageLimit: () => this.pages.limit(),
    };
  }

  /**
   * Hands every order changed at or after `from` (null: ever) and, with `created`, created within
   * it, to `onItems`, one window at a time, oldest window first (orders of the window answered early
   * that its page did not show come after the next window). `present`, the shop's time taken
   * before the walk, lets the windows before it close without waiting to see newer orders.
   */
  async walk(from: string | null, onItems: (items: T[]) => Promise<void>, created: Range | null = null, present: string | null = null): Promise<void> {
    const start = from === null ? null : toSeconds(from);
    const now = present === null ? null : toSeconds(present);
    // A bound the planner cannot count in seconds: the whole range is read the old way.
    if (Number.isNaN(start) || Number.isNaN(now) || (start !== null && fromSeconds(start) !== from)) {
      await this.settle({ updated: { min: from, max: null }, created }, undefined, onItems);
      return;
    }
    const planner = new WindowPlanner(now);
    this.early = null;
    this.answeredEarly = false;
    let lo = start;
    // The first question is open: a poll with less than a page of news costs one request.
    let planned: Plan = { end: null, settle: false, byPrefix: false, crowd: false };
    let owed: Owed | null = null;
    for (;;) {
      const end = await this.readWindow(lo, planned, created, planner, onItems, true);
      // A window answered early is read whole right after the one that followed it (see readWindow).
      if (owed) await this.confirm(owed, created, planner, onItems);
      owed = this.early;
      this.early = null;
      if (end === null) return;
      lo = end + 1;
      this.pages.regrow();
      planned = planner.next(lo, this.pages.planned());
    }
  }

  /**
   * Reads the window from `lo` to `planned.end`, narrowed until its answer comes whole; returns the
   * end read. `walking`: a window of the walk itself, whose density plans the next one; a window
   * being confirmed (confirm) neither teaches the planner nor is answered early again.
   *
   * Answered early: when a full page lists its orders oldest first, the planner ends the next
   * window where that page's prefix ends, and the prefix is almost surely the whole window. Its
   * orders are handed over from that page at once and the window itself is read whole only after
   * the next one. Nothing is trusted to the list's order: the window is still read, and accepted
   * only as one page below the page size (any order the page did not show is handed over then),
   * and the cursor moves only when the whole walk is read. What it buys is the first second of a
   * backlog: the token, the first page and one window are the 3 requests Shoprenter allows in it,
   * and with the prefix's orders already in hand that window can be the next one, so drafting does
   * not stand still until the second second. Once per walk: later seconds have requests to spare.
   */
  private async readWindow(
    lo: number | null,
    planned: Plan,
    created: Range | null,
    planner: WindowPlanner,
    onItems: (items: T[]) => Promise<void>,
    walking: boolean,
  ): Promise<number | null> {
    const learn = (plan: Plan, count: number, items: T[], window: Window) => {
      if (walking) this.learn(planner, lo, plan, count, items, window);
    };
    for (let plan = planned; ; ) {
      const window: Window = { updated: { min: lo === null ? null : fromSeconds(lo), max: plan.end === null ? null : fromSeconds(plan.end) }, created };
      const answer = plan.settle ? undefined : await this.fetch(window, 0);
      if (answer && !this.pages.isFull(answer)) {
        planner.saw(this.seconds(answer.items));
        learn(plan, await this.hand(window, answer.items, onItems), answer.items, window);
        return plan.end;
      }
      const next = answer ? planner.narrower(lo, plan.end, this.fullPage(answer), plan) : { ...plan, settle: true };
      const early = walking && !this.answeredEarly && next.byPrefix && !next.settle;
      if (answer && early && next.end !== null && answer.items.length >= EARLY_MIN) {
        this.answeredEarly = true;
        const prefix: Window = { updated: { min: window.updated.min, max: fromSeconds(next.end) }, created };
        learn(next, await this.hand(prefix, answer.items, onItems), answer.items, prefix);
        this.early = { lo, plan: next };
        return next.end;
      }
      if (next.settle && (answer === undefined || next.end === plan.end)) {
        const items = await this.settle(window, answer, onItems);
        if (!plan.crowd && !next.crowd) learn(plan, items.length, items, window);
        return plan.end;
      }
      plan = next;
    }
  }

  /** Reads a window answered early whole, as any other (narrowed if it comes back full), up to its end. */
  private async confirm(owed: Owed, created: Range | null, planner: WindowPlanner, onItems: (items: T[]) => Promise<void>): Promise<void> {
    const last = owed.plan.end as number;
    for (let lo = owed.lo, plan = owed.plan; ; ) {
      // A new window: after a 504 on the window between, it asks a bigger page again, as every new window does.
      this.pages.regrow();
      const end = await this.readWindow(lo, plan, created, planner, onItems, false);
      if (end === null || end >= last) return;
      lo = end + 1;
      plan = { end: last, settle: false, byPrefix: false, crowd: false };
    }
  }

  /** The density of a window read whole plans the next one (a crowd's would shrink them for nothing). */
  private learn(planner: WindowPlanner, lo: number | null, plan: Plan, count: number, items: T[], window: Window): void {
    if (plan.end === null) return;
    const first = lo ?? Math.min(...this.seconds(items.filter((item) => this.inWindow(window, item))));
    if (Number.isFinite(first)) planner.accepted(first, plan.end, count);
  }

  private seconds(items: T[]): number[] {
    const out: number[] = [];
    for (const item of items) {
      const date = this.source.dateOf(item);
      const s = date === null ? NaN : toSeconds(date);
      if (Number.isFinite(s)) out.push(s);
    }
    return out;
  }

  private fullPage(answer: WindowAnswer<T>): FullPage {
    return { dates: this.seconds(answer.items), pages: answer.pageCount, honoured: this.pages.honoured(answer) };
  }

  /**
   * A window read the careful way: page by page, cut by dates where they show it holds more than
   * a page, crowded seconds by offset passes (readStable). `first`: its page 0, if already read.
   * Returns what was handed over.
   */
  private async settle(window: Window, first: WindowAnswer<T> | null | undefined, onItems: (items: T[]) => Promise<void>): Promise<T[]> {
    const handed: T[] = [];
    const pending: Window[] = [window];
    let given = first;
    for (let part = pending.shift(); part; part = pending.shift()) {
      const answer = given === undefined ? await this.fetch(part, 0) : given;
      given = undefined;
      if (answer && !this.pages.isFull(answer)) {
        handed.push(...(await this.handOver(part, answer.items, onItems)));
        continue;
      }
      const parts = await cutWindow(this.careful, part, answer);
      if (parts.length > 1) {
        pending.unshift(...parts);
        continue;
      }
      handed.push(...(await this.handOver(part, await readStable(this.careful, part), onItems)));
    }
    return handed;
  }

  /** Asks one second wider on every bound: under any of the four shapes that holds the whole window. */
  private async fetch(window: Window, page: number): Promise<WindowAnswer<T> | null> {
    const query = { updated: widen(window.updated), created: window.created && widen(window.created) };
    this.requests += 1;
    const answer = await this.source.fetch(query, page, this.pages.size);
    this.pages.saw(answer);
    return answer;
  }

  private inWindow(window: Window, item: T): boolean {
    return inRange(window.updated, this.source.dateOf(item)) && (window.created === null || inRange(window.created, this.source.createdOf(item)));
  }

  /** Hands over the window's orders not handed yet; returns how many the window holds. */
  private async hand(window: Window, items: T[], onItems: (items: T[]) => Promise<void>): Promise<number> {
    const inside = items.filter((item) => this.inWindow(window, item));
    await this.handOver(window, inside, onItems);
    return inside.length;
  }

  /** The window's orders not handed over yet, handed over now (sorted) and returned. */
  private async handOver(window: Window, items: T[], onItems: (items: T[]) => Promise<void>): Promise<T[]> {
    const mine = items.filter((item) => {
      if (!this.inWindow(window, item)) return false;
      const key = `${this.source.idOf(item)}@${this.source.dateOf(item) ?? ''}`;
      if (this.handedKeys.has(key)) return false;
      this.handedKeys.add(key);
      return true;
    });
    // Sorted, so orders are drafted oldest first whatever order the list came in.
    if (mine.length > 0) await onItems(mine.sort((a, b) => this.source.compare(a, b)));
    return mine;
  }

}
