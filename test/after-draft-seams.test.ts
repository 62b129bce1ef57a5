import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { main } from '../src/cli.js';
import type { Runtime } from '../src/runtime.js';
import { demoConfigYaml } from '../src/standins/local-shop.js';
import { buildShoprenterOrder, type OrderSpec } from '../src/standins/shoprenter-fixtures.js';
import { runCycle } from '../src/sync/cycle.js';
import { startWebhook, type WebhookServer } from './alerts-webhook.js';
import { startHarness, type Harness } from './helpers/harness.js';
import { SIMPLE_ORDER } from './helpers/order-specs.js';

/**
 * Issue 16 §5 and §8, end to end: real cycles against both stand-ins, a real webhook endpoint for
 * the alerts, the real ledger file, and the commands a person types (`resolve`), run in-process.
 * SIMPLE_ORDER is 16 779 Ft gross; with one glass instead of two, 16 779 - 5 000 = 11 779 Ft
 * (after-draft.test.ts shows the arithmetic).
 */

const base: Omit<OrderSpec, 'innerId' | 'dateUpdated'> = { ...SIMPLE_ORDER, email: 'kiss.anna@example.hu' };
const order = (innerId: number, dateUpdated: string, patch: Partial<OrderSpec> = {}) =>
  buildShoprenterOrder({ ...base, innerId, dateUpdated, dateCreated: '2026-11-20T09:00:00', ...patch });
const config = demoConfigYaml({ productLookups: false, cancelStatuses: ['Törölve'] });
const [glass, book] = SIMPLE_ORDER.products;

describe('after the draft, where it meets uncertain orders and upgrades (issue 16 §5, §8)', () => {
  let h: Harness;
  let hook: WebhookServer;
  let rt: Runtime;
  const clock = { now: new Date('2026-11-20T11:00:00Z') };

  beforeEach(async () => {
    h = await startHarness({ config });
    hook = await startWebhook();
    rt = await h.runtime({ env: { ALERT_WEBHOOK_URL: hook.url }, now: () => clock.now });
  });
  afterEach(async () => {
    await hook.close();
    await h.close();
  });

  // One cycle, then the alerts it queued are delivered (the writer's delivery runs beside the cycle).
  const cycle = async () => {
    const summary = await runCycle(rt.deps);
    await rt.delivery.flush();
    return summary;
  };
  const cycleId = () => (rt.ledger.db.prepare('SELECT MAX(id) AS id FROM cycles').get() as { id: number }).id;
  const untilSweep = async () => {
    do await cycle();
    while (cycleId() % 10 !== 0);
  };
  const afterDraftAlerts = () => hook.calls.map((c) => c.json).filter((j) => String(j['kind']).endsWith('-after-draft'));
  const cli = async (...args: string[]) => {
    const out: string[] = [];
    const code = await main(args, { env: h.env, out: (t) => out.push(t), err: (t) => out.push(t) });
    return { code, text: out.join('\n') };
  };
  /** The draft reaches Cashman, its answer is lost: the order is uncertain. */
  const draftUncertain = async (innerId: number) => {
    h.shop.shoprenter.addOrder(order(innerId, '2026-11-20T10:00:00'));
    h.shop.cashman.setFault({ kind: 'dropAfterProcessing' }, { operations: [1, 4] });
    await cycle();
    expect(h.shop.cashman.drafts).toHaveLength(1);
    expect(rt.ledger.findOrder(String(innerId))?.state).toBe('uncertain');
  };

  it('§5: a storno while uncertain is reported once, at the first cycle after "resolve --done"', async () => {
    await draftUncertain(1101);
    h.shop.shoprenter.setStorno('1101', true, '2026-11-20T11:30:00');
    await untilSweep(); // the storno sweep passes while the order is uncertain
    await untilSweep();
    expect(afterDraftAlerts()).toEqual([]);

    expect(await cli('resolve', '1101', '--done')).toMatchObject({ code: 0 });
    await cycle();
    expect(afterDraftAlerts()).toEqual([
      expect.objectContaining({ kind: 'cancelled-after-draft', orderNumber: '1101', reason: expect.stringContaining('cancelled (storno) in Shoprenter') }),
    ]);
    await untilSweep();
    await cycle();
    expect(afterDraftAlerts()).toHaveLength(1);
    expect(h.shop.cashman.drafts).toHaveLength(1);
    expect(rt.ledger.findOrder('1101')?.state).toBe('done');
  });

  it('§5: a change while uncertain is reported once after "resolve --done", in words', async () => {
    await draftUncertain(1102);
    h.shop.shoprenter.updateOrder('1102', order(1102, '2026-11-20T11:30:00', { products: [{ ...glass!, stocks: [1] }, book!] }));
    await cycle();
    await cycle();
    expect(afterDraftAlerts()).toEqual([]);
    expect(await cli('resolve', '1102', '--done')).toMatchObject({ code: 0 });
    await cycle();
    await cycle();
    // Compared with the draft request the uncertain order sent (the audit trail): totals, buyer, addresses.
    expect(afterDraftAlerts()).toEqual([
      expect.objectContaining({ kind: 'changed-after-draft', orderNumber: '1102', reason: 'Order 1102 changed after its draft was made: gross 16 779 -> 11 779 Ft.' }),
    ]);
  });

  it('§5: an uncertain order left alone in the shop is not reported after "resolve --done"', async () => {
    await draftUncertain(1103);
    expect(await cli('resolve', '1103', '--done')).toMatchObject({ code: 0 });
    await untilSweep();
    await cycle();
    expect(afterDraftAlerts()).toEqual([]);
  });

  it('§8: a sole trader drafted by an earlier version (no tax number) is reported as that version\'s draft, not as a change', async () => {
    const soleTrader = { taxNumber: '68123456-1-33' };
    h.shop.shoprenter.addOrder(order(1104, '2026-11-20T10:00:00', soleTrader));
    await cycle();
    expect(h.shop.cashman.drafts[0]!.rows[0]).toMatchObject({ nev: 'Kiss Anna', adoszam: '68123456-1-33' });
    // The ledger as an earlier version left it: its draft request had no tax number (it kept a
    // sole trader's only with a company name), and no fingerprint (kept from migration 2 on).
    rt.ledger.db.exec('DELETE FROM after_draft');
    const audit = rt.ledger.db.prepare(`SELECT id, request FROM audit WHERE order_number = '1104' AND kind = 'draft'`).get() as { id: number; request: string };
    const rows = JSON.parse(audit.request) as Record<string, string>[];
    rows[0]!['adoszam'] = '';
    rt.ledger.db.prepare('UPDATE audit SET request = ? WHERE id = ?').run(JSON.stringify(rows), audit.id);

    h.shop.shoprenter.setOrderStatus('1104', 5, '2026-11-20T11:30:00'); // nothing on the invoice changes
    await cycle();
    expect(afterDraftAlerts()).toEqual([
      expect.objectContaining({
        kind: 'changed-after-draft',
        orderNumber: '1104',
        reason:
          'Order 1104 differs from its draft, though the order did not change: the draft made by an earlier version has no tax number (the order has 68123456-1-33; that version left out a sole trader\'s tax number).',
      }),
    ]);
  });

  it('§8: the same for a fingerprint an earlier version kept', async () => {
    h.shop.shoprenter.addOrder(order(1105, '2026-11-20T10:00:00', { taxNumber: '68123456-1-33' }));
    await cycle();
    // An earlier version's fingerprint: the same order without the tax number, and without the
    // mark of the rules that made it.
    const watch = rt.ledger.afterDraft.get('1105')!;
    const { rules: _rules, ...earlier } = { ...watch.fingerprint, taxNumber: '' } as Record<string, unknown>;
    rt.ledger.db.prepare('UPDATE after_draft SET fingerprint = ?, observed = ? WHERE order_number = ?').run(JSON.stringify(earlier), JSON.stringify(earlier), '1105');
    h.shop.shoprenter.setOrderStatus('1105', 5, '2026-11-20T11:30:00');
    await cycle();
    expect(afterDraftAlerts().map((a) => a['reason'])).toEqual([
      'Order 1105 differs from its draft, though the order did not change: the draft made by an earlier version has no tax number (the order has 68123456-1-33; that version left out a sole trader\'s tax number).',
    ]);
  });
});
