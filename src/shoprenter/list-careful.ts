import { ShoprenterError } from '../errors.js';
import { cutAt, halve, when, type Window } from './list-ranges.js';
import type { PageSize, WindowAnswer, WindowSource } from './list-source.js';

/**
 * The careful read of a window the planner cannot narrow (list-windows.ts, settle): its pages read
 * for their dates and cut into parts, and a part no cut can shrink read by offset passes until two
 * agree. Nothing here hands an order over; the walk does, with what these return.
 */

/** A window read by offset pages must give the same orders twice running; after this many passes the cycle gives up. */
const MAX_PASSES = 6;
/** Windows are cut to hold about this share of a page, so orders changing meanwhile rarely overfill them. */
const FILL = 0.75;

/** What the careful read uses of the walk. */
export interface CarefulReader<T> {
  readonly source: WindowSource<T>;
  readonly size: PageSize;
  /** Page `page` of the window, asked one second wider (counted as a request of the walk). */
  fetch(window: Window, page: number): Promise<WindowAnswer<T> | null>;
  inWindow(window: Window, item: T): boolean;
  /** The most orders a page really holds: the page size asked, or the server's cap if lower. */
  pageLimit(): number;
}

/**
 * Sub-windows of a full window, cut where the dates of all its pages say each holds about FILL
 * of a page: by dateUpdated, or, where that cannot help (one crowded second and its padding), by
 * dateCreated. The pages are read only for their dates (offsets in a moving list are a fair
 * sample, not a reliable read), so nothing is handed over here. One part = no cut helps.
 */
export async function cutWindow<T>(reader: CarefulReader<T>, window: Window, first: WindowAnswer<T> | null): Promise<Window[]> {
  const updated: string[] = [];
  const created: string[] = [];
  const collect = (answer: WindowAnswer<T>) => {
    for (const item of answer.items) {
      if (!reader.inWindow(window, item)) continue;
      const [u, c] = [reader.source.dateOf(item), reader.source.createdOf(item)];
      if (u !== null) updated.push(u);
      if (c !== null) created.push(c);
    }
  };
  if (first) collect(first);
  for (let page = 1, answer = first; answer?.more && answer.items.length > 0; page++) {
    answer = await reader.fetch(window, page);
    if (answer) collect(answer);
  }
  const target = Math.max(1, Math.floor(reader.pageLimit() * FILL));
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
export async function readStable<T>(reader: CarefulReader<T>, window: Window): Promise<T[]> {
  let previous: string | null = null;
  const ever = new Set<string>();
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const limit = reader.size.limit;
    const seen = new Map<string, T>();
    // Every order the pass listed, in the window or not: offset pages of a list that stayed put
    // never show one twice.
    const listed = new Set<string>();
    let cutShort = false;
    let overlapped = false;
    for (let page = 0; ; page++) {
      const answer = await reader.fetch(window, page);
      // A page announced by the one before and then "not found" (the list shrank between the two).
      if (answer === null && page > 0) cutShort = true;
      for (const item of answer?.items ?? []) {
        const id = reader.source.idOf(item);
        if (listed.has(id)) overlapped = true;
        listed.add(id);
        if (reader.inWindow(window, item)) seen.set(id, item);
      }
      if (!answer?.more || answer.items.length === 0) break;
    }
    // A page size changed by a 504 mid-pass moves every offset, a pass cut short by a page that
    // vanished did not see its end, and a pass that listed an order twice read a list that moved
    // between its pages (reordered, or an order came in before the page): each can have missed an
    // order, and two such passes can miss the same one, so such a pass proves nothing.
    if (limit !== reader.size.limit || cutShort || overlapped) continue;
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
