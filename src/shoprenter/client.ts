import type { z } from 'zod';
import type { Order } from '../domain/order.js';
import type { OrderSource, SourcedOrder } from '../sync/ports.js';
import { createAuthProvider } from './auth.js';
import type { RequestInfo, ShoprenterAuthConfig } from './auth.js';
import { BatchReads } from './batch.js';
import { ShoprenterHttp } from './http.js';
import { shoprenterSend } from './send.js';
import type { ShoprenterLogger } from './http.js';
import { envelope, ListPages } from './list-pages.js';
import { WindowWalk } from './list-windows.js';
import { orderWindowSource } from './order-list.js';
import { normalizeOrder } from './normalize-order.js';
import type { EnrichWhat } from './product-lookups.js';
import { ProductReads, type UnitStore } from './product-reads.js';
import { sharedRateLimiter } from './rate-limiter.js';
import type { RateLimiter } from './rate-limiter.js';
import { OrderStatusDescriptionWire, PaymentModeWire, ShippingModeWire, TaxClassWire } from './schema.js';
import type { ListEnvelope } from './schema.js';
import { apiUrl, checkUrl, encodeId } from './urls.js';

export { smallerLimit } from './list-pages.js';
export type { UnitStore } from './product-reads.js';

/** Long enough to ride out a storm of about a minute (issue 9 §10), short of a stuck cycle. */
export const DEFAULT_RETRY_BUDGET_MS = 90_000;

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
  /**
   * Send an order's option and unit reads as one `POST /batch` (batch.ts), falling back to single
   * reads on any answer not as documented. Off by default here; the daemon's runtime turns it on.
   */
  batchReads?: boolean;
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
  private readonly pages: ListPages;
  private readonly products: ProductReads;

  constructor(options: ShoprenterClientOptions) {
    this.base = checkUrl(options.apiUrl, 'SHOPRENTER_API_URL');
    if (options.auth.kind === 'oauth') checkUrl(options.auth.tokenUrl, 'SHOPRENTER_TOKEN_URL');
    this.pageSize = Math.min(200, Math.max(1, Math.floor(options.pageSize ?? 200)));
    this.logger = options.logger;
    const limiter = options.limiter ?? sharedRateLimiter(options.shop, options.limitPerSecond ?? 3);
    const send = shoprenterSend(options.timeoutMs);
    const auth = createAuthProvider(options.auth, { send, limiter, onRequest: options.onRequest });
    const retry = {
      budgetMs: options.retryBudgetMs ?? DEFAULT_RETRY_BUDGET_MS,
      ...(options.maxRetries === undefined ? {} : { maxRetries: options.maxRetries }),
      baseMs: options.retryBaseMs ?? 1000,
      maxBackoffMs: 15_000,
    };
    this.http = new ShoprenterHttp(send, auth, limiter, retry, {
      onRequest: options.onRequest,
      logger: options.logger,
      ...(options.stopping ? { stopping: options.stopping } : {}),
    });
    this.pages = new ListPages(this.http, this.base, this.pageSize, this.logger);
    const batch = options.batchReads ? new BatchReads(this.base, { send, auth, limiter, onRequest: options.onRequest, logger: options.logger }) : null;
    this.products = new ProductReads({
      http: this.http,
      base: this.base,
      pages: this.pages,
      pageSize: this.pageSize,
      logger: this.logger,
      batch,
      unitCacheSize: Math.max(0, Math.floor(options.unitCacheSize ?? 5000)),
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
   * are left as they are. An order with nothing to look up costs no request; with `batchReads`,
   * one with two or more reads costs one `POST /batch` (plus single reads for what it left open).
   *
   * All or nothing: any failure throws (ShoprenterError, temporary unless it needs a person, e.g.
   * a missing `product.product:read` scope), so the order is tried again later rather than drafted
   * half-enriched. Invisible control characters in an option or unit are a MappingError (quarantine).
   */
  enrichOrder(order: Order, what: EnrichWhat): Promise<Order> {
    return this.products.enrich(order, what);
  }

  /**
   * Keeps product units in the ledger instead of memory: they survive restarts and are refreshed
   * after the store's period (the memory cache never expired; a restart was its only refresh).
   */
  useUnitStore(store: UnitStore): void {
    this.products.useUnitStore(store);
  }

  /**
   * Every item of a list resource, each validated by `schema`. Items that do not fit are skipped
   * with a warning: these lists feed `init-config` and `check`, where a partial answer still helps.
   */
  async listAll<T extends z.ZodType>(resource: string, schema: T, query: Record<string, string> = {}): Promise<z.output<T>[]> {
    const all: z.output<T>[] = [];
    await this.pages.paginate(resource, { full: '1', ...query }, `the ${resource} list`, (items) => {
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

  private envelope(body: unknown, what: string): ListEnvelope {
    return envelope(body, what);
  }

  private url(path: string, query: Record<string, string> = {}): URL {
    return apiUrl(this.base, path, query);
  }
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
