import { phpSerialize, type PhpRecord } from '../cashman/php-serialize.js';
import type { RequestRow } from '../sync/ports.js';

/**
 * The Cashman stand-in's op 19 (`keszlet_lista`, reference/cashman-fx-api.md §8): a PHP-serialized
 * list of rows `megnevezes, cikkszam, vonalkod, keszlet, mennyisegiegyseg, netto, brutto`, filtered
 * by `mennyiseg` (1: below 0, 2: above 0, 3: exactly 0) and `raktar_id` as the vendor documents.
 */

export interface StandinStockRow {
  sku: string;
  barcode?: string;
  /** As Cashman would print it: "12", "3.5", "-1". */
  stock: string;
  name?: string;
  /** raktar_id; default 1. */
  warehouse?: number;
}

export function stockListAnswer(rows: readonly StandinStockRow[], request: RequestRow): string {
  const filter = request.mennyiseg ?? '';
  const warehouse = request.raktar_id ?? '';
  const selected = rows.filter((row) => {
    const n = Number(row.stock);
    if (warehouse !== '' && String(row.warehouse ?? 1) !== warehouse) return false;
    if (filter === '1') return n < 0;
    if (filter === '2') return n > 0;
    if (filter === '3') return n === 0;
    return true;
  });
  return phpSerialize(
    selected.map(
      (row): PhpRecord => ({
        megnevezes: row.name ?? `Termék ${row.sku}`,
        cikkszam: row.sku,
        vonalkod: row.barcode ?? '',
        keszlet: row.stock,
        mennyisegiegyseg: 'db',
        netto: '1000.00',
        brutto: '1270.00',
      }),
    ),
  );
}

/**
 * A realistic tenant's stock: `count` products with SKUs P00001.., every third without a barcode,
 * every seventh with fractional stock (kg goods), some at 0 and a few below 0, and one SKU listed
 * twice (two warehouses' rows under one code, the duplicate SPEC §6 skips). Deterministic.
 */
export function sampleStockRows(count: number): StandinStockRow[] {
  const rows: StandinStockRow[] = [];
  for (let i = 1; i <= count; i += 1) {
    const sku = `P${String(i).padStart(5, '0')}`;
    const whole = (i * 7919) % 60;
    const stock = i % 7 === 0 ? `${whole}.${(i % 9) + 1}` : i % 97 === 0 ? '-1' : String(whole);
    rows.push({ sku, barcode: i % 3 === 0 ? '' : `599${String(i).padStart(10, '0')}`, stock, name: `Termék ${i}` });
  }
  if (count >= 2) rows.push({ sku: 'P00002', barcode: '', stock: '5', name: 'Termék 2 (második sor)' });
  return rows;
}
