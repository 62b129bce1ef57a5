import { NOT_QUALIFYING } from './ledger-rows.js';
import type { Ledger } from './ledger.js';
import { pilotState } from './pilot-store.js';

/** What the ledger knows about one span of time, for the morning summary; no remote is asked. */
export interface LedgerDay {
  drafted: number;
  draftedGross: { currency: string; amount: string }[];
  open: { orderNumber: string; state: 'quarantined' | 'uncertain'; reason: string }[];
  reports: { orderNumber: string; kind: string; cashmanRef: string | null; reason: string }[];
  pilotWaiting: boolean;
}

/** Drafts Cashman accepted in [fromIso, toIso), and what waits for a person now. */
export function readLedgerDay(ledger: Ledger, fromIso: string, toIso: string): LedgerDay {
  const drafts = ledger.db
    .prepare(`SELECT request FROM audit WHERE kind = 'draft' AND outcome = 'ok' AND at >= ? AND at < ? ORDER BY id`)
    .all(fromIso, toIso) as { request: string }[];
  const totals = new Map<string, { scaled: bigint; decimals: number }>();
  for (const { request } of drafts) {
    const head = firstRow(request);
    const currency = typeof head['deviza'] === 'string' ? head['deviza'] : 'HUF';
    const gross = typeof head['szamla_brutto'] === 'string' || typeof head['szamla_brutto'] === 'number' ? String(head['szamla_brutto']) : '0';
    totals.set(currency, addDecimal(totals.get(currency) ?? { scaled: 0n, decimals: 0 }, gross));
  }
  const open = ledger.db
    .prepare(`SELECT order_number, state, last_error FROM orders WHERE state IN ('quarantined', 'uncertain') AND last_error_code IS NOT '${NOT_QUALIFYING}' ORDER BY updated_at, order_number`)
    .all() as { order_number: string; state: 'quarantined' | 'uncertain'; last_error: string | null }[];
  return {
    drafted: drafts.length,
    draftedGross: [...totals].map(([currency, t]) => ({ currency, amount: formatScaled(t.scaled, t.decimals) })),
    open: open.map((o) => ({ orderNumber: o.order_number, state: o.state, reason: o.last_error ?? '' })),
    reports: ledger.afterDraft.needingAttention().map(({ event }) => ({ orderNumber: event.orderNumber, kind: event.kind, cashmanRef: event.cashmanRef, reason: event.reason })),
    pilotWaiting: pilotState(ledger) === 'ready',
  };
}

/** The header row of an audited draft request; an unreadable one counts as a draft without a total. */
function firstRow(request: string): Record<string, unknown> {
  try {
    const rows = JSON.parse(request) as unknown;
    return Array.isArray(rows) && typeof rows[0] === 'object' && rows[0] !== null ? (rows[0] as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Exact decimal addition of Cashman's amount texts ("12990", "45.50"). */
function addDecimal(sum: { scaled: bigint; decimals: number }, text: string): { scaled: bigint; decimals: number } {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) return sum;
  const fraction = match[3] ?? '';
  const decimals = Math.max(sum.decimals, fraction.length);
  const value = BigInt(match[2]! + fraction.padEnd(decimals, '0')) * (match[1] ? -1n : 1n);
  return { scaled: sum.scaled * 10n ** BigInt(decimals - sum.decimals) + value, decimals };
}

function formatScaled(scaled: bigint, decimals: number): string {
  if (decimals === 0) return scaled.toString();
  const negative = scaled < 0n;
  const digits = (negative ? -scaled : scaled).toString().padStart(decimals + 1, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
}

/** When the ledger's oldest order or alert was recorded (ISO UTC), or null on an empty ledger. */
export function firstRecordAt(ledger: Ledger): string | null {
  const row = ledger.db.prepare(`SELECT MIN(at) AS at FROM (SELECT MIN(created_at) AS at FROM orders UNION ALL SELECT MIN(at) FROM alert_outbox)`).get() as { at: string | null };
  return row.at;
}
