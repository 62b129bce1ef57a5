import type { z } from 'zod';
import type { Order } from '../domain/order.js';
import { ConfigError, ShoprenterError } from '../errors.js';
import type { OrderSource, SourcedOrder } from '../sync/ports.js';
import { createAuthProvider } from './auth.js';
import type { RequestInfo, ShoprenterAuthConfig } from './auth.js';
import { ShoprenterHttp, shoprenterGot } from './http.js';
import type { ShoprenterLogger } from './http.js';
import { WindowWalk } from './list-windows.js';
import { orderWindowSource } from './order-list.js';
import { normalizeOrder } from './normalize-order.js';
import { applyProductLookups, hungarianMeasurementUnit, optionLookupsNeeded, unitLookupsNeeded } from './product-lookups.js';
import type { EnrichWhat } from './product-lookups.js';
import { sharedRateLimiter } from './rate-limiter.js';
import type { RateLimiter } from './rate-limiter.js';
import {
  lastPathSegment,
  ListEnvelope,
  OrderProductOptionWire,
  OrderStatusDescriptionWire,
  PaymentModeWire,
  ProductExtendWire,
  ShippingModeWire,
  TaxClassWire,
} from './schema.js';

/** Long enough to ride out a storm of about a minute (issue 9 §10), short of a stuck cycle. */
export const DEFAULT_RETRY_BUDGET_MS = 90_000;

/** A longer-lived cache of product units (the ledger's, src/store/product-units.ts). */
export interface UnitStore {
  /** The unit when known and fresh; undefined when it must be read. */
  fresh(productId: string): { unit: string | null } | undefined;
  remember(productId: string, unit: string | null): void;
}

export interface ShoprenterClientOptions {
  /** API base, e.g. https://myshop.api2.myshoprenter.hu/api */
  apiUrl: string;
  auth: ShoprenterAuthConfig;
  /** Shop name: the key of the process-wide rate limiter. */
  shop: string;
  limitPerSecond?: number;
  /** Items per list page, at most 200 (reference §5.1). */
  pageSize?: number;
  /** Also stop retrying a read after this many retries (tests); by default only the time budget bounds them. */
  maxRetries?: number;
  /** How long one read may keep retrying 429/5xx/network failures (default 90 s: rides out a storm of about a minute). */
  retryBudgetMs?: number;
  /** True once the process is stopping: retries give up instead of waiting (http.ts). */
  stopping?: () => boolean;
  retryBaseMs?: number;
  timeoutMs?: number;
  onRequest?: (info: RequestInfo) => void;
  logger?: ShoprenterLogger;
  /** Defaults to the shared limiter of `shop`; tests may pass their own. */
  limiter?: RateLimiter;
  /** Products whose measurement unit is kept in memory (units rarely change; a restart refreshes). Default 5000. */
  unitCacheSize?: number;
}

/**
 * Shoprenter adapter: reads orders (orderExtend) and the shop's lookup lists. Every answer is
 * validated here; hrefs in answers are never followed, URLs are always built on `apiUrl`
 * (reference §1.1: which host API2 hrefs name is unknown).
 */
export class ShoprenterClient implements OrderSource {
  private readonly base: URL;
  private readonly pageSize: number;
  private readonly http: ShoprenterHttp;
  private readonly logger: ShoprenterLogger | undefined;
  /** productId -> Hungarian measurement unit (null: none, or the product is gone); least recently used first. */
  private readonly units = new Map<string, string | null>();
  private readonly unitsInFlight = new Map<string, Promise<string | null>>();
  private readonly unitCacheSize: number;
  private unitStore: UnitStore | null = null;

  constructor(options: ShoprenterClientOptions) {
    this.base = checkUrl(options.apiUrl, 'SHOPRENTER_API_URL');
    if (options.auth.kind === 'oauth') checkUrl(options.auth.tokenUrl, 'SHOPRENTER_TOKEN_URL');
    this.pageSize = Math.min(200, Math.max(1, Math.floor(options.pageSize ?? 200)));
    this.unitCacheSize = Math.max(0, Math.floor(options.unitCacheSize ?? 5000));
    this.logger = options.logger;
    const limiter = options.limiter ?? sharedRateLimiter(options.shop, options.limitPerSecond ?? 3);
    const http = shoprenterGot(options.timeoutMs);
    const auth = createAuthProvider(options.auth, { http, limiter, onRequest: options.onRequest });
    const retry = {
      budgetMs: options.retryBudgetMs ?? DEFAULT_RETRY_BUDGET_MS,
      ...(options.maxRetries === undefined ? {} : { maxRetries: options.maxRetries }),
      baseMs: options.retryBaseMs ?? 1000,
      maxBackoffMs: 15_000,
    };
    this.http = new ShoprenterHttp(http, auth, limiter, retry, {
      onRequest: options.onRequest,
      logger: options.logger,
      ...(options.stopping ? { stopping: options.stopping } : {}),
    });
  }

  /** Requests the last listChangedOrders made (the benchmark reports them). */
  lastListRequests = 0;

  /** Every order changed at or after `updatedAtMin`, read in windows that do not depend on list order (list-windows.ts). */
  async listChangedOrders(updatedAtMin: string, onPage: (orders: SourcedOrder[]) => Promise<void>, present?: string): Promise<void> {
    const walk = this.orderWalk('the order list');
    try {
      await walk.walk(updatedAtMin, onPage, null, present ?? null);
    } finally {
      this.lastListRequests = walk.requests;
    }
  }

  /**
   * The storno check's listing (src/sync/storno-check.ts): every order not in storno created at or
   * after `createdAtMin`, through the poll's own window walk, so neither list order, a page cap nor
   * the shape of the date bounds can leave one out.
   */
  async listOrdersCreatedSince(createdAtMin: string, onPage: (orders: SourcedOrder[]) => Promise<void>, beforeRequest?: () => void): Promise<void> {
    await this.orderWalk('the order list for the storno check', beforeRequest).walk(null, onPage, { min: createdAtMin, max: null });
  }

  /** `beforeRequest` may throw to end the walk (a stopping process). */
  private orderWalk(what: string, beforeRequest?: () => void, withStorno = false): WindowWalk<SourcedOrder> {
    const read = async (query: () => Record<string, string>, onGatewayTimeout: () => boolean) => {
      beforeRequest?.();
      const body = await this.http.getJson(() => this.url('orderExtend', query()), { what, nullOnErrorCodes: [40008], onGatewayTimeout });
      return body === null ? null : this.envelope(body, what);
    };
    return new WindowWalk<SourcedOrder>(orderWindowSource(read, { withStorno }), this.pageSize);
  }

  /** The storno sweep's listing (src/sync/storno-sweep.ts): storno orders included, created within the window. */
  async listOrdersWithStorno(updatedAtMin: string, createdAtMin: string, onPage: (orders: SourcedOrder[]) => Promise<void>): Promise<void> {
    // The window walk, like the poll's: offset pages of a list in no fixed order can skip an order.
    const walk = this.orderWalk('the order list with storno orders', undefined, true);
    await walk.walk(updatedAtMin, onPage, { min: createdAtMin, max: null });
  }

  /** The storno sweep's single lookup (src/sync/after-draft-cycle.ts): by order number, storno included. */
  async getOrderWithStorno(orderNumber: string): Promise<SourcedOrder | null> {
    const wanted = orderNumber.trim();
    if (!/^\d+$/.test(wanted)) return null;
    const what = `order ${wanted}`;
    const body = await this.http.getJson(() => this.url('orderExtend', { full: '1', innerId: wanted, limit: '1' }), { what });
    const first = this.envelope(body, what).items[0];
    return first === undefined ? null : sameOrder(wanted, normalizeOrder(first));
  }

  async getOrder(ref: string): Promise<SourcedOrder | null> {
    const wanted = ref.trim();
    if (wanted === '') return null;
    const what = `order ${wanted}`;
    if (/^\d+$/.test(wanted)) {
      // Through the list filter, so a cancelled (storno) order is not returned: a retry must never
      // draft an order the shop cancelled meanwhile.
      const query = { full: '1', innerId: wanted, excludeStorno: '1', limit: '1' };
      const body = await this.http.getJson(() => this.url('orderExtend', query), { what });
      const first = this.envelope(body, what).items[0];
      return first === undefined ? null : sameOrder(wanted, normalizeOrder(first));
    }
    const body = await this.http.getJson(() => this.url(`orderExtend/${encodeId(wanted)}`), { what, allowNotFound: true });
    return body === null ? null : normalizeOrder(body);
  }

  /**
   * A copy of `order` with what orderExtend does not carry (reference §8.1): with `options`, each
   * product line whose options are still empty gets them from
   * `/orderProductOptions?orderProductId=…&full=1` (every page, as "name: valueName"); with
   * `units`, each line without a unit gets its product's Hungarian `measurementUnit` from
   * `/productExtend/{id}`, remembered per product. A product that no longer exists (404) leaves
   * the unit null, so the config default applies. Lines without an orderProduct or product id
   * are left as they are. An order with nothing to look up costs no request.
   *
   * All or nothing: any failure throws (ShoprenterError, temporary unless it needs a person, e.g.
   * a missing `product.product:read` scope), so the order is tried again later rather than drafted
   * half-enriched. Invisible control characters in an option or unit are a MappingError (quarantine).
   */
  async enrichOrder(order: Order, what: EnrichWhat): Promise<Order> {
    const options: Record<string, unknown[]> = {};
    const units: Record<string, string | null> = {};
    for (const orderProductId of optionLookupsNeeded(order, what)) {
      options[orderProductId] = await this.orderProductOptions(orderProductId, order.orderNumber);
    }
    for (const productId of unitLookupsNeeded(order, what)) {
      units[productId] = await this.productUnit(productId, order.orderNumber);
    }
    return applyProductLookups(order, { options, units });
  }

  /** The option items of one orderProduct, validated; throws rather than return a partial list. */
  private async orderProductOptions(orderProductId: string, orderNumber: string): Promise<OrderProductOptionWire[]> {
    const what = `the options of a product in order ${orderNumber}`;
    const bad = (problem: string) =>
      new ShoprenterError('SHOPRENTER_BAD_RESPONSE', `Shoprenter sent ${what} ${problem}; will try again next cycle.`, true);
    const items: OrderProductOptionWire[] = [];
    await this.paginate('orderProductOptions', { full: '1', orderProductId }, what, (page) => {
      for (const raw of page) {
        const parsed = OrderProductOptionWire.safeParse(raw);
        if (!parsed.success) throw bad('in an unexpected form');
        // Without full=1 honoured, items are bare {href}s: not "no options".
        const record = raw as Record<string, unknown>;
        if (!('name' in record) && !('valueName' in record)) throw bad('without their names');
        // A filter the server ignored would hand over every option of the shop.
        const owner = parsed.data.orderProduct;
        const ownerId = owner === null ? null : (owner.id ?? lastPathSegment(owner.href));
        if (ownerId !== null && ownerId !== orderProductId) throw bad('mixed with the options of another product');
        items.push(parsed.data);
      }
      return Promise.resolve();
    });
    return items;
  }

  /**
   * Keeps product units in the ledger instead of memory: they survive restarts and are refreshed
   * after the store's period (the memory cache never expired; a restart was its only refresh).
   */
  useUnitStore(store: UnitStore): void {
    this.unitStore = store;
  }

  /**
   * The cached or fetched Hungarian measurement unit of a product; concurrent asks share one
   * request. With a unit store (the ledger's) that store is the cache, otherwise a memory LRU.
   */
  private async productUnit(productId: string, orderNumber: string): Promise<string | null> {
    const stored = this.unitStore?.fresh(productId);
    if (stored) return stored.unit;
    if (!this.unitStore && this.units.has(productId)) {
      const unit = this.units.get(productId) ?? null;
      this.units.delete(productId);
      this.units.set(productId, unit);
      return unit;
    }
    const pending = this.unitsInFlight.get(productId);
    if (pending) return pending;
    const request = this.fetchProductUnit(productId, orderNumber).finally(() => this.unitsInFlight.delete(productId));
    this.unitsInFlight.set(productId, request);
    const unit = await request;
    if (this.unitStore) this.unitStore.remember(productId, unit);
    else if (this.unitCacheSize > 0) this.rememberInMemory(productId, unit);
    return unit;
  }

  private rememberInMemory(productId: string, unit: string | null): void {
    this.units.set(productId, unit);
    while (this.units.size > this.unitCacheSize) {
      const oldest = this.units.keys().next();
      if (oldest.done) break;
      this.units.delete(oldest.value);
    }
  }

  private async fetchProductUnit(productId: string, orderNumber: string): Promise<string | null> {
    const what = `the measurement unit of a product in order ${orderNumber}`;
    const body = await this.http.getJson(() => this.url(`productExtend/${encodeId(productId)}`), { what, allowNotFound: true });
    if (body === null) {
      this.logger?.debug('Shoprenter product not found; its unit falls back to the config default', { productId });
      return null;
    }
    const parsed = ProductExtendWire.safeParse(body);
    if (!parsed.success) {
      throw new ShoprenterError('SHOPRENTER_BAD_RESPONSE', `Shoprenter sent ${what} in an unexpected form; will try again next cycle.`, true);
    }
    return hungarianMeasurementUnit(parsed.data);
  }

  /**
   * Every item of a list resource, each validated by `schema`. Items that do not fit are skipped
   * with a warning: these lists feed `init-config` and `check`, where a partial answer still helps.
   */
  async listAll<T extends z.ZodType>(resource: string, schema: T, query: Record<string, string> = {}): Promise<z.output<T>[]> {
    const all: z.output<T>[] = [];
    await this.paginate(resource, { full: '1', ...query }, `the ${resource} list`, (items) => {
      for (const item of items) {
        const parsed = schema.safeParse(item);
        if (parsed.success) all.push(parsed.data);
        else this.logger?.warn('Skipped an unreadable Shoprenter list item', { resource });
      }
      return Promise.resolve();
    });
    return all;
  }

  /** One small read of a list resource: proves the API client has the scope for it (`check`). */
  async probe(resource: string): Promise<void> {
    const what = `the ${resource} list`;
    this.envelope(await this.http.getJson(() => this.url(resource, { limit: '1', page: '0' }), { what }), what);
  }

  listPaymentModes() {
    return this.listAll('paymentModes', PaymentModeWire);
  }

  listShippingModes() {
    return this.listAll('shippingModeExtend', ShippingModeWire);
  }

  listTaxClasses() {
    return this.listAll('taxClassExtend', TaxClassWire);
  }

  listOrderStatusDescriptions() {
    return this.listAll('orderStatusDescriptions', OrderStatusDescriptionWire);
  }

  /**
   * Walks a list page by page (0-based). Pages are offsets: page p at limit L holds items
   * [p*L, (p+1)*L). When a 504 forces a smaller limit mid-list, the new limit is chosen to divide
   * the number of items already consumed, so page = consumed / limit resumes at exactly the next
   * unseen item. The last page is recognised from `next: null` or pageCount, so no request is made
   * past it (that would be a 400, reference §5.2); a 40008 anyway (the list shrank meanwhile) ends
   * the walk.
   */
  private async paginate(
    resource: string,
    query: Record<string, string>,
    what: string,
    onItems: (items: unknown[]) => Promise<void>,
  ): Promise<void> {
    let limit = this.pageSize;
    let page = 0;
    let consumed = 0;
    const shrink = (): boolean => {
      const smaller = smallerLimit(limit, consumed);
      if (smaller === null) return false;
      limit = smaller;
      page = consumed / limit;
      return true;
    };
    for (;;) {
      const build = () => this.url(resource, { ...query, limit: String(limit), page: String(page) });
      const body = await this.http.getJson(build, { what, nullOnErrorCodes: [40008], onGatewayTimeout: shrink });
      if (body === null) {
        if (page > 0) this.logger?.warn('Shoprenter list ended earlier than announced', { what, page });
        return;
      }
      const { items, next, pageCount } = this.envelope(body, what);
      if (items.length > 0) await onItems(items);
      consumed += items.length;
      const lastByCount = pageCount !== null && pageCount !== undefined && page + 1 >= pageCount;
      const lastBySize = next === undefined && (pageCount === null || pageCount === undefined) && items.length < limit;
      if (next === null || lastByCount || lastBySize || items.length === 0) return;
      page += 1;
    }
  }

  private envelope(body: unknown, what: string): ListEnvelope {
    const parsed = ListEnvelope.safeParse(body);
    if (!parsed.success) {
      throw new ShoprenterError(
        'SHOPRENTER_BAD_RESPONSE',
        `Shoprenter sent ${what} in an unexpected form; will try again next cycle.`,
        true,
      );
    }
    return parsed.data;
  }

  private url(path: string, query: Record<string, string> = {}): URL {
    const url = new URL(this.base.toString());
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/${path}`;
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    return url;
  }
}

/** Largest limit at most half the current one that divides `consumed`; null when already 1. */
export function smallerLimit(limit: number, consumed: number): number | null {
  for (let candidate = Math.floor(limit / 2); candidate >= 1; candidate--) {
    if (consumed % candidate === 0) return candidate;
  }
  return null;
}

/** API ids are base64: keep `=` readable as in Shoprenter's own hrefs, escape the rest. */
function encodeId(id: string): string {
  return encodeURIComponent(id).replace(/%3D/g, '=');
}

/** https only, except plain http to this machine (SPEC §3). The value is not echoed: it may hold credentials. */
function checkUrl(value: string, name: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} is not a valid URL.`);
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopback(url.hostname)) return url;
  throw new ConfigError(`${name} must start with https:// (plain http:// is only allowed for localhost).`);
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/**
 * The lookup by number is a list filter: a shop (or proxy) that ignored the filter would hand back
 * some other order, and drafting that under this number would invoice the wrong buyer. A mismatch
 * is therefore an unreadable order (quarantined with this sentence), never a draft.
 */
function sameOrder(wanted: string, sourced: SourcedOrder): SourcedOrder {
  const got = sourced.ok ? sourced.order.orderNumber : sourced.orderNumber;
  if (got === wanted) return sourced;
  return {
    ok: false,
    id: wanted,
    orderNumber: wanted,
    dateUpdated: null,
    reason: `Shoprenter answered the lookup of order ${wanted} with order ${got ?? 'without a number'}, so no draft was made; check the order in the shop admin, then run "retry ${wanted}".`,
  };
}
