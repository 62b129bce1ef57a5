import { describe, expect, it } from '@jest/globals';
import { buildDraft } from '../src/domain/build-draft.js';
import { buildPartner } from '../src/domain/build-partner.js';
import type { DraftResult } from '../src/domain/draft.js';
import type { MappingConfig } from '../src/domain/mapping-config.js';
import type { Order } from '../src/domain/order.js';
import { makeOrder, product, totalsRows } from './fixtures/golden/builders.js';
import { BASE_CONFIG, DRAFT_DAY, configFor, type FixtureOrder } from './fixtures/golden/loader.js';

function run(order: Order, config: MappingConfig = BASE_CONFIG, today = DRAFT_DAY): DraftResult {
  const partner = buildPartner(order);
  if ('reason' in partner) return { ok: false, reason: partner.reason };
  return buildDraft(order, partner, config, today);
}

const result = (overrides: Partial<FixtureOrder>, config?: Partial<MappingConfig>): DraftResult => run(makeOrder(overrides), configFor(config));
const lines = (overrides: Partial<FixtureOrder>, config?: Partial<MappingConfig>): string[][] => {
  const r = result(overrides, config);
  if (!r.ok) throw new Error(r.reason);
  return r.draft.lines.map((l) => [l.kind, l.name, l.vatRate, String(l.net), String(l.vat), String(l.gross)]);
};
const reasonOf = (overrides: Partial<FixtureOrder>, config?: Partial<MappingConfig>): string => {
  const r = result(overrides, config);
  return r.ok ? 'draft' : r.reason;
};

/** A 27% + 5% basket: 3 × 1 270 Ft and 1 × 1 050 Ft, 4 860 Ft gross. */
const MIXED = [product({ name: 'Bögre', price: '1000', grossPrice: '1270', stock1: '3' }), product({ name: 'Könyv', price: '1000', grossPrice: '1050', taxRate: '5.0000' })];

describe('orderTotals rows', () => {
  it.each([
    // cart discount by key, whatever its type; a positive value is still a discount
    ['cart discount', [{ type: '', key: 'CART_AMOUNT_DISCOUNT', value: '-1000' }], '3860', 'discount', 'Kosárkedvezmény'],
    ['cart discount, odd type', [{ type: 'SUB_TOTAL', key: 'cart_amount_discount', value: '1000' }], '3860', 'discount', 'Kosárkedvezmény'],
    ['coupon', [{ type: 'COUPON', value: '-1000' }], '3860', 'coupon', 'Kupon kedvezmény'],
    ['loyalty', [{ type: 'LOYALTYPOINTS_TO_USE', value: '-1000' }], '3860', 'loyalty', 'Hűségpont beváltás'],
    ['type with stray space', [{ type: 'COUPON ', value: '-1000' }], '3860', 'coupon', 'Kupon kedvezmény'],
  ])('%s: split over 27%% and 5%% by product gross', (_name, rows, total, kind, name) => {
    expect(lines({ products: MIXED, totals: totalsRows(total, rows) }).slice(2)).toEqual([
      [kind, `${name} – 27% ÁFA`, '27', '-617', '-167', '-784'],
      [kind, `${name} – 5% ÁFA`, '5', '-206', '-10', '-216'],
    ]);
  });

  it('names the coupon with its code and adds no rate suffix on a one-rate basket', () => {
    const rows = lines({ couponCode: 'TAVASZ10', totals: totalsRows('10800', [{ type: 'SHIPPING', value: '2000' }, { type: 'COUPON', value: '-1200' }]) });
    expect(rows[1]).toEqual(['coupon', 'Kupon kedvezmény (TAVASZ10)', '27', '-945', '-255', '-1200']);
  });

  it('leaves out a split part that rounds to zero', () => {
    const products = [product({ price: '100000', grossPrice: '127000' }), product({ name: 'Könyv', price: '1', grossPrice: '1', taxRate: '5.0000' })];
    expect(lines({ products, totals: totalsRows('126991', [{ type: 'COUPON', value: '-10' }]) }).slice(2)).toEqual([
      ['coupon', 'Kupon kedvezmény – 27% ÁFA', '27', '-8', '-2', '-10'],
    ]);
  });

  it('needs no line for restating rows that agree, points earned, and rows of unknown type worth zero', () => {
    // 2 × 5 000 gross at 27%: net 10 000 / 1.27 = 7 874.0158, VAT 2 125.9842, as the shop shows them.
    const rows = [
      { type: 'SUB_TOTAL', value: '7874.0158' },
      { type: 'TAX', value: '2125.9842' },
      { type: 'SUB_TOTAL_WITH_TAX', value: '10000' },
      { type: 'LOYALTYPOINTS_TO_GET', value: '500' },
      { type: 'GIFT_CARD', value: '0.0000' },
      { type: 'SHIPPING', value: '2000' },
    ];
    expect(lines({ totals: totalsRows('12000', rows) })).toHaveLength(2);
  });

  // Issue 10 point 2: these rows were ignored before; a contradiction now quarantines with the numbers.
  it.each([
    ['TAX', [{ type: 'SUB_TOTAL', value: '7874.0158' }, { type: 'TAX', value: '99999' }], "Order 701 shows 99 999 Ft of VAT in Shoprenter, but its products come to 2 126 Ft of VAT at their stated VAT rates; check the products' tax classes in Shoprenter."],
    ['SUB_TOTAL', [{ type: 'SUB_TOTAL', value: '99999' }, { type: 'TAX', value: '2125.9842' }], "Order 701 shows a net subtotal of 99 999 Ft in Shoprenter, but its products come to 7 874 Ft net at their stated VAT rates; check the products' tax classes in Shoprenter."],
    // The same goods at 5% in the rows (10 000 / 1.05 = 9 523.81 net, 476.19 VAT) while the lines say 27%.
    ['TAX at another rate', [{ type: 'SUB_TOTAL', value: '9523.8095' }, { type: 'TAX', value: '476.1905' }], "Order 701 shows a net subtotal of 9 524 Ft in Shoprenter, but its products come to 7 874 Ft net at their stated VAT rates; check the products' tax classes in Shoprenter."],
  ])('quarantines a contradictory %s row', (_name, rows, expected) => {
    expect(reasonOf({ totals: totalsRows('12000', [...rows, { type: 'SHIPPING', value: '2000' }]) })).toBe(expected);
  });

  it('allows the restating rows 1.5 Ft per line and 0.5 Ft per unit of rounding, and no more', () => {
    // One line of 2 units: allowance 1.5 + 2 × 0.5 + 0.5 = 3 Ft. The draft's VAT is 2 126.
    const at = (tax: string) => result({ totals: totalsRows('12000', [{ type: 'TAX', value: tax }, { type: 'SHIPPING', value: '2000' }]) }).ok;
    expect([at('2123.0000'), at('2129.0000'), at('2122.9999'), at('2129.0001')]).toEqual([true, true, false, false]);
  });

  it.each<[string, Partial<FixtureOrder>, string]>([
    ['unknown type', { totals: totalsRows('10000', [{ type: 'GIFT_CARD', name: 'Ajándékkártya:', value: '-2000' }]) }, 'Order 701 has a total line "Ajándékkártya:" of type GIFT_CARD that this version does not know how to invoice.'],
    ['empty type', { totals: totalsRows('10000', [{ type: '', name: 'Egyéb:', value: '-2000' }]) }, 'Order 701 has a total line "Egyéb:" of type (empty) that this version does not know how to invoice.'],
    ['disagreeing TOTAL rows', { totals: [...totalsRows('12000', [{ type: 'SHIPPING', value: '2000' }]), { type: 'TOTAL', key: null, name: 'x', value: '12001' }] }, 'Order 701 has several TOTAL lines with different amounts; check the order\'s totals in Shoprenter.'],
    ['1 Ft short', { totals: totalsRows('11999', [{ type: 'SHIPPING', value: '2000' }]) }, "The draft adds up to 12 000 Ft but Shoprenter's total is 11 999 Ft; check the order's prices."],
    ['no TOTAL row, order.total differs', { totals: [{ type: 'SHIPPING', key: null, name: 's', value: '2000' }], total: '1234567.0000' }, "The draft adds up to 12 000 Ft but Shoprenter's total is 1 234 567 Ft; check the order's prices."],
    ['coupon without products to carry it', { products: [product({ price: '0', grossPrice: '0' })], totals: totalsRows('-100', [{ type: 'COUPON', value: '-100' }]) }, 'Order 701 has a discount "Kupon kedvezmény" of -100 Ft but no product value to take it from; check the order in Shoprenter.'],
    ['discounts above the goods', { totals: totalsRows('0', [{ type: 'SHIPPING', value: '2000' }, { type: 'LOYALTYPOINTS_TO_USE', value: '-12000' }]) }, 'Order 701 has discounts of -12 000 Ft, more than its products\' value of 10 000 Ft; check the order in Shoprenter.'],
  ])('%s', (_name, overrides, expected) => {
    expect(reasonOf(overrides)).toBe(expected);
  });

  it('uses order.total when there is no TOTAL row', () => {
    expect(lines({ totals: [{ type: 'SHIPPING', key: null, name: 's', value: '2000' }], total: '12000.0000' })).toHaveLength(2);
  });
});

describe('company buyers: net-first lines that keep the shop gross', () => {
  const company = { billing: { name: 'Nagy Péter', company: 'Példa Kft.', postcode: '1134', city: 'Budapest', street: 'Váci út 45.', countryName: 'Magyarország', countryCode: 'HU' }, taxNumber: '12345678-2-41' };
  // The net price a shop stores for a 27% gross price: gross / 1.27 kept to 4 decimals (input only).
  const at = (gross: string): ReturnType<typeof product> => product({ name: `Tétel ${gross}`, price: (Number(gross) / 1.27).toFixed(4), grossPrice: gross });

  it.each([
    // grosses, expected [net, vat, gross] per line; 1000 at 27% has no whole net
    [['1270', '2540'], [['1000', '270', '1270'], ['2000', '540', '2540']]],
    [['1000', '1490'], [['787', '212', '999'], ['1174', '317', '1491']]],
    [['1000', '2500'], [['788', '213', '1001'], ['1968', '531', '2499']]],
    [['1000', '2000'], [['788', '213', '1001'], ['1574', '425', '1999']]],
    [['1000', '0', '1490'], [['787', '212', '999'], ['0', '0', '0'], ['1174', '317', '1491']]], // a free line never takes the forint
  ])('%j', (grosses, expected) => {
    const total = grosses.reduce((a, g) => a + Number(g), 0);
    const r = result({ ...company, products: grosses.map(at), totals: totalsRows(String(total)) });
    if (!r.ok) throw new Error(r.reason);
    expect(r.draft.buyerKind).toBe('company');
    expect(r.draft.lines.map((l) => [String(l.net), String(l.vat), String(l.gross)])).toEqual(expected);
    expect(r.draft.totals.gross).toBe(BigInt(total));
  });

  it('refuses a one-line order whose gross no net-rounded line reaches', () => {
    expect(reasonOf({ ...company, products: [at('1000')], totals: totalsRows('1000') })).toBe(
      'Order 701 is for a company and its total of 1 000 Ft cannot be written as net-rounded invoice lines (they come to 999 Ft); issue this invoice by hand in Cashman.',
    );
  });
});

describe('currencies', () => {
  const eur = { currency: { code: 'EUR', decimals: 2, value: '0.00250000' } };

  it('converts a EUR order, states the rate and keeps the customer comment first in the note', () => {
    const r = result({ ...eur, comment: ' Köszönöm! ' });
    if (!r.ok) throw new Error(r.reason);
    expect(r.draft).toMatchObject({ currency: 'EUR', decimals: 2, note: 'Vevő megjegyzése: Köszönöm! | Árfolyam: 1 EUR = 400 HUF' });
    // 3937.0079 HUF × 0.0025 = 9.8425 EUR net -> 12.50 gross per unit; shipping 2000 HUF = 5.00 EUR
    expect(r.draft.lines.map((l) => [l.netUnitPrice, String(l.net), String(l.vat), String(l.gross)])).toEqual([
      ['9.8450', '1969', '531', '2500'],
      ['3.9400', '394', '106', '500'],
    ]);
  });

  it.each<[string, FixtureOrder['currency'], string]>([
    ['HUF with a multiplier', { code: 'HUF', decimals: 0, value: '0.00250000' }, "Order 701 is in HUF but carries exchange multiplier 0.00250000; this version expects HUF to be the shop's default currency."],
    ['no code', { code: ' ', decimals: 2, value: '1' }, 'Order 701 has no currency code; check the currency settings in Shoprenter.'],
    ['odd code', { code: 'Forint', decimals: 0, value: '1' }, 'Order 701 has an unusable currency code "Forint"; check the currency settings in Shoprenter.'],
    ['bad multiplier', { code: 'EUR', decimals: 2, value: 'abc' }, 'Order 701 is in EUR with an unusable exchange multiplier "abc"; check the currency settings in Shoprenter.'],
    ['zero multiplier', { code: 'EUR', decimals: 2, value: '0.00000000' }, 'Order 701 is in EUR with an unusable exchange multiplier "0.00000000"; check the currency settings in Shoprenter.'],
    ['multiplier 1', { code: 'EUR', decimals: 2, value: '1.00000000' }, 'Order 701 is in EUR with exchange multiplier 1, so its exchange rate to HUF is unknown; check the currency settings in Shoprenter.'],
    ['too many decimals', { code: 'KWD', decimals: 6, value: '0.001' }, 'Order 701 is in KWD with 6 decimal places, where 0 to 4 are supported; check the currency settings in Shoprenter.'],
  ])('%s', (_name, currency, expected) => {
    expect(reasonOf({ currency })).toBe(expected);
  });

  it('refuses a converted order whose difference exceeds conversion rounding', () => {
    expect(reasonOf({ ...eur, totals: totalsRows('12400', [{ type: 'SHIPPING', value: '2000' }]) })).toBe(
      "The draft adds up to 30.00 EUR but Shoprenter's total is 31.00 EUR; check the order's prices.",
    );
  });
});

describe('dates', () => {
  // Issue 17: issued (kelt) on the day the draft is made, fulfilled (teljesites) on the order's day, due from the issue date.
  it.each([
    ['2026-12-01T00:30:00', '2026-12-01', 8, '2026-12-01', '2026-12-09'], // shop-local already: 00:30 on the 1st is the 1st
    ['2026-11-30 23:59:59', '2026-12-01', 8, '2026-11-30', '2026-12-09'], // drafted the next morning
    ['2026-12-28T10:00:00', '2026-12-28', 8, '2026-12-28', '2027-01-05'],
    ['2026-12-24T10:00:00', '2026-12-28', 8, '2026-12-24', '2027-01-05'], // a Thursday order drafted on Monday
    ['2028-02-20T10:00:00', '2028-02-25', 4, '2028-02-20', '2028-02-29'],
    ['2027-02-25T10:00:00', '2027-02-25', 4, '2027-02-25', '2027-03-01'],
    ['2026-11-03T14:22:05', '2026-11-03', 0, '2026-11-03', '2026-11-03'],
    ['2026-10-31T23:30:00Z', '2026-11-01', 8, '2026-11-01', '2026-11-09'], // an explicit offset is moved into Budapest time (UTC+1)
    ['2026-07-31T22:30:00+00:00', '2026-08-01', 1, '2026-08-01', '2026-08-02'], // summer: UTC+2
    ['2026-11-01T00:30:00+01:00', '2026-11-10', 8, '2026-11-01', '2026-11-18'], // a backfill at go-live: issued today
  ])('ordered %s, drafted %s, %d days -> fulfilled %s, due %s', (dateCreated, today, dueDays, fulfilled, due) => {
    const r = run(makeOrder({ dateCreated }), { ...BASE_CONFIG, invoice: { ...BASE_CONFIG.invoice, dueDays } }, today);
    expect(r.ok && [r.draft.issueDate, r.draft.fulfilmentDate, r.draft.dueDate]).toEqual([today, fulfilled, due]);
  });

  it('invoice.fulfilmentDate: draft dates the fulfilment on the draft day too', () => {
    const config = { ...BASE_CONFIG, invoice: { ...BASE_CONFIG.invoice, fulfilmentDate: 'draft' as const } };
    const r = run(makeOrder({ dateCreated: '2026-11-27T16:00:00' }), config, '2026-11-30');
    expect(r.ok && [r.draft.issueDate, r.draft.fulfilmentDate, r.draft.dueDate]).toEqual(['2026-11-30', '2026-11-30', '2026-12-08']);
  });

  it('refuses a draft day that is not a calendar day rather than sending it', () => {
    expect(run(makeOrder(), BASE_CONFIG, '2026-02-30').ok).toBe(false);
  });

  it.each(['0000-00-00 00:00:00', '-0001-11-30T00:00:00', '2026-02-30T10:00:00', '2026-11-03T25:00:00', 'tegnap', ''])('refuses %j', (dateCreated) => {
    expect(reasonOf({ dateCreated })).toBe(`Order 701 has no valid creation date ("${dateCreated}"); check the order in Shoprenter.`);
  });

  it('names a time zone the system does not know, only when it is needed', () => {
    const config = { ...BASE_CONFIG, timezone: 'Mars/Olympus' };
    expect(run(makeOrder(), config).ok).toBe(true);
    expect(run(makeOrder({ dateCreated: '2026-11-03T10:00:00Z' }), config)).toEqual({
      ok: false,
      reason: 'sync.timezone "Mars/Olympus" in config.yaml is not a time zone this system knows.',
    });
  });
});
