import { afterEach, describe, expect, it } from '@jest/globals';
import { demoConfigYaml } from '../src/standins/local-shop.js';
import { buildShoprenterOrder } from '../src/standins/shoprenter-fixtures.js';
import { runCycle } from '../src/sync/cycle.js';
import { startHarness, type Harness } from './helpers/harness.js';
import { SIMPLE_ORDER } from './helpers/order-specs.js';

/**
 * `sync.startFrom` is about when an order was placed (SPEC §1.1): an order created before go-live
 * was invoiced by hand and is never drafted, even when it changes (e.g. is completed) afterwards.
 */
describe('go-live (sync.startFrom)', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
  });

  it('an October order completed after a November go-live is not drafted; a November order is', async () => {
    h = await startHarness({ logLevel: 'warn', config: demoConfigYaml({ startFrom: '2026-11-01T00:00:00', statuses: ['5'] }) });
    const runtime = await h.runtime({ now: () => new Date('2026-11-05T12:00:00Z') });
    const spec = { ...SIMPLE_ORDER, status: 5 };
    h.shop.shoprenter.addOrders([
      buildShoprenterOrder({ ...spec, email: 'october@example.hu', innerId: 901, dateCreated: '2026-10-20T10:00:00', dateUpdated: '2026-11-05T09:00:00' }),
      buildShoprenterOrder({ ...spec, email: 'november@example.hu', innerId: 902, dateCreated: '2026-11-02T10:00:00', dateUpdated: '2026-11-05T09:30:00' }),
      // Created exactly at go-live: on or after startFrom counts.
      buildShoprenterOrder({ ...spec, email: 'golive@example.hu', innerId: 903, dateCreated: '2026-11-01T00:00:00', dateUpdated: '2026-11-05T09:40:00' }),
    ]);
    const summary = await runCycle(runtime.deps);
    expect(summary.outcomes).toMatchObject({ done: 2, ignored: 1 });
    const drafted = h.shop.cashman.drafts.map((d) => /(\d+)\s*$/.exec(d.rows[0]?.['egyeb'] ?? '')?.[1]).sort();
    expect(drafted).toEqual(['902', '903']);
    expect(runtime.ledger.findOrder('901')).toBeUndefined();
  });
});
