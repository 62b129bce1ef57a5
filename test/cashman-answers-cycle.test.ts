import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ODD_ANSWERS, productGroupHiba, type OddAnswer } from '../src/standins/cashman-standin.js';
import { buildShoprenterOrder, type OrderSpec } from '../src/standins/shoprenter-fixtures.js';
import type { Runtime } from '../src/runtime.js';
import type { AlertEvent, Alerter } from '../src/sync/alerts.js';
import { runCycle } from '../src/sync/cycle.js';
import { main } from '../src/cli.js';
import { startHarness, type Harness } from './helpers/harness.js';
import { SIMPLE_ORDER } from './helpers/order-specs.js';

/**
 * SPEC §2 end to end, one real cycle against both stand-ins: a Cashman answer that is not a
 * recognised success never marks an order done, and one order's login-looking message never
 * stops the orders after it unless Cashman's login check is refused too.
 */

const PASSWORD = 'AnswersCashmanPw-93d1';

function order(innerId: number, patch: Partial<OrderSpec> = {}): Record<string, unknown> {
  const dateUpdated = `2026-11-20T10:${String(innerId % 60).padStart(2, '0')}:00`;
  return buildShoprenterOrder({ ...SIMPLE_ORDER, email: `buyer${innerId}@example.hu`, innerId, dateUpdated, ...patch });
}

/** An order whose only product line is the given SKU. */
function orderWithSku(innerId: number, sku: string): Record<string, unknown> {
  return order(innerId, { products: [{ name: 'Borospohár', sku, netPrice: 3937.0079, taxRate: 27, stocks: [1] }] });
}

function recordingAlerts(): Alerter & { events: AlertEvent[] } {
  const events: AlertEvent[] = [];
  return { events, send: (event) => Promise.resolve(void events.push(event)) };
}

function clock(start = '2026-11-26T12:00:00Z'): { now: () => Date; advance(ms: number): void } {
  let t = Date.parse(start);
  return { now: () => new Date(t), advance: (ms) => (t += ms) };
}

describe('Cashman answers in a real cycle', () => {
  let h: Harness;
  let runtime: Runtime;
  let alerts: ReturnType<typeof recordingAlerts>;
  const time = clock();
  const draftRequests = () => h.shop.cashman.received.filter((r) => r.operation === 4).length;
  const stateOf = (n: number) => runtime.ledger.findOrder(String(n));

  beforeEach(async () => {
    h = await startHarness({ shoprenter: { rateLimitPerSecond: 0 }, cashman: { password: PASSWORD } });
    alerts = recordingAlerts();
    runtime = await h.runtime({ now: time.now, alerts, shoprenterTuning: { limitPerSecond: 50 } });
  });
  afterEach(() => h.close());

  const shapes = Object.keys(ODD_ANSWERS) as OddAnswer[];

  it.each(shapes)('a draft answered with %s is uncertain and alerted, never done, never resent', async (shape) => {
    h.shop.shoprenter.addOrders([order(1001), order(1002)]);
    h.shop.cashman.setFault({ kind: 'answer', shape }, { operations: [4] });
    const first = await runCycle(runtime.deps);
    expect(first).toMatchObject({ ok: true, outcomes: { uncertain: 1, done: 1 } });
    expect(stateOf(1001)).toMatchObject({ state: 'uncertain', lastErrorCode: 'CASHMAN_OUTCOME_UNKNOWN' });
    expect(stateOf(1001)?.lastError).toContain('not a recognised success');
    expect(stateOf(1002)?.state).toBe('done');
    expect(alerts.events.map((e) => `${e.kind} ${e.orderNumber ?? ''}`)).toEqual(['uncertain 1001']);

    const sent = draftRequests();
    time.advance(60 * 60_000);
    await runCycle(runtime.deps);
    await runCycle(runtime.deps);
    expect(draftRequests()).toBe(sent);
    expect(stateOf(1001)?.state).toBe('uncertain');
    expect(alerts.events.filter((e) => e.kind === 'uncertain')).toHaveLength(1);
  });

  it('a partner answer followed by a PHP notice is not stored; sent again with the same code, it is refused as taken: no draft until a person says the code is the buyer\'s, then drafted once', async () => {
    h.shop.shoprenter.addOrders([order(1001)]);
    // Cashman saved the partner, then PHP printed a notice after its answer ("1001|SR000001\nNotice: ...").
    h.shop.cashman.setFault({ kind: 'answer', shape: 'php-notice', around: 'after' }, { operations: [9] });
    const first = await runCycle(runtime.deps);
    expect(first.outcomes).toMatchObject({ failed: 1, done: 0 });
    expect(stateOf(1001)).toMatchObject({ state: 'failed', lastErrorCode: 'CASHMAN_OUTCOME_UNKNOWN' });
    expect(runtime.ledger.getPartner('buyer1001@example.hu')).toMatchObject({ partnerCode: 'SR000001', partnerId: null });

    time.advance(60 * 60_000);
    // Refused as taken: this buyer's partner, or another one's (issue 16 §4)? Cashman cannot say.
    const second = await runCycle(runtime.deps);
    expect(second.outcomes).toMatchObject({ uncertain: 1 });
    expect(stateOf(1001)).toMatchObject({ state: 'uncertain', lastErrorCode: 'PARTNER_CODE_IN_DOUBT' });
    expect(alerts.events).toEqual([expect.objectContaining({ kind: 'uncertain', orderNumber: '1001', partnerCode: 'SR000001' })]);
    expect(h.shop.cashman.drafts).toHaveLength(0);

    expect(await main(['retry', '1001', '--partner-code-is-theirs'], { env: h.env, out: () => undefined, err: () => undefined })).toBe(0);
    expect((await runCycle(runtime.deps)).outcomes).toMatchObject({ done: 1 });
    const partnerCodes = h.shop.cashman.received.filter((r) => r.operation === 9).map((r) => r.rows[0]?.['partner_kod']);
    expect(partnerCodes).toEqual(['SR000001', 'SR000001']);
    expect(h.shop.cashman.partners.size).toBe(1);
    expect(h.shop.cashman.drafts.map((d) => d.partnerCode)).toEqual(['SR000001']);
  });

  it('a draft answer followed by a PHP warning is uncertain although the draft exists', async () => {
    h.shop.shoprenter.addOrders([order(1001)]);
    h.shop.cashman.setFault({ kind: 'answer', shape: 'php-warning', around: 'after' }, { operations: [4] });
    expect((await runCycle(runtime.deps)).outcomes).toMatchObject({ uncertain: 1, done: 0 });
    expect(h.shop.cashman.drafts).toHaveLength(1);
    expect(stateOf(1001)?.state).toBe('uncertain');
    expect(alerts.events.map((e) => e.kind)).toEqual(['uncertain']);
  });

  it('a product-group HIBA ("csoport") quarantines only that order; the next orders are drafted in the same cycle', async () => {
    h.shop.cashman.rejectSku('SKU-2');
    h.shop.shoprenter.addOrders([order(1001), orderWithSku(1002, 'SKU-2'), order(1003), order(1004)]);
    const first = await runCycle(runtime.deps);
    expect(first).toMatchObject({ ok: true, outcomes: { done: 3, quarantined: 1 } });
    expect(stateOf(1002)).toMatchObject({ state: 'quarantined', lastErrorCode: 'CASHMAN_REJECTED' });
    expect(stateOf(1002)?.lastError).toBe(`Cashman refused the draft: ${productGroupHiba('SKU-2').slice('HIBA: '.length)}`);
    for (const n of [1001, 1003, 1004]) expect(stateOf(n)?.state).toBe('done');
    // The login check was asked, and passed.
    const ops = h.shop.cashman.received.map((r) => r.operation);
    expect(ops.filter((op) => op === 19)).toHaveLength(1);
    expect(ops[ops.indexOf(19) - 1]).toBe(4);
    expect(alerts.events.map((e) => `${e.kind} ${e.orderNumber ?? ''}`)).toEqual(['quarantined 1002']);

    // Later cycles go on: no abort at that order, no new alert.
    h.shop.shoprenter.addOrder(order(1005));
    expect(await runCycle(runtime.deps)).toMatchObject({ ok: true, outcomes: { done: 1 } });
    expect(alerts.events).toHaveLength(1);
  });

  it('a real login failure (password changed in Cashman) aborts, confirmed by the login check, touching no order', async () => {
    h.shop.shoprenter.addOrders([order(1001), order(1002)]);
    h.shop.cashman.setLogin({ password: 'changed-in-cashman' });
    const failed = await runCycle(runtime.deps);
    expect(failed.ok).toBe(false);
    expect(failed.error).toMatch(/^Cashman refused the login .*\(confirmed by a read-only login check\)$/);
    expect(h.shop.cashman.received.map((r) => r.operation)).toEqual([9, 19]);
    for (const n of [1001, 1002]) {
      const row = stateOf(n);
      expect(row === undefined || (row.state === 'pending' && row.attempts === 0)).toBe(true);
    }
    expect(alerts.events.map((e) => e.kind)).toEqual(['login-failed']);
    expect(h.shop.cashman.partners.size).toBe(0);
  });
});
