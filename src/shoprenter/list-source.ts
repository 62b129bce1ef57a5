import type { Window } from './list-ranges.js';

/** What the window walk (list-windows.ts) asks of a list: a page of a window, and each item's dates and id. */

export interface WindowAnswer<T> {
  items: T[];
  /** The envelope says another page follows (`next`, or `pageCount` > 1). */
  more: boolean;
  pageCount: number | null;
  /** The page size the server says it used, when it says. */
  limit: number | null;
}

/** The request size, which a 504 shrinks (reference §2.2) for that request; the next window may ask more again. */
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
  /** The order in which a window's items are handed over (windows go oldest first, but for the one answered early). */
  compare(a: T, b: T): number;
}
