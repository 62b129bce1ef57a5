import { ShoprenterClient, type ShoprenterClientOptions } from '../../src/shoprenter/client.js';
import type { ShoprenterStandin } from '../../src/standins/shoprenter-standin.js';

let shops = 0;

/**
 * A Shoprenter client logged in to a stand-in with its OAuth credentials: a shop name of its own
 * (nothing shared with another test's client), no rate limit of its own to wait on, quick retries.
 * Tests pass what they are about (page size, batches, the stand-in's own pace).
 */
export function standinClient(standin: ShoprenterStandin, options: Partial<ShoprenterClientOptions> = {}): ShoprenterClient {
  return new ShoprenterClient({
    apiUrl: standin.url,
    auth: { kind: 'oauth', tokenUrl: standin.tokenUrl, clientId: standin.clientId, clientSecret: standin.clientSecret },
    shop: `standin-shop-${++shops}`,
    limitPerSecond: 100_000,
    retryBaseMs: 10,
    ...options,
  });
}
