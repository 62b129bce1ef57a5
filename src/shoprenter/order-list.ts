import type { SourcedOrder } from '../sync/ports.js';
import type { WindowSource } from './list-windows.js';
import { normalizeOrder } from './normalize-order.js';
import type { ListEnvelope } from './schema.js';

/** One validated orderExtend list answer; `query` is built per attempt. Null past the last page. */
export type ReadOrderList = (query: () => Record<string, string>, onGatewayTimeout: () => boolean) => Promise<ListEnvelope | null>;

/**
 * The orderExtend list as the window walk needs it: the documented polling query (reference §5.5)
 * with the window's date bounds, items normalised, and whether the envelope announces more pages.
 */
export function orderWindowSource(read: ReadOrderList, options: { withStorno?: boolean } = {}): WindowSource<SourcedOrder> {
  return {
    fetch: async (window, page, size) => {
      const query = (): Record<string, string> => ({
        full: '1',
        excludeAbandonedCart: '1',
        // The storno sweep's listing keeps them (src/sync/storno-sweep.ts).
        ...(options.withStorno ? {} : { excludeStorno: '1' }),
        ...(window.updated.min === null ? {} : { updatedAtMin: window.updated.min }),
        ...(window.updated.max === null ? {} : { updatedAtMax: window.updated.max }),
        ...(window.created?.min ? { createdAtMin: window.created.min } : {}),
        ...(window.created?.max ? { createdAtMax: window.created.max } : {}),
        limit: String(size.limit),
        page: String(page),
      });
      // Built per attempt: a 504 shrinks size.limit before the retry.
      const envelope = await read(query, () => size.shrink());
      if (envelope === null) return null;
      const { items, next, pageCount, limit } = envelope;
      const more = (next !== null && next !== undefined) || (pageCount !== null && pageCount !== undefined && page + 1 < pageCount);
      // Only a hint for planning the next window (the walk never trusts it for completeness).
      const pages = pageCount ?? pagesFromLast(envelope.last?.href);
      return { items: items.map(normalizeOrder), more, pageCount: pages, limit: limit ?? null };
    },
    // A date not in Shoprenter's shop-local form (an offset, a date alone) cannot be placed in a
    // window: such an order belongs to every window, is handed over once and quarantined by the pipeline.
    dateOf: (sourced) => localOrNull(sourced.ok ? sourced.order.dateUpdated : sourced.dateUpdated),
    createdOf: (sourced) => (sourced.ok ? localOrNull(sourced.order.dateCreated) : null),
    idOf: (sourced) => (sourced.ok ? sourced.order.id : sourced.id),
    // Within a window, oldest change first, then by order number.
    compare: (a, b) => {
      const [ka, kb] = [listKey(a), listKey(b)];
      return ka.date.localeCompare(kb.date) || ka.number - kb.number || ka.id.localeCompare(kb.id);
    },
  };
}

function listKey(sourced: SourcedOrder): { date: string; number: number; id: string } {
  const date = (sourced.ok ? sourced.order.dateUpdated : sourced.dateUpdated) ?? '';
  const number = Number(sourced.ok ? sourced.order.orderNumber : sourced.orderNumber);
  return { date, number: Number.isFinite(number) ? number : Infinity, id: sourced.ok ? sourced.order.id : sourced.id };
}

/** The page count a `last` link implies (its 0-based `page` plus one), or null when it says none. */
function pagesFromLast(href: string | undefined): number | null {
  if (href === undefined) return null;
  const page = /[?&]page=(\d+)(?:&|#|$)/.exec(href)?.[1];
  return page === undefined ? null : Number(page) + 1;
}

const LOCAL_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;

function localOrNull(date: string | null | undefined): string | null {
  return typeof date === 'string' && LOCAL_DATETIME.test(date) ? date : null;
}
