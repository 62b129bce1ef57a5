import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { main } from '../src/cli.js';
import { demoConfigYaml } from '../src/standins/local-shop.js';
import { buildShoprenterOrder } from '../src/standins/shoprenter-fixtures.js';
import { startHarness, type Harness } from './helpers/harness.js';
import { SIMPLE_ORDER } from './helpers/order-specs.js';
import { startProc } from './helpers/process.js';

function capture(env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, ctx: { env, out: (t: string) => out.push(t), err: (t: string) => err.push(t) } };
}

/** A first backfill that takes longer than the progress interval, watched from outside like Docker does. */
describe('progress and health during a long backfill', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ shoprenter: { rateLimitPerSecond: 0 } });
    writeFileSync(h.env.CONFIG_PATH, demoConfigYaml({ productLookups: false }));
  });
  afterEach(async () => {
    await h.close();
  });

  it('logs progress with rate and time left; health is healthy and status shows the cycle while it runs', async () => {
    const orders = 26;
    for (let i = 0; i < orders; i += 1) {
      h.shop.shoprenter.addOrder(
        buildShoprenterOrder({ ...SIMPLE_ORDER, innerId: 3000 + i, email: `b${i}@example.hu`, dateUpdated: `2026-11-24T10:${String(i).padStart(2, '0')}:00` }),
      );
    }
    // Two Cashman requests per order (new partner, draft), each answered after 350 ms: about 18 s in all.
    h.shop.cashman.setLatency(350);
    const run = startProc(['run'], { ...h.env, LOG_LEVEL: 'info' });
    try {
      await run.waitFor(/draft created in Cashman/);
      // Before this change: "unhealthy: no successful cycle yet" while the first cycle worked.
      const health = capture(h.env);
      expect(await main(['health'], health.ctx)).toBe(0);
      expect(health.out[0]).toMatch(/^healthy: a cycle is in progress; its last order was handled \d+ s ago\.$/);
      const status = capture(h.env);
      expect(await main(['status'], status.ctx)).toBe(0);
      expect(status.out.join('\n')).toMatch(/Cycle in progress since \S+ \(UTC\): \d+ of ~26 orders handled, \d+ drafted; last progress \d+ s ago/);

      const line = await run.waitFor(/cycle in progress:/, 40_000);
      expect(line).toMatch(/cycle in progress: \d+ of ~26 orders handled \(\d+ drafted\), \d+\.\d orders\/s, about (\d+ s|\d+ min( \d+ s)?) left/);
      await run.waitFor(/cycle finished/, 60_000);
      const after = capture(h.env);
      expect(await main(['health'], after.ctx)).toBe(0);
      expect(after.out[0]).toMatch(/^healthy: last successful cycle/);
      const done = capture(h.env);
      await main(['status'], done.ctx);
      expect(done.out.join('\n')).not.toContain('Cycle in progress');
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
    }
    expect(h.shop.cashman.drafts).toHaveLength(orders);
  });
});
