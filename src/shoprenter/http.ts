import { ShoprenterError } from '../errors.js';
import type { HttpAnswer } from '../net-request.js';
import type { ShoprenterSend } from './send.js';
import type { AuthProvider, RequestInfo } from './auth.js';
import type { RateLimiter } from './rate-limiter.js';
import { networkProblem } from '../net-words.js';

export interface ShoprenterLogger {
  debug(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
}

export interface RetryPolicy {
  /**
   * How long one read may keep retrying, counted from its first attempt: a wait that would end past
   * it is not started, and the read gives up instead. A storm of 429/5xx answers shorter than this
   * is ridden out inside the cycle; `check` uses a short one so an unreachable host fails fast.
   */
  budgetMs: number;
  /** Also give up after this many retries (tests); default: only the time budget bounds them. */
  maxRetries?: number;
  /** First backoff step; doubled per retry, capped at `maxBackoffMs`, with jitter. */
  baseMs: number;
  maxBackoffMs: number;
}

export interface GetOptions {
  /** Noun phrase for messages: "the order list", "order 1234". */
  what: string;
  /** 404 answers null instead of throwing. */
  allowNotFound?: boolean;
  /** 400 answers with these Shoprenter error codes answer null (40008: page past the end, reference §5.2). */
  nullOnErrorCodes?: readonly number[];
  /**
   * Called on a 504 ("make the request smaller", reference §2.2). Returning true means the caller
   * shrank the request, so the next attempt is tried at once and not counted as a failure.
   */
  onGatewayTimeout?: () => boolean;
}

const RETRY_AFTER_CUSHION_MS = 100;
const WORDS = [
  'zero',
  'once',
  'twice',
  'three times',
  'four times',
  'five times',
  'six times',
  'seven times',
  'eight times',
  'nine times',
  'ten times',
];
const times = (n: number) => WORDS[n] ?? `${n} times`;

/**
 * One GET with Shoprenter's failure modes handled: pacing through the shared limiter, one token
 * renewal on a 401, capped exponential backoff with jitter on 429/5xx/network errors (honouring
 * Retry-After), and an answer that must be JSON. Reads are safe to repeat.
 */
export class ShoprenterHttp {
  constructor(
    private readonly send: ShoprenterSend,
    private readonly auth: AuthProvider,
    private readonly limiter: RateLimiter,
    private readonly retry: RetryPolicy,
    private readonly hooks: {
      onRequest?: (info: RequestInfo) => void;
      logger?: ShoprenterLogger;
      sleep?: (ms: number) => Promise<void>;
      /** Milliseconds, monotonic; tests may pass their own. */
      clock?: () => number;
      /**
       * True once the process is stopping (a signal, a lost writer lock). A read then gives up
       * instead of riding out a storm: the 90 s budget must not outlast the shutdown grace.
       */
      stopping?: () => boolean;
    } = {},
  ) {}

  async getJson(buildUrl: () => URL, options: GetOptions): Promise<unknown> {
    const { what } = options;
    const failures: string[] = [];
    let renewed = false;
    const started = this.clock();
    const fail = async (problem: string, waitMs?: number): Promise<void> => {
      failures.push(problem);
      const wait = waitMs ?? this.backoff(failures.length);
      const overBudget = this.clock() - started + wait > this.retry.budgetMs;
      if (overBudget || failures.length > (this.retry.maxRetries ?? Infinity) || this.stopping()) throw this.exhausted(what, failures);
      this.hooks.logger?.debug('Shoprenter request failed; retrying', {
        what,
        problem,
        attempt: failures.length,
        waitMs: Math.round(wait),
      });
      await this.sleepUnlessStopping(wait);
      if (this.stopping()) throw this.exhausted(what, failures);
    };

    for (;;) {
      let authorization: string;
      try {
        authorization = await this.auth.authorization();
      } catch (error) {
        if (!(error instanceof ShoprenterError) || !error.temporary) throw error;
        await fail(error.status ? String(error.status) : error.code === 'SHOPRENTER_NETWORK' ? networkLabel(error) : 'token');
        continue;
      }

      await this.limiter.acquire();
      const url = buildUrl();
      const response = await this.answer(url, authorization);
      if (typeof response === 'string') {
        await fail(response);
        continue;
      }
      const status = response.statusCode;
      if (status >= 200 && status < 300) {
        const body = parseJson(response.text);
        if (body !== undefined) return body;
        await fail(response.text.trimStart().startsWith('<') ? 'xml' : 'malformed');
        continue;
      }
      if (status === 401 && !renewed && this.auth.invalidate()) {
        renewed = true;
        continue;
      }
      if (status === 401 || status === 403) throw this.authError(status, what, renewed);
      if (status === 404 && options.allowNotFound) return null;
      if (status === 400) {
        const { code, message } = errorBody(response.text);
        if (code !== null && options.nullOnErrorCodes?.includes(code)) return null;
        const detail = message ? `: ${message}` : '';
        throw new ShoprenterError(
          'SHOPRENTER_HTTP',
          `Shoprenter rejected the request for ${what} (400${code ? ` ${code}` : ''}${detail}).`,
          false,
          { status },
        );
      }
      if (status === 504 && options.onGatewayTimeout?.()) {
        this.hooks.logger?.warn('Shoprenter timed out on a list page; asking for a smaller page', { what });
        continue;
      }
      if (status === 429 || status >= 500) {
        const retryAfter = status === 429 || status === 503 ? retryAfterMs(response.headers['retry-after']) : null;
        if (retryAfter !== null && retryAfter > this.retry.budgetMs) {
          throw new ShoprenterError(
            'SHOPRENTER_RATE_LIMITED',
            `Shoprenter asked to wait ${Math.ceil(retryAfter / 1000)} s before ${what}; will try again next cycle.`,
            true,
            { status },
          );
        }
        // A little over Retry-After: timers may fire a hair early and the server's clock is not ours.
        await fail(String(status), retryAfter === null ? undefined : retryAfter + RETRY_AFTER_CUSHION_MS);
        continue;
      }
      if (status >= 300 && status < 400) {
        // Redirects are not followed: the Authorization header must not travel to another URL.
        throw new ShoprenterError(
          'SHOPRENTER_HTTP',
          `Shoprenter redirected the request for ${what} (${status}); check SHOPRENTER_API_URL.`,
          false,
          { status },
        );
      }
      throw new ShoprenterError('SHOPRENTER_HTTP', `Shoprenter answered ${status} for ${what}.`, false, { status });
    }
  }

  /** The response, or a short problem label when no HTTP answer arrived. */
  private async answer(url: URL, authorization: string): Promise<HttpAnswer | string> {
    const started = performance.now();
    const report = (status: number) =>
      this.hooks.onRequest?.({ method: 'GET', url: url.toString(), status, durationMs: Math.round(performance.now() - started) });
    try {
      const response = await this.send(url, { method: 'GET', headers: { authorization } });
      report(response.statusCode);
      return response;
    } catch (error) {
      report(0);
      // Keep only the code: nothing of the request (its Authorization header) may reach a message.
      const code = (error as { code?: unknown }).code;
      return typeof code === 'string' ? networkProblem(code, url.host) : 'network';
    }
  }

  private backoff(failureCount: number): number {
    const ceiling = Math.min(this.retry.maxBackoffMs, this.retry.baseMs * 2 ** (failureCount - 1));
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }

  private clock(): number {
    return this.hooks.clock ? this.hooks.clock() : performance.now();
  }

  private stopping(): boolean {
    return this.hooks.stopping?.() ?? false;
  }

  /** Sleeps in slices of at most 250 ms so a stop cuts a long backoff or Retry-After short. */
  private async sleepUnlessStopping(ms: number): Promise<void> {
    if (!this.hooks.stopping) return this.sleep(ms);
    const until = this.clock() + ms;
    for (let left = ms; left > 0 && !this.stopping(); left = until - this.clock()) await this.sleep(Math.min(left, 250));
  }

  private sleep(ms: number): Promise<void> {
    return this.hooks.sleep ? this.hooks.sleep(ms) : new Promise((resolve) => setTimeout(resolve, ms));
  }

  private exhausted(what: string, failures: string[]): ShoprenterError {
    const last = failures[failures.length - 1] ?? 'network';
    const n = failures.length;
    const status = /^\d+$/.test(last) ? Number(last) : undefined;
    const code =
      status === 429
        ? 'SHOPRENTER_RATE_LIMITED'
        : status
          ? 'SHOPRENTER_HTTP'
          : last === 'xml' || last === 'malformed'
            ? 'SHOPRENTER_BAD_RESPONSE'
            : 'SHOPRENTER_NETWORK';
    const lastText = status
      ? `answered ${status}`
      : last === 'xml'
        ? 'sent XML instead of JSON'
        : last === 'malformed'
          ? 'sent an unreadable answer'
          : `could not be reached (${last})`;
    const summary = failures.every((f) => f === last) ? `${lastText} ${times(n)}` : `failed ${times(n)} in a row (last it ${lastText})`;
    return new ShoprenterError(code, `Shoprenter ${summary} for ${what}; will try again next cycle.`, true, { status });
  }

  private authError(status: number, what: string, renewed: boolean): ShoprenterError {
    const message =
      this.auth.kind === 'basic'
        ? `Shoprenter refused the API user and password (${status}) for ${what}; check SHOPRENTER_API_USER and SHOPRENTER_API_PASSWORD.`
        : `Shoprenter answered ${status} for ${what}${renewed ? ' even with a fresh token' : ''}; check the API client's permissions (scopes) in the shop admin.`;
    return new ShoprenterError('SHOPRENTER_AUTH', message, false, { status });
  }
}

/** The token endpoint's network problem (host and cause), carried as the error's cause. */
function networkLabel(error: ShoprenterError): string {
  return error.cause instanceof Error ? error.cause.message : 'network';
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return null;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Shoprenter's error body: `{"error": 40008, "message": "..."}` (format partly undocumented, §2.3). */
function errorBody(text: string): { code: number | null; message: string | null } {
  const body = parseJson(text) as { error?: unknown; message?: unknown } | undefined;
  const code = body && /^\d+$/.test(String(body.error)) ? Number(body.error) : null;
  const message = body && typeof body.message === 'string' ? body.message.slice(0, 200) : null;
  return { code, message };
}
