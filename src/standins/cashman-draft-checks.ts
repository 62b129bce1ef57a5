import { parseAmount4, type Amount4 } from '../domain/money.js';
import type { RequestRow } from '../sync/ports.js';

/**
 * How the Cashman stand-in validates an op 1/4 draft: the fields the vendor marks as required and
 * the "4.7" totals rules (reference/cashman-fx-api.md §6), the way a careful vendor would check them.
 */

const CURRENCIES = new Set(['HUF', 'EUR', 'CHF', 'USD', 'GBP']);
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const LINE_FIELDS = ['megnevezes', 'mennyiseg', 'netto_egysegar', 'afa_id', 'mennyisegiegyseg_id'] as const;
const TOTAL_FIELDS = ['tetel_netto', 'tetel_afa', 'tetel_brutto'] as const;

/** A refusal; its message is the complete `HIBA: ...` answer. */
export class Hiba extends Error {}
export const hiba = (message: string): never => {
  throw new Hiba(`HIBA: ${message}`);
};

export interface DraftCheckOptions {
  vatIds?: readonly number[] | undefined;
  unitIds?: readonly number[] | undefined;
}

function amount(row: RequestRow, field: string, where: string): Amount4 {
  const value = parseAmount4(row[field] ?? '');
  return value ?? hiba(`${where}: hibás vagy hiányzó érték (${field}).`);
}

/** The checks a careful vendor makes on op 1/4 (reference §6); throws Hiba on the first problem. */
export function checkDraft(head: RequestRow, rows: RequestRow[], codes: Map<string, string>, options: DraftCheckOptions): void {
  for (const field of ['kelt', 'teljesites', 'fizetesi_hatarido'] as const) {
    if (!DATE.test(head[field] ?? '')) hiba(`Hibás vagy hiányzó dátum (${field}).`);
  }
  if (!head.fizetesmod) hiba('A fizetési mód (fizetesmod) kötelező.');
  if (!CURRENCIES.has(head.deviza ?? '')) hiba(`Ismeretlen deviza: ${head.deviza ?? ''}`);
  if (head.partner_kod) {
    if (!codes.has(head.partner_kod)) hiba(`Nem létező partnerkód: ${head.partner_kod}`);
  } else {
    for (const field of ['nev', 'iranyitoszam', 'varos', 'utca'] as const) if (!head[field]) hiba(`A vevő adata hiányzik (${field}).`);
  }
  if (head.szallitasicim_nev) {
    for (const part of ['iranyitoszam', 'varos', 'utca', 'orszag']) {
      if (!head[`szallitasicim_${part}`]) hiba(`A szállítási cím hiányos (szallitasicim_${part}).`);
    }
  }
  const withTotals = head.szamla_netto !== undefined;
  const wholeUnits = head.deviza === 'HUF';
  const sums = { netto: 0n, afa: 0n, brutto: 0n };
  rows.forEach((row, index) => {
    const where = `A(z) ${index + 1}. tétel`;
    for (const field of LINE_FIELDS) if (!row[field]) hiba(`${where}: hiányzó mező (${field}).`);
    const quantity = amount(row, 'mennyiseg', where);
    const unitPrice = amount(row, 'netto_egysegar', where);
    checkId(row.afa_id, options.vatIds, `${where}: ismeretlen afa_id`);
    checkId(row.mennyisegiegyseg_id, options.unitIds, `${where}: ismeretlen mennyisegiegyseg_id`);
    if (!withTotals) return;
    for (const field of TOTAL_FIELDS) if (row[field] === undefined) hiba(`${where}: a 4.7-es összegmezők kötelezők (${field}).`);
    const [netto, afa, brutto] = TOTAL_FIELDS.map((field) => amount(row, field, where)) as [Amount4, Amount4, Amount4];
    if (wholeUnits && [netto, afa, brutto].some((v) => v % 10_000n !== 0n)) hiba(`${where}: forintos tételösszeg csak egész lehet.`);
    if (netto + afa !== brutto) hiba(`${where}: nettó + áfa nem egyezik a bruttóval.`);
    // net unit price x quantity must explain the line net; the unit price carries 2 extra decimals.
    const drift = quantity * unitPrice - netto * 10_000n;
    const abs = drift < 0n ? -drift : drift;
    const allowed = 10_000n * 10_000n + (quantity < 0n ? -quantity : quantity) * 100n;
    if (abs > allowed) hiba(`${where}: a nettó érték nem egyezik a mennyiség × nettó egységár értékével.`);
    sums.netto += netto;
    sums.afa += afa;
    sums.brutto += brutto;
  });
  if (!withTotals) return;
  const totals = { netto: amount(head, 'szamla_netto', 'A számla'), afa: amount(head, 'szamla_afa', 'A számla'), brutto: amount(head, 'szamla_brutto', 'A számla') };
  for (const key of ['netto', 'afa', 'brutto'] as const) {
    if (sums[key] !== totals[key]) hiba(`A tételek ${key} összege eltér a számla ${key} összegétől (szamla_${key}).`);
  }
}

function checkId(value: string | undefined, allowed: readonly number[] | undefined, message: string): void {
  if (!/^\d+$/.test(value ?? '')) hiba(`${message}: ${value ?? ''}`);
  if (allowed && !allowed.includes(Number(value))) hiba(`${message}: ${value ?? ''}`);
}

