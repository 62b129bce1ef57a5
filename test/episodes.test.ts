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
 * Alerts for every stop (issues 12, 16 §7): an unreachable Shoprenter and an unreachable Cashman
 * each alert once per episode, after the grace period (3 failed cycles in a row and 2 minutes),
 * and once when they work again; a revoked Shoprenter API client alerts at its first failed cycle. The episode is kept in the ledger, so a
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

  it('a revoked Shoprenter API client (401 everywhere) alerts at the first failed cycle (it never heals alone), once, and once on recovery', async () => {
    h.shop.shoprenter.setFault({ kind: 'status', status: 401, target: 'any', times: 1_000 });
    expect(await cycle()).toBe(false);
    expect(kinds()).toEqual(['shoprenter-login-failed']);
    const failing = hook.calls[0]!.json;
    expect(failing['reason']).toContain('Shoprenter');
    expect(failing['text']).toContain('Shoprenter refused the API client');

    // More failed cycles, and a restart in between: still one alert.
    expect(await cycle()).toBe(false);
    await restart();
    expect(await cycle()).toBe(false);
    expect(kinds()).toEqual(['shoprenter-login-failed']);

    h.shop.shoprenter.clearFaults();
    expect(await cycle()).toBe(true);
    expect(kinds()).toEqual(['shoprenter-login-failed', 'shoprenter-login-recovered']);
    const recovered = hook.calls[1]!.json;
    expect(recovered['reason']).toBe('The Shoprenter API client works again; it failed from 2026-11-26T12:00:00.000Z (UTC) for 3 cycles.');
    expect(recovered['text']).toContain('Back to normal');
    expect(await cycle()).toBe(true);
    expect(hook.calls).toHaveLength(2);
  });

  it('a Shoprenter blip (one cycle of 503s) alerts nothing; failing past the grace alerts once', async () => {
    const fail = () => h.shop.shoprenter.setFault({ kind: 'status', status: 503, target: 'any', times: 1_000 });
    fail();
    expect(await cycle()).toBe(false);
    h.shop.shoprenter.clearFaults();
    expect(await cycle()).toBe(true);
    expect(hook.calls).toHaveLength(0);

    // Four failed cycles 10 s apart: more than 3 cycles, but not yet 2 minutes.
    fail();
    for (let i = 0; i < 4; i++) expect(await cycle(10_000)).toBe(false);
    expect(hook.calls).toHaveLength(0);
    t += 80_000;
    expect(await cycle()).toBe(false); // 2 minutes after the first failure
    expect(kinds()).toEqual(['shoprenter-failing']);
    expect(hook.calls[0]!.json['text']).toContain('Shoprenter keeps failing');
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

  it('an unreachable Cashman (closed port) alerts once per episode and once on recovery; the waiting order goes out then', async () => {
    await restart({ CASHMAN_API_URL: await closedPortUrl() });
    for (let i = 0; i < 3; i++) await cycle();
    expect(kinds()).toEqual(['cashman-failing']);
    expect(hook.calls[0]!.json['reason']).toContain('Could not reach Cashman');
    await cycle();
    expect(hook.calls).toHaveLength(1);
    // No order's failure (issue 16 §10): the order keeps its place and its attempts.
    expect(runtime.ledger.findOrder('1001')).toMatchObject({ state: 'pending', attempts: 0 });

    // Cashman is back: the waiting order goes out in the next cycle, and the episode is over.
    await restart();
    expect(await cycle()).toBe(true);
    expect(runtime.ledger.findOrder('1001')?.state).toBe('done');
    expect(kinds()).toEqual(['cashman-failing', 'cashman-recovered']);
  });
});
