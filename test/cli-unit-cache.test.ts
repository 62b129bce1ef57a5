import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { main } from '../src/cli.js';
import { demoConfigYaml } from '../src/standins/local-shop.js';
import { buildShoprenterOrder } from '../src/standins/shoprenter-fixtures.js';
import { runCycle } from '../src/sync/cycle.js';
import { startHarness, type Harness } from './helpers/harness.js';
import { SIMPLE_ORDER } from './helpers/order-specs.js';

const noop = { env: {}, out: () => undefined, err: () => undefined };

/** Product units live in the ledger: a restart costs no re-read, a day-old unit is read again. */
describe('product units cached in the ledger', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ shoprenter: { rateLimitPerSecond: 0 } });
    writeFileSync(h.env.CONFIG_PATH, demoConfigYaml({ productLookups: true }));
  });
  afterEach(async () => {
    await h.close();
  });

  // A unit read alone or inside an order's POST /batch (src/shoprenter/batch.ts) is a read all the same.
  const productReads = (): number =>
    [...h.shop.shoprenter.requestLog, ...h.shop.shoprenter.batchLog].filter((r) => r.path.startsWith('/api/productExtend/')).length;
  const add = (innerId: number, minute: number): void => {
    h.shop.shoprenter.addOrder(
      buildShoprenterOrder({ ...SIMPLE_ORDER, innerId, email: `u${innerId}@example.hu`, dateUpdated: `2026-11-24T10:${String(minute).padStart(2, '0')}:00` }),
    );
  };

  it('reads each product once, not again after a restart, and again after 24 hours', async () => {
    add(701, 0);
    add(702, 1);
    expect(await main(['once'], { ...noop, env: h.env })).toBe(0);
    // SIMPLE_ORDER has two different products: two unit reads for both orders together.
    expect(productReads()).toBe(2);

    add(703, 2);
    expect(await main(['once'], { ...noop, env: h.env })).toBe(0); // a new process: the memory cache is gone
    expect(productReads()).toBe(2);
    expect(h.shop.cashman.drafts).toHaveLength(3);

    add(704, 3);
    const dayLater = new Date(Date.now() + 24 * 3600_000 + 60_000);
    const runtime = await h.runtime({ now: () => dayLater });
    await runCycle(runtime.deps);
    expect(productReads()).toBe(4);
    expect(h.shop.cashman.drafts).toHaveLength(4);
  });
});
