import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { DeliveryOutcome } from './metrics.js';
import { parseWebhookBody } from './webhook-body.js';

export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;
const WEBHOOK_PREFIX = '/webhooks/shoprenter/';
const WRONG_SECRET_REPORT_MS = 60_000;

export interface HttpServerDeps {
  port: number;
  /** Listen address; 127.0.0.1 unless HTTP_HOST says otherwise. */
  host: string;
  /** Null: no webhook route at all (every webhook path answers 404). */
  webhookSecret: string | null;
  logger: Logger;
  /** Webhook orders accepted: called after the 200 went out, synchronously, without any remote call. */
  onOrders(refs: string[], receivedAt: number): void;
  onDelivery(outcome: DeliveryOutcome): void;
  health(): { healthy: boolean; body: Record<string, unknown> };
  metrics(): Promise<{ contentType: string; text: string }>;
  /** How long a client may take to send its headers; the default below, shorter in tests. */
  headersTimeoutMs?: number;
}

/** A client that has not sent its whole headers by then is cut (408), so a stalled one holds no socket. */
export const HEADERS_TIMEOUT_MS = 10_000;
/** A whole request (headers and the ≤ 1 MB body) by then. */
export const REQUEST_TIMEOUT_MS = 15_000;

export interface HttpListener {
  port: number;
  close(): Promise<void>;
}

/**
 * The optional listener (SPEC §5) on Node's own http module: the webhook route, /healthz and
 * /metrics. The webhook path holds the secret, so no log line, at any level, contains a request
 * path; a wrong secret is only counted (404, and one info line a minute with the count).
 */
export async function startHttpServer(deps: HttpServerDeps): Promise<HttpListener> {
  const secretHash = deps.webhookSecret === null ? null : sha256(deps.webhookSecret);
  let wrongSecrets = 0;
  let lastReport = 0;

  const countWrongSecret = (): void => {
    deps.onDelivery('bad_secret');
    wrongSecrets += 1;
    if (Date.now() - lastReport < WRONG_SECRET_REPORT_MS) return;
    deps.logger.info('webhook requests with a wrong or missing secret answered 404', { count: wrongSecrets });
    wrongSecrets = 0;
    lastReport = Date.now();
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<string> => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path.startsWith(WEBHOOK_PREFIX)) {
      const given = path.slice(WEBHOOK_PREFIX.length);
      if (secretHash === null || !timingSafeEqual(sha256(given), secretHash)) {
        countWrongSecret();
        reply(res, 404, { error: 'not found' });
        return 'webhook (refused)';
      }
      // The secret is right, so the sender is ours (a person testing the URL in a browser, a proxy
      // rewriting the method): say what is wrong instead of counting it as a wrong secret.
      if (req.method !== 'POST') {
        deps.onDelivery('wrong_method');
        res.setHeader('allow', 'POST');
        reply(res, 405, { error: 'only POST' });
        return 'webhook (wrong method)';
      }
      await webhook(req, res);
      return 'webhook';
    }
    if (req.method === 'GET' && path === '/healthz') {
      const { healthy, body } = deps.health();
      reply(res, healthy ? 200 : 503, body);
      return path;
    }
    if (req.method === 'GET' && path === '/metrics') {
      const { contentType, text } = await deps.metrics();
      res.writeHead(200, { 'content-type': contentType }).end(text);
      return path;
    }
    reply(res, 404, { error: 'not found' });
    return 'other';
  };

  const webhook = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const receivedAt = Date.now();
    const body = await readBody(req, MAX_WEBHOOK_BODY_BYTES);
    if (body === null) {
      deps.onDelivery('too_large');
      res.setHeader('connection', 'close');
      reply(res, 413, { error: 'body over 1 MB' });
      return;
    }
    const parsed = parseWebhookBody(req.headers['content-type'], body);
    if (!parsed.ok) {
      deps.onDelivery('malformed');
      deps.logger.debug('webhook body refused', { reason: parsed.reason });
      reply(res, 400, { error: parsed.reason });
      return;
    }
    deps.onDelivery('accepted');
    reply(res, 200, { ok: true, orders: parsed.refs.length });
    deps.onOrders(parsed.refs, receivedAt);
  };

  const headersTimeout = deps.headersTimeoutMs ?? HEADERS_TIMEOUT_MS;
  // Slow or stalled clients must not hold sockets open. Node enforces both limits only when it
  // checks its connections, every 30 s by default, which would let a stalled client stay 40 s:
  // checking every second (a tenth of the limit when shorter) cuts it at the limit.
  const options = {
    headersTimeout,
    requestTimeout: Math.max(REQUEST_TIMEOUT_MS, headersTimeout),
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(headersTimeout / 10))),
  };
  const server = createServer(options, (req, res) => {
    const started = performance.now();
    route(req, res)
      .then((what) => deps.logger.debug('http request', { method: req.method, route: what, status: res.statusCode, ms: Math.round(performance.now() - started) }))
      .catch((error: unknown) => {
        deps.logger.warn('http request failed', { error: (error as Error).message });
        if (!res.headersSent) reply(res, 500, { error: 'internal error' });
        else res.destroy();
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new ConfigError(`HTTP_PORT ${deps.port} on ${deps.host} cannot be used (${error.code ?? 'listen failed'}); choose a free port, check HTTP_HOST, or unset HTTP_PORT.`)),
    );
    server.listen(deps.port, deps.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function reply(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}

/** The whole body, or null as soon as it is known to exceed `limit` (the rest is discarded). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.resolve(null);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        resolve(null);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}
