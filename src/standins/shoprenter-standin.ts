import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { shopCatalog } from './shoprenter-fixtures.js';
import { builtOrderEnrichment } from './shoprenter-order-builder.js';
import type { ShoprenterEnrichment } from './shoprenter-order-builder.js';
import { answerApi, registerEnrichment, shoprenterError, toXml } from './shoprenter-standin-api.js';
import type { ApiAnswer, ApiData, StoredOrder } from './shoprenter-standin-api.js';
import { defaultListing, type ListingControls } from './shoprenter-standin-listing.js';
import { DEFAULT_SHOP, statusHref } from './shoprenter-wire.js';
import { answerWebHookWrite } from './shoprenter-standin-webhooks.js';
import { answerBatch, standinBatchHooks, type BatchHooks } from './shoprenter-standin-batch.js';
import { addStockProducts, answerProductWrite, subtractOrderStock, type ProductWrite } from './shoprenter-standin-products.js';

export type { StandinFault, ShoprenterStandinOptions, RequestLogEntry, ShoprenterStandin } from './shoprenter-standin-types.js';
import type { StandinFault, ShoprenterStandinOptions, RequestLogEntry, ShoprenterStandin } from './shoprenter-standin-types.js';

const now = () => performance.timeOrigin + performance.now();
const HTML_ERROR = (status: number) =>
  `<!DOCTYPE html><html><head><title>${status}</title></head><body><h1>${status} Error</h1><p>nginx</p></body></html>`;

/**
 * A real HTTP server that behaves like the Shoprenter API as reference/shoprenter-api.md
 * describes it, quirks and limits included: OAuth client-credentials tokens, XML unless JSON is
 * asked for, 0-based paging with 400 past the end, 3 requests per sliding second, and injectable
 * faults. For tests, `demo` and the benchmark.
 */
export async function startShoprenterStandin(options: ShoprenterStandinOptions = {}): Promise<ShoprenterStandin> {
  const shop = options.shop ?? DEFAULT_SHOP;
  const clientId = options.clientId ?? 'standin-client-id';
  const clientSecret = options.clientSecret ?? 'standin-client-secret';
  const ttl = options.tokenTtlSeconds ?? 3600;
  const rateLimit = options.rateLimitPerSecond ?? 3;
  const orders = new Map<string, StoredOrder>();
  const catalog: Record<string, Record<string, unknown>[]> = { ...shopCatalog(shop), webHooks: [], ...options.catalog };
  const listing: ListingControls = {
    ...defaultListing(),
    order: options.listOrder ?? 'dateUpdated',
    pageCap: options.pageCap ?? null,
    bounds: options.listBounds ?? '[]',
  };
  const data: ApiData = { shop, orders, catalog, orderProductOptions: new Map(), products: new Map(), listing };
  let nextOptionId = 1;
  const addEnrichment = (enrichment: ShoprenterEnrichment) => {
    nextOptionId += registerEnrichment(data, structuredClone(enrichment), nextOptionId);
  };
  const tokens = new Map<string, number>();
  const issuedTokens: string[] = [];
  const admitted: number[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let faults: StandinFault[] = [];
  const stats = { requests: 0, byPath: {} as Record<string, number>, status429: 0, tokenRequests: 0 };
  const requestLog: RequestLogEntry[] = [];
  const batchLog: RequestLogEntry[] = [];
  const tokenPath = `/oauth/${shop}/app/token`;

  const delay = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const updateOrder = (ref: string, patch: Record<string, unknown>, meta?: { storno?: boolean }) => {
    const found = orders.get(ref) ?? [...orders.values()].find((o) => String(o.raw['innerId']) === ref);
    if (!found) throw new Error(`stand-in has no order ${ref}`);
    Object.assign(found.raw, structuredClone(patch));
    if (meta?.storno !== undefined) found.storno = meta.storno;
  };
  const productWrites: ProductWrite[] = [];
  const productHooks: ShoprenterStandin['productHooks'] = {};
  const addOrder = (raw: Record<string, unknown>, meta: { storno?: boolean } = {}) => {
    const placed = !orders.has(String(raw['id']));
    orders.set(String(raw['id']), { raw: structuredClone(raw), storno: meta.storno ?? false });
    const enrichment = builtOrderEnrichment(raw);
    if (enrichment) addEnrichment(enrichment);
    if (placed) subtractOrderStock(data, raw);
  };
  for (const raw of options.orders ?? []) addOrder(raw);

  const rateLimited = (at: number): boolean => {
    while (admitted.length > 0 && (admitted[0] ?? 0) <= at - 1000) admitted.shift();
    if (rateLimit > 0 && admitted.length >= rateLimit) return true;
    admitted.push(at);
    return false;
  };

  const takeFault = (isToken: boolean, apiPath: string): StandinFault | null => {
    const head = faults[0];
    if (!head) return null;
    const target = head.target ?? 'api';
    if (target !== 'any' && (target === 'token') !== isToken) return null;
    if (head.path && !apiPath.startsWith(head.path)) return null;
    const left = (head.times ?? 1) - 1;
    if (left > 0) faults[0] = { ...head, times: left };
    else faults.shift();
    return head;
  };

  const authorized = (req: IncomingMessage): boolean => {
    const header = req.headers.authorization ?? '';
    if (header.startsWith('Bearer ')) {
      const expires = tokens.get(header.slice(7));
      return expires !== undefined && now() < expires;
    }
    if (header.startsWith('Basic ') && options.basic) {
      const [user, ...password] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':');
      return user === options.basic.user && password.join(':') === options.basic.password;
    }
    return false;
  };

  const issueToken = (body: string): ApiAnswer => {
    let request: Record<string, unknown>;
    try {
      request = JSON.parse(body) as Record<string, unknown>;
    } catch {
      return {
        status: 400,
        body: { error: 'invalid_request', error_description: 'The request is malformed.', message: 'The request is malformed.' },
      };
    }
    if (request['grant_type'] !== 'client_credentials') {
      return {
        status: 400,
        body: { error: 'unsupported_grant_type', error_description: 'The authorization grant type is not supported.' },
      };
    }
    if (typeof request['client_id'] !== 'string') {
      return {
        status: 400,
        body: {
          error: 'invalid_request',
          hint: 'Check the `client_id` parameter',
          message: 'The request is missing a required parameter.',
        },
      };
    }
    if (request['client_id'] !== clientId || request['client_secret'] !== clientSecret) {
      return {
        status: 401,
        body: { error: 'invalid_client', error_description: 'Client authentication failed', message: 'Client authentication failed' },
      };
    }
    const token = `standin.${randomBytes(12).toString('hex')}`;
    tokens.set(token, now() + ttl * 1000);
    issuedTokens.push(token);
    return { status: 200, body: { token_type: 'Bearer', expires_in: ttl, access_token: token } };
  };

  const batchHooks = (req: IncomingMessage): BatchHooks =>
    standinBatchHooks(req.headers.host, {
      serve: (path, query) => answerApi(data, path, query),
      faults: () => faults,
      takeFault: (path) => takeFault(false, path),
      admit: () => !rateLimited(now()),
      log: (entry) => void batchLog.push({ ...entry, time: now() }),
    });

  const handle = async (req: IncomingMessage, res: ServerResponse, body: string) => {
    const arrival = now();
    const url = new URL(req.url ?? '/', 'http://standin');
    const entry: RequestLogEntry = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.search.slice(1),
      time: arrival,
      status: 0,
    };
    requestLog.push(entry);
    stats.requests += 1;
    stats.byPath[url.pathname] = (stats.byPath[url.pathname] ?? 0) + 1;
    const isToken = url.pathname === tokenPath;
    if (isToken) stats.tokenRequests += 1;
    const wantsJson = isToken || (req.headers.accept ?? '').includes('application/json');

    const send = (answer: ApiAnswer, format: 'json' | 'xml' | 'html' | 'text', headers: Record<string, string> = {}, truncate = false) => {
      entry.status = answer.status;
      if (answer.status === 429) stats.status429 += 1;
      let text = format === 'xml' ? toXml(answer.body) : format === 'json' ? JSON.stringify(answer.body) : String(answer.body);
      if (truncate) text = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
      const type = { json: 'application/json', xml: 'application/xml', html: 'text/html', text: 'text/plain' }[format];
      res.writeHead(answer.status, { 'content-type': `${type}; charset=utf-8`, ...headers });
      res.end(text);
      entry.durationMs = now() - arrival;
    };

    if (rateLimited(arrival)) {
      const headers: Record<string, string> =
        options.retryAfterSeconds === undefined ? {} : { 'retry-after': String(options.retryAfterSeconds) };
      send({ status: 429, body: 'Too Many Requests' }, 'text', headers);
      return;
    }
    const apiPath = url.pathname.startsWith('/api/') ? url.pathname.slice(4) : '';
    const fault = takeFault(isToken, apiPath);
    if (options.latencyMs) await delay(options.latencyMs);
    if (fault?.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'slow') await delay(fault.delayMs ?? 60_000);
    if (fault?.kind === 'status') {
      const status = fault.status ?? 500;
      const headers: Record<string, string> = fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter };
      send({ status, body: status === 429 ? 'Too Many Requests' : HTML_ERROR(status) }, status === 429 ? 'text' : 'html', headers);
      return;
    }

    let answer: ApiAnswer;
    if (isToken) answer = req.method === 'POST' ? issueToken(body) : { status: 405, body: { error: 'invalid_request' } };
    else if (!apiPath) answer = shoprenterError(404, 40401, 'Resource not found!');
    else if (!authorized(req)) answer = { status: 401, body: { error: 401, message: 'Unauthorized' } };
    else if (req.method !== 'GET' && apiPath.startsWith('/webHooks')) answer = answerWebHookWrite(data, req.method ?? '', apiPath, body);
    else if ((req.method === 'PUT' || req.method === 'POST') && apiPath.startsWith('/products/') && options.scopes && !options.scopes.includes('product.product:write')) {
      answer = shoprenterError(401, 40101, 'You have no permission for this operation!');
    } else if ((req.method === 'PUT' || req.method === 'POST') && apiPath.startsWith('/products/')) {
      answer = answerProductWrite(data, req.method, apiPath, body, productWrites, productHooks.beforeWrite, options.productBody, options.putCreates ?? false);
    } else if (req.method === 'POST' && apiPath === '/batch') answer = answerBatch(body, options.batch ?? 'one', batchHooks(req));
    else if (req.method !== 'GET') answer = shoprenterError(405, 40501, 'Method not allowed!');
    else answer = answerApi(data, apiPath, url.searchParams);

    const format = fault?.kind === 'xml' || !wantsJson ? 'xml' : 'json';
    send(answer, format, {}, fault?.kind === 'malformed');
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks).toString('utf8')).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  return {
    url: `${origin}/api`,
    tokenUrl: `${origin}${tokenPath}`,
    shop,
    clientId,
    clientSecret,
    stats,
    requestLog,
    batchLog,
    issuedTokens,
    addOrder,
    addOrders: (raws) => raws.forEach((raw) => addOrder(raw)),
    addEnrichment,
    updateOrder,
    setStorno(ref, storno, at) {
      updateOrder(ref, { dateUpdated: at }, { storno });
    },
    setOrderStatus(ref, statusId, at) {
      updateOrder(ref, { orderStatus: { href: statusHref(shop, statusId) }, dateUpdated: at });
    },
    listing,
    setCatalog(resource, items) {
      catalog[resource] = items;
    },
    setFault(...more) {
      faults.push(...more);
    },
    clearFaults() {
      faults = [];
    },
    addProducts: (specs) => addStockProducts(data, specs),
    product: (ref) => data.products.get(ref) ?? [...data.products.values()].find((p) => p['sku'] === ref),
    productIds: () => [...data.products.keys()],
    deleteProduct: (id) => void data.products.delete(id),
    productWrites,
    productHooks,
    expireTokens() {
      tokens.clear();
    },
    resetStats() {
      Object.assign(stats, { requests: 0, byPath: {}, status429: 0, tokenRequests: 0 });
      requestLog.length = 0;
      batchLog.length = 0;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
