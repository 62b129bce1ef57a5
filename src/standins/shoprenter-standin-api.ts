import type { ShoprenterEnrichment } from './shoprenter-order-builder.js';
import { listingOrder, withinBounds, type BoundShape } from './shoprenter-standin-listing.js';
import { a4, apiId, fmt4, hrefBase } from './shoprenter-wire.js';
import { stockFieldsOf } from './shoprenter-standin-products.js';
import { page, shoprenterError, type ApiAnswer, type ApiData, type StoredOrder } from './shoprenter-standin-envelope.js';
export { shoprenterError, toXml, type ApiAnswer, type ApiData, type StoredOrder } from './shoprenter-standin-envelope.js';

/**
 * The resource side of the Shoprenter stand-in: lists with Shoprenter's paging envelope and
 * filters, single resources, and Shoprenter's error bodies (reference §2.3, §5).
 */

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
export function answerApi(data: ApiData, path: string, query: URLSearchParams): ApiAnswer {
  const [, resource = '', id, ...rest] = path.split('/');
  if (rest.length > 0) return shoprenterError(404, 40401, `Resource not found! ${path}`);
  if (resource === 'orderProductOptions') return orderProductOptions(data, id, query);
  if (resource === 'productExtend' || resource === 'products') return products(data, resource, id, query);
  if (id === undefined && resource === 'orders') return plainOrders(data, query);
  if (id === undefined && ORDER_PARTS.includes(resource)) return orderParts(data, resource, query);
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
  data.listing.onList?.(query);
  const filtered = filterOrders(data.orders, query, data.listing.bounds);
  if (typeof filtered === 'string') return shoprenterError(400, 40009, filtered);
  return page(data.shop, resource, listingOrder(filtered, data.listing), query, data.listing.pageCap);
}

/**
 * The per-order lists an orderExtend item embeds, also served on their own (`?orderId=`), the way
 * the simplest integrations read an order piece by piece (the benchmark's baseline does).
 */
const ORDER_PARTS = ['orderProducts', 'orderTotals', 'orderProductAddons'];

function orderParts(data: ApiData, resource: string, query: URLSearchParams): ApiAnswer {
  for (const key of query.keys()) {
    if (![...PAGING, 'orderId'].includes(key)) return shoprenterError(400, 40010, `The given parameter: ${key} is not available!`);
  }
  const orderId = query.get('orderId');
  const stored = orderId === null ? [...data.orders.values()] : [data.orders.get(orderId)].flatMap((o) => (o ? [o] : []));
  const items = stored.flatMap((o) => (Array.isArray(o.raw[resource]) ? (o.raw[resource] as Record<string, unknown>[]) : []));
  return page(data.shop, resource, items, query);
}

const OPTION_FILTERS = ['orderProductId', 'productOptionValueId', 'name', 'valueName'];

/** `/orderProductOptions` (filters per reference §4.1) and `/orderProductOptions/{id}`. */
function orderProductOptions(data: ApiData, id: string | undefined, query: URLSearchParams): ApiAnswer {
  const all = [...data.orderProductOptions.values()].flat();
  if (id !== undefined) {
    const found = all.find((o) => o['id'] === decodeURIComponent(id));
    return found ? { status: 200, body: found } : shoprenterError(404, 40401, 'Resource not found! orderProductOptions');
  }
  for (const key of query.keys()) {
    if (![...PAGING, ...OPTION_FILTERS].includes(key)) return shoprenterError(400, 40010, `The given parameter: ${key} is not available!`);
  }
  const orderProductId = query.get('orderProductId');
  let items = orderProductId === null ? all : (data.orderProductOptions.get(orderProductId) ?? []);
  for (const key of ['name', 'valueName']) {
    const value = query.get(key);
    if (value !== null) items = items.filter((o) => o[key] === value);
  }
  const valueId = query.get('productOptionValueId');
  if (valueId !== null) {
    items = items.filter((o) => {
      const href = (o['productOptionValue'] as { href?: unknown } | undefined)?.href;
      return typeof href === 'string' && href.endsWith(`/${valueId}`);
    });
  }
  return page(data.shop, 'orderProductOptions', items, query);
}

/**
 * `/productExtend` with its descriptions embedded (where the measurement unit is), and `/products`
 * with them as a link, as the real resources differ.
 */
function products(data: ApiData, resource: string, id: string | undefined, query: URLSearchParams): ApiAnswer {
  const shape = (p: Record<string, unknown>) =>
    resource === 'productExtend'
      ? { ...p, href: `${hrefBase(data.shop)}/productExtend/${String(p['id'])}` }
      : {
          ...p,
          productDescriptions: { href: `${hrefBase(data.shop)}/productDescriptions?productId=${String(p['id'])}` },
        };
  if (id !== undefined) {
    const found = data.products.get(decodeURIComponent(id));
    return found ? { status: 200, body: shape(found) } : shoprenterError(404, 40401, `Resource not found! ${resource}`);
  }
  for (const key of query.keys()) {
    if (![...PAGING, 'innerId', 'sku'].includes(key)) return shoprenterError(400, 40010, `The given parameter: ${key} is not available!`);
  }
  let items = [...data.products.values()];
  for (const key of ['innerId', 'sku']) {
    const value = query.get(key);
    if (value !== null) items = items.filter((p) => p[key] === value);
  }
  return page(data.shop, resource, items.map(shape), query);
}

/**
 * Registers what orderExtend only links to: option items per orderProduct and products with their
 * Hungarian description and measurement unit. A unit of null removes the product (deleted: 404).
 * Returns how many option items were registered, so ids stay unique across calls.
 */
export function registerEnrichment(data: ApiData, enrichment: ShoprenterEnrichment, nextOptionId: number): number {
  const base = hrefBase(data.shop);
  let optionId = nextOptionId;
  for (const [orderProductId, items] of Object.entries(enrichment.options ?? {})) {
    data.orderProductOptions.set(
      orderProductId,
      items.map((item) => {
        const id = apiId('orderProductOption', 'order_option_id', optionId);
        optionId += 1;
        return {
          href: `${base}/orderProductOptions/${id}`,
          id,
          name: item.name,
          valueName: item.valueName,
          price: item.price ?? fmt4(a4(0)),
          prefix: item.prefix ?? '+',
          orderProduct: { href: `${base}/orderProducts/${orderProductId}` },
          productOptionValue: { href: `${base}/productOptionValues/${apiId('productOptionValue', 'product_option_value_id', optionId)}` },
        };
      }),
    );
  }
  for (const [productId, unit] of Object.entries(enrichment.units ?? {})) {
    if (unit === null) {
      data.products.delete(productId);
      continue;
    }
    // A product the stand-in already sells keeps its stock fields and keys (shoprenter-standin-products.ts).
    data.products.set(productId, { ...productResource(base, productId, enrichment.names?.[productId] ?? '', unit), ...stockFieldsOf(data.products.get(productId)) });
  }
  return optionId - nextOptionId;
}

/** A productExtend item trimmed to the documented keys that matter (sample: fixtures/api/product_extend). */
function productResource(base: string, productId: string, name: string, unit: string): Record<string, unknown> {
  const innerId = /^product-product_id=(\d+)$/.exec(Buffer.from(productId, 'base64').toString('utf8'))?.[1] ?? '';
  const languageId = apiId('language', 'language_id', 1);
  const descriptionId = apiId('productDescription', 'product_id', `${innerId}&language_id=1`);
  return {
    href: `${base}/productExtend/${productId}`,
    id: productId,
    innerId,
    sku: '',
    modelNumber: {},
    status: '1',
    productDescriptions: [
      {
        href: `${base}/productDescriptions/${descriptionId}`,
        id: descriptionId,
        name,
        metaKeywords: {},
        metaDescription: {},
        shortDescription: '',
        description: '',
        parameters: '',
        packagingUnit: {},
        measurementUnit: unit,
        product: { href: `${base}/products/${productId}` },
        language: { href: `${base}/languages/${languageId}`, id: languageId },
      },
    ],
  };
}

/**
 * `/orders`: the orderExtend list with the per-order lists as links instead of arrays, as the real
 * resource has them. (Unlike the real one it still embeds currency and countries: a simplification
 * in the baseline's favour.)
 */
function plainOrders(data: ApiData, query: URLSearchParams): ApiAnswer {
  for (const key of query.keys()) {
    if (![...PAGING, ...ORDER_FILTERS].includes(key)) return shoprenterError(400, 40010, `The given parameter: ${key} is not available!`);
  }
  const filtered = filterOrders(data.orders, query, data.listing.bounds);
  if (typeof filtered === 'string') return shoprenterError(400, 40009, filtered);
  const base = hrefBase(data.shop);
  const headers = filtered.map((raw) => {
    const links = Object.fromEntries(ORDER_PARTS.map((part) => [part, { href: `${base}/${part}?orderId=${String(raw['id'])}` }]));
    return { ...raw, href: `${base}/orders/${String(raw['id'])}`, ...links };
  });
  return page(data.shop, 'orders', headers, query);
}

function filterOrders(orders: Map<string, StoredOrder>, query: URLSearchParams, bounds: BoundShape): Record<string, unknown>[] | string {
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
  add('updatedAtMin', (o, v) => withinBounds(text(o, 'dateUpdated'), v, null, bounds));
  add('updatedAtMax', (o, v) => withinBounds(text(o, 'dateUpdated'), null, v, bounds));
  add('createdAtMin', (o, v) => withinBounds(text(o, 'dateCreated'), v, null, bounds));
  add('createdAtMax', (o, v) => withinBounds(text(o, 'dateCreated'), null, v, bounds));
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
