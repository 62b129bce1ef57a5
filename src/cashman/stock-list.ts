import type { CashmanStockRow, RequestRow } from '../sync/ports.js';
import { answerProblem } from './answers.js';
import { phpUnserialize, type PhpValue } from './php-serialize.js';
import { loginFields, type CashmanLogin } from './rows.js';

/**
 * Op 19 (`keszlet_lista`, reference/cashman-fx-api.md §8): Cashman's stock list, a PHP-serialized
 * array of rows `megnevezes, cikkszam, vonalkod, keszlet, mennyisegiegyseg, netto, brutto`. Read,
 * never written. Anything but a non-empty list of such rows is refused with the reason, so a PHP
 * warning, an HTML page or a list cut short can never be taken for "everything sold out".
 */
export const STOCK_LIST_OPERATION = 19;

/** All products (`mennyiseg` empty), sale price level 1 (prices are not used), optionally one warehouse. */
export function stockListRows(login: CashmanLogin, warehouseId: number | null): RequestRow[] {
  return [{ ...loginFields(login, STOCK_LIST_OPERATION), ar: '1', mennyiseg: '', ...(warehouseId === null ? {} : { raktar_id: String(warehouseId) }) }];
}

export type StockListResult = { ok: true; rows: CashmanStockRow[] } | { ok: false; problem: string };

function scalar(value: PhpValue | undefined): string | null {
  if (value === undefined) return null;
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : null;
  return null;
}

/** Reads op 19's answer text; `ok: false` names what was wrong in words for `status`. */
export function parseStockList(text: string): StockListResult {
  // The strict unserializer decides: a PHP warning printed before or after the list, an HTML page
  // or a cut-short list all fail it. answerProblem only names what the failed answer looked like
  // (a product called "Hiba-jelző" must not make a good list look like an error).
  let value: PhpValue;
  try {
    value = phpUnserialize(text.replace(/^\uFEFF/, '').trim());
  } catch {
    const problem = answerProblem(text);
    return { ok: false, problem: `Cashman's stock list was ${problem === null || problem === 'an unrecognised answer' ? 'cut short or unreadable' : problem}` };
  }
  if (value === null || typeof value !== 'object') return { ok: false, problem: "Cashman's answer to the stock list was not a list" };
  const items = Array.isArray(value) ? value : Object.values(value);
  if (items.length === 0) return { ok: false, problem: "Cashman's stock list was empty" };
  const rows: CashmanStockRow[] = [];
  for (const item of items) {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return { ok: false, problem: "Cashman's stock list held something that is not a product row" };
    const sku = scalar(item['cikkszam']);
    const barcode = scalar(item['vonalkod']);
    const stock = scalar(item['keszlet']);
    if (sku === null || barcode === null || stock === null) {
      return { ok: false, problem: "Cashman's stock list held a row without cikkszam, vonalkod or keszlet" };
    }
    rows.push({ sku, barcode, stock });
  }
  return { ok: true, rows };
}
