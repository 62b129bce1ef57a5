import { demoConfigYaml } from '../src/standins/local-shop.js';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { closedPortUrl } from '../src/standins/cashman-standin.js';
import { buildShoprenterOrder } from '../src/standins/shoprenter-fixtures.js';
import type { Runtime } from '../src/runtime.js';
import { runCycle } from '../src/sync/cycle.js';
import { startWebhook, type WebhookServer } from './alerts-webhook.js';
import { startHarness, type Harness } from './helpers/harness.js';
import { SIMPLE_ORDER } from './helpers/order-specs.js';

/**
 * Alerts for every stop (issue 12): a revoked Shoprenter API client, an unreachable Shoprenter
 * and an unreachable Cashman each alert once per episode, after the grace period (3 failed cycles
 * in a row and 2 minutes), and once when they work again. The episode is kept in the ledger, so a
 * restart in the middle neither forgets it nor alerts it twice. Real webhook, real stand-ins.
 */

const MINUTE = 60_000;

function order(innerId: number): Record<string, unknown> {
  const dateUpdated = `2026-11-20T10:${String(innerId % 60).padStart(2, '0')}:00`;
  return buildShoprenterOrder({ ...SIMPLE_ORDER, email: `buyer${innerId}@example.hu`, innerId, dateUpdated });
}

describe('one alert per episode, one when it is over', () => {
  let h: Harness;
  let hook: WebhookServer;
  let runtime: Runtime;
  let t: number;
  const now = () => new Date(t);
  const kinds = () => hook.calls.map((c) => c.json['kind']);

  /** A runtime on the same ledger (a restart), optionally with a remote pointed elsewhere. */
  async function restart(env: Record<string, string> = {}): Promise<void> {
    runtime?.close();
    runtime = await h.runtime({ now, env, shoprenterTuning: { limitPerSecond: 50, retryBudgetMs: 500 } });
  }

  /** One cycle, then the clock moves on by `gapMs` (the daemon's interval). */
  async function cycle(gapMs = MINUTE): Promise<boolean> {
    const { ok } = await runCycle(runtime.deps);
    await runtime.delivery.flush(); // what the writer's delivery sends beside the cycle
    t += gapMs;
    return ok;
  }

  beforeEach(async () => {
    t = Date.parse('2026-11-26T12:00:00Z');
    hook = await startWebhook();
    h = await startHarness({ shoprenter: { rateLimitPerSecond: 0 }, config: demoConfigYaml() + 'alerts:\n  language: en\n' });
    h.env['ALERT_WEBHOOK_URL'] = hook.url;
    h.shop.shoprenter.addOrder(order(1001));
    await restart();
  });
  afterEach(async () => {
    runtime.close();
    await Promise.all([h.close(), hook.close()]);
  });

  it('a revoked Shoprenter API client (401 everywhere): no alert for a blip, one after the grace period, one on recovery', async () => {
    const revoke = () => h.shop.shoprenter.setFault({ kind: 'status', status: 401, target: 'any', times: 1_000 });

    // A single failed cycle is a blip: no alert, and no recovery alert either.
    revoke();
    expect(await cycle()).toBe(false);
    h.shop.shoprenter.clearFaults();
    expect(await cycle()).toBe(true);
    expect(hook.calls).toHaveLength(0);

    // Four failed cycles 10 s apart: more than 3 cycles, but not yet 2 minutes.
    revoke();
    for (let i = 0; i < 4; i++) expect(await cycle(10_000)).toBe(false);
    expect(hook.calls).toHaveLength(0);
    t += 80_000;
    expect(await cycle()).toBe(false); // 2 minutes after the first failure
    expect(kinds()).toEqual(['shoprenter-failing']);
    const failing = hook.calls[0]!.json;
    expect(failing['reason']).toContain('Shoprenter');
    expect(failing['text']).toContain('Shoprenter keeps failing');

    // More failed cycles, and a restart in between: still one alert.
    expect(await cycle()).toBe(false);
    await restart();
    expect(await cycle()).toBe(false);
    expect(kinds()).toEqual(['shoprenter-failing']);

    h.shop.shoprenter.clearFaults();
    expect(await cycle()).toBe(true);
    expect(kinds()).toEqual(['shoprenter-failing', 'shoprenter-recovered']);
    const recovered = hook.calls[1]!.json;
    expect(recovered['reason']).toBe('Shoprenter works again; it failed from 2026-11-26T12:02:00.000Z (UTC) for 7 cycles.');
    expect(recovered['text']).toContain('Back to normal');
    expect(await cycle()).toBe(true);
    expect(hook.calls).toHaveLength(2);
  });

  it('an unreachable Shoprenter (closed port) alerts once per episode and once on recovery', async () => {
    await restart({ SHOPRENTER_API_URL: (await closedPortUrl()).replace('/fxapi/jxs.php', '/api') });
    for (let i = 0; i < 3; i++) expect(await cycle()).toBe(false);
    expect(kinds()).toEqual(['shoprenter-failing']);
    expect(hook.calls[0]!.json['reason']).toMatch(/could not be reached/);
    expect(await cycle()).toBe(false);
    expect(hook.calls).toHaveLength(1);

    await restart();
    expect(await cycle()).toBe(true);
    expect(kinds()).toEqual(['shoprenter-failing', 'shoprenter-recovered']);
    expect(runtime.ledger.findOrder('1001')?.state).toBe('done');
  });

  it('an unreachable Cashman (closed port) alerts once per episode and once on recovery, also when no order is due', async () => {
    await restart({ CASHMAN_API_URL: await closedPortUrl() });
    for (let i = 0; i < 3; i++) await cycle();
    expect(kinds()).toEqual(['cashman-failing']);
    expect(hook.calls[0]!.json['reason']).toContain('Could not reach Cashman');
    await cycle();
    expect(hook.calls).toHaveLength(1);
    const row = runtime.ledger.findOrder('1001');
    expect(row).toMatchObject({ state: 'failed', lastErrorCode: 'CASHMAN_NOT_SENT' });

    // Cashman is back. Right after the restart the order's retry is not due yet (its backoff runs
    // from the last cycle), so only the login check can tell: it does.
    await restart();
    t = Date.parse(row!.updatedAt) + 1_000;
    const checks = () => h.shop.cashman.received.filter((r) => r.operation === 19).length;
    expect(await cycle(0)).toBe(true);
    expect(checks()).toBe(1);
    expect(kinds()).toEqual(['cashman-failing', 'cashman-recovered']);

    // Nothing is open any more: quiet cycles ask Cashman nothing, and the order is drafted when due.
    t += 60 * MINUTE;
    await cycle();
    await cycle();
    expect(checks()).toBe(1);
    expect(runtime.ledger.findOrder('1001')?.state).toBe('done');
    expect(kinds()).toEqual(['cashman-failing', 'cashman-recovered']);
  });
});
