import { ShoprenterError } from '../errors.js';
import type { ShoprenterHttp, ShoprenterLogger } from './http.js';
import { ListEnvelope } from './schema.js';
import { apiUrl } from './urls.js';

/**
 * Reading a whole list resource page by page (lookup lists, an order line's options). The order
 * list has its own window walk (list-windows.ts); this is for lists that do not move while read.
 */
export class ListPages {
  constructor(
    private readonly http: ShoprenterHttp,
    private readonly base: URL,
    private readonly pageSize: number,
    private readonly logger: ShoprenterLogger | undefined,
  ) {}

  /**
   * Walks a list page by page (0-based), from `firstPage` when the caller already holds the pages
   * before it. Pages are offsets: page p at limit L holds items [p*L, (p+1)*L). When a 504 forces
   * a smaller limit mid-list, the new limit is chosen to divide the number of items already
   * consumed, so page = consumed / limit resumes at exactly the next unseen item. The last page is
   * recognised from `next: null` or pageCount, so no request is made past it (that would be a
   * 400, reference §5.2); a 40008 anyway (the list shrank meanwhile) ends the walk.
   */
  async paginate(resource: string, query: Record<string, string>, what: string, onItems: (items: unknown[]) => Promise<void>, firstPage = 0): Promise<void> {
    let limit = this.pageSize;
    let page = firstPage;
    let consumed = firstPage * limit;
    const shrink = (): boolean => {
      const smaller = smallerLimit(limit, consumed);
      if (smaller === null) return false;
      limit = smaller;
      page = consumed / limit;
      return true;
    };
    for (;;) {
      const build = () => apiUrl(this.base, resource, { ...query, limit: String(limit), page: String(page) });
      const body = await this.http.getJson(build, { what, nullOnErrorCodes: [40008], onGatewayTimeout: shrink });
      if (body === null) {
        if (page > 0) this.logger?.warn('Shoprenter list ended earlier than announced', { what, page });
        return;
      }
      const { items, next, pageCount } = envelope(body, what);
      if (items.length > 0) await onItems(items);
      consumed += items.length;
      if (isLastPage({ items, next, pageCount }, page, limit)) return;
      page += 1;
    }
  }
}

/** Whether a page is the list's last: `next: null`, pageCount reached, a short page, or an empty one. */
export function isLastPage(page: Pick<ListEnvelope, 'items' | 'next' | 'pageCount'>, pageNo: number, limit: number): boolean {
  const { items, next, pageCount } = page;
  const lastByCount = pageCount !== null && pageCount !== undefined && pageNo + 1 >= pageCount;
  const lastBySize = next === undefined && (pageCount === null || pageCount === undefined) && items.length < limit;
  return next === null || lastByCount || lastBySize || items.length === 0;
}

/** A list answer's envelope, or a temporary error naming what came unreadable. */
export function envelope(body: unknown, what: string): ListEnvelope {
  const parsed = ListEnvelope.safeParse(body);
  if (!parsed.success) {
    throw new ShoprenterError('SHOPRENTER_BAD_RESPONSE', `Shoprenter sent ${what} in an unexpected form; will try again next cycle.`, true);
  }
  return parsed.data;
}

/** Largest limit at most half the current one that divides `consumed`; null when already 1. */
export function smallerLimit(limit: number, consumed: number): number | null {
  for (let candidate = Math.floor(limit / 2); candidate >= 1; candidate--) {
    if (consumed % candidate === 0) return candidate;
  }
  return null;
}
