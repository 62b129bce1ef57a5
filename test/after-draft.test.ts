import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { demoConfigYaml } from '../src/standins/local-shop.js';
import { buildShoprenterOrder, type OrderSpec } from '../src/standins/shoprenter-fixtures.js';
import type { Runtime } from '../src/runtime.js';
import { runCycle } from '../src/sync/cycle.js';
import { main } from '../src/cli.js';
import { startWebhook, type WebhookServer } from './alerts-webhook.js';
import { startHarness, type Harness } from './helpers/harness.js';
import { SIMPLE_ORDER } from './helpers/order-specs.js';

/**
 * SPEC §1.7 end to end: real cycles against both stand-ins, a real webhook endpoint for the
 * alerts, the real ledger file. Expected words come from the order specs by hand: SIMPLE_ORDER is
 * 2 x "Pálinkás pohár készlet" at 5 000 gross (3 937.0079 net x 1.27) + "Szabó Magda: Az ajtó"
 * 4 499 (4 284.7619 x 1.05 = 4 498.99999) + shipping 1 690 + COD fee 590 = 16 779 Ft.
 */

const base: Omit<OrderSpec, 'innerId' | 'dateUpdated'> = { ...SIMPLE_ORDER, email: 'kiss.anna@example.hu' };
const order = (innerId: number, dateUpdated: string, patch: Partial<OrderSpec> = {}) =>
  buildShoprenterOrder({ ...base, innerId, dateUpdated, dateCreated: '2026-11-20T09:00:00', ...patch });

const config = demoConfigYaml({ productLookups: false, cancelStatuses: ['Törölve'] });

describe('after the draft: cancelled and changed orders (SPEC §1.7)', () => {
  let h: Harness;
  let hook: WebhookServer;
  let rt: Runtime;
  const clock = { now: new Date('2026-11-20T11:00:00Z') }; // 12:00 in Budapest

  beforeEach(async () => {
    h = await startHarness({ config });
    hook = await startWebhook();
    rt = await h.runtime({ env: { ALERT_WEBHOOK_URL: hook.url }, now: () => clock.now });
  });
  afterEach(async () => {
    await hook.close();
    await h.close();
  });

  const cycle = async () => {
    const summary = await runCycle(rt.deps);
    await rt.delivery.flush(); // what the writer's delivery sends beside the cycle
    return summary;
  };
  const cycleId = () => (rt.ledger.db.prepare('SELECT MAX(id) AS id FROM cycles').get() as { id: number }).id;
  const untilSweep = async () => {
    do await cycle();
    while (cycleId() % 10 !== 0);
  };
  const afterDraftAlerts = () => hook.calls.map((c) => c.json).filter((j) => String(j['kind']).endsWith('-after-draft'));
  const statusJson = async () => {
    const out: string[] = [];
    expect(await main(['status', '--json'], { env: h.env, out: (t) => out.push(t), err: (t) => out.push(t) })).toBe(0);
    return JSON.parse(out.join('\n')) as { needsAttentionAfterDraft: Record<string, unknown>[]; counts: Record<string, number> };
  };
  const draftAndSettle = async (...orders: Record<string, unknown>[]) => {
    for (const o of orders) h.shop.shoprenter.addOrder(o);
    await cycle();
    expect(h.shop.cashman.drafts).toHaveLength(orders.length);
  };

  it('a storno after the draft is found by the sweep, alerted once with the Cashman reference, and shown by status', async () => {
    await draftAndSettle(order(1001, '2026-11-20T10:00:00'));
    const ref = rt.ledger.findOrder('1001')!.cashmanRef;
    expect(ref).toBe(h.shop.cashman.drafts[0]!.reference);

    h.shop.shoprenter.setStorno('1001', true, '2026-11-20T11:30:00');
    h.shop.shoprenter.resetStats();
    await untilSweep();
    const sweeps = h.shop.shoprenter.requestLog.filter((r) => r.path === '/api/orderExtend' && !r.query.includes('excludeStorno'));
    expect(sweeps).toHaveLength(1);

    expect(afterDraftAlerts()).toEqual([
      expect.objectContaining({ kind: 'cancelled-after-draft', orderNumber: '1001', cashmanRef: ref, reason: expect.stringContaining('storno') }),
    ]);
    expect(String(afterDraftAlerts()[0]!['action'])).toContain('storno invoice');
    const status = await statusJson();
    expect(status.needsAttentionAfterDraft).toEqual([expect.objectContaining({ orderNumber: '1001', kind: 'cancelled', cashmanRef: ref })]);
    expect(status.counts['done']).toBe(1); // not a fault: the order stays done and the cycles succeed
    expect(rt.ledger.getMeta('last_cycle_ok')).toBe('1');

    await untilSweep(); // the same version again: no second report
    expect(afterDraftAlerts()).toHaveLength(1);
    expect(h.shop.cashman.drafts).toHaveLength(1);
  });

  it('a move into a cancel status is reported at the next poll, and a move back as restored', async () => {
    await draftAndSettle(order(1002, '2026-11-20T10:00:00'));
    h.shop.shoprenter.setOrderStatus('1002', 7, '2026-11-20T11:30:00'); // "Törölve"
    await cycle();
    expect(afterDraftAlerts()).toEqual([
      expect.objectContaining({ kind: 'cancelled-after-draft', orderNumber: '1002', reason: expect.stringContaining('cancel status 7') }),
    ]);
    await cycle();
    expect(afterDraftAlerts()).toHaveLength(1);

    h.shop.shoprenter.setOrderStatus('1002', 5, '2026-11-20T11:40:00');
    await cycle();
    expect(afterDraftAlerts()[1]).toMatchObject({ kind: 'changed-after-draft', orderNumber: '1002', reason: expect.stringContaining('matches its draft again') });
    expect((await statusJson()).needsAttentionAfterDraft).toEqual([expect.objectContaining({ orderNumber: '1002', kind: 'restored' })]);
  });

  it('a storno undone in the shop is reported as restored', async () => {
    await draftAndSettle(order(1003, '2026-11-20T10:00:00'));
    h.shop.shoprenter.setStorno('1003', true, '2026-11-20T11:30:00');
    await untilSweep();
    h.shop.shoprenter.setStorno('1003', false, '2026-11-20T11:45:00');
    await cycle();
    expect(afterDraftAlerts().map((a) => a['kind'])).toEqual(['cancelled-after-draft', 'changed-after-draft']);
    expect(afterDraftAlerts()[1]!['reason']).toContain('matches its draft again');
  });

  it('edits of quantity, price, shipping address and buyer are reported in words; a status change or comment alone is not', async () => {
    await draftAndSettle(order(1004, '2026-11-20T10:00:00'), order(1005, '2026-11-20T10:00:00'), order(1006, '2026-11-20T10:00:00'), order(1007, '2026-11-20T10:00:00'));
    const [glass, book] = SIMPLE_ORDER.products;
    const at = '2026-11-20T11:30:00';
    h.shop.shoprenter.updateOrder('1004', order(1004, at, { products: [{ ...glass!, stocks: [1] }, book!] }));
    h.shop.shoprenter.updateOrder('1005', order(1005, at, { products: [glass!, { ...book!, netPrice: 3809.5238 }] }));
    h.shop.shoprenter.updateOrder('1006', order(1006, at, { shipping: { postcode: '6720', city: 'Szeged', address1: 'Kárász utca 5.' } }));
    h.shop.shoprenter.updateOrder('1007', order(1007, at, { firstname: 'Nagy' }));
    await cycle();
    const reasons = Object.fromEntries(afterDraftAlerts().map((a) => [a['orderNumber'], a['reason']]));
    expect(reasons).toEqual({
      '1004': 'Order 1004 changed after its draft was made: gross 16 779 -> 11 779 Ft; line "Pálinkás pohár készlet" qty 2 -> 1.',
      '1005': 'Order 1005 changed after its draft was made: gross 16 779 -> 16 280 Ft; line "Szabó Magda: Az ajtó" net unit price 4 284.7619 -> 3 809.5238 Ft.',
      '1006': 'Order 1006 changed after its draft was made: shipping address "Kiss Anna, 1111 Budapest, Fő utca 1., Magyarország" -> "Kiss Anna, 6720 Szeged, Kárász utca 5., Magyarország".',
      // The shop copies the buyer's name into the shipping block, which the draft carries too.
      '1007':
        'Order 1007 changed after its draft was made: buyer name "Kiss Anna" -> "Nagy Anna"; shipping address "Kiss Anna, 1111 Budapest, Fő utca 1., Magyarország" -> "Nagy Anna, 1111 Budapest, Fő utca 1., Magyarország".',
    });
    expect(afterDraftAlerts().every((a) => a['kind'] === 'changed-after-draft')).toBe(true);

    // Harmless: status only, then a staff comment only. Neither touches the invoice.
    const quiet = afterDraftAlerts().length;
    await draftAndSettleLater();
    expect(afterDraftAlerts()).toHaveLength(quiet);
    expect((await statusJson()).needsAttentionAfterDraft.map((e) => e['orderNumber'])).toEqual(['1004', '1005', '1006', '1007']);

    async function draftAndSettleLater(): Promise<void> {
      h.shop.shoprenter.addOrder(order(1008, '2026-11-20T11:31:00'));
      await cycle();
      h.shop.shoprenter.setOrderStatus('1008', 5, '2026-11-20T11:50:00');
      await cycle();
      h.shop.shoprenter.updateOrder('1008', { comment: 'Csomag leadva', dateUpdated: '2026-11-20T11:55:00' });
      await cycle();
      // 1004 changes status too: still changed, but nothing new for the invoice.
      h.shop.shoprenter.setOrderStatus('1004', 5, '2026-11-20T11:56:00');
      await cycle();
    }
  });

  it('an order drafted before the upgrade is compared with its draft request from the audit trail', async () => {
    await draftAndSettle(order(1009, '2026-11-20T10:00:00'));
    rt.ledger.db.exec('DELETE FROM after_draft'); // as a ledger written before migration 2 has it
    const [glass, book] = SIMPLE_ORDER.products;
    h.shop.shoprenter.updateOrder('1009', order(1009, '2026-11-20T11:30:00', { products: [{ ...glass!, stocks: [1] }, book!] }));
    await cycle();
    // The audit rows carry the totals and the buyer, not comparable product lines.
    expect(afterDraftAlerts()).toEqual([expect.objectContaining({ reason: 'Order 1009 changed after its draft was made: gross 16 779 -> 11 779 Ft.' })]);
    expect(rt.ledger.afterDraft.get('1009')?.source).toBe('audit');
  });

  it('an order in a cancel status is never drafted', async () => {
    h.shop.shoprenter.addOrder(order(1010, '2026-11-20T10:00:00', { status: 7 }));
    const summary = await cycle();
    expect(summary.outcomes.ignored).toBe(1);
    expect(h.shop.cashman.drafts).toHaveLength(0);
  });
});
