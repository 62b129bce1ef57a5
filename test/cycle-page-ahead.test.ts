import { afterEach, describe, expect, it } from '@jest/globals';
import { buildShoprenterOrder } from '../src/standins/shoprenter-fixtures.js';
import { runCycle } from '../src/sync/cycle.js';
import { startHarness, type Harness } from './helpers/harness.js';
import { SIMPLE_ORDER } from './helpers/order-specs.js';

/**
 * The cycle reads the next list page while it handles the one in hand. When the listing fails
 * meanwhile, the cycle must still end only after the page in hand has settled: no order left in
 * `submitting` or `pending`, and nothing sent to Cashman that the ledger does not show as done.
 */

const NOW = '2026-11-26T12:00:00Z';
const at = (minutes: number) => new Date(Date.UTC(2026, 10, 20, 8, minutes, 0)).toISOString().slice(0, 19);

describe('the list page read ahead', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
  });

  it('a listing that fails while a page is in hand ends the cycle after that page settled', async () => {
    let failed = false;
    h = await startHarness({
      logLevel: 'error',
      shoprenter: { shop: 'pageahead', rateLimitPerSecond: 50 },
      // From the first Cashman request on, the order list is refused (403: not retried).
      // Cashman slower than the list request: the page in hand is still going when the walk fails.
      cashman: {
        latencyMs: 200,
        onProcessed: () => {
          if (failed) return;
          failed = true;
          h!.shop.shoprenter.setFault({ kind: 'status', status: 403, path: '/orderExtend', times: 1000 });
        },
      },
    });
    const runtime = await h.runtime({ now: () => new Date(NOW), shoprenterTuning: { limitPerSecond: 50, pageSize: 4 } });
    // 20 orders a minute apart: windows of a few orders each, so several pages follow the first.
    h.shop.shoprenter.addOrders(
      Array.from({ length: 20 }, (_, i) => buildShoprenterOrder({ ...SIMPLE_ORDER, email: `buyer${i}@example.hu`, innerId: 3000 + i, dateUpdated: at(i), dateCreated: at(i) })),
    );
    const summary = await runCycle(runtime.deps);

    expect(failed).toBe(true);
    expect(summary.ok).toBe(false);
    const ledger = runtime.deps.ledger;
    const counts = ledger.counts();
    // Every order of the pages taken up was finished (all are draftable), none abandoned half way.
    expect(summary.listed).toBeGreaterThan(0);
    expect(summary.listed).toBeLessThan(20);
    expect(counts).toEqual({ pending: 0, submitting: 0, done: summary.listed, failed: 0, quarantined: 0, uncertain: 0 });
    // Every draft Cashman holds is one the ledger shows as done (none sent after the cycle ended).
    expect(h.shop.cashman.drafts.length).toBe(counts.done);
    // The cursor stays where it was: the listing did not complete.
    expect(ledger.getMeta('cursor') ?? null).toBeNull();
  });
});
