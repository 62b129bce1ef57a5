import { describe, expect, it } from '@jest/globals';
import { partnerRows } from '../src/cashman/rows.js';
import { buildDraft } from '../src/domain/build-draft.js';
import { buildPartner } from '../src/domain/build-partner.js';
import type { DraftResult } from '../src/domain/draft.js';
import type { MappingConfig } from '../src/domain/mapping-config.js';
import type { PartnerData } from '../src/domain/partner.js';
import { makeOrder, product, totalsRows } from './fixtures/golden/builders.js';
import { DRAFT_DAY, configFor, type FixtureOrder } from './fixtures/golden/loader.js';

/**
 * Issue 10, points 1-6: drafts right in law, not only in arithmetic. Every expected value below
 * is worked out by hand from SPEC §1.2-§1.6 and reference/nav-rules.md (the comment beside it
 * shows the arithmetic); none comes from running the code.
 */

function run(overrides: Partial<FixtureOrder>, config?: Partial<MappingConfig>): DraftResult {
  const partner = buildPartner(makeOrder(overrides));
  if ('reason' in partner) return { ok: false, reason: partner.reason };
  return buildDraft(makeOrder(overrides), partner, configFor(config), DRAFT_DAY);
}

function drafted(overrides: Partial<FixtureOrder>, config?: Partial<MappingConfig>) {
  const r = run(overrides, config);
  if (!r.ok) throw new Error(`unexpected quarantine: ${r.reason}`);
  return r;
}

function reasonOf(overrides: Partial<FixtureOrder>, config?: Partial<MappingConfig>): string {
  const r = run(overrides, config);
  return r.ok ? 'drafted' : r.reason;
}

const rows = (lines: { name: string; vatId: number; net: bigint; vat: bigint; gross: bigint }[]) =>
  lines.map((l) => [l.name, l.vatId, String(l.net), String(l.vat), String(l.gross)]);

const LOGIN = { group: 'g', user: 'u', password: 'p' };
const cashmanPartner = (partner: PartnerData) => partnerRows({ partner, partnerCode: 'SR000001', partnerId: null, paymentMethod: null, dueDays: 8 }, LOGIN)[0];

/** 1 000 Ft gross at 27 %: net 1000 / 1.27 = 787.4016 as the shop stores it. */
const THOUSAND = { price: '787.4016', grossPrice: '1000' };

describe('1. a tax number makes the buyer a business (SPEC §1.2), sole traders included', () => {
  const soleTrader = {
    taxNumber: '68123456-1-33',
    products: [product({ name: 'Termék A', ...THOUSAND }), product({ name: 'Termék B', ...THOUSAND })],
    totals: totalsRows('2000'),
  };

  it('names the partner by the person and keeps the tax number', () => {
    const partner = buildPartner(makeOrder(soleTrader)) as PartnerData;
    expect(partner).toMatchObject({ name: 'Kiss Anna', companyName: null, taxNumber: '68123456-1-33', euVatNumber: null });
    expect(cashmanPartner(partner)).toMatchObject({ nev: 'Kiss Anna', adoszam: '68123456-1-33', kozossegi_adoszam: '' });
  });

  it('rounds the draft net-first, as for any business', () => {
    // 1 000 Ft has no whole net at 27 %: 787 + round(212.49) = 999, 788 + round(212.76) = 1 001.
    // Net-first pairs the two lines: 788/213 and 787/212 (2 000 in all). Gross-first would give 787/213 twice.
    const { draft } = drafted(soleTrader);
    expect(draft.buyerKind).toBe('company');
    expect(rows(draft.lines)).toEqual([
      ['Termék A', 32, '788', '213', '1001'],
      ['Termék B', 32, '787', '212', '999'],
    ]);
  });
});

describe('2. a line whose VAT rate contradicts its prices is quarantined with the numbers', () => {
  it('net 1 000, gross 1 270 (27 %) stated as 5 %', () => {
    // (1270 − 1000) / 1000 = 27.0 %
    expect(reasonOf({ products: [product({ price: '1000', grossPrice: '1270', taxRate: '5.0000' })], totals: totalsRows('1270') })).toBe(
      'Order 701 has "Termék A" with net price 1000 Ft and gross price 1270 Ft (27% VAT), but its VAT rate is 5%; check the product\'s tax class and prices in Shoprenter.',
    );
  });

  it('allows the shop\'s own rounding: 0.5 Ft for the shown gross plus 0.0001 Ft for the 4-decimal net', () => {
    // 787.0078 × 1.27 = 999.499906: 0.500094 from 1 000, inside 0.5001. 787.0077 × 1.27 = 999.499779: 0.500221, outside.
    const at = (price: string) => reasonOf({ products: [product({ price, grossPrice: '1000' })], totals: totalsRows('1000') });
    expect(at('787.0078')).toBe('drafted');
    expect(at('787.0077')).toBe(
      'Order 701 has "Termék A" with net price 787.0077 Ft and gross price 1000 Ft (27.1% VAT), but its VAT rate is 27%; check the product\'s tax class and prices in Shoprenter.',
    );
  });
});

describe('3. 0 % is not one VAT case (SPEC §1.6)', () => {
  const exemptions = { domestic: 45, deposit: 42, intraEu: 41, export: 43 };
  const euBuyer = {
    taxNumber: 'DE123456789',
    billing: { name: 'Müller Hans', company: 'Beispiel GmbH', postcode: '80331', city: 'München', street: 'Marienplatz 1', countryName: 'Németország', countryCode: 'DE' },
    shippingMethodTaxRate: '0.0000',
    products: [product({ price: '21000', grossPrice: '21000', taxRate: '0.0000' })],
    totals: totalsRows('27000', [{ type: 'SHIPPING', value: '6000' }]),
  };

  it('an EU business buyer charged 0 % gets the KBAET row (intraEu) and its EU VAT number', () => {
    const { draft } = drafted(euBuyer, { vatExemptions: exemptions });
    expect(rows(draft.lines)).toEqual([
      ['Termék A', 41, '21000', '0', '21000'],
      ['Szállítási díj', 41, '6000', '0', '6000'],
    ]);
    expect(cashmanPartner(draft.buyer)).toMatchObject({ nev: 'Beispiel GmbH', adoszam: '', kozossegi_adoszam: 'DE123456789' });
  });

  it('never falls back to vatRates."0" for an intra-EU line: the key to add is named', () => {
    expect(reasonOf(euBuyer)).toBe(
      'Order 701 has "Termék A" at 0% VAT, sold to a business in another EU member state, and vatExemptions.intraEu has no entry in config.yaml; add it, pointing at the Cashman VAT row of that exemption (KBAET).',
    );
  });

  it('an EU business buyer charged 27 % is invoiced as charged', () => {
    // Net-first at 27 %: 3 937 + round(1 062.99) = 5 000; 1 575 + round(425.25) = 2 000.
    const { draft } = drafted({ ...euBuyer, shippingMethodTaxRate: '27.0000', products: [product()], totals: totalsRows('7000', [{ type: 'SHIPPING', value: '2000' }]) }, { vatExemptions: exemptions });
    expect(rows(draft.lines)).toEqual([
      ['Termék A', 32, '3937', '1063', '5000'],
      ['Szállítási díj', 32, '1575', '425', '2000'],
    ]);
  });

  const swiss = {
    billing: { name: 'Kiss Anna', company: null, postcode: '8001', city: 'Zürich', street: 'Bahnhofstrasse 1', countryName: 'Svájc', countryCode: 'CH' },
    products: [product({ price: '10000', grossPrice: '10000', taxRate: '0.0000' })],
    totals: totalsRows('12000', [{ type: 'SHIPPING', value: '2000' }]),
  };

  it('a buyer outside the EU gets the export row; its 27 % shipping stays at 27 %', () => {
    // Shipping 2 000 gross-first: VAT round(2000 × 27/127 = 425.20) = 425, net 1 575.
    expect(rows(drafted(swiss, { vatExemptions: exemptions }).draft.lines)).toEqual([
      ['Termék A', 43, '10000', '0', '10000'],
      ['Szállítási díj', 32, '1575', '425', '2000'],
    ]);
    expect(reasonOf(swiss)).toMatch(/^Order 701 has "Termék A" at 0% VAT, sold to a buyer outside the EU, and vatExemptions\.export has no entry in config\.yaml/);
  });

  const withDeposit = {
    products: [product({ price: '1000', grossPrice: '1000', taxRate: '0.0000' })],
    addons: [{ name: 'Betétdíj', sku: null, type: 'DEPOSIT_FEE', price: '50', quantity: '2', taxRate: '0.0000' }],
    totals: totalsRows('1100'),
  };

  it('a deposit fee gets the deposit row, a domestic 0 % product the domestic one', () => {
    expect(rows(drafted(withDeposit, { vatExemptions: exemptions }).draft.lines)).toEqual([
      ['Termék A', 45, '1000', '0', '1000'],
      ['Betétdíj', 42, '100', '0', '100'],
    ]);
  });

  it('an existing config\'s vatRates."0" still serves domestic and deposit lines', () => {
    // BASE_CONFIG maps "0" to 40 and has no vatExemptions.
    expect(rows(drafted(withDeposit).draft.lines).map((l) => l[1])).toEqual([40, 40]);
  });
});

describe('4. NAV\'s checks on every draft (nav-rules.md §10)', () => {
  it('moves one forint on four 45 Ft lines at 27 % so that check 890 passes', () => {
    // Each line: VAT round(45 × 27/127 = 9.57) = 10, net 35. Bucket: 140 net, 40 VAT; 140 × 0.27 = 37.8,
    // |40 − 37.8| = 2.2 > 1. One move on the first (largest, earliest) line: 36/9. Bucket 141/39:
    // 141 × 0.27 = 38.07, |39 − 38.07| = 0.93 ≤ 1. Gross stays 45 on every line, 180 in all.
    const products = ['A', 'B', 'C', 'D'].map((n) => product({ name: `Termék ${n}`, price: '35.4331', grossPrice: '45' }));
    const result = drafted({ products, totals: totalsRows('180') });
    expect(rows(result.draft.lines)).toEqual([
      ['Termék A', 32, '36', '9', '45'],
      ['Termék B', 32, '35', '10', '45'],
      ['Termék C', 32, '35', '10', '45'],
      ['Termék D', 32, '35', '10', '45'],
    ]);
    expect(result.draft.lines[0]?.netUnitPrice).toBe('36.00');
    expect(result.draft.totals).toEqual({ net: 141n, vat: 39n, gross: 180n });
    expect(result.corrections).toBe(1);
  });

  it('refuses a rate a Hungarian invoice cannot carry, however config.yaml maps it', () => {
    expect(reasonOf({ products: [product({ price: '1000', grossPrice: '1250', taxRate: '25.0000' })], totals: totalsRows('1250') }, { vatRates: { '27': 32, '25': 99 } })).toBe(
      'Order 701 has "Termék A" at VAT rate 25%, which a Hungarian invoice cannot carry (only 27%, 18%, 5% or an exemption); check its tax class in Shoprenter.',
    );
  });
});

describe('5. texts NAV accepts (nav-rules.md §8)', () => {
  it('collapses line breaks and control characters to one space in every text', () => {
    const address = { name: 'Kiss\nAnna', company: null, postcode: '1111', city: 'Budapest', street: 'Fő utca 1.\n2. emelet', countryName: 'Magyarország', countryCode: 'HU' };
    const { draft } = drafted(
      {
        products: [product({ name: 'Pohár\r\n6 darabos\tkészlet', stock1: '2' })],
        billing: address,
        shipping: address,
        comment: 'Első sor\r\nMásodik sor',
      },
      { shippingMethods: { GLS: 'GLS\nfutár' } },
    );
    expect(draft.lines.map((l) => l.name)).toEqual(['Pohár 6 darabos készlet', 'GLS futár']);
    expect(draft.buyer).toMatchObject({ name: 'Kiss Anna', street: 'Fő utca 1. 2. emelet' });
    expect(draft.shipping).toMatchObject({ name: 'Kiss Anna', street: 'Fő utca 1. 2. emelet' });
    expect(draft.note).toBe('Vevő megjegyzése: Első sor Második sor');
  });

  it('refuses a name that is only spaces and line breaks', () => {
    const addons = [{ name: ' \n\t ', sku: null, type: 'OTHER', price: '100', quantity: '1', taxRate: '27.0000' }];
    expect(reasonOf({ addons, totals: totalsRows('12127', [{ type: 'SHIPPING', value: '2000' }]) })).toBe(
      'Order 701 has a line with no name, which an invoice cannot carry; name the product in Shoprenter.',
    );
  });

  it('counts the 512-character limit after collapsing', () => {
    const name = `${'x'.repeat(256)}\r\n${'y'.repeat(255)}`; // 256 + 1 space + 255 = 512 once collapsed
    expect(drafted({ products: [product({ name, stock1: '2' })] }).draft.lines[0]?.name).toHaveLength(512);
    expect(reasonOf({ products: [product({ name: `${name}z`, stock1: '2' })] })).toMatch(/whose name is 513 characters long, more than the 512/);
  });
});

describe('6. company lines keep the shop gross with a 2-decimal net unit price (docs/invoicing-rules.md)', () => {
  it('5 × a 999 Ft net product: 4 996 net, unit price 999.20, and 5 × 999.20 = 4 996 passes check 740', () => {
    // Unit gross round(999 × 1.27 = 1 268.73) = 1 269; line gross 6 345. Net-first: 4 996 + round(1 348.92) = 6 345
    // (4 995 + round(1 348.65) = 6 344 falls short). Unit price 4 996 / 5 = 999.20.
    const { draft } = drafted({
      taxNumber: '12345678-2-41',
      billing: { name: 'Nagy Péter', company: 'Példa Kft.', postcode: '1134', city: 'Budapest', street: 'Váci út 45.', countryName: 'Magyarország', countryCode: 'HU' },
      products: [product({ price: '999', grossPrice: '1269', stock1: '5' })],
      totals: totalsRows('6345'),
    });
    expect(draft.lines.map((l) => [l.quantity, l.netUnitPrice, String(l.net), String(l.vat), String(l.gross)])).toEqual([['5', '999.20', '4996', '1349', '6345']]);
  });
});
