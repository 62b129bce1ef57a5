import { describe, expect, it } from '@jest/globals';
import type { DraftLine, InvoiceDraft } from '../src/domain/draft.js';
import { navFailure, rebalance } from '../src/domain/nav-checks.js';

/**
 * reference/nav-rules.md §10 on hand-made drafts, for the failures a Shoprenter order cannot
 * reach through buildDraft (a negative net total, a tampered unit price). Each expectation is the
 * rule's arithmetic written out; tol(x) = max(1 % of |x|, 1 Ft).
 */

function line(overrides: Partial<DraftLine>): DraftLine {
  return { kind: 'product', name: 'Tétel', sku: null, note: null, quantity: '1', unitText: 'db', unitId: 19, vatRate: '27', vatId: 32, netUnitPrice: '100.00', net: 100n, vat: 27n, gross: 127n, ...overrides };
}

function draft(lines: DraftLine[]): InvoiceDraft {
  const sum = (pick: (l: DraftLine) => bigint) => lines.reduce((a, l) => a + pick(l), 0n);
  return {
    orderId: 'x', orderNumber: '1', buyerKind: 'private', shipping: null, issueDate: '2026-11-03', fulfilmentDate: '2026-11-03', dueDate: '2026-11-11',
    buyer: { email: 'a@b.hu', name: 'Kiss Anna', phone: null, postcode: null, city: null, street: null, country: null, countryCode: null, companyName: null, taxNumber: null, euVatNumber: null },
    currency: 'HUF', decimals: 0, paymentMethod: 'Átutalás', orderNumberText: 'Shoprenter rendelés: 1', note: null,
    lines, totals: { net: sum((l) => l.net), vat: sum((l) => l.vat), gross: sum((l) => l.gross) },
  };
}

describe('NAV checks on a draft', () => {
  it('passes a correct draft', () => {
    expect(navFailure(draft([line({})]))).toBeNull();
  });

  it('740: 1 × 10.00 against a net of 12 is 2 Ft off, above tol(10) = 1 Ft', () => {
    expect(navFailure(draft([line({ netUnitPrice: '10.00', net: 12n, vat: 3n, gross: 15n })]))?.check).toBe('740');
    // 100 × 999.00 = 99 900 against 99 920: 20 Ft off, inside tol(99 900) = 999 Ft.
    expect(navFailure(draft([line({ quantity: '100', netUnitPrice: '999.00', net: 99920n, vat: 26978n, gross: 126898n })]))).toBeNull();
  });

  it('1090: a negative net total', () => {
    const minus = line({ kind: 'coupon', netUnitPrice: '-200.00', net: -200n, vat: -54n, gross: -254n });
    expect(navFailure(draft([line({}), minus]))?.check).toBe('1090');
  });

  it('591: an exempt (0 %) line carrying VAT', () => {
    expect(navFailure(draft([line({ vatRate: '0', vatId: 40, vat: 1n, gross: 101n })]))?.check).toBe('591');
  });

  it('INVALID_VAT_DATA: a 25 % line', () => {
    expect(navFailure(draft([line({ vatRate: '25', vat: 25n, gross: 125n })]))?.check).toBe('INVALID_VAT_DATA');
  });

  it('L8: a line break in any text sent', () => {
    expect(navFailure(draft([line({ name: 'Pohár\nkészlet' })]))?.check).toBe('L8');
    expect(navFailure({ ...draft([line({})]), paymentMethod: 'Át\r\nutalás' })?.check).toBe('L8');
  });

  it('L8: NAV\'s lengths for the buyer name (512), product code (255) and unit (50), the limit itself passing', () => {
    const named = (name: string) => ({ ...draft([line({})]), buyer: { ...draft([]).buyer, name } });
    expect(navFailure(named('n'.repeat(512)))).toBeNull();
    expect(navFailure(named('n'.repeat(513)))?.detail).toBe(`the buyer name "${'n'.repeat(40)}" is longer than the 512 characters NAV takes`);
    expect(navFailure(draft([line({ sku: 's'.repeat(255) })]))).toBeNull();
    expect(navFailure(draft([line({ sku: 's'.repeat(256) })]))?.check).toBe('L8');
    expect(navFailure(draft([line({ unitText: 'u'.repeat(50) })]))).toBeNull();
    expect(navFailure(draft([line({ unitText: 'u'.repeat(51) })]))?.detail).toBe(`the unit "${'u'.repeat(40)}" is longer than the 50 characters NAV takes`);
  });

  it('890 that one forint per line cannot fix is left failing, and named', () => {
    // 100 net with 40 VAT at 27 %: |40 − 27| = 13 > 1. One move gives 101/39: |39 − 27.27| = 11.73, still failing.
    const moved = rebalance([line({ vat: 40n, gross: 140n })], 0);
    expect(moved.corrections).toBe(1);
    expect(moved.lines.map((l) => [String(l.net), String(l.vat), String(l.gross), l.netUnitPrice])).toEqual([['101', '39', '140', '101.00']]);
    expect(navFailure(draft(moved.lines))?.check).toBe('890');
  });

  it('890 is skipped for a bucket whose net is 0, and a bucket inside tolerance is left alone', () => {
    const zero = [line({ net: 100n, vat: 27n, gross: 127n }), line({ kind: 'coupon', netUnitPrice: '-100.00', net: -100n, vat: -26n, gross: -126n })];
    expect(navFailure(draft(zero))).toBeNull();
    expect(rebalance(zero, 0).corrections).toBe(0);
  });
});
