import type { InvoiceDraft } from '../domain/draft.js';
import { formatMinor } from '../domain/money.js';

/** Human-readable tables for `preview` and `demo`. Money with thin grouping: 12 000, -1 234,50. */
export function money(value: bigint, decimals: number): string {
  const text = formatMinor(value, decimals);
  const [whole = '', frac] = text.replace('-', '').split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  return `${value < 0n ? '-' : ''}${grouped}${frac ? ',' + frac : ''}`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length)));
  return rows.map((r) => r.map((cell, col) => (col >= 2 ? cell.padStart(widths[col]!) : cell.padEnd(widths[col]!))).join('  ').trimEnd());
}

/** Header facts and the line table of a draft, indented for a terminal. */
export function renderDraft(draft: InvoiceDraft, indent = '  '): string[] {
  const m = (v: bigint) => money(v, draft.decimals);
  return [
    `${indent}issue date (kelt) ${draft.issueDate}: the day the draft is made; fulfilment date (teljesítés) ${draft.fulfilmentDate}; due date (fizetési határidő) ${draft.dueDate}`,
    `${indent}payment: ${draft.paymentMethod}, ${draft.currency}, ${draft.buyerKind} buyer (${draft.buyerKind === 'company' ? 'net-first' : 'gross-first'} rounding)`,
    `${indent}egyéb: ${draft.orderNumberText}${draft.note ? ` | note: ${draft.note.replace(/\n/g, ' / ')}` : ''}`,
    ...table([
      ['#', 'line', 'qty', 'unit', 'net unit', 'VAT', 'afa_id', 'net', 'VAT amount', 'gross'],
      ...draft.lines.map((l, i) => [
        String(i + 1),
        l.name.length > 48 ? `${l.name.slice(0, 47)}…` : l.name,
        l.quantity,
        `${l.unitText} (${l.unitId})`,
        l.netUnitPrice,
        `${l.vatRate}%`,
        String(l.vatId),
        m(l.net),
        m(l.vat),
        m(l.gross),
      ]),
      ['', 'TOTAL', '', '', '', '', '', m(draft.totals.net), m(draft.totals.vat), m(draft.totals.gross)],
    ]).map((line) => `${indent}${line}`),
    ...draft.lines.flatMap((l, i) =>
      l.sku || l.note ? [`${indent}  line ${i + 1}: ${[l.sku ? `cikkszám ${l.sku}` : null, l.note].filter(Boolean).join(', ')}`] : [],
    ),
  ];
}
