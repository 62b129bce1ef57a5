import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { buildShoprenterOrder, type OrderSpec } from '../src/standins/shoprenter-fixtures.js';
import { runCycle } from '../src/sync/cycle.js';
import { startHarness, type Harness } from './helpers/harness.js';
import { budapestDay, plusDays } from './helpers/days.js';
import { SIMPLE_ORDER } from './helpers/order-specs.js';

const anna: Omit<OrderSpec, 'innerId' | 'dateUpdated'> = { ...SIMPLE_ORDER, email: '  Kiss.Anna@Example.HU ' };

function order(innerId: number, dateUpdated: string, patch: Partial<OrderSpec> = {}) {
  return buildShoprenterOrder({ ...anna, innerId, dateUpdated, ...patch });
}

describe('end to end: real cycles against both stand-ins', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('drafts a new buyer, skips done orders, and handles returning buyers with and without changes', async () => {
    h.shop.shoprenter.addOrder(order(1001, '2026-11-20T10:00:00'));
    const runtime = await h.runtime();

    const dayBefore = budapestDay();
    const first = await runCycle(runtime.deps);
    const dayAfter = budapestDay();
    expect(first).toMatchObject({ ok: true, listed: 1, partnersCreated: 1 });
    expect(first.outcomes.done).toBe(1);
    expect(h.shop.cashman.stats.byOperation).toEqual({ '9': 1, '4': 1 });
    const [draft] = h.shop.cashman.drafts;
    const head = draft!.rows[0]!;
    const total = String(order(1001, '2026-11-20T10:00:00')['total']).replace(/\.0+$/, '');
    expect(head).toMatchObject({ muveletkod: '4', partner_kod: 'SR000001', nev: 'Kiss Anna', deviza: 'HUF', egyeb: 'Shoprenter rendelés: 1001' });
    expect(head['szamla_brutto']).toBe(total);
    // Issued the day it is drafted, fulfilled on the order's day, due 8 days after issue (issue 17).
    expect([dayBefore, dayAfter]).toContain(head['kelt']);
    expect(head['teljesites']).toBe('2026-11-20');
    expect(head['fizetesi_hatarido']).toBe(plusDays(String(head['kelt']), 8));
    expect(head['Password']).toBe('********'); // the stand-in stores rows masked; the real one was checked on arrival
    expect(h.shop.cashman.emailCimSeen).toEqual([]);
    expect(draft!.rows.map((r) => r['megnevezes'])).toEqual(['Pálinkás pohár készlet', 'Szabó Magda: Az ajtó', 'GLS házhozszállítás', 'Kezelési költség (cod)']);

    // A second cycle: nothing new, so nothing to Cashman and exactly one Shoprenter list request.
    const before = { ...h.shop.shoprenter.stats.byPath };
    const cashmanBefore = h.shop.cashman.stats.requests;
    const idle = await runCycle(runtime.deps);
    expect(idle.outcomes).toMatchObject({ done: 0, skipped: 1 });
    expect(h.shop.cashman.stats.requests).toBe(cashmanBefore);
    const after = h.shop.shoprenter.stats.byPath;
    const delta = Object.fromEntries(Object.entries(after).map(([p, n]) => [p, n - (before[p] ?? 0)]).filter(([, n]) => n !== 0));
    expect(delta).toEqual({ '/api/orderExtend': 1 });

    // Returning buyer, same data: one Cashman request (the draft).
    h.shop.shoprenter.addOrder(order(1002, '2026-11-20T11:00:00'));
    await runCycle(runtime.deps);
    expect(h.shop.cashman.stats.requests - cashmanBefore).toBe(1);
    expect(h.shop.cashman.drafts[1]!.rows[0]!['partner_kod']).toBe('SR000001');

    // Returning buyer with a new phone and address: partner update (same partner_id) + draft.
    h.shop.shoprenter.addOrder(
      order(1003, '2026-11-20T12:00:00', { phone: '+36209999999', billing: { postcode: '6720', city: 'Szeged', address1: 'Kárász utca 5.' } }),
    );
    await runCycle(runtime.deps);
    expect(h.shop.cashman.stats.requests - cashmanBefore).toBe(3);
    const update = h.shop.cashman.received.filter((r) => r.operation === 9)[1]!.rows[0]!;
    expect(update).toMatchObject({ partner_id: '1001', partner_kod: 'SR000001', mobil: '+36209999999', varos: 'Szeged' });
    expect(h.shop.cashman.partners.size).toBe(1);
    expect(runtime.ledger.counts()).toMatchObject({ done: 3, quarantined: 0, uncertain: 0 });
  });

  it('restarting on the same database never drafts an order twice', async () => {
    h.shop.shoprenter.addOrders([order(2001, '2026-11-21T09:00:00'), order(2002, '2026-11-21T09:05:00', { email: 'nagy.bela@example.hu', firstname: 'Nagy', lastname: 'Béla' })]);
    const first = await h.runtime();
    await runCycle(first.deps);
    first.close();
    expect(h.shop.cashman.drafts).toHaveLength(2);

    const second = await h.runtime();
    const summary = await runCycle(second.deps);
    expect(summary.outcomes).toMatchObject({ done: 0, skipped: 2 });
    expect(h.shop.cashman.drafts).toHaveLength(2);
    expect(new Set(h.shop.cashman.drafts.map((d) => d.rows[0]!['egyeb'])).size).toBe(2);
  });

  it('quarantines what it cannot map, with a sentence, and sends nothing for it', async () => {
    h.shop.shoprenter.addOrders([
      order(3001, '2026-11-22T08:00:00', { paymentMethodCode: 'OTP_SZEP' }),
      order(3002, '2026-11-22T08:01:00', { email: 'masik@example.hu' }),
    ]);
    const runtime = await h.runtime();
    const summary = await runCycle(runtime.deps);
    expect(summary.outcomes).toMatchObject({ done: 1, quarantined: 1 });
    const row = runtime.ledger.findOrder('3001');
    expect(row?.state).toBe('quarantined');
    expect(row?.lastError).toContain('paymentMethods');
    expect(h.shop.cashman.drafts.map((d) => d.rows[0]!['egyeb'])).toEqual(['Shoprenter rendelés: 3002']);

    // The shop owner fixes the order in Shoprenter: a changed dateUpdated brings it back.
    h.shop.shoprenter.updateOrder('3001', { paymentMethodCode: 'cod', dateUpdated: '2026-11-22T09:00:00' });
    const again = await runCycle(runtime.deps);
    expect(again.outcomes.done).toBe(1);
    expect(runtime.ledger.findOrder('3001')?.state).toBe('done');
  });

  it('only drafts orders in the configured statuses and after startFrom', async () => {
    await h.close();
    const { demoConfigYaml } = await import('../src/standins/local-shop.js');
    h = await startHarness({ config: demoConfigYaml({ statuses: ['Teljesítve'], startFrom: '2026-11-10T00:00:00' }) });
    h.shop.shoprenter.addOrders([
      order(4001, '2026-11-23T08:00:00', { status: 1 }),
      order(4002, '2026-11-23T08:01:00', { status: 5 }),
      order(4003, '2026-11-09T08:01:00', { status: 5 }),
    ]);
    const runtime = await h.runtime();
    const summary = await runCycle(runtime.deps);
    expect(summary.outcomes).toMatchObject({ done: 1, ignored: 1 });
    expect(h.shop.cashman.drafts.map((d) => d.rows[0]!['egyeb'])).toEqual(['Shoprenter rendelés: 4002']);

    // Completing 4001 in the shop bumps dateUpdated; the next poll drafts it.
    h.shop.shoprenter.updateOrder('4001', { orderStatus: order(4001, '', { status: 5 })['orderStatus'], dateUpdated: '2026-11-23T09:00:00' });
    await runCycle(runtime.deps);
    expect(h.shop.cashman.drafts).toHaveLength(2);
  });

  it('never drafts a failed order that the shop cancelled before its retry', async () => {
    const raw = order(5001, '2026-11-23T10:00:00');
    h.shop.shoprenter.addOrder(raw);
    const runtime = await h.runtime();
    const key = { orderId: String(raw['id']), orderNumber: '5001', dateUpdated: '2026-11-23T10:00:00' };
    runtime.ledger.markPending(key);
    runtime.ledger.markFailed(key.orderNumber, 'CASHMAN_NOT_SENT', 'connection refused', new Date(Date.now() - 1000));
    runtime.ledger.setMeta('cursor', '2026-11-23T12:00:00');
    h.shop.shoprenter.updateOrder('5001', {}, { storno: true });
    const summary = await runCycle(runtime.deps);
    expect(summary.retried).toBe(1);
    expect(runtime.ledger.findOrder('5001')).toMatchObject({ state: 'quarantined' });
    expect(runtime.ledger.findOrder('5001')?.lastError).toContain('cancelled (storno)');
    expect(h.shop.cashman.drafts).toHaveLength(0);
  });
});
