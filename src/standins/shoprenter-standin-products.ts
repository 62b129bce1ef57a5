import type { ApiAnswer, ApiData } from './shoprenter-standin-envelope.js';
import { productInnerIdFor } from './shoprenter-order-builder.js';
import { apiId, hrefBase } from './shoprenter-wire.js';

/**
 * The stand-in's `/products` stock side (reference/stock.md): products with `sku`, `gtin`,
 * `stock1`..`stock4` (strings, as Shoprenter sends them), `subtractStock` and `quantity` (the
 * packaging size, not stock); `PUT`/`POST /products/{id}` changing only the fields sent (bare or
 * `{"data": {...}}` body); and an order's placement subtracting its quantities per warehouse from
 * products with `subtractStock` "1", down into negative numbers as a live shop does.
 */

export const STOCK_KEYS = ['sku', 'gtin', 'stock1', 'stock2', 'stock3', 'stock4', 'subtractStock', 'quantity', 'orderable'] as const;

export interface StockProductSpec {
  sku: string;
  gtin?: string;
  /** stock1..stock4; missing ones are 0. */
  stocks?: readonly number[];
  subtractStock?: boolean;
  name?: string;
  /** Inner id; default derived from the SKU as the order builder does, so orders and products meet. */
  innerId?: number;
}

export interface ProductWrite {
  productId: string;
  method: string;
  /** The body's fields as received (unwrapped from `data`). */
  fields: Record<string, unknown>;
}

/** The stock keys of a stored product (to keep them when its description is re-registered). */
export function stockFieldsOf(product: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!product) return {};
  return Object.fromEntries(STOCK_KEYS.filter((key) => key in product && !(key === 'sku' && product[key] === '')).map((key) => [key, product[key]]));
}

/**
 * The SKU-derived inner id is a hash: among thousands of products two SKUs can meet. The later one
 * then takes the next free id (orders built for it no longer reach it; only benchmarks are that big).
 */
function freeInnerId(data: ApiData, spec: StockProductSpec): number {
  let innerId = spec.innerId ?? productInnerIdFor(spec.sku);
  for (;;) {
    const taken = data.products.get(apiId('product', 'product_id', innerId));
    if (!taken || taken['sku'] === spec.sku || taken['sku'] === '' || spec.innerId !== undefined) return innerId;
    innerId += 1;
  }
}

export function addStockProducts(data: ApiData, specs: readonly StockProductSpec[]): void {
  const base = hrefBase(data.shop);
  for (const spec of specs) {
    const innerId = freeInnerId(data, spec);
    const id = apiId('product', 'product_id', innerId);
    const stocks = [0, 1, 2, 3].map((w) => String(spec.stocks?.[w] ?? 0));
    const existing = data.products.get(id) ?? {};
    data.products.set(id, {
      href: `${base}/products/${id}`,
      id,
      innerId: String(innerId),
      status: '1',
      productDescriptions: [],
      ...existing,
      sku: spec.sku,
      gtin: spec.gtin ?? '',
      stock1: stocks[0],
      stock2: stocks[1],
      stock3: stocks[2],
      stock4: stocks[3],
      subtractStock: spec.subtractStock === false ? '0' : '1',
      quantity: '1',
      orderable: '1',
    });
  }
}

const WRITABLE = new Set(['sku', 'gtin', 'stock1', 'stock2', 'stock3', 'stock4', 'subtractStock', 'quantity', 'orderable', 'price', 'status']);

/** `PUT`/`POST /products/{id}`: only the fields sent change; an `id` in the body sets the Outer ID (kept apart). */
export function answerProductWrite(
  data: ApiData,
  method: string,
  apiPath: string,
  body: string,
  log: ProductWrite[],
  before?: (productId: string) => void,
  bodyForm: 'either' | 'wrapped' = 'either',
  putCreates = false,
): ApiAnswer {
  const [, resource, rawId, ...rest] = apiPath.split('/');
  if (resource !== 'products' || rawId === undefined || rest.length > 0 || (method !== 'PUT' && method !== 'POST')) {
    return { status: 405, body: { error: 40501, message: 'Method not allowed!' } };
  }
  const productId = decodeURIComponent(rawId);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { status: 400, body: { error: 40001, message: 'Data parameter not found' } };
  }
  const isWrapped = parsed !== null && typeof parsed === 'object' && 'data' in parsed;
  // Which form the real PUT wants is not documented (reference/stock.md): the stand-in can insist on the wrapped one.
  if (bodyForm === 'wrapped' && !isWrapped) return { status: 400, body: { error: 40001, message: 'Data parameter not found' } };
  const wrapped: unknown = isWrapped ? (parsed as { data: unknown }).data : parsed;
  if (wrapped === null || typeof wrapped !== 'object' || Array.isArray(wrapped)) return { status: 400, body: { error: 40001, message: 'Data parameter not found' } };
  const fields = wrapped as Record<string, unknown>;
  before?.(productId);
  log.push({ productId, method, fields: structuredClone(fields) });
  // Whether a PUT to an API id that does not exist creates the product is UNKNOWN (reference/stock.md:
  // the docs contrast PUT with an Outer ID, which needs an existing resource, with "creation with an
  // API_ID"). Default 404; `putCreates` makes the stand-in create it, so tests can prove we never rely on 404.
  let product = data.products.get(productId);
  if (!product && !putCreates) return { status: 404, body: { error: 40401, message: 'Resource not found! products' } };
  if (!product) {
    product = { href: `${hrefBase(data.shop)}/products/${productId}`, id: productId, status: '1', productDescriptions: [] };
    data.products.set(productId, product);
  }
  for (const [key, value] of Object.entries(fields)) {
    if (key === 'id') product['outerId'] = value;
    else if (!WRITABLE.has(key)) return { status: 400, body: { error: 40010, message: `The given parameter: ${key} is not available!` } };
    else if (/^stock[1-4]$/.test(key) && !/^-?\d+$/.test(String(value))) return { status: 400, body: { error: 40012, message: `${key} must be an integer` } };
  }
  for (const [key, value] of Object.entries(fields)) if (key !== 'id') product[key] = String(value);
  return { status: 200, body: { ...product, productDescriptions: { href: `${hrefBase(data.shop)}/productDescriptions?productId=${productId}` } } };
}

/** What placing `raw` does to stock: each line's stock1..4 leave the product's warehouses (status 0 = abandoned cart: nothing). */
export function subtractOrderStock(data: ApiData, raw: Record<string, unknown>): void {
  // Tests store hostile orders too (nulls, wrong types): anything unreadable subtracts nothing.
  const record = (value: unknown): Record<string, unknown> | null =>
    value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  const href = record(raw['orderStatus'])?.['href'];
  if (typeof href === 'string' && /order_status_id=0$/.test(Buffer.from(href.slice(href.lastIndexOf('/') + 1), 'base64').toString('utf8'))) return;
  const lines = Array.isArray(raw['orderProducts']) ? (raw['orderProducts'] as unknown[]) : [];
  for (const item of lines) {
    const line = record(item);
    if (!line) continue;
    const productHref = record(line['product'])?.['href'];
    if (typeof productHref !== 'string') continue;
    const product = data.products.get(productHref.slice(productHref.lastIndexOf('/') + 1));
    if (!product || product['subtractStock'] !== '1') continue;
    for (const key of ['stock1', 'stock2', 'stock3', 'stock4']) {
      const taken = Number(line[key] ?? 0);
      if (Number.isFinite(taken) && taken) product[key] = String(Number(product[key] ?? 0) - taken);
    }
  }
}
