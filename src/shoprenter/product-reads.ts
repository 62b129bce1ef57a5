import type { Order } from '../domain/order.js';
import { ShoprenterError } from '../errors.js';
import type { BatchAnswer, BatchReads } from './batch.js';
import type { ShoprenterHttp, ShoprenterLogger } from './http.js';
import { envelope, isLastPage, type ListPages } from './list-pages.js';
import { applyProductLookups, hungarianMeasurementUnit, optionLookupsNeeded, unitLookupsNeeded } from './product-lookups.js';
import type { EnrichWhat } from './product-lookups.js';
import { lastPathSegment, OrderProductOptionWire, ProductExtendWire } from './schema.js';
import { apiUrl, encodeId } from './urls.js';

/** A longer-lived cache of product units (the ledger's, src/store/product-units.ts). */
export interface UnitStore {
  /** The unit when known and fresh; undefined when it must be read. */
  fresh(productId: string): { unit: string | null } | undefined;
  remember(productId: string, unit: string | null): void;
}

export interface ProductReadsDeps {
  http: ShoprenterHttp;
  base: URL;
  pages: ListPages;
  pageSize: number;
  logger: ShoprenterLogger | undefined;
  /** Null: every read on its own (the batch shortcut is off). */
  batch: BatchReads | null;
  /** Products whose unit is kept in memory when no UnitStore is given. */
  unitCacheSize: number;
}

/**
 * What orderExtend does not carry about a product line (reference §8.1): each line's chosen
 * options and each product's measurement unit. With the batch shortcut on, all of an order's
 * reads go out as one `POST /batch` (batch.ts); whatever it does not answer exactly as documented
 * is read on its own, with the usual retries.
 */
export class ProductReads {
  /** productId -> Hungarian measurement unit (null: none, or the product is gone); least recently used first. */
  private readonly units = new Map<string, string | null>();
  private readonly unitsInFlight = new Map<string, Promise<string | null>>();
  private unitStore: UnitStore | null = null;

  constructor(private readonly deps: ProductReadsDeps) {}

  useUnitStore(store: UnitStore): void {
    this.unitStore = store;
  }

  /** See ShoprenterClient.enrichOrder. */
  async enrich(order: Order, what: EnrichWhat): Promise<Order> {
    const optionIds = optionLookupsNeeded(order, what);
    const units: Record<string, string | null> = {};
    const unitIds: string[] = [];
    for (const productId of unitLookupsNeeded(order, what)) {
      const known = this.knownUnit(productId);
      if (known) units[productId] = known.unit;
      else unitIds.push(productId);
    }
    // One read gains nothing from a batch; two or more cost one request instead of several.
    const batched = this.deps.batch?.usable() && optionIds.length + unitIds.length >= 2 ? await this.viaBatch(optionIds, unitIds, order.orderNumber) : null;
    const options: Record<string, unknown[]> = {};
    for (const orderProductId of optionIds) {
      options[orderProductId] = batched?.options.get(orderProductId) ?? (await this.orderProductOptions(orderProductId, order.orderNumber));
    }
    for (const productId of unitIds) {
      const unit = batched?.units.get(productId);
      if (unit !== undefined) {
        this.remember(productId, unit.unit);
        units[productId] = unit.unit;
      } else {
        units[productId] = await this.productUnit(productId, order.orderNumber);
      }
    }
    return applyProductLookups(order, { options, units });
  }

  /**
   * The reads of one order in one batch. Returns what the batch answered usably; any other
   * sub-answer (not a 200 of the expected form, nor a 404 that surely means a deleted product) is
   * left out, and so read on its own by the caller.
   */
  private async viaBatch(
    optionIds: readonly string[],
    unitIds: readonly string[],
    orderNumber: string,
  ): Promise<{ options: Map<string, OrderProductOptionWire[]>; units: Map<string, { unit: string | null }> } | null> {
    const { base, pageSize } = this.deps;
    const urls = [
      ...optionIds.map((id) => apiUrl(base, 'orderProductOptions', { full: '1', orderProductId: id, limit: String(pageSize), page: '0' })),
      ...unitIds.map((id) => apiUrl(base, `productExtend/${encodeId(id)}`)),
    ];
    const answers = await this.deps.batch?.get(urls, `the product details of order ${orderNumber}`);
    if (!answers) return null;
    const options = new Map<string, OrderProductOptionWire[]>();
    for (const [i, id] of optionIds.entries()) {
      const items = await this.optionsFromBatch(answers[i], id, orderNumber);
      if (items) options.set(id, items);
    }
    const units = new Map<string, { unit: string | null }>();
    const productAnswers = answers.slice(optionIds.length);
    // A 404 inside a batch may also mean "no such route" (the docs' own example); it means "this
    // product is gone" only as Shoprenter's resource-not-found (40401) or beside a product the
    // same batch did find. Any other 404 is read on its own, so a unit never defaults by mistake.
    const routed = productAnswers.some((a) => a.status === 200);
    for (const [i, id] of unitIds.entries()) {
      const answer = productAnswers[i];
      if (answer?.status === 404 && (routed || errorCode(answer.body) === 40401)) {
        units.set(id, { unit: null });
        continue;
      }
      const parsed = answer?.status === 200 ? ProductExtendWire.safeParse(answer.body) : null;
      // Another product's answer (a batch that mixed up its answers) is never taken as this one's unit.
      if (parsed?.success && (parsed.data.id === null || parsed.data.id === id)) units.set(id, { unit: hungarianMeasurementUnit(parsed.data) });
    }
    return { options, units };
  }

  /** One line's options from its batch answer (and any further pages read on their own); null: read it on its own. */
  private async optionsFromBatch(answer: BatchAnswer | undefined, orderProductId: string, orderNumber: string): Promise<OrderProductOptionWire[] | null> {
    if (answer?.status !== 200) return null;
    const what = `the options of a product in order ${orderNumber}`;
    try {
      const page = envelope(answer.body, what);
      const items = readOptionItems(page.items, orderProductId, what);
      if (!isLastPage(page, 0, this.deps.pageSize)) {
        await this.deps.pages.paginate('orderProductOptions', { full: '1', orderProductId }, what, (more) => {
          items.push(...readOptionItems(more, orderProductId, what));
          return Promise.resolve();
        }, 1);
      }
      return items;
    } catch (error) {
      if (error instanceof ShoprenterError && error.code === 'SHOPRENTER_BAD_RESPONSE') return null;
      throw error;
    }
  }

  /** The option items of one orderProduct, validated; throws rather than return a partial list. */
  private async orderProductOptions(orderProductId: string, orderNumber: string): Promise<OrderProductOptionWire[]> {
    const what = `the options of a product in order ${orderNumber}`;
    const items: OrderProductOptionWire[] = [];
    await this.deps.pages.paginate('orderProductOptions', { full: '1', orderProductId }, what, (page) => {
      items.push(...readOptionItems(page, orderProductId, what));
      return Promise.resolve();
    });
    return items;
  }

  /** A unit known without a request: the unit store's (when one is set) or the memory cache's. */
  private knownUnit(productId: string): { unit: string | null } | undefined {
    if (this.unitStore) return this.unitStore.fresh(productId);
    if (!this.units.has(productId)) return undefined;
    const unit = this.units.get(productId) ?? null;
    this.units.delete(productId);
    this.units.set(productId, unit);
    return { unit };
  }

  /**
   * The cached or fetched Hungarian measurement unit of a product; concurrent asks share one
   * request. With a unit store (the ledger's) that store is the cache, otherwise a memory LRU.
   */
  private async productUnit(productId: string, orderNumber: string): Promise<string | null> {
    const known = this.knownUnit(productId);
    if (known) return known.unit;
    const pending = this.unitsInFlight.get(productId);
    if (pending) return pending;
    const request = this.fetchProductUnit(productId, orderNumber).finally(() => this.unitsInFlight.delete(productId));
    this.unitsInFlight.set(productId, request);
    const unit = await request;
    this.remember(productId, unit);
    return unit;
  }

  private remember(productId: string, unit: string | null): void {
    if (this.unitStore) {
      this.unitStore.remember(productId, unit);
      return;
    }
    if (this.deps.unitCacheSize <= 0) return;
    this.units.set(productId, unit);
    while (this.units.size > this.deps.unitCacheSize) {
      const oldest = this.units.keys().next();
      if (oldest.done) break;
      this.units.delete(oldest.value);
    }
  }

  private async fetchProductUnit(productId: string, orderNumber: string): Promise<string | null> {
    const what = `the measurement unit of a product in order ${orderNumber}`;
    const body = await this.deps.http.getJson(() => apiUrl(this.deps.base, `productExtend/${encodeId(productId)}`), { what, allowNotFound: true });
    if (body === null) {
      this.deps.logger?.debug('Shoprenter product not found; its unit falls back to the config default', { productId });
      return null;
    }
    const parsed = ProductExtendWire.safeParse(body);
    if (!parsed.success) {
      throw new ShoprenterError('SHOPRENTER_BAD_RESPONSE', `Shoprenter sent ${what} in an unexpected form; will try again next cycle.`, true);
    }
    return hungarianMeasurementUnit(parsed.data);
  }
}

/** The inner error code of a Shoprenter error body (`{"error": 40401, "message": ...}`), or null. */
function errorCode(body: unknown): number | null {
  const code = body !== null && typeof body === 'object' ? (body as { error?: unknown }).error : undefined;
  return typeof code === 'number' || (typeof code === 'string' && /^\d+$/.test(code)) ? Number(code) : null;
}

/** A page of `/orderProductOptions` items, validated: named, and all of this orderProduct. */
function readOptionItems(page: readonly unknown[], orderProductId: string, what: string): OrderProductOptionWire[] {
  const bad = (problem: string) => new ShoprenterError('SHOPRENTER_BAD_RESPONSE', `Shoprenter sent ${what} ${problem}; will try again next cycle.`, true);
  return page.map((raw) => {
    const parsed = OrderProductOptionWire.safeParse(raw);
    if (!parsed.success) throw bad('in an unexpected form');
    // Without full=1 honoured, items are bare {href}s: not "no options".
    const record = raw as Record<string, unknown>;
    if (!('name' in record) && !('valueName' in record)) throw bad('without their names');
    // A filter the server ignored would hand over every option of the shop.
    const owner = parsed.data.orderProduct;
    const ownerId = owner === null ? null : (owner.id ?? lastPathSegment(owner.href));
    if (ownerId !== null && ownerId !== orderProductId) throw bad('mixed with the options of another product');
    return parsed.data;
  });
}
