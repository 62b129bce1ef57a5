import { ShoprenterError } from '../errors.js';
import { networkProblem } from '../net-words.js';
import type { AuthProvider, RequestInfo } from './auth.js';
import { retryAfterMs } from './http.js';
import type { ShoprenterSend } from './send.js';
import type { RateLimiter } from './rate-limiter.js';

export interface WriteDeps {
  send: ShoprenterSend;
  auth: AuthProvider;
  limiter: RateLimiter;
  onRequest?: (info: RequestInfo) => void;
  stopping?: (() => boolean) | undefined;
}

const MAX_ATTEMPTS = 4;

/**
 * `PUT /products/{id}` with only `fields` in a bare JSON body (reference/stock.md: only the fields
 * sent change; `id` is never sent, it would set the Outer ID). The value is absolute, so a repeat
 * after a 429, a 5xx or a lost answer sets the same value: retried a few times, then the round
 * stops and the next one recomputes. Success is recognised: a 2xx whose product (when the answer
 * carries one) holds the values sent.
 */
export async function putProductFields(deps: WriteDeps, url: URL, fields: Record<string, string>): Promise<void> {
  const what = 'a product stock write';
  let renewed = false;
  let wrapped = false;
  let last = '';
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
    if (deps.stopping?.()) break;
    const authorization = await deps.auth.authorization();
    await deps.limiter.acquire();
    const started = performance.now();
    let status = 0;
    let body = '';
    let retryAfter: string | string[] | undefined;
    try {
      const response = await deps.send(url, { method: 'PUT', headers: { authorization }, body: JSON.stringify(wrapped ? { data: fields } : fields) });
      status = response.statusCode;
      body = response.text;
      retryAfter = response.headers['retry-after'];
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      last = typeof code === 'string' ? networkProblem(code, url.host) : 'network';
    } finally {
      deps.onRequest?.({ method: 'PUT', url: url.toString(), status, durationMs: Math.round(performance.now() - started) });
    }
    if (status >= 200 && status < 300) {
      if (confirms(body, fields)) return;
      throw new ShoprenterError('SHOPRENTER_BAD_RESPONSE', `Shoprenter answered ${what} without the value sent; will check again next round.`, true, { status });
    }
    if (status === 401 && !renewed && deps.auth.invalidate()) {
      renewed = true;
      attempt -= 1;
      continue;
    }
    if (status === 401 || status === 403) {
      throw new ShoprenterError('SHOPRENTER_AUTH', `Shoprenter answered ${status} to ${what}; give the API client the product.product:write scope in the shop admin.`, false, { status });
    }
    // The docs show both a bare body and one wrapped in "data" (reference/stock.md); 40001 "Data
    // parameter not found" means this shop wants the wrapped one. Same fields, so safe to resend.
    if (status === 400 && !wrapped && /"error"\s*:\s*"?40001/.test(body)) {
      wrapped = true;
      attempt -= 1;
      continue;
    }
    if (status === 404) throw new ShoprenterError('SHOPRENTER_HTTP', 'The product no longer exists in Shoprenter (404); it is skipped.', false, { status });
    if (status !== 0 && status !== 429 && status < 500) {
      throw new ShoprenterError('SHOPRENTER_HTTP', `Shoprenter refused ${what} (${status}: ${body.slice(0, 200)}).`, false, { status });
    }
    if (status !== 0) last = String(status);
    const wait = Math.min(8_000, (retryAfterMs(retryAfter) ?? 0) + 1000 * 2 ** (attempt - 1));
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
  throw new ShoprenterError('SHOPRENTER_HTTP', `Shoprenter kept failing ${what} (last: ${last || 'stopped'}); the next round tries again.`, true);
}

/** The answer's product holds the values sent; an answer without a product body is taken on its 2xx. */
function confirms(body: string, fields: Record<string, string>): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return body.trim() === '';
  }
  if (parsed === null || typeof parsed !== 'object') return false;
  const product = parsed as Record<string, unknown>;
  return Object.entries(fields).every(([key, value]) => !(key in product) || Number(product[key]) === Number(value));
}
