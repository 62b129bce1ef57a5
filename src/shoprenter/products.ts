import { z } from 'zod';
import { ShoprenterError } from '../errors.js';
import type { ShopProduct } from '../sync/ports.js';
import { createAuthProvider, type AuthProvider, type RequestInfo, type ShoprenterAuthConfig } from './auth.js';
import { ShoprenterHttp, type ShoprenterLogger } from './http.js';
import { shoprenterSend, type ShoprenterSend } from './send.js';
import { sharedRateLimiter, type RateLimiter } from './rate-limiter.js';
import { ListEnvelope } from './schema.js';
import { putProductFields } from './products-write.js';

/**
 * Shoprenter's `/products` for the stock round (reference/stock.md): paged reads of the fields a
 * round needs, and `PUT /products/{id}` with one stock field alone. `quantity` is the packaging
 * size, not stock: it is neither read nor ever sent. Pacing is the limiter's: the stock round
 * passes a StockLimiter (1 a second, giving way to order work, then the shop's shared limiter).
 */

export type StockField = 'stock1' | 'stock2' | 'stock3' | 'stock4';

const Text = z.preprocess((v) => (typeof v === 'number' ? String(v) : v === null || (typeof v === 'object' && v !== null && Object.keys(v).length === 0) ? '' : v), z.string());
const ProductStockWire = z.object({
  id: z.string().min(1),
  sku: Text.optional(),
  gtin: Text.optional(),
  stock1: Text.optional(),
  stock2: Text.optional(),
  stock3: Text.optional(),
  stock4: Text.optional(),
});

export interface ProductsClientOptions {
  apiUrl: string;
  auth: ShoprenterAuthConfig;
  shop: string;
  limiter?: RateLimiter;
  onRequest?: (info: RequestInfo) => void;
  logger?: ShoprenterLogger;
  stopping?: () => boolean;
  timeoutMs?: number;
  retryBaseMs?: number;
  retryBudgetMs?: number;
  pageSize?: number;
}

export class ShoprenterProducts {
  private readonly base: URL;
  private readonly send: ShoprenterSend;
  private readonly auth: AuthProvider;
  private readonly limiter: RateLimiter;
  private readonly http: ShoprenterHttp;
  private readonly pageSize: number;
  /** Requests made so far (reads and writes), for the round's record and the benchmark. */
  readonly counts = { reads: 0, writes: 0 };

  constructor(private readonly options: ProductsClientOptions) {
    this.base = new URL(options.apiUrl);
    this.send = shoprenterSend(options.timeoutMs);
    this.limiter = options.limiter ?? sharedRateLimiter(options.shop);
    this.auth = createAuthProvider(options.auth, { send: this.send, limiter: this.limiter, onRequest: options.onRequest });
    this.pageSize = Math.min(200, Math.max(1, options.pageSize ?? 200));
    this.http = new ShoprenterHttp(
      this.send,
      this.auth,
      this.limiter,
      { budgetMs: options.retryBudgetMs ?? 60_000, baseMs: options.retryBaseMs ?? 1000, maxBackoffMs: 15_000 },
      { onRequest: options.onRequest, ...(options.logger ? { logger: options.logger } : {}), ...(options.stopping ? { stopping: options.stopping } : {}) },
    );
  }

  /**
   * Every product with its key fields and the current value of `field`, page by page. A product
   * seen twice (the list moved while being paged) counts once; one missed is simply not touched
   * this round.
   */
  async listStockProducts(field: StockField, filter: Record<string, string> = {}): Promise<ShopProduct[]> {
    const what = 'the product list';
    const seen = new Map<string, ShopProduct>();
    for (let page = 0; ; page += 1) {
      this.counts.reads += 1;
      const query = { full: '1', limit: String(this.pageSize), page: String(page), ...filter };
      const body = await this.http.getJson(() => this.url('products', query), { what, nullOnErrorCodes: [40008] });
      if (body === null) break;
      const envelope = ListEnvelope.safeParse(body);
      if (!envelope.success) throw bad(what);
      const { items, next, pageCount } = envelope.data;
      for (const raw of items) {
        const parsed = ProductStockWire.safeParse(raw);
        if (!parsed.success) throw bad(what);
        const p = parsed.data;
        seen.set(p.id, { id: p.id, sku: p.sku ?? '', gtin: p.gtin ?? '', current: p[field] ?? null });
      }
      const last = next === null || (pageCount != null && page + 1 >= pageCount) || items.length < this.pageSize;
      if (last || items.length === 0) break;
    }
    return [...seen.values()];
  }

  /** Sets `field` of one product to `value`, sent alone; resolves once Shoprenter confirmed it. */
  async writeStock(productId: string, field: StockField, value: number): Promise<void> {
    this.counts.writes += 1;
    await putProductFields(
      { send: this.send, auth: this.auth, limiter: this.limiter, ...(this.options.onRequest ? { onRequest: this.options.onRequest } : {}), stopping: this.options.stopping },
      this.productUrl(productId),
      { [field]: String(value) },
    );
  }

  /**
   * Whether the API client may write products (scope product.product:write), proven by a write
   * that cannot change anything: an empty body to a product that exists (the first of the list,
   * read just before). Never an id that does not exist: the docs suggest a PUT with an API id may
   * create the resource (reference/stock.md, UNKNOWN). Not the current stock written back either:
   * an order placed between the read and the write would be undone. Missing scope answers 401/403
   * before anything else; any other answer (400, 2xx) means the scope is there. Null = the shop has
   * no product to probe with, so the probe is skipped.
   */
  async probeWriteScope(): Promise<boolean | null> {
    const body = await this.http.getJson(() => this.url('products', { full: '1', limit: '1', page: '0' }), { what: 'the product list', nullOnErrorCodes: [40008] });
    const envelope = body === null ? null : ListEnvelope.safeParse(body);
    if (envelope && !envelope.success) throw bad('the product list');
    const first = envelope?.data.items[0] as { id?: unknown } | undefined;
    if (typeof first?.id !== 'string' || first.id === '') return null;
    try {
      await putProductFields(
        { send: this.send, auth: this.auth, limiter: this.limiter, ...(this.options.onRequest ? { onRequest: this.options.onRequest } : {}), stopping: this.options.stopping },
        this.productUrl(first.id),
        {},
      );
      return true;
    } catch (error) {
      if (error instanceof ShoprenterError && error.code === 'SHOPRENTER_AUTH') return false;
      if (error instanceof ShoprenterError && !error.temporary) return true;
      throw error;
    }
  }

  private productUrl(productId: string): URL {
    return this.url(`products/${encodeURIComponent(productId).replace(/%3D/g, '=')}`);
  }

  private url(path: string, query: Record<string, string> = {}): URL {
    const url = new URL(this.base.toString());
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/${path}`;
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    return url;
  }
}

function bad(what: string): ShoprenterError {
  return new ShoprenterError('SHOPRENTER_BAD_RESPONSE', `Shoprenter sent ${what} in an unexpected form; will try again next round.`, true);
}
