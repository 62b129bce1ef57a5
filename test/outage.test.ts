import { afterEach, describe, expect, it } from '@jest/globals';
import { buildShoprenterOrder } from '../src/standins/shoprenter-fixtures.js';
import type { Runtime } from '../src/runtime.js';
import type { AlertEvent, Alerter } from '../src/sync/alerts.js';
import { runCycle } from '../src/sync/cycle.js';
import { healthBody } from '../src/http/listener.js';
import { startHarness, type Harness } from './helpers/harness.js';
import { startGate, type Gate } from './helpers/gate.js';
import { SIMPLE_ORDER } from './helpers/order-specs.js';
import { orderNumberOf, requireBuild, runToEnd } from './helpers/processes.js';

/**
 * Issue 16 §10, a remote outage is nobody's order. Cashman refuses connections for a simulated ten
 * minutes (a cycle every 30 s on a clock the test drives, one runtime throughout, the URL unchanged:
 * a TCP gate in front of the stand-in closes and opens). While it is down the waiting orders keep
 * their place: no attempt used, nothing quarantined or uncertain; `health` (a real process) turns
 * red once the episode is past its grace and names Cashman, `status` shows it. Once Cashman answers
 * again every order is drafted exactly once, in the shop's order, and `health` is green.
 */

const ORDERS = 13;

function manualClock(start: Date): { now: () => Date; advance(ms: number): void } {
  let t = start.getTime();
  return { now: () => new Date(t), advance: (ms) => (t += ms) };
}

function recordingAlerts(): Alerter & { events: AlertEvent[] } {
  const events: AlertEvent[] = [];
  return { events, send: (event) => Promise.resolve(void events.push(event)) };
}

/** Shop-local datetime `minutes` after 2026-11-10T08:00:00 (before the clock's start). */
function at(minutes: number): string {
  return new Date(Date.UTC(2026, 10, 10, 8, minutes)).toISOString().slice(0, 19);
}

describe('a remote outage is nobody’s order', () => {
  let h: Harness;
  let gate: Gate;
  let runtime: Runtime;

  afterEach(async () => {
    runtime.close();
    await gate.close();
    await h.close();
  });

  it('Cashman down for ten simulated minutes: nothing quarantined, health red naming Cashman, then every order drafted once, in order', async () => {
    requireBuild();
    h = await startHarness({ logLevel: 'warn' });
    gate = await startGate(h.shop.cashman.url);
    // Starts at the real present, so `health` (a real process, real clock) judges these stamps.
    const clock = manualClock(new Date());
    const alerts = recordingAlerts();
    runtime = await h.runtime({ now: clock.now, alerts, env: { CASHMAN_API_URL: gate.url } });
    const order = (n: number) => buildShoprenterOrder({ ...SIMPLE_ORDER, email: `buyer${n}@example.hu`, innerId: n, dateUpdated: at(n - 1000) });

    h.shop.shoprenter.addOrders([order(1000)]);
    expect((await runCycle(runtime.deps)).ok).toBe(true);
    const health = async () => runToEnd(['health'], h.env, h.dir);
    expect((await health()).code).toBe(0);

    await gate.down();
    h.shop.shoprenter.addOrders(Array.from({ length: ORDERS }, (_, i) => order(1001 + i)));
    const rows = () => runtime.ledger.listNotDone();
    for (let minute = 0.5; minute <= 10; minute += 0.5) {
      clock.advance(30_000);
      const summary = await runCycle(runtime.deps);
      expect(summary.ok).toBe(false);
      // Waiting, not failing: every row that exists is pending with no attempt used.
      expect(rows().filter((row) => row.state !== 'pending' || row.attempts !== 0)).toEqual([]);
      if (minute === 1) expect((await health()).code).toBe(0); // inside the grace: a blip is not an outage
    }
    const red = await health();
    expect(red.code).toBe(1);
    expect(red.text).toMatch(/^unhealthy: Cashman failing since \S+ \(UTC\), 20 failed cycles: Could not reach Cashman/);
    const status = await runToEnd(['status'], h.env, h.dir);
    expect(status.text).toMatch(/FAILING: Cashman failing since .*waiting orders go out by themselves once it works again\./);
    const json = JSON.parse((await runToEnd(['status', '--json'], h.env, h.dir)).text) as { failing: { part: string; failedCycles: number }[] };
    expect(json.failing).toEqual([expect.objectContaining({ part: 'cashman', failedCycles: 20 })]);
    expect(h.shop.cashman.drafts).toHaveLength(1);
    // `/healthz` of the running daemon: the same verdict, and which part fails.
    const healthz = healthBody(runtime.ledger, 30);
    expect(healthz.healthy).toBe(false);
    expect(healthz.body['failing']).toEqual([expect.objectContaining({ part: 'cashman', failedCycles: 20, pastGrace: true })]);

    await gate.up();
    clock.advance(30_000);
    const back = await runCycle(runtime.deps);
    expect(back.ok).toBe(true);
    expect(back.outcomes.done).toBe(ORDERS);
    const drafted = h.shop.cashman.drafts.map((d) => orderNumberOf(d.rows[0]?.['egyeb']));
    expect(drafted).toEqual(Array.from({ length: ORDERS + 1 }, (_, i) => String(1000 + i)));
    expect(runtime.ledger.counts()).toMatchObject({ done: ORDERS + 1, quarantined: 0, uncertain: 0, failed: 0, pending: 0 });
    expect(alerts.events.map((e) => e.kind)).toEqual(['cashman-failing', 'cashman-recovered']);
    const green = await health();
    expect(green.code).toBe(0);
    expect(healthBody(runtime.ledger, 30)).toMatchObject({ healthy: true, body: { failing: [] } });
    expect((await runToEnd(['status'], h.env, h.dir)).text).toContain('Nothing needs attention.');
  }, 120_000);
});
