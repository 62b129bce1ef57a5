import { z } from 'zod';
import type { AuthProvider, RequestInfo } from './auth.js';
import type { ShoprenterLogger } from './http.js';
import type { ShoprenterSend } from './send.js';
import type { RateLimiter } from './rate-limiter.js';

/**
 * `POST /batch` for reads (reference §2.4): many GETs in one request. What Shoprenter documents:
 * the body `{"data":{"requests":[{"method","uri"}]}}`, an answer of 200 even when sub-requests
 * fail (`requests.request[].response.header.statusCode`, a string or a number), at most 200
 * sub-requests, batches sent one after another. What it does not: whether a batch counts as one
 * request or as many against the 3 a second (UNKNOWN). So a batch is only ever a shortcut: any
 * answer that is not exactly the documented one (another status, another shape, another length,
 * a sub-request's URI that is not the one sent, a network failure) returns null and the caller
 * makes the same reads one by one; a sub-request that did not answer 200 is read on its own too.
 * After such a failure, or a sub-request refused with 429 (the batch counted as many here), the
 * shortcut rests for `COOLDOWN_MS` rather than cost a wasted request per order.
 */

/** Shoprenter's recommended maximum of sub-requests per batch (reference §2.4). */
export const MAX_BATCH = 200;
/** How long batches are not tried after one could not be used. */
export const COOLDOWN_MS = 15 * 60 * 1000;

export interface BatchAnswer {
  status: number;
  body: unknown;
}

export interface BatchDeps {
  send: ShoprenterSend;
  auth: AuthProvider;
  limiter: RateLimiter;
  onRequest?: ((info: RequestInfo) => void) | undefined;
  logger?: ShoprenterLogger | undefined;
  /** Milliseconds, for the cooldown; tests may pass their own. */
  clock?: () => number;
}

const StatusCode = z.union([z.number().int(), z.string().regex(/^\d{3}$/).transform(Number)]);
const SubAnswer = z.object({
  method: z.string().optional(),
  uri: z.string().optional(),
  response: z.object({ header: z.object({ statusCode: StatusCode }), body: z.unknown().optional() }),
});
/** `requests.request` is a list; a one-item list may arrive as the item itself (an XML->JSON habit). */
const BatchEnvelope = z.object({
  requests: z.object({ request: z.preprocess((v): unknown[] => (Array.isArray(v) ? (v as unknown[]) : v === undefined || v === null ? [] : [v]), z.array(SubAnswer)) }),
});

export class BatchReads {
  private restingUntil = -Infinity;

  constructor(
    private readonly base: URL,
    private readonly deps: BatchDeps,
  ) {}

  /** Whether a batch is worth trying now (not resting after a failure). */
  usable(): boolean {
    return this.now() >= this.restingUntil;
  }

  /**
   * The answers to GETs of `urls`, in order; null when the batch could not be used (the caller
   * reads them one by one). More than MAX_BATCH URLs are sent as consecutive batches.
   */
  async get(urls: readonly URL[], what: string): Promise<BatchAnswer[] | null> {
    const answers: BatchAnswer[] = [];
    for (let at = 0; at < urls.length; at += MAX_BATCH) {
      const part = await this.send(urls.slice(at, at + MAX_BATCH), what);
      if (part === null) return null;
      answers.push(...part);
    }
    if (answers.some((a) => a.status === 429)) this.rest(what, 'a sub-request was refused as too many (429)');
    return answers;
  }

  private async send(urls: readonly URL[], what: string): Promise<BatchAnswer[] | null> {
    if (!this.usable()) return null;
    const uris = urls.map((url) => url.toString());
    const body = JSON.stringify({ data: { requests: uris.map((uri) => ({ method: 'GET', uri })) } });
    const url = new URL(this.base.toString());
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/batch`;
    for (let renewed = false; ; renewed = true) {
      let authorization: string;
      try {
        authorization = await this.deps.auth.authorization();
      } catch {
        // The single reads meet the same token trouble and report it properly.
        return null;
      }
      await this.deps.limiter.acquire();
      const started = performance.now();
      let status = 0;
      let text = '';
      try {
        const response = await this.deps.send(url, { method: 'POST', headers: { authorization }, body });
        status = response.statusCode;
        text = response.text;
      } catch {
        // No answer: nothing was written (only GETs), the single reads retry as reads do.
      } finally {
        this.deps.onRequest?.({ method: 'POST', url: url.toString(), status, durationMs: Math.round(performance.now() - started) });
      }
      if (status === 401 && !renewed && this.deps.auth.invalidate()) continue;
      if (status !== 200) return this.rest(what, status === 0 ? 'no answer' : `answered ${status}`);
      return this.read(text, uris, what);
    }
  }

  private read(text: string, uris: readonly string[], what: string): BatchAnswer[] | null {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return this.rest(what, 'an unreadable answer');
    }
    const parsed = BatchEnvelope.safeParse(json);
    if (!parsed.success || parsed.data.requests.request.length !== uris.length) return this.rest(what, 'an answer of another shape');
    const items = parsed.data.requests.request;
    // Matched by position; an echoed URI must be the one sent there, or the answers cannot be trusted.
    if (items.some((item, i) => item.uri !== undefined && !sameUri(item.uri, uris[i] ?? ''))) return this.rest(what, 'answers in another order');
    return items.map((item) => ({ status: item.response.header.statusCode, body: item.response.body }));
  }

  private rest(what: string, problem: string): null {
    const first = this.usable();
    this.restingUntil = this.now() + COOLDOWN_MS;
    // Said once per rest: each order meanwhile simply makes its reads one by one.
    if (first) this.deps.logger?.warn('Shoprenter batch read not usable; reading one by one for a while', { what, problem, minutes: COOLDOWN_MS / 60_000 });
    return null;
  }

  private now(): number {
    return this.deps.clock ? this.deps.clock() : performance.now();
  }
}

/** The same URI, allowing for escaping differences (`=` in base64 ids). */
function sameUri(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return decodeURIComponent(a) === decodeURIComponent(b);
  } catch {
    return false;
  }
}
