import { describe, expect, it } from '@jest/globals';
import { draftRows } from '../src/cashman/rows.js';
import { fingerprintFromDraftRows } from '../src/cashman/draft-fingerprint.js';
import { judgeNewVersion } from '../src/domain/after-draft-judgement.js';
import { buildDraft } from '../src/domain/build-draft.js';
import { buildPartner } from '../src/domain/build-partner.js';
import { describeDifferences, groupThousands } from '../src/domain/fingerprint-difference.js';
import { fingerprintOrder, type Fingerprint } from '../src/domain/fingerprint.js';
import type { Order } from '../src/domain/order.js';
import { normalizeOrder } from '../src/shoprenter/normalize-order.js';
import { buildShoprenterOrder, type OrderSpec } from '../src/standins/shoprenter-fixtures.js';
import { parseConfig } from '../src/config/load-config.js';
import { demoConfigYaml } from '../src/standins/local-shop.js';
import { SIMPLE_ORDER } from './helpers/order-specs.js';

const spec: OrderSpec = { ...SIMPLE_ORDER, innerId: 7, dateUpdated: '2026-11-20T10:00:00', email: 'kiss.anna@example.hu' };
function orderOf(patch: Partial<OrderSpec> = {}): Order {
  const sourced = normalizeOrder(buildShoprenterOrder({ ...spec, ...patch }));
  if (!sourced.ok) throw new Error(sourced.reason);
  return sourced.order;
}

const line = (key: string, quantity: string, netUnitPrice = '100', taxRate = '27') => ({ key, name: key, quantity, netUnitPrice, taxRate });

describe('describeDifferences: what changed, in words', () => {
  const before: Fingerprint = {
    currency: 'HUF',
    grossHuf: '12990',
    buyerName: 'Kiss Anna',
    email: 'kiss.anna@example.hu',
    taxNumber: '',
    billing: '1111|Budapest|Fő utca 1.|Magyarország',
    shipping: 'Kiss Anna|1111|Budapest|Fő utca 1.|Magyarország',
    lines: [line('Bögre', '2'), line('Tál', '1')],
  };
  it.each<[string, Fingerprint, string[]]>([
    ['nothing', { ...before }, []],
    ['the example of SPEC §1.7', { ...before, grossHuf: '10990', lines: [line('Bögre', '1'), line('Tál', '1')], shipping: '' }, ['gross 12 990 -> 10 990 Ft', 'line "Bögre" qty 2 -> 1', 'shipping address "Kiss Anna, 1111 Budapest, Fő utca 1., Magyarország" -> (none)']],
    ['a line removed and one added', { ...before, lines: [line('Bögre', '2'), line('Kanál', '3')] }, ['line "Tál" removed', 'line "Kanál" qty 3 added']],
    ['price and VAT', { ...before, lines: [line('Bögre', '2', '1234567.5', '5'), line('Tál', '1')] }, ['line "Bögre" net unit price 100 -> 1 234 567.5 Ft', 'line "Bögre" VAT 27% -> 5%']],
    // Issue 17: old and new values, not only "buyer name changed".
    [
      'buyer and billing',
      { ...before, buyerName: 'Nagy Anna', email: 'nagy.anna@example.hu', taxNumber: '12345678-1-42', billing: '6720|Szeged|Kárász utca 5.|Magyarország' },
      [
        'buyer name "Kiss Anna" -> "Nagy Anna"',
        'buyer e-mail "kiss.anna@example.hu" -> "nagy.anna@example.hu"',
        'buyer tax number (none) -> "12345678-1-42"',
        'billing address "1111 Budapest, Fő utca 1., Magyarország" -> "6720 Szeged, Kárász utca 5., Magyarország"',
      ],
    ],
    ['unknown lines are not compared', { ...before, lines: undefined }, []],
  ])('%s', (_name, after, words) => {
    expect(describeDifferences(before, after)).toEqual(words);
  });

  it('groups digits the Hungarian way', () => {
    expect([groupThousands('990'), groupThousands('1000'), groupThousands('-1234567')]).toEqual(['990', '1 000', '-1 234 567']);
  });
});

describe('fingerprintOrder: only what the invoice shows', () => {
  it('ignores status, comment and dates', () => {
    const a = fingerprintOrder(orderOf());
    const b = fingerprintOrder(orderOf({ status: 5, comment: 'Csomag leadva', dateUpdated: '2026-11-21T08:00:00' }));
    expect(describeDifferences(a, b)).toEqual([]);
  });

  it('rebuilt from the draft request rows, it matches the order the draft was made from (private and company buyer)', () => {
    const config = { ...parseConfig(demoConfigYaml()), timezone: 'Europe/Budapest' };
    for (const patch of [{}, { company: 'Kiss Kft.', taxNumber: '12345678-2-42', shipping: { postcode: '6720', city: 'Szeged', address1: 'Kárász utca 5.' } }]) {
      const order = orderOf(patch);
      const partner = buildPartner(order);
      if ('reason' in partner) throw new Error(partner.reason);
      const result = buildDraft(order, partner, config, '2026-12-30');
      if (!result.ok) throw new Error(result.reason);
      const fromRows = fingerprintFromDraftRows(draftRows(result.draft, 'SR000001', { group: 'g', user: 'u', password: 'p' }));
      expect(fromRows).not.toBeNull();
      expect(describeDifferences(fromRows!, fingerprintOrder(order))).toEqual([]);
      expect(describeDifferences(fromRows!, fingerprintOrder(orderOf({ ...patch, firstname: 'Nagy' })))).not.toEqual([]);
    }
  });
});

describe('judgeNewVersion: one event per new condition', () => {
  const base = fingerprintOrder(orderOf());
  const changed = fingerprintOrder(orderOf({ phone: '+36209999999', billing: { postcode: '6720', city: 'Szeged', address1: 'Kárász utca 5.' } }));
  it.each([
    ['unchanged', 'ok', null, base, null],
    ['cancel by status', 'ok', 'status', base, 'cancelled'],
    ['still cancelled', 'cancelled', 'status', base, null],
    ['changed', 'ok', null, changed, 'changed'],
    ['back to the draft after a cancellation', 'cancelled', null, base, 'restored'],
    ['back to the draft after a change', 'changed', null, base, 'restored'],
  ] as const)('%s', (_name, condition, cancelledBy, now, kind) => {
    const judgement = judgeNewVersion({ condition, base, observed: null }, now, cancelledBy);
    expect(judgement.event?.kind ?? null).toBe(kind);
  });

  it('a changed order that changes only its status is not reported again', () => {
    expect(judgeNewVersion({ condition: 'changed', base, observed: changed }, changed, null)).toEqual({ condition: 'changed', event: null });
  });
});

describe('a draft made by an earlier version (issue 16 §8)', () => {
  // Versions before rules 2 kept a tax number only with a company name: a sole trader's draft had none.
  const earlierSoleTrader: Fingerprint = { currency: 'HUF', grossHuf: '16779', buyerName: 'Kiss Anna', taxNumber: '', billing: 'a' };
  const words = "the draft made by an earlier version has no tax number (the order has 68123456-1-33; that version left out a sole trader's tax number)";

  it('says the earlier version left the sole trader\'s tax number out, not that the order changed', () => {
    expect(describeDifferences(earlierSoleTrader, { ...earlierSoleTrader, rules: 2, taxNumber: '68123456-1-33' })).toEqual([words]);
  });

  it('this version\'s fingerprint without a tax number: a tax number added later is a change of the order', () => {
    expect(describeDifferences({ ...earlierSoleTrader, rules: 2 }, { ...earlierSoleTrader, rules: 2, taxNumber: '68123456-1-33' })).toEqual(['buyer tax number (none) -> "68123456-1-33"']);
  });

  it('a buyer who became a company (new name and tax number) changed, whoever made the draft', () => {
    expect(describeDifferences(earlierSoleTrader, { ...earlierSoleTrader, rules: 2, buyerName: 'Példa Kft.', taxNumber: '12345678-2-41' })).toEqual([
      'buyer name "Kiss Anna" -> "Példa Kft."',
      'buyer tax number (none) -> "12345678-2-41"',
    ]);
  });

  it('this version marks its fingerprints, so they are never taken for an earlier version\'s', () => {
    expect(fingerprintOrder(orderOf({ taxNumber: '68123456-1-33' }))).toMatchObject({ rules: 2, buyerName: 'Kiss Anna', taxNumber: '68123456-1-33' });
  });
});
