import { z } from 'zod';
import { ShoprenterError } from '../errors.js';
import { createAuthProvider, type AuthProvider, type ShoprenterAuthConfig } from './auth.js';
import { shoprenterSend, type ShoprenterSend } from './send.js';
import { sharedRateLimiter, type RateLimiter } from './rate-limiter.js';

/** A registered webhook as `GET /webHooks?full=1` lists it (reference §10; `webhook.get_id.json`). */
export interface RegisteredWebhook {
  id: string;
  event: string;
  status: string;
  label: string;
  urls: string[];
}

const Parameter = z.object({ url: z.string().optional(), type: z.string().optional() }).passthrough();
const WebHookWire = z.object({
  id: z.string(),
  event: z.string().optional().default(''),
  status: z.union([z.string(), z.number()]).optional().default('').transform(String),
  label: z.string().nullish().transform((v) => v ?? ''),
  // The docs' GET sample has one object where the POST body has a list: accept both.
  webHookParameters: z.union([Parameter, z.array(Parameter)]).nullish(),
});
const Listing = z.object({ items: z.array(z.unknown()).optional().default([]), pageCount: z.union([z.number(), z.string()]).nullish() });

const RATE_LIMITED = Symbol('429');

export interface WebhooksApiOptions {
  apiUrl: string;
  auth: ShoprenterAuthConfig;
  shop: string;
  timeoutMs?: number;
  limiter?: RateLimiter;
}

/**
 * The shop's webHooks resource (scope `store.webhook:read`/`:write`), for the `webhooks`
 * command: an interactive, rare operation, so a failure is reported, not retried.
 */
export class ShoprenterWebhooksApi {
  private readonly send: ShoprenterSend;
  private readonly auth: AuthProvider;
  private readonly limiter: RateLimiter;

  constructor(private readonly options: WebhooksApiOptions) {
    this.limiter = options.limiter ?? sharedRateLimiter(options.shop, 3);
    this.send = shoprenterSend(options.timeoutMs);
    this.auth = createAuthProvider(options.auth, { send: this.send, limiter: this.limiter });
  }

  async list(): Promise<RegisteredWebhook[]> {
    const found: RegisteredWebhook[] = [];
    for (let page = 0; page < 50; page += 1) {
      const body = Listing.safeParse(await this.call('GET', `webHooks?full=1&limit=200&page=${page}`, 'the webhook list'));
      if (!body.success) throw new ShoprenterError('SHOPRENTER_BAD_RESPONSE', 'Shoprenter sent the webhook list in an unexpected form.', false);
      for (const item of body.data.items) {
        const hook = WebHookWire.safeParse(item);
        if (!hook.success) continue;
        const params = hook.data.webHookParameters;
        const urls = (Array.isArray(params) ? params : params ? [params] : []).flatMap((p) => (p.url ? [p.url] : []));
        found.push({ id: hook.data.id, event: hook.data.event, status: hook.data.status, label: hook.data.label, urls });
      }
      if (page + 1 >= Number(body.data.pageCount ?? 1)) break;
    }
    return found;
  }

  /** Registers `event` to POST JSON to `url` at once (no webHookDelay); returns the new id. */
  async register(event: string, url: string, label: string): Promise<string | null> {
    const body = { event, status: '1', label, webHookParameters: [{ type: 'json', url }] };
    const answer = (await this.call('POST', 'webHooks', `the ${event} webhook`, body)) as { id?: unknown } | null;
    return typeof answer?.id === 'string' ? answer.id : null;
  }

  async remove(id: string): Promise<void> {
    await this.call('DELETE', `webHooks/${encodeURIComponent(id).replace(/%3D/g, '=')}`, `webhook ${id}`);
  }

  /** A 429 means nothing was done, so it is waited out (three times at most), writes included. */
  private async call(method: 'GET' | 'POST' | 'DELETE', path: string, what: string, json?: unknown): Promise<unknown> {
    for (let attempt = 0; ; attempt += 1) {
      const answer = await this.callOnce(method, path, what, json);
      if (answer !== RATE_LIMITED) return answer;
      if (attempt >= 3) throw new ShoprenterError('SHOPRENTER_RATE_LIMITED', `Shoprenter kept answering 429 (too many requests) for ${what}; try again in a minute.`, true, { status: 429 });
      await new Promise((resolve) => setTimeout(resolve, 1000 * (attempt + 1)));
    }
  }

  private async callOnce(method: 'GET' | 'POST' | 'DELETE', path: string, what: string, json?: unknown): Promise<unknown> {
    let authorization: string;
    try {
      authorization = await this.auth.authorization();
    } catch (error) {
      // The token endpoint shares the 3 req/s budget: its 429 is waited out like the API's.
      if (error instanceof ShoprenterError && error.code === 'SHOPRENTER_RATE_LIMITED') return RATE_LIMITED;
      throw error;
    }
    await this.limiter.acquire();
    const url = `${this.options.apiUrl.replace(/\/+$/, '')}/${path}`;
    let response;
    try {
      response = await this.send(new URL(url), { method, headers: { authorization }, ...(json === undefined ? {} : { body: JSON.stringify(json) }) });
    } catch {
      throw new ShoprenterError('SHOPRENTER_NETWORK', `Shoprenter could not be reached for ${what}; check the network and try again.`, true);
    }
    const status = response.statusCode;
    if (status === 429) return RATE_LIMITED;
    if (status === 401 || status === 403) {
      throw new ShoprenterError(
        'SHOPRENTER_AUTH',
        `Shoprenter refused ${what} (${status}); give the API client the store.webhook:read and store.webhook:write scopes in the shop admin.`,
        false,
        { status },
      );
    }
    if (status < 200 || status >= 300) throw new ShoprenterError('SHOPRENTER_HTTP', `Shoprenter answered ${status} for ${what}; try again later.`, status >= 500 || status === 429, { status });
    if (response.text.trim() === '') return null;
    try {
      return JSON.parse(response.text) as unknown;
    } catch {
      throw new ShoprenterError('SHOPRENTER_BAD_RESPONSE', `Shoprenter answered ${what} with something that is not JSON.`, false);
    }
  }
}
