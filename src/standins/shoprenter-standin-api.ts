import { hrefBase } from './shoprenter-wire.js';

/**
 * The resource side of the Shoprenter stand-in: lists with Shoprenter's paging envelope and
 * filters, single resources, and Shoprenter's error bodies (reference §2.3, §5).
 */

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
}

const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;
const PAGING = ['full', 'page', 'limit'];
const ORDER_FILTERS = [
  'updatedAtMin',
  'updatedAtMax',
  'createdAtMin',
  'createdAtMax',
  'excludeAbandonedCart',
  'excludeStorno',
  'innerId',
  'email',
];
const DEFAULT_LIMIT = 25;
const MAX_LIMIT = 200;

export function shoprenterError(status: number, code: number, message: string): ApiAnswer {
  return { status, body: { error: code, message } };
}

/** Answers GET {resource} and GET {resource}/{id}; `path` is relative to the API base, e.g. "/orderExtend". */
export function answerApi(data: ApiData, path: string, query: URLSearchParams): ApiAnswer {
  const [, resource = '', id, ...rest] = path.split('/');
  if (rest.length > 0) return shoprenterError(404, 40401, `Resource not found! ${path}`);
  const items = resource === 'orderExtend' ? null : data.catalog[resource];
  if (resource !== 'orderExtend' && !items) return shoprenterError(404, 40401, `Resource not found! ${resource}`);
  if (id !== undefined) {
    const found =
      resource === 'orderExtend' ? data.orders.get(decodeURIComponent(id))?.raw : items?.find((i) => i['id'] === decodeURIComponent(id));
    return found ? { status: 200, body: found } : shoprenterError(404, 40401, `Resource not found! ${resource}`);
  }
  const allowed = resource === 'orderExtend' ? [...PAGING, ...ORDER_FILTERS] : [...PAGING, 'orderStatusId', 'languageId'];
  for (const key of query.keys()) {
    if (!allowed.includes(key)) return shoprenterError(400, 40010, `The given parameter: ${key} is not available!`);
  }
  if (resource !== 'orderExtend') return page(data.shop, resource, items ?? [], query);
  const filtered = filterOrders(data.orders, query);
  return typeof filtered === 'string' ? shoprenterError(400, 40009, filtered) : page(data.shop, resource, filtered, query);
}

function filterOrders(orders: Map<string, StoredOrder>, query: URLSearchParams): Record<string, unknown>[] | string {
  for (const key of ['updatedAtMin', 'updatedAtMax', 'createdAtMin', 'createdAtMax']) {
    const value = query.get(key);
    if (value !== null && !DATETIME.test(value)) {
      return `The given datetime parameter: ${key} is invalid! Valid datetime format is 1990-01-01T00:00:00`;
    }
  }
  const text = (o: Record<string, unknown>, key: string) => {
    const v = o[key];
    return typeof v === 'string' || typeof v === 'number' ? String(v) : '';
  };
  // Plain string comparison is exact for this fixed-width, offset-less format.
  const checks: ((o: StoredOrder) => boolean)[] = [];
  const add = (key: string, test: (o: Record<string, unknown>, v: string) => boolean) => {
    const v = query.get(key);
    if (v !== null) checks.push((o) => test(o.raw, v));
  };
  add('updatedAtMin', (o, v) => text(o, 'dateUpdated') >= v);
  add('updatedAtMax', (o, v) => text(o, 'dateUpdated') <= v);
  add('createdAtMin', (o, v) => text(o, 'dateCreated') >= v);
  add('createdAtMax', (o, v) => text(o, 'dateCreated') <= v);
  add('innerId', (o, v) => text(o, 'innerId') === v);
  add('email', (o, v) => text(o, 'email').trim().toLowerCase() === v.trim().toLowerCase());
  if (query.get('excludeAbandonedCart') === '1') checks.push((o) => statusOf(o.raw) !== '0');
  if (query.get('excludeStorno') === '1') checks.push((o) => !o.storno);
  return [...orders.values()]
    .filter((o) => checks.every((check) => check(o)))
    .map((o) => o.raw)
    .sort((a, b) => text(a, 'dateUpdated').localeCompare(text(b, 'dateUpdated')) || Number(a['innerId']) - Number(b['innerId']));
}

/** Inner status id from the order's orderStatus href (base64 "orderStatus-order_status_id=N"). */
function statusOf(raw: Record<string, unknown>): string | null {
  const href = (raw['orderStatus'] as { href?: unknown } | null | undefined)?.href;
  if (typeof href !== 'string') return null;
  const decoded = Buffer.from(href.slice(href.lastIndexOf('/') + 1), 'base64').toString('utf8');
  return /order_status_id=(\d+)/.exec(decoded)?.[1] ?? null;
}

/** One page in the orderExtend sample's envelope: numbers for page/pageCount/limit, `next: null` last. */
function page(shop: string, resource: string, all: Record<string, unknown>[], query: URLSearchParams): ApiAnswer {
  const pageText = query.get('page') ?? '0';
  const limitText = query.get('limit') ?? String(DEFAULT_LIMIT);
  if (!/^\d+$/.test(limitText)) return shoprenterError(400, 40010, `The given parameter: limit is not available!`);
  const limit = Math.min(MAX_LIMIT, Math.max(1, Number(limitText)));
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
