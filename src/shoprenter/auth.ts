import { networkProblem } from '../net-words.js';
import { ShoprenterError } from '../errors.js';
import type { RateLimiter } from './rate-limiter.js';
import { TokenResponse } from './schema.js';
import type { ShoprenterSend } from './send.js';

/** How the client authenticates; secrets come only from the environment (SPEC §3). */
export type ShoprenterAuthConfig =
  { kind: 'oauth'; tokenUrl: string; clientId: string; clientSecret: string } | { kind: 'basic'; user: string; password: string };

/** Supplies the Authorization header for API requests. */
export interface AuthProvider {
  readonly kind: 'oauth' | 'basic';
  authorization(): Promise<string>;
  /** Forgets the cached credential after a 401; true when asking again can yield a different one. */
  invalidate(): boolean;
}

export interface RequestInfo {
  method: string;
  url: string;
  /** 0 when no HTTP answer arrived. */
  status: number;
  durationMs: number;
}

export interface OAuthDeps {
  send: ShoprenterSend;
  /** The token request counts against the shop's 3 req/s like any other (reference §2.1). */
  limiter: RateLimiter;
  now?: () => number;
  onRequest?: (info: RequestInfo) => void;
}

/** Renew this long before `expires_in` runs out, but never more than half the token's life. */
const RENEW_EARLY_MS = 60_000;

/**
 * OAuth2 client-credentials token provider (reference §1.2): no refresh token, so a new token is
 * requested when the cached one is near expiry or after a 401. Concurrent callers share one fetch.
 */
export class OAuthTokenProvider implements AuthProvider {
  readonly kind = 'oauth' as const;
  private token: { value: string; renewAt: number } | null = null;
  private pending: Promise<string> | null = null;
  private readonly now: () => number;

  constructor(
    private readonly config: Extract<ShoprenterAuthConfig, { kind: 'oauth' }>,
    private readonly deps: OAuthDeps,
  ) {
    this.now = deps.now ?? Date.now;
  }

  async authorization(): Promise<string> {
    if (this.token && this.now() < this.token.renewAt) return `Bearer ${this.token.value}`;
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = null;
    });
    return `Bearer ${await this.pending}`;
  }

  invalidate(): boolean {
    this.token = null;
    return true;
  }

  private async fetchToken(): Promise<string> {
    await this.deps.limiter.acquire();
    const started = performance.now();
    const { tokenUrl, clientId, clientSecret } = this.config;
    let response;
    try {
      response = await this.deps.send(new URL(tokenUrl), {
        method: 'POST',
        body: JSON.stringify({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }),
      });
    } catch (error) {
      this.report(0, started);
      // Keep only the code: nothing of the request (its body holds the secret) may reach a message.
      const code = (error as { code?: unknown }).code;
      const label = typeof code === 'string' ? networkProblem(code, new URL(tokenUrl).host) : 'network error';
      throw new ShoprenterError('SHOPRENTER_NETWORK', `Could not reach the Shoprenter token endpoint (${label}).`, true, { cause: new Error(`token endpoint: ${label}`) });
    }
    const status = response.statusCode;
    this.report(status, started);
    if (status === 400 || status === 401 || status === 403) {
      throw new ShoprenterError(
        'SHOPRENTER_AUTH',
        `Shoprenter refused the OAuth client credentials (${status}${errorCode(response.text)}); check SHOPRENTER_CLIENT_ID and SHOPRENTER_CLIENT_SECRET.`,
        false,
        { status },
      );
    }
    if (status < 200 || status >= 300) {
      const code = status === 429 ? 'SHOPRENTER_RATE_LIMITED' : 'SHOPRENTER_HTTP';
      throw new ShoprenterError(code, `The Shoprenter token endpoint answered ${status}.`, status === 429 || status >= 500, { status });
    }
    const parsed = TokenResponse.safeParse(safeJson(response.text));
    if (!parsed.success) {
      throw new ShoprenterError(
        'SHOPRENTER_BAD_RESPONSE',
        'The Shoprenter token endpoint sent an answer without a usable access token.',
        true,
        { status },
      );
    }
    const lifeMs = parsed.data.expires_in * 1000;
    this.token = { value: parsed.data.access_token, renewAt: this.now() + lifeMs - Math.min(RENEW_EARLY_MS, lifeMs / 2) };
    return parsed.data.access_token;
  }

  private report(status: number, started: number): void {
    this.deps.onRequest?.({ method: 'POST', url: this.config.tokenUrl, status, durationMs: Math.round(performance.now() - started) });
  }
}

/** Legacy HTTP Basic with the shop's API user (reference §1.3). */
export class BasicAuthProvider implements AuthProvider {
  readonly kind = 'basic' as const;
  private readonly header: string;

  constructor(config: Extract<ShoprenterAuthConfig, { kind: 'basic' }>) {
    this.header = `Basic ${Buffer.from(`${config.user}:${config.password}`).toString('base64')}`;
  }

  authorization(): Promise<string> {
    return Promise.resolve(this.header);
  }

  invalidate(): boolean {
    return false;
  }
}

export function createAuthProvider(config: ShoprenterAuthConfig, deps: OAuthDeps): AuthProvider {
  return config.kind === 'oauth' ? new OAuthTokenProvider(config, deps) : new BasicAuthProvider(config);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** " invalid_client" from an OAuth error body; the body never echoes the secret, but only the code is kept anyway. */
function errorCode(body: string): string {
  const parsed = safeJson(body) as { error?: unknown } | null;
  return typeof parsed?.error === 'string' && /^[a-z_]+$/.test(parsed.error) ? ` ${parsed.error}` : '';
}
