import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { main } from '../src/cli.js';
import { demoConfigYaml } from '../src/standins/local-shop.js';
import { buildShoprenterOrder } from '../src/standins/shoprenter-fixtures.js';
import { runCycle } from '../src/sync/cycle.js';
import { startWebhook, type WebhookServer } from './alerts-webhook.js';
import { startHarness, type Harness } from './helpers/harness.js';
import { SIMPLE_ORDER } from './helpers/order-specs.js';

/**
 * Issue 17: a drafted order moved to "Törölve" while sync.cancelStatuses was empty was compared
 * then, found unchanged, and the cancellation was lost for good. When the lists change, drafted
 * orders are judged again at the next cycle, without the order changing in the shop.
 */
const order = (innerId: number, dateUpdated: string, status = 5) =>
  buildShoprenterOrder({ ...SIMPLE_ORDER, email: `buyer${innerId}@example.hu`, innerId, dateUpdated, dateCreated: '2026-11-20T09:00:00', status });

describe('a changed sync.cancelStatuses judges drafted orders again', () => {
  let h: Harness;
  let hook: WebhookServer;
  const clock = { now: new Date('2026-11-20T11:00:00Z') };
  beforeEach(async () => {
    h = await startHarness({ config: demoConfigYaml({ productLookups: false, cancelStatuses: [] }) });
    hook = await startWebhook();
  });
  afterEach(async () => {
    await hook.close();
    await h.close();
  });
  const cancelAlerts = () => hook.calls.map((c) => c.json).filter((j) => j['kind'] === 'cancelled-after-draft');

  it('reports the drafted order sitting in a status the new list names, once, with its Cashman reference; the others stay quiet', async () => {
    const before = await h.runtime({ env: { ALERT_WEBHOOK_URL: hook.url }, now: () => clock.now });
    h.shop.shoprenter.addOrder(order(1101, '2026-11-20T10:00:00'));
    h.shop.shoprenter.addOrder(order(1102, '2026-11-20T10:00:00'));
    await runCycle(before.deps);
    await before.delivery.flush(); // the alerts the cycle queued
    expect(h.shop.cashman.drafts).toHaveLength(2);
    h.shop.shoprenter.setOrderStatus('1101', 7, '2026-11-20T11:30:00'); // "Törölve", not a cancel status yet
    await runCycle(before.deps);
    await before.delivery.flush(); // the alerts the cycle queued
    expect(cancelAlerts()).toEqual([]);
    before.close();

    // The person adds "Törölve" to cancelStatuses and restarts; the order does not change again.
    const after = await h.runtime({ env: { ALERT_WEBHOOK_URL: hook.url }, now: () => clock.now, config: demoConfigYaml({ productLookups: false, cancelStatuses: ['Törölve'] }) });
    await runCycle(after.deps);
    await after.delivery.flush(); // the alerts the cycle queued
    const ref = after.ledger.findOrder('1101')!.cashmanRef;
    expect(cancelAlerts()).toEqual([
      expect.objectContaining({ orderNumber: '1101', cashmanRef: ref, reason: expect.stringContaining('status 7, which sync.cancelStatuses now lists') }),
    ]);
    await runCycle(after.deps);
    await after.delivery.flush(); // the alerts the cycle queued
    expect(cancelAlerts()).toHaveLength(1);
    expect(h.shop.cashman.drafts).toHaveLength(2);

    const out: string[] = [];
    expect(await main(['status', '--json'], { env: h.env, out: (t) => out.push(t), err: (t) => out.push(t) })).toBe(0);
    const status = JSON.parse(out.join('\n')) as { needsAttentionAfterDraft: Record<string, unknown>[] };
    expect(status.needsAttentionAfterDraft).toEqual([expect.objectContaining({ orderNumber: '1101', kind: 'cancelled', cashmanRef: ref })]);
  });
});
