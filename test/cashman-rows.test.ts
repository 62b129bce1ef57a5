import { describe, expect, it } from '@jest/globals';
import { draftRows, loginCheckRows, maskRows, partnerRows } from '../src/cashman/rows.js';
import { MappingError } from '../src/errors.js';
import { LOGIN, companyBuyer, line, partnerRequest, sampleDraft, shippingLine, trickyDraft } from './cashman-fixtures.js';

describe('draftRows', () => {
  it('lays out row 0 as login, header, buyer, totals and the first line (reference §6.5)', () => {
    const [row0, row1, ...rest] = draftRows(sampleDraft(), 'SR000042', LOGIN);
    expect(rest).toEqual([]);
    expect(row0).toEqual({
      Csoport: 'demo',
      User: 'api',
      Password: LOGIN.password,
      muveletkod: '4',
      partner_kod: 'SR000042',
      nev: 'Kiss Anna',
      iranyitoszam: '1111',
      varos: 'Budapest',
      utca: 'Fő utca 1.',
      orszag: 'Magyarország',
      adoszam: '',
      kozossegi_adoszam: '',
      szallitasicim_nev: 'Kiss Anna',
      szallitasicim_iranyitoszam: '1111',
      szallitasicim_varos: 'Budapest',
      szallitasicim_utca: 'Fő utca 1.',
      szallitasicim_orszag: 'Magyarország',
      kelt: '2026-11-02',
      teljesites: '2026-11-02',
      fizetesi_hatarido: '2026-11-10',
      fizetesmod: 'Bankkártya',
      deviza: 'HUF',
      egyeb: 'Shoprenter rendelés: 10042',
      szamla_netto: '9449',
      szamla_afa: '2551',
      szamla_brutto: '12000',
      megnevezes: 'Termék A',
      cikkszam: 'SKU-1',
      mennyiseg: '2',
      netto_egysegar: '3937.01',
      afa_id: '32',
      mennyisegiegyseg_id: '19',
      tetel_netto: '7874',
      tetel_afa: '2126',
      tetel_brutto: '10000',
    });
    expect(row1).toEqual({
      megnevezes: 'Szállítási díj',
      mennyiseg: '1',
      netto_egysegar: '1574.80',
      afa_id: '32',
      mennyisegiegyseg_id: '19',
      tetel_netto: '1575',
      tetel_afa: '425',
      tetel_brutto: '2000',
    });
  });

  it('starts row 0 with the login fields and muveletkod', () => {
    const [row0] = draftRows(sampleDraft(), 'SR1', LOGIN, 1);
    expect(Object.keys(row0 ?? {}).slice(0, 4)).toEqual(['Csoport', 'User', 'Password', 'muveletkod']);
    expect(row0?.muveletkod).toBe('1');
  });

  it.each([
    ['HUF', 0, [9449n, 2551n, 12000n], ['9449', '2551', '12000']],
    ['EUR', 2, [2362n, 638n, 3000n], ['23.62', '6.38', '30.00']],
    ['HUF', 0, [-500n, -106n, -606n], ['-500', '-106', '-606']],
  ] as const)('formats %s totals with %d decimals', (currency, decimals, [net, vat, gross], expected) => {
    const lines = [line({ net, vat, gross })];
    const [row0] = draftRows(sampleDraft({ currency, decimals, lines, totals: { net, vat, gross } }), 'SR1', LOGIN);
    expect([row0?.szamla_netto, row0?.szamla_afa, row0?.szamla_brutto]).toEqual(expected);
    expect([row0?.tetel_netto, row0?.tetel_afa, row0?.tetel_brutto]).toEqual(expected);
  });

  it('omits the shipping block when the order has no shipping address', () => {
    const [row0] = draftRows(sampleDraft({ shipping: null }), 'SR1', LOGIN);
    expect(Object.keys(row0 ?? {}).filter((key) => key.startsWith('szallitasicim_'))).toEqual([]);
  });

  it('sends a company buyer by its company name and tax numbers', () => {
    const [row0] = draftRows(sampleDraft({ buyer: companyBuyer, buyerKind: 'company' }), 'SR1', LOGIN);
    expect(row0).toMatchObject({ nev: 'Árvíztűrő tükörfúrógép Kft.', adoszam: '12345678-2-41', kozossegi_adoszam: 'HU12345678' });
  });

  it('sends megjegyzes, cikkszam and tetel_megjegyzes only when they have a value', () => {
    const withNote = draftRows(sampleDraft({ note: 'Kérem csengessen' }), 'SR1', LOGIN);
    expect(withNote[0]?.megjegyzes).toBe('Kérem csengessen');
    const withoutNote = draftRows(sampleDraft(), 'SR1', LOGIN);
    expect(withoutNote[0]).not.toHaveProperty('megjegyzes');
    expect(withoutNote[0]).not.toHaveProperty('tetel_megjegyzes');
    expect(withoutNote[1]).not.toHaveProperty('cikkszam');
    const tricky = draftRows(trickyDraft(), 'SR1', LOGIN);
    expect(tricky[0]?.tetel_megjegyzes).toBe('Vonalkód: 5991234567890\nmásodik sor: "x";}');
  });

  it('puts every line after the first into its own row', () => {
    const lines = [line(), line({ name: 'Betétdíj', kind: 'addon' }), shippingLine];
    const rows = draftRows(sampleDraft({ lines, totals: { net: 17323n, vat: 4677n, gross: 22000n } }), 'SR1', LOGIN);
    expect(rows.map((row) => row.megnevezes)).toEqual(['Termék A', 'Betétdíj', 'Szállítási díj']);
    expect(rows.slice(1).every((row) => !('Password' in row) && !('partner_kod' in row))).toBe(true);
  });

  it('never sets email_cim', () => {
    const rows = [...draftRows(sampleDraft(), 'SR1', LOGIN), ...draftRows(trickyDraft(), 'SR1', LOGIN)];
    expect(rows.some((row) => 'email_cim' in row)).toBe(false);
  });

  it('refuses a draft without lines', () => {
    expect(() => draftRows(sampleDraft({ lines: [] }), 'SR1', LOGIN)).toThrow(MappingError);
  });
});

describe('partnerRows', () => {
  it('creates with an empty partner_id (reference §7)', () => {
    expect(partnerRows(partnerRequest(), LOGIN)).toEqual([
      {
        Csoport: 'demo',
        User: 'api',
        Password: LOGIN.password,
        muveletkod: '9',
        partner_id: '',
        partner_kod: 'SR000042',
        nev: 'Kiss Anna',
        iranyitoszam: '1111',
        varos: 'Budapest',
        utca: 'Fő utca 1.',
        orszag: 'Magyarország',
        adoszam: '',
        kozossegi_adoszam: '',
        mobil: '+36301234567',
        email: 'anna@example.hu',
        fizetesmod: 'Átutalás',
        fizetesi_hatarido_nap: '8',
      },
    ]);
  });

  it('updates with the stored partner_id and leaves fizetesmod out when unknown', () => {
    const [row] = partnerRows(partnerRequest({ partnerId: '1001', paymentMethod: null, partner: companyBuyer }), LOGIN);
    expect(row).toMatchObject({ partner_id: '1001', nev: 'Árvíztűrő tükörfúrógép Kft.', adoszam: '12345678-2-41' });
    expect(row).not.toHaveProperty('fizetesmod');
  });
});

describe('maskRows', () => {
  it('masks the password without touching the original rows', () => {
    const rows = draftRows(sampleDraft(), 'SR1', LOGIN);
    const masked = maskRows(rows);
    expect(masked[0]?.Password).toBe('********');
    expect(rows[0]?.Password).toBe(LOGIN.password);
    expect(JSON.stringify(masked)).not.toContain(LOGIN.password);
    expect(masked[1]).toEqual(rows[1]);
  });

  it('masks the login check too', () => {
    expect(maskRows(loginCheckRows(LOGIN))).toEqual([
      { Csoport: 'demo', User: 'api', Password: '********', muveletkod: '19', ar: '1', mennyiseg: '1' },
    ]);
  });
});
