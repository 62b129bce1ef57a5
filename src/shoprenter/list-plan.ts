/**
 * Where the window walk (list-windows.ts) ends its next window. Everything here is a guess: a
 * window's answer is still used only when it comes back as one page below the page size, so a bad
 * guess costs a request, never an order. Each guess uses what the walk has seen: the dates on the
 * page just read, the page count the envelope tells, and the orders per second of the windows
 * already read. A guess for a full window always ends it earlier, so re-planning ends.
 */

/** Windows planned from the density seen so far are cut to hold about this share of a page. */
const FILL = 0.9;
/** ...less, on a small page, this many times the square root of the page (see fill). */
const K = 1;
/** A page that lists its window oldest first shows exactly which orders come first: fill to this share. */
const PREFIX_FILL = 0.95;
/** A planned window grows at most this much over the last one read (a quiet stretch ends somewhere). */
const GROWTH = 8;
/** Accepted windows whose density plans the next one. */
const HISTORY = 3;

/** Seconds of a shop-local "YYYY-MM-DDTHH:MM:SS", as naive calendar arithmetic (like addMinutes); NaN when unreadable. */
export function toSeconds(local: string): number {
  return Date.parse(`${local}Z`) / 1000;
}

export function fromSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 19);
}

/** What a full answer showed: every listed order's dateUpdated in list order (seconds), and the envelope's page count. */
export interface FullPage {
  dates: number[];
  pages: number | null;
  /** The page size the server really serves. */
  honoured: number;
}

/** The next window's end (null: open), and whether it must be read the old way (every page, cut by dates). */
export interface Plan {
  end: number | null;
  settle: boolean;
  /** Planned from a page that listed its window oldest first. */
  byPrefix: boolean;
  /** The page size a window planned by prefix was cut for. */
  pageFor?: number;
  /** A second holding more orders than a window should: not counted as density. */
  crowd: boolean;
}

/**
 * About FILL of a page, less on a small page: a window's count strays from its plan by about the
 * square root of the count, and a stray past the page costs a request.
 */
function fill(honoured: number): number {
  return Math.max(1, Math.floor(Math.min(honoured * FILL, honoured - K * Math.sqrt(honoured))));
}
const plan = (end: number | null, extra: Partial<Plan> = {}): Plan => ({ end, settle: false, byPrefix: false, crowd: false, ...extra });

export class WindowPlanner {
  /** The newest dateUpdated seen: an order changed later than the walk's start carries a later one. */
  private newest = -Infinity;
  private readonly history: { count: number; span: number }[] = [];
  /** Seconds seen holding more orders than a window should. */
  private readonly crowds = new Set<number>();
  /** Cleared when a window planned from an oldest-first page came back full: the list is not in that order. */
  private prefixTrusted = true;
  /** At most this many orders are left to read, as the open question's page count said (null: unknown). */
  private left: number | null = null;

  /** `present`: the shop's time taken before the walk (seconds), when the caller knows it. */
  constructor(private readonly present: number | null) {}

  saw(dates: readonly number[]): void {
    for (const d of dates) if (d > this.newest) this.newest = d;
  }

  /** The walk's first, open question came back full: its page count bounds what there is to read. */
  opened(page: FullPage): void {
    if (this.left === null && page.pages !== null) this.left = page.pages * page.honoured;
  }

  /** A window read whole: `count` orders in [lo, end]. */
  accepted(lo: number, end: number, count: number): void {
    if (this.left !== null) this.left -= count;
    this.history.push({ count, span: end - lo + 1 });
    if (this.history.length > HISTORY) this.history.shift();
  }

  /** The window after an accepted one, from `lo`: as wide as the recent density says fills about FILL of a page. */
  next(lo: number, honoured: number): Plan {
    const last = this.history.at(-1);
    if (!last) return plan(null);
    const count = this.history.reduce((n, h) => n + h.count, 0);
    const span = this.history.reduce((n, h) => n + h.span, 0);
    const target = fill(honoured);
    const width = Math.max(1, Math.min(last.span * GROWTH, count === 0 ? Infinity : Math.floor((target * span) / count)));
    let end = lo + width - 1;
    // The last orders: what the first page count allowed, less what was read, fits a page.
    if (this.left !== null && this.left < honoured * PREFIX_FILL) return this.aroundCrowds(lo, null);
    if (this.present !== null) {
      // Past the present the window might as well be open: nothing older waits there.
      // No order in the recent windows says nothing of what is left: only a density does.
      const openCount = count === 0 ? Infinity : (count * (this.present - lo + 1)) / span;
      if (end >= this.present - 1 || openCount <= target) return this.aroundCrowds(lo, null);
    } else if (end >= this.newest) {
      // Without the present, a closed window ends before the newest change seen: an order changed
      // during the walk then lands in a later window. Too short a window is not worth a request.
      if (this.newest - lo < width / 2) return this.aroundCrowds(lo, null);
      end = this.newest - 1;
    }
    return this.aroundCrowds(lo, end);
  }

  /** A known crowd within reach of [lo, end] asked one second wider: stop two seconds short of it, or read it padded. */
  private aroundCrowds(lo: number, end: number | null): Plan {
    for (const s of [...this.crowds].sort((a, b) => a - b)) {
      if (s + 1 < lo || (end !== null && s - 1 > end + 1)) continue;
      if (s >= lo + 2) return plan(s - 2);
      return plan(s + 1, { settle: true, crowd: true });
    }
    return plan(end);
  }

  /**
   * A narrower window from `lo` than [lo, end] (end null: open), which came back full. `lo` null
   * means "ever": the earliest date seen stands in for it.
   */
  narrower(lo: number | null, end: number | null, page: FullPage, planned: Plan): Plan {
    // Full at the page it was cut for: the list is not oldest first. Full at a smaller page (a 504
    // halved it since) says nothing of the list's order.
    if (planned.byPrefix && page.honoured >= (planned.pageFor ?? 0)) this.prefixTrusted = false;
    if (end === null) this.opened(page);
    this.saw(page.dates);
    // Only what the question (one second wider) could hold; a server that ignored it shows nothing here.
    const dates = page.dates.filter((d) => (lo === null || d >= lo - 1) && (end === null || d <= end + 1));

    // A crowded second (a bulk status change; more than half the page is plenty to suspect one):
    // the window before it stops where asking one second wider does not reach it, and the second
    // itself is read padded by a quiet second each side, so no later window's question reaches it.
    const crowd = busiest(dates);
    if (crowd && crowd.count > page.honoured / 2) {
      this.crowds.add(crowd.second);
      if (lo === null || crowd.second >= lo + 2) return plan(crowd.second - 2);
      return plan(crowd.second + 1, { settle: true, crowd: true });
    }
    if (lo !== null && end !== null && end - lo <= 2) return plan(end, { settle: true });
    const next = this.guess(lo, end, { ...page, dates });
    // Narrower, and not before `lo`, whatever the guess: else the window is read the old way.
    const narrows = next.end !== null && (end === null || next.end < end) && (lo === null || next.end >= lo);
    return narrows || next.settle ? next : plan(end, { settle: true });
  }

  private guess(lo: number | null, end: number | null, page: FullPage): Plan {
    const dates = page.dates;
    const target = fill(page.honoured);

    // Listed oldest first: every order older than the page's newest is on the page, so the window
    // can end where the page says it holds PREFIX_FILL of a page, counted as asked (one second wider).
    if (this.prefixTrusted && dates.length >= 2 && ascending(dates)) {
      const cut = prefixEnd(dates, Math.max(1, Math.floor(page.honoured * PREFIX_FILL)));
      if (lo === null || cut >= lo) return plan(cut, { byPrefix: true, pageFor: page.honoured });
    }

    // Otherwise the orders are spread over the window: as many pages as the envelope says (two if
    // it does not), evenly in time, or as the page's sample of dates shows where it shows enough.
    if (dates.length === 0) return lo !== null && end !== null ? plan(lo + Math.floor((end - lo) / 2)) : plan(end, { settle: true });
    const from = lo ?? Math.min(...dates);
    // An open window reaches as far as the newest order seen (the present may lie long after it).
    const top = end ?? (this.newest >= from ? this.newest : (this.present ?? from));
    const total = page.pages === null ? 2 * page.honoured : Math.max(page.honoured + 1, (page.pages - 0.5) * page.honoured);
    let cut = from + Math.floor(((top - from + 1) * target) / total) - 1;
    const inside = dates.filter((d) => d >= from && (end === null || d <= end)).sort((a, b) => a - b);
    const k = Math.floor((inside.length * target) / total);
    if (k >= 3 && k < inside.length) cut = Math.min(cut, (inside[k] as number) - 1);
    if (end !== null) cut = Math.min(cut, from + Math.floor(((end - from) * 3) / 4), end - 1);
    return plan(Math.max(cut, from));
  }
}

/** The second listed most often, if any is listed twice. */
function busiest(dates: readonly number[]): { second: number; count: number } | null {
  const counts = new Map<number, number>();
  let best: { second: number; count: number } | null = null;
  for (const d of dates) {
    const count = (counts.get(d) ?? 0) + 1;
    counts.set(d, count);
    if (count > 1 && (best === null || count > best.count)) best = { second: d, count };
  }
  return best;
}

function ascending(dates: readonly number[]): boolean {
  for (let i = 1; i < dates.length; i++) if ((dates[i] as number) < (dates[i - 1] as number)) return false;
  return true;
}

/**
 * The last second of a window whose question, one second wider, holds at most `target` of the
 * page's orders, all of them older than the page's newest (so the page shows them all).
 */
function prefixEnd(sorted: readonly number[], target: number): number {
  const newest = sorted.at(-1) as number;
  // The question reaches end + 1: it must stay below the first second beyond `target` orders, and below the page's newest.
  const beyond = sorted[Math.min(target, sorted.length - 1)] as number;
  return Math.min(beyond, newest) - 2;
}
