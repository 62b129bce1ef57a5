import type { ListingControls } from './shoprenter-standin-listing.js';
import { hrefBase } from './shoprenter-wire.js';

/** What every part of the Shoprenter stand-in shares: its data, an answer, Shoprenter's error body and paging envelope, and XML. */

export interface StoredOrder {
  raw: Record<string, unknown>;
  /** Hidden flag standing in for Shoprenter's storno state, which excludeStorno=1 filters out. */
  storno: boolean;
}

export interface ApiAnswer {
  status: number;
  body: unknown;
}

export interface ApiData {
  shop: string;
  orders: Map<string, StoredOrder>;
  catalog: Record<string, Record<string, unknown>[]>;
  /** `/orderProductOptions` items in wire shape, per orderProduct API id. */
  orderProductOptions: Map<string, Record<string, unknown>[]>;
  /** `/productExtend/{id}` resources in wire shape, per product API id. */
  products: Map<string, Record<string, unknown>>;
  listing: ListingControls;
}

const DEFAULT_LIMIT = 25;
const MAX_LIMIT = 200;

export function shoprenterError(status: number, code: number, message: string): ApiAnswer {
  return { status, body: { error: code, message } };
}

/** Answers GET {resource} and GET {resource}/{id}; `path` is relative to the API base, e.g. "/orderExtend". */
/** One page in the orderExtend sample's envelope: numbers for page/pageCount/limit, `next: null` last. */
export function page(shop: string, resource: string, all: Record<string, unknown>[], query: URLSearchParams, cap: number | null = null): ApiAnswer {
  const pageText = query.get('page') ?? '0';
  const limitText = query.get('limit') ?? String(DEFAULT_LIMIT);
  if (!/^\d+$/.test(limitText)) return shoprenterError(400, 40010, `The given parameter: limit is not available!`);
  const limit = Math.min(cap ?? MAX_LIMIT, MAX_LIMIT, Math.max(1, Number(limitText)));
  const pageCount = Math.ceil(all.length / limit);
  const last = Math.max(0, pageCount - 1);
  const pageNo = /^\d+$/.test(pageText) ? Number(pageText) : -1;
  // Page 0 of an empty result is an empty list; any other page past the end is a 400.
  if (pageNo < 0 || (pageNo > 0 && pageNo >= pageCount)) {
    return shoprenterError(400, 40008, `Page not found! This Resource minimum page is 0 and maximum page is ${last}`);
  }
  const base = hrefBase(shop);
  const link = (p: number) => {
    const q = new URLSearchParams(query);
    q.set('page', String(p));
    q.set('limit', String(limit));
    return { href: `${base}/${resource}?${q.toString()}` };
  };
  const full = query.get('full') === '1';
  const items = all
    .slice(pageNo * limit, (pageNo + 1) * limit)
    .map((item) => (full ? item : { href: `${base}/${resource}/${String(item['id'])}` }));
  return {
    status: 200,
    body: {
      href: link(pageNo).href,
      page: pageNo,
      pageCount,
      limit,
      first: link(0),
      previous: pageNo > 0 ? link(pageNo - 1) : null,
      next: pageNo + 1 < pageCount ? link(pageNo + 1) : null,
      last: link(last),
      items,
    },
  };
}

/** Shoprenter's default answer format when the client does not ask for JSON (reference §1.4). */
export function toXml(body: unknown): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<response>${xmlValue(body)}</response>\n`;
}

function xmlValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map((v) => `<item>${xmlValue(v)}</item>`).join('');
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `<${k}>${xmlValue(v)}</${k}>`)
      .join('');
  }
  const text = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
