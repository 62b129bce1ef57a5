import { describe, expect, it } from '@jest/globals';
import { buildDraft } from '../src/domain/build-draft.js';
import { buildPartner } from '../src/domain/build-partner.js';
import type { DraftLine, DraftResult, InvoiceDraft } from '../src/domain/draft.js';
import type { MappingConfig } from '../src/domain/mapping-config.js';
import type { Order } from '../src/domain/order.js';
import { fixtureOrder, makeOrder, product, totalsRows } from './fixtures/golden/builders.js';
import { BASE_CONFIG, DRAFT_DAY, configFor, orderFromFixture, type FixtureOrder } from './fixtures/golden/loader.js';

function run(order: Order, config: MappingConfig = BASE_CONFIG): DraftResult {
  const partner = buildPartner(order);
  if ('reason' in partner) return { ok: false, reason: partner.reason };
  return buildDraft(order, partner, config, DRAFT_DAY);
}

function draft(overrides: Partial<FixtureOrder> = {}, config?: Partial<MappingConfig>): InvoiceDraft {
  const result = run(makeOrder(overrides), configFor(config));
  if (!result.ok) throw new Error(`unexpected quarantine: ${result.reason}`);
  return result.draft;
}

function reason(overrides: Partial<FixtureOrder> = {}, config?: Partial<MappingConfig>): string {
  const result = run(makeOrder(overrides), configFor(config));
  if (result.ok) throw new Error('expected a quarantine, got a draft');
  return result.reason;
}

/** [name, net, vat, gross] of every line, the shape most tables compare. */
const amounts = (lines: DraftLine[]): [string, string, string, string][] =>
  lines.map((l) => [l.name, String(l.net), String(l.vat), String(l.gross)]);

describe('buildDraft: the basic private order', () => {
  it('is the worked example of hungarian-invoicing.md §1, forint by forint', () => {
    const d = draft();
    expect(amounts(d.lines)).toEqual([
      ['Termék A', '7874', '2126', '10000'],
      ['Szállítási díj', '1575', '425', '2000'],
    ]);
    expect(d.totals).toEqual({ net: 9449n, vat: 2551n, gross: 12000n });
    expect(d.lines[0]).toMatchObject({ kind: 'product', sku: 'SKU-1', quantity: '2', unitText: 'db', unitId: 19, vatRate: '27', vatId: 32, netUnitPrice: '3937.00' });
    expect(d).toMatchObject({ buyerKind: 'private', currency: 'HUF', decimals: 0, paymentMethod: 'Átutalás', note: null });
    expect(d.orderNumberText).toBe('Shoprenter rendelés: 701');
    expect(Object.keys(d)).not.toContain('email_cim');
  });
});

describe('buildDraft: product lines', () => {
  it.each([
    [{ options: ['Méret: L', 'Szín: piros'] }, 'Termék A (Méret: L, Szín: piros)', null],
    [{ gtin: '5991234567890' }, 'Termék A', 'Vonalkód: 5991234567890'],
    [{ name: '  Őszi tea  ', gtin: '  ' }, 'Őszi tea', null],
  ])('%j -> name %s, note %s', (overrides, name, note) => {
    const line = draft({ products: [product({ stock1: '2', ...overrides })] }).lines[0];
    expect(line).toMatchObject({ name, note });
  });

  it.each([
    [null, 'db', 19],
    ['kg', 'kg', 21],
    ['DB', 'DB', 19], // unit ids are matched ignoring case
  ])('unit %s -> %s (id %d)', (unit, unitText, unitId) => {
    expect(draft({ products: [product({ stock1: '2', unit })] }).lines[0]).toMatchObject({ unitText, unitId });
  });

  it('sums the four warehouses and keeps fractional quantities', () => {
    const d = draft({
      products: [product({ stock1: '0.5', stock2: '1', stock3: '0', stock4: '0.5', grossPrice: '5000' })],
    });
    expect(d.lines[0]).toMatchObject({ quantity: '2', gross: 10000n });
  });

  it('computes the unit gross from the net price when Shoprenter sent no grossPrice', () => {
    // 786.6142 × 1.27 = 999.000034 -> 999 per unit; 3 units = 2997
    const order = fixtureOrder({ products: [product({ price: '786.6142', grossPrice: null, stock1: '3' })], totals: totalsRows('4997.0000', [{ type: 'SHIPPING', value: '2000' }]) });
    const result = run(orderFromFixture(order));
    expect(result.ok && amounts(result.draft.lines)[0]).toEqual(['Termék A', '2360', '637', '2997']);
  });
});

describe('buildDraft: quarantine sentences for config gaps', () => {
  it.each<[string, Partial<FixtureOrder>, Partial<MappingConfig> | undefined, string]>([
    ['18% unmapped', { products: [product({ taxRate: '18.0000', stock1: '2', grossPrice: '5000' })] }, { vatRates: { '27': 32 } }, 'VAT rate 18% has no entry under vatRates in config.yaml.'],
    ['5.5% is no Hungarian rate', { products: [product({ taxRate: '5.5000', stock1: '2' })] }, undefined, 'Order 701 has "Termék A" at VAT rate 5.5%, which a Hungarian invoice cannot carry (only 27%, 18%, 5% or an exemption); check its tax class in Shoprenter.'],
    ['0% unmapped', { products: [product({ taxRate: '0.0000', stock1: '2' })] }, { vatRates: { '27': 32 } }, 'Order 701 has "Termék A" at 0% VAT, a domestic exempt sale, and vatExemptions.domestic has no entry in config.yaml; add it, pointing at the Cashman VAT row of that exemption (e.g. AAM or TAM).'],
    ['unit unmapped', { products: [product({ unit: 'liter', stock1: '2' })] }, undefined, 'Unit "liter" has no entry under units.ids in config.yaml.'],
    ['default unit unmapped', {}, { units: { default: 'db', ids: { kg: 21 } } }, 'Unit "db" has no entry under units.ids in config.yaml.'],
    ['payment unmapped', { paymentMethodCode: 'BARION' }, { paymentMethods: { COD: 'Utánvét' } }, 'Payment method "BARION" has no entry under paymentMethods in config.yaml.'],
    ['payment code missing', { paymentMethodCode: null }, undefined, 'Order 701 has no payment method code, so no entry under paymentMethods in config.yaml can match it; check the order in Shoprenter.'],
    ['shipping unmapped', { shippingMethodExtension: 'WOLT' }, { shippingMethods: { FOXPOST: 'Foxpost' } }, 'Shipping method "WOLT" has no entry under shippingMethods in config.yaml, and there is no "default" entry either.'],
    ['no shipping method, no default', { shippingMethodExtension: null }, { shippingMethods: { FOXPOST: 'Foxpost' } }, 'Order 701 has a shipping fee but no shipping method, and there is no "default" entry under shippingMethods in config.yaml.'],
    ['shipping VAT missing', { shippingMethodTaxRate: null }, undefined, 'Order 701 has a shipping fee but Shoprenter gave no VAT rate for its shipping method; check that method\'s tax class in Shoprenter.'],
    ['negative VAT rate', { products: [product({ taxRate: '-1.0000', stock1: '2' })] }, undefined, 'Order 701 has "Termék A" with VAT rate -1%, which is not a valid rate; check its tax class in Shoprenter.'],
    ['zero quantity', { products: [product({ stock1: '0' })] }, undefined, 'Order 701 has "Termék A" with quantity 0, which cannot be invoiced; correct the order in Shoprenter.'],
    ['negative quantity', { products: [product({ stock1: '-2' })] }, undefined, 'Order 701 has "Termék A" with quantity -2, which cannot be invoiced; correct the order in Shoprenter.'],
    ['negative price', { products: [product({ price: '-10', grossPrice: null, stock1: '2' })] }, undefined, 'Order 701 has "Termék A" with a negative price, which cannot be invoiced; correct the order in Shoprenter.'],
  ])('%s', (_name, overrides, config, expected) => {
    expect(reason(overrides, config)).toBe(expected);
  });

  it('payment fee without a VAT rate', () => {
    const totals = totalsRows('12590.0000', [{ type: 'SHIPPING', value: '2000' }, { type: 'PAYMENT', value: '590' }]);
    expect(reason({ totals, paymentMethodTaxRate: null, paymentMethodCode: 'COD' })).toBe(
      "Order 701 has a payment fee but Shoprenter gave no VAT rate for its payment method; check that method's tax class in Shoprenter.",
    );
  });
});

describe('buildDraft: lookups ignore case, fees name themselves', () => {
  it.each([
    ['cod', 'Utánvét'],
    ['Bank_Transfer', 'Átutalás'],
  ])('payment code %s -> %s', (code, expected) => {
    expect(draft({ paymentMethodCode: code }).paymentMethod).toBe(expected);
  });

  it.each([
    ['foxpost', 'Foxpost csomagautomata'],
    ['GLSParcelPoint', 'GLS csomagpont'],
    ['WSESHIP', 'Szállítási díj'],
    [null, 'Szállítási díj'],
  ])('shipping extension %s -> line %s', (shippingMethodExtension, name) => {
    expect(draft({ shippingMethodExtension }).lines[1]?.name).toBe(name);
  });

  it.each([
    ['Utánvétel', 'Kezelési költség (Utánvétel)'],
    [null, 'Kezelési költség'],
  ])('payment fee for method %s is named %s, at the payment method rate', (paymentMethodName, name) => {
    const totals = totalsRows('12590.0000', [{ type: 'SHIPPING', value: '2000' }, { type: 'PAYMENT', value: '590' }]);
    const d = draft({ totals, paymentMethodCode: 'COD', paymentMethodName, paymentMethodTaxRate: '27.0000' });
    expect(d.lines[2]).toMatchObject({ kind: 'payment', name, net: 465n, vat: 125n, gross: 590n });
  });

  it('makes no line for zero fees', () => {
    const totals = totalsRows('10000.0000', [{ type: 'SHIPPING', value: '0.0000' }, { type: 'PAYMENT', value: '0.0000' }]);
    expect(draft({ totals }).lines.map((l) => l.kind)).toEqual(['product']);
  });
});

describe('buildDraft: values that look like data errors', () => {
  it.each<[string, Partial<FixtureOrder>, Partial<MappingConfig> | undefined, string]>([
    ['1 001 lines', { products: Array.from({ length: 1001 }, () => product()) }, undefined, 'Order 701 would need 1001 invoice lines, more than the 1000 this version sends in one draft.'],
    ['a trillion forint', { products: [product({ price: '1000000000000', grossPrice: null })] }, undefined, 'Order 701 has an amount above 100 000 000 000 Ft, which looks like a data error; check the order in Shoprenter.'],
    ['two million pieces', { products: [product({ stock1: '2000000', price: '0', grossPrice: '0' })] }, undefined, 'Order 701 has "Termék A" with quantity 2000000, which looks like a data error; check the order in Shoprenter.'],
    ['a 400-day due date', {}, { invoice: { ...BASE_CONFIG.invoice, dueDays: 400 } }, 'invoice.dueDays in config.yaml must be a whole number of days from 0 to 365, not 400.'],
  ])('%s', (_name, overrides, config, expected) => {
    expect(reason(overrides, config)).toBe(expected);
  });
});
