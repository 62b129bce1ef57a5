import type { shopCatalog } from './shoprenter-fixtures.js';
import type { ShoprenterEnrichment } from './shoprenter-order-builder.js';
import type { BoundShape, ListingControls } from './shoprenter-standin-listing.js';
import type { BatchCounting } from './shoprenter-standin-batch.js';
import type { ProductWrite, StockProductSpec } from './shoprenter-standin-products.js';

/* The Shoprenter stand-in's contract: its options, the faults a test injects, what it records and the handle a test drives it by. */

/** One injected misbehaviour, consumed by the next matching request(s). */
export interface StandinFault {
  /** status: answer `status` (5xx with an HTML page, as a gateway would); drop: destroy the socket;
   * slow: hold the answer `delayMs` (past the client's timeout); malformed: truncated JSON; xml: XML even to JSON. */
  kind: 'status' | 'drop' | 'slow' | 'malformed' | 'xml';
  status?: number;
  retryAfter?: string;
  delayMs?: number;
  /** Only API paths starting with this, e.g. "/orderExtend". */
  path?: string;
  /** Which endpoint the fault may hit; default 'api'. */
  target?: 'api' | 'token' | 'any';
  /** How many consecutive matching requests it applies to; default 1. */
  times?: number;
}

export interface ShoprenterStandinOptions {
  /** Fixed port for manual experiments (`demo --serve`); 0 (default) = any free port. */
  port?: number;
  shop?: string;
  clientId?: string;
  clientSecret?: string;
  /** Also accept legacy Basic auth with these credentials. */
  basic?: { user: string; password: string };
  tokenTtlSeconds?: number;
  /** Requests admitted per sliding second, token requests included; 0 = unlimited. Default 3. */
  rateLimitPerSecond?: number;
  /** Sent as Retry-After on rate-limit 429s when set (Shoprenter's behaviour here is unknown). */
  retryAfterSeconds?: number;
  latencyMs?: number;
  orders?: Record<string, unknown>[];
  catalog?: Partial<ReturnType<typeof shopCatalog>>;
  /** Order-list order (default by dateUpdated) and page cap; see shoprenter-standin-listing.ts. */
  listOrder?: ListingControls['order'];
  pageCap?: number;
  /** Which ends of the list's date filters keep the orders exactly on them (default `[]`); see BoundShape. */
  listBounds?: BoundShape;
  /** The API client's granted scopes; when given, product writes without product.product:write answer 401 40101. */
  scopes?: readonly string[];
  /** Product writes: any body (default) or only one wrapped in {"data": ...} (40001 otherwise). */
  productBody?: 'either' | 'wrapped';
  /** A PUT to an unknown product id creates it (the docs suggest a PUT with an API id may); default 404. */
  putCreates?: boolean;
  /** How `POST /batch` counts against the rate limit, or `absent`; default `one` (shoprenter-standin-batch.ts). */
  batch?: BatchCounting;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  query: string;
  /** Arrival time, ms (performance.timeOrigin + performance.now()). */
  time: number;
  /** 0 while pending or when the socket was dropped. */
  status: number;
  /** Arrival to answer, ms; unset while pending or when dropped (for the benchmark's floor). */
  durationMs?: number;
}

export interface ShoprenterStandin {
  url: string;
  tokenUrl: string;
  shop: string;
  clientId: string;
  clientSecret: string;
  stats: { requests: number; byPath: Record<string, number>; status429: number; tokenRequests: number };
  requestLog: RequestLogEntry[];
  /** The GETs served inside `POST /batch` requests (each batch itself is one requestLog entry). */
  batchLog: RequestLogEntry[];
  /** Every access token issued so far, for tests that prove no token reaches a log or the database. */
  issuedTokens: string[];
  /**
   * Stores an orderExtend item as given. An order from buildShoprenterOrder also brings its
   * products' options and units (served at /orderProductOptions and /productExtend/{id}, never
   * embedded in the order); for any other order, add them with `addEnrichment`.
   */
  addOrder(raw: Record<string, unknown>, meta?: { storno?: boolean }): void;
  addOrders(raws: Record<string, unknown>[]): void;
  /**
   * Serves option items per orderProduct id and products with a measurement unit per product id
   * (the golden corpus's `enrichment` key); a unit of null deletes the product (404).
   */
  addEnrichment(enrichment: ShoprenterEnrichment): void;
  /** Shallow-merges `patch` into the order found by API id or innerId. */
  updateOrder(ref: string, patch: Record<string, unknown>, meta?: { storno?: boolean }): void;
  /**
   * What a shop admin's "storno" does (reference §6): the order drops out of every listing with
   * `excludeStorno=1`, and its dateUpdated moves to `at` (Shoprenter does not document that a
   * storno bumps dateUpdated; the stand-in assumes it does, as OpenCart does for any order edit).
   * `storno: false` restores it.
   */
  setStorno(ref: string, storno: boolean, at: string): void;
  /** Moves the order to status `statusId` (inner id) at `at`, as an admin's status change does. */
  setOrderStatus(ref: string, statusId: number, at: string): void;
  setCatalog(resource: keyof ReturnType<typeof shopCatalog>, items: Record<string, unknown>[]): void;
  /** List order, page cap, bound shape and a hook run before each order-list answer; changeable mid-test. */
  listing: ListingControls;
  setFault(...faults: StandinFault[]): void;
  clearFaults(): void;
  /** Products with stock fields (shoprenter-standin-products.ts); an order placed later subtracts from them. */
  addProducts(specs: readonly StockProductSpec[]): void;
  /** A stored product by API id or SKU (the live object: tests read its stock fields). */
  product(ref: string): Record<string, unknown> | undefined;
  /** The API ids of every stored product. */
  productIds(): string[];
  /** Deletes a product, as the shop owner does in the admin. */
  deleteProduct(id: string): void;
  /** Every PUT/POST /products/{id} received, with the fields as sent. */
  productWrites: ProductWrite[];
  /** Test hook run when a product write arrives, before it is applied (e.g. an order placed mid-round). */
  productHooks: { beforeWrite?: (productId: string) => void };
  /** Invalidates every issued token, so the next API call answers 401. */
  expireTokens(): void;
  resetStats(): void;
  close(): Promise<void>;
}
