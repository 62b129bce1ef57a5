import { afterAll } from '@jest/globals';
import { parse } from 'yaml';
import { draftRows } from '../../src/cashman/rows.js';
import type { InvoiceDraft } from '../../src/domain/draft.js';
import { checkDraft, checkTexts, oneUnitMoves, vatTableFrom, type NavFailure, type Row, type VatTable } from './nav-checker.js';

/**
 * Runs the independent NAV checker (nav-checker.ts) over every draft a test produced: the rows the
 * Cashman stand-in received, the rows `preview` printed, or a built draft turned into the rows
 * the daemon would send (src/cashman/rows.ts: the wire format, not the rounding). Any failure
 * throws with every broken check listed. Each test file prints how many drafts it had checked.
 */

export const navTally = { drafts: 0, partners: 0, moves: 0 };

afterAll(() => {
  if (navTally.drafts + navTally.partners === 0) return;
  console.log(`NAV checker: ${navTally.drafts} drafts (${navTally.moves} lines one unit off their buyer kind's rounding) and ${navTally.partners} partner requests checked, all clean`);
});

export { vatTableFrom };

/** The afa_id table of a config.yaml text (vatRates and, where present, vatExemptions). */
export function vatTableFromYaml(configText: string): VatTable {
  const doc = parse(configText) as { vatRates?: Record<string, number>; vatExemptions?: Record<string, number> };
  return vatTableFrom({ vatRates: doc.vatRates, vatExemptions: doc.vatExemptions });
}

function fail(label: string, failures: NavFailure[]): never {
  throw new Error(`NAV checker: ${label} fails ${failures.length} check(s):\n${failures.map((f) => `  ${f.check} ${f.where}: ${f.message}`).join('\n')}`);
}

/** Asserts one draft (as Cashman rows) passes every check. */
export function expectNavClean(rows: readonly Row[], table: VatTable, label: string): void {
  const failures = checkDraft(rows, table);
  if (failures.length > 0) fail(label, failures);
  navTally.drafts += 1;
  navTally.moves += oneUnitMoves(rows, table);
}

const LOGIN = { group: 'g', user: 'u', password: 'p' };

/** A built draft as the rows the daemon would send for it. */
export function draftAsRows(draft: InvoiceDraft): Row[] {
  return draftRows(draft, 'SR000001', LOGIN);
}

/** The broken checks of a built draft as texts, counted in the tally when there are none. */
export function navFailuresOf(draft: InvoiceDraft, table: VatTable): string[] {
  const rows = draftAsRows(draft);
  const found = checkDraft(rows, table).map((f) => `order ${draft.orderNumber}: ${f.check} ${f.where}: ${f.message}`);
  if (found.length === 0) {
    navTally.drafts += 1;
    navTally.moves += oneUnitMoves(rows, table);
  }
  return found;
}

export function expectDraftNavClean(draft: InvoiceDraft, table: VatTable): void {
  expectNavClean(draftAsRows(draft), table, `order ${draft.orderNumber}`);
}

/** Every draft (op 1/4) and partner request (op 9, texts only) a Cashman stand-in received. */
export function expectStandinNavClean(received: readonly { operation: number | null; rows: readonly Row[] }[], configText: string): void {
  const table = vatTableFromYaml(configText);
  const failures: string[] = [];
  for (const request of received) {
    const label = request.rows[0]?.['egyeb'] ?? request.rows[0]?.['partner_kod'] ?? '?';
    if (request.operation === 1 || request.operation === 4) {
      const found = checkDraft(request.rows, table);
      if (found.length > 0) failures.push(`${label}: ${found.map((f) => `${f.check} ${f.where}: ${f.message}`).join('; ')}`);
      else {
        navTally.drafts += 1;
        navTally.moves += oneUnitMoves(request.rows, table);
      }
    } else if (request.operation === 9) {
      const found = checkTexts(request.rows);
      if (found.length > 0) failures.push(`partner ${label}: ${found.map((f) => `${f.where}: ${f.message}`).join('; ')}`);
      else navTally.partners += 1;
    }
  }
  if (failures.length > 0) throw new Error(`NAV checker: ${failures.length} request(s) the Cashman stand-in received fail:\n  ${failures.join('\n  ')}`);
}
