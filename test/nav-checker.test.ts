import { describe, expect, it } from '@jest/globals';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configFor, loadGoldenCases } from './fixtures/golden/loader.js';
import { checkDraft, checkTexts, oneUnitMoves, vatTableFrom, type Row } from './helpers/nav-checker.js';

/**
 * The NAV checker judged on hand-written drafts, good and bad, so that it can fail: every value
 * below is worked out by hand from reference/nav-rules.md §10 (and §7's 45 Ft example).
 */

const TABLE = vatTableFrom({ vatRates: { '27': 32, '18': 33, '5': 34, '0': 40 }, vatExemptions: { deposit: 41, domestic: 40, intraEu: 42, export: 43 } });

type LineSpec = [name: string, quantity: string, unitPrice: string, afaId: number, net: string, vat: string, gross: string];

function rows(lines: LineSpec[], head: Record<string, string> = {}): Row[] {
  const sum = (i: 4 | 5 | 6): string => {
    const total = lines.reduce((s, l) => s + Number(l[i]), 0);
    return head['deviza'] === 'EUR' ? total.toFixed(2) : String(total);
  };
  const header = {
    Csoport: 'g', User: 'u', Password: '********', muveletkod: '4', partner_kod: 'SR000001',
    nev: 'Kiss Anna', iranyitoszam: '1111', varos: 'Budapest', utca: 'Fő utca 1.', orszag: 'Magyarország', adoszam: '', kozossegi_adoszam: '',
    kelt: '2026-11-03', teljesites: '2026-11-03', fizetesi_hatarido: '2026-11-11', fizetesmod: 'Átutalás', deviza: 'HUF', egyeb: 'Shoprenter rendelés: 1',
    szamla_netto: sum(4), szamla_afa: sum(5), szamla_brutto: sum(6),
    ...head,
  };
  return lines.map(([megnevezes, mennyiseg, netto_egysegar, afa, tetel_netto, tetel_afa, tetel_brutto], i) => ({
    ...(i === 0 ? header : {}),
    megnevezes, mennyiseg, netto_egysegar, afa_id: String(afa), mennyisegiegyseg_id: '19', tetel_netto, tetel_afa, tetel_brutto,
  }));
}

const checks = (r: Row[]): string[] => checkDraft(r, TABLE).map((f) => `${f.check} ${f.where}`);

// The worked B2C example of reference/hungarian-invoicing.md §1: 2 × 5 000 Ft + 2 000 Ft shipping.
const WORKED: LineSpec[] = [
  ['Termék A', '2', '3937.00', 32, '7874', '2126', '10000'],
  ['Szállítási díj', '1', '1575.00', 32, '1575', '425', '2000'],
];

describe('NAV checker on hand-written drafts', () => {
  it('passes the worked example: net 9 449 + VAT 2 551 = 12 000, 27 % bucket 9 449 × 0.27 = 2 551.23', () => {
    expect(checks(rows(WORKED))).toEqual([]);
  });

  it('fails 890 on four different 45 Ft lines at 27 % (40 vs 140 × 0.27 = 37.8), and passes after one 1 Ft move (39 vs 38.07)', () => {
    const line = (name: string, net: string, vat: string): LineSpec => [name, '1', `${net}.00`, 32, net, vat, '45'];
    const before = rows([line('A', '35', '10'), line('B', '35', '10'), line('C', '35', '10'), line('D', '35', '10')]);
    expect(checks(before)).toEqual(['S2/NAV 890 bucket 27%']);
    const after = rows([line('A', '36', '9'), line('B', '35', '10'), line('C', '35', '10'), line('D', '35', '10')]);
    expect(checks(after)).toEqual([]);
    // round(45 × 27/127) = round(9.567) = 10: line A is one forint off the gross-first split.
    expect(oneUnitMoves(after, TABLE)).toBe(1);
    expect(oneUnitMoves(before, TABLE)).toBe(0);
  });

  it('fails 740 when quantity × net unit price is more than max(1 %, 1 Ft) from the line net', () => {
    expect(checks(rows([['X', '2', '400.00', 32, '1000', '270', '1270']]))).toEqual(['L3/NAV 740 line 1']);
    // 1 × 35.00 vs net 36: inside NAV's 1 Ft floor, but beyond our own 0.5 + 1 × 0.01 (a moved line keeps its old price).
    expect(checks(rows([['X', '1', '35.00', 32, '36', '9', '45']]))).toEqual(['L3/own line 1']);
    // 3 × 999.20 = 2 997.60 vs 2 998: 0.4 Ft off, inside.
    expect(checks(rows([['X', '3', '999.20', 32, '2998', '809', '3807']]))).toEqual([]);
    // 1 000 × 1.00 = 1 000 vs 1 010: exactly 1 %, inside; 1 011 is outside.
    expect(checks(rows([['X', '1000', '1.00', 32, '1010', '273', '1283']]))).toEqual([]);
    expect(checks(rows([['X', '1000', '1.00', 32, '1011', '273', '1284']]))).toEqual(['L3/NAV 740 line 1']);
  });

  it('fails a line whose net + VAT is not its gross, and header totals that are not the line sums', () => {
    expect(checks(rows([['X', '1', '787.00', 32, '787', '212', '1000']]))).toEqual(['L2/NAV 754 line 1', 'T1/NAV 880 invoice']);
    const r = rows(WORKED, { szamla_netto: '9450', szamla_brutto: '12001' });
    expect(checks(r)).toEqual(['T1/NAV 840 invoice', 'T1/NAV 880 invoice']);
  });

  it('fails 1090 on a negative net total (a coupon larger than the goods)', () => {
    const r = rows([
      ['Bögre', '1', '787.00', 32, '787', '213', '1000'],
      ['Kupon', '1', '-1181.00', 32, '-1181', '-319', '-1500'],
    ]);
    expect(checks(r)).toEqual(['T3/NAV 1090 invoice']);
  });

  it('skips 890 on a bucket a coupon brought to zero, and wants negative lines negative throughout', () => {
    const r = rows([
      ['Könyv', '1', '1000.00', 34, '1000', '50', '1050'],
      ['Kupon 5%', '1', '-1000.00', 34, '-1000', '-50', '-1050'],
      ['Bögre', '1', '787.00', 32, '787', '213', '1000'],
    ]);
    expect(checks(r)).toEqual([]);
    expect(checks(rows([['Kupon', '-1', '1000.00', 34, '-1000', '-50', '-1050'], ['Könyv', '2', '1000.00', 34, '2000', '100', '2100']]))).toEqual(['L7/own line 1']);
  });

  it('accepts only 5/18/27 % and the configured 0 % cases; an exempt line carries no VAT', () => {
    const withRate25 = vatTableFrom({ vatRates: { '25': 36 } });
    expect(checkDraft(rows([['X', '1', '800.00', 36, '800', '200', '1000']]), withRate25).map((f) => f.check)).toEqual(['L4/INVALID_VAT_DATA']);
    expect(checks(rows([['X', '1', '800.00', 99, '800', '0', '800']]))).toEqual(['L4/INVALID_VAT_DATA line 1']);
    expect(checks(rows([['Tanfolyam', '1', '25000.00', 40, '25000', '0', '25000']]))).toEqual([]);
    expect(checks(rows([['Tanfolyam', '1', '24999.00', 40, '24999', '1', '25000']]))).toEqual(['L5/NAV 591 line 1', 'S2/NAV 890 bucket case domestic']);
    expect(checks(rows([['Betétdíj', '3', '50.00', 41, '150', '0', '150']]))).toEqual([]);
  });

  it('wants the buyer\'s community VAT number on an intra-EU (KBAET) line', () => {
    const line: LineSpec = ['Szék', '1', '10000.00', 42, '10000', '0', '10000'];
    expect(checks(rows([line], { adoszam: '' }))).toEqual(['§5/KBAET invoice']);
    expect(checks(rows([line], { kozossegi_adoszam: 'DE123456789' }))).toEqual([]);
  });

  it('fails a VAT far from net × rate even when net + VAT = gross (a 27 % price on the 5 % row)', () => {
    // net 1 000 + VAT 270 = 1 270 booked at 5 %: 1 000 × 0.05 = 50, VAT 270 is far off.
    expect(checks(rows([['X', '1', '1000.00', 34, '1000', '270', '1270']]))).toEqual(['L6/own line 1', 'S2/NAV 890 bucket 5%']);
  });

  it('keeps HUF amounts whole and EUR amounts to the cent, with EUR tolerances of 0.01', () => {
    expect(checks(rows([['X', '1', '100.50', 32, '100.5', '27', '127.5']]))).toEqual(['L1/SCHEMA line 1', 'L1/SCHEMA line 1', 'L1/SCHEMA invoice', 'L1/SCHEMA invoice']);
    const eur = (vat: string, gross: string): Row[] => rows([['X', '1', '3.1500', 32, '3.15', vat, gross]], { deviza: 'EUR' });
    // 3.15 × 0.27 = 0.8505: 0.85 passes; 0.87 is 0.0195 off, beyond max(1 % of 0.87, 0.01) and
    // beyond one cent-move (1.27 × 0.01 = 0.0127).
    expect(checks(eur('0.85', '4.00'))).toEqual([]);
    expect(checks(eur('0.87', '4.02'))).toEqual(['L6/own line 1', 'S2/NAV 890 bucket 27%']);
    expect(checks(rows([['X', '1', '3.1500', 32, '3.155', '0.85', '4.005']], { deviza: 'EUR' }))).toContain('L1/SCHEMA line 1');
  });
});

describe('NAV checker on texts', () => {
  const named = (name: string, head: Record<string, string> = {}): string[] => checks(rows([['', '1', '787.00', 32, '787', '213', '1000']].map((l) => [name, ...l.slice(1)] as LineSpec), head));

  it('refuses line breaks and control characters in any text, allows a tab', () => {
    expect(named('Bögre\npiros')).toEqual(['L8/SCHEMA row 1 megnevezes']);
    expect(named('Bögre\r\npiros')).toEqual(['L8/SCHEMA row 1 megnevezes']);
    expect(named('Bögre\u0007')).toEqual(['L8/SCHEMA row 1 megnevezes']);
    expect(named('Bögre\tpiros')).toEqual([]);
    expect(named('Bögre', { utca: 'Fő utca 1.\n2. emelet' })).toEqual(['L8/SCHEMA row 1 utca']);
    expect(named('Bögre', { megjegyzes: 'Kérem csengessen.\nKöszönöm' })).toEqual(['L8/SCHEMA row 1 megjegyzes']);
  });

  it('refuses empty or whitespace-only names and names over 512 characters', () => {
    expect(named('   ')).toEqual(['L8/SCHEMA row 1 megnevezes']);
    expect(named('Bögre', { nev: ' ' })).toEqual(['L8/SCHEMA row 1 nev']);
    expect(named('é'.repeat(512))).toEqual([]);
    expect(named('é'.repeat(513))).toEqual(['L8/SCHEMA row 1 megnevezes']);
  });

  it('checks partner requests the same way', () => {
    expect(checkTexts([{ Password: 'x\ny', nev: 'Kiss Anna', utca: 'Fő u.\r1.' }]).map((f) => f.where)).toEqual(['row 1 utca']);
  });
});

describe('the afa_id table from a config', () => {
  it('reads vatRates."0" as the domestic case, names cases, and flags an id used for two things', () => {
    const table = vatTableFrom({ vatRates: { '27': 32, '0': 40 }, vatExemptions: { domestic: 40, intraEu: 32, export: 43 } });
    expect(table.get('40')).toEqual({ kind: 'exempt', case: 'domestic' });
    expect(table.get('43')).toEqual({ kind: 'exempt', case: 'export' });
    expect(table.get('32')?.kind).toBe('conflict');
    expect(vatTableFrom({ vatRates: { '0': 35 } }).get('35')).toEqual({ kind: 'exempt', case: 'domestic' });
    expect(vatTableFrom({ vatRates: { '0': 35 }, vatExemptions: { deposit: 35 } }).get('35')).toEqual({ kind: 'exempt', case: 'deposit' });
  });
});

describe('the golden corpus\'s own expected drafts', () => {
  // The fixtures were derived by hand; they must pass NAV's checks too, not only match the code.
  const here = dirname(fileURLToPath(import.meta.url));
  const drafts = loadGoldenCases(join(here, 'fixtures', 'golden')).filter((c) => 'draft' in c.expected);
  const minor = (value: string, decimals: number): string => (decimals === 0 ? value : (Number(value) / 10 ** decimals).toFixed(decimals));

  it.each(drafts.map((c) => [c.file, c] as const))('%s', (_file, golden) => {
    const d = (golden.expected as unknown as { draft: ExpectedDraft }).draft;
    const head: Row = {
      nev: d.buyer.companyName && (d.buyer.taxNumber || d.buyer.euVatNumber) ? d.buyer.companyName : d.buyer.name,
      adoszam: d.buyer.taxNumber ?? '', kozossegi_adoszam: d.buyer.euVatNumber ?? '', deviza: d.currency, ...(d.note === null ? {} : { megjegyzes: d.note }),
      szamla_netto: minor(d.totals.net, d.decimals), szamla_afa: minor(d.totals.vat, d.decimals), szamla_brutto: minor(d.totals.gross, d.decimals),
    };
    const rows = d.lines.map((l, i) => ({
      ...(i === 0 ? head : {}),
      megnevezes: l.name, mennyiseg: l.quantity, netto_egysegar: l.netUnitPrice, afa_id: String(l.vatId),
      tetel_netto: minor(l.net, d.decimals), tetel_afa: minor(l.vat, d.decimals), tetel_brutto: minor(l.gross, d.decimals),
    }));
    expect(checkDraft(rows, vatTableFrom(configFor(golden.config)))).toEqual([]);
  });
});

interface ExpectedDraft {
  buyer: { name: string; companyName: string | null; taxNumber: string | null; euVatNumber: string | null };
  currency: string;
  decimals: number;
  note: string | null;
  lines: { name: string; quantity: string; netUnitPrice: string; vatId: number; net: string; vat: string; gross: string }[];
  totals: { net: string; vat: string; gross: string };
}
