import { groupThousands } from './hungarian.js';
import { allQuiet, type DailySummary } from './summary-figures.js';
import type { AlertText } from './text-shapes.js';

/** "12 990 Ft", "1 234,50 EUR" (hu) / "1 234.50 EUR" (en): thousands spaced, never rounded. */
export function formatMoney(amount: string, currency: string, decimalMark: ',' | '.'): string {
  const [whole = '0', fraction] = amount.split('.');
  const negative = whole.startsWith('-');
  const grouped = groupThousands(BigInt(negative ? whole.slice(1) : whole));
  const unit = currency === 'HUF' ? 'Ft' : currency;
  return `${negative ? '-' : ''}${grouped}${fraction && !/^0+$/.test(fraction) ? decimalMark + fraction : ''} ${unit}`;
}

function money(s: DailySummary, mark: ',' | '.'): string {
  return s.draftedGross.map((g) => formatMoney(g.amount, g.currency, mark)).join(' + ');
}

/** The remotes and the program's own parts in the owner's words (the summary stores the English names). */
const HU_SYSTEM: Record<string, string> = { Shoprenter: 'Shoprenter', Cashman: 'Cashman', login: 'belépés', sync: 'a program körei' };

/**
 * "23:50-től", "23:30-tól": the suffix follows the last spoken word of the time (ötven, harminc);
 * a whole hour is read with "óra" ("8:00-tól" = nyolc órától).
 */
export function fromTime(time: string): string {
  const minute = time.slice(-2);
  if (!/^\d\d$/.test(minute) || minute === '00') return `${time}-tól`;
  const unit = Number(minute[1]);
  // egy, kettő, négy, öt, hét, kilenc: -től; három, hat, nyolc: -tól.
  if (unit !== 0) return `${time}-${[1, 2, 4, 5, 7, 9].includes(unit) ? 'től' : 'tól'}`;
  // tíz, negyven, ötven: -től; húsz, harminc: -tól.
  return `${time}-${[1, 4, 5].includes(Number(minute[0])) ? 'től' : 'tól'}`;
}

/** Open orders with the same state and reason on one line (300 quarantines of one config gap). */
function openLines(open: DailySummary['open'], state: Record<'quarantined' | 'uncertain', string>, orders: string): string[] {
  const groups = new Map<string, DailySummary['open']>();
  for (const o of open) groups.set(`${o.state}\n${o.reason}`, [...(groups.get(`${o.state}\n${o.reason}`) ?? []), o]);
  return [...groups.values()].map((g) =>
    g.length === 1 ? `  - ${g[0]!.orderNumber} (${state[g[0]!.state]}): ${g[0]!.reason}` : `  - ${g.length} ${orders} (${state[g[0]!.state]}): ${g.map((o) => o.orderNumber).join(', ')}: ${g[0]!.reason}`,
  );
}

const HU_STATE = { quarantined: 'karantén', uncertain: 'bizonytalan' } as const;
const HU_REPORT: Record<string, string> = { cancelled: 'lemondva', changed: 'megváltozott', restored: 'újra egyezik a mintával' };

/** The morning summary in Hungarian; without figures (never enqueued so) a plain notice. */
export function summaryTextHu(s: DailySummary | undefined): AlertText {
  if (!s) return { title: 'napi összefoglaló', what: 'Az összefoglaló adatai hiányoznak.', todo: null };
  if (allQuiet(s)) {
    return { title: `napi összefoglaló, ${s.day}: minden csendes`, what: `${s.day}: minden csendes volt, nem készült számlaminta, és semmi nem vár rád.`, todo: null };
  }
  const lines = [`${s.day} összefoglalója:`];
  lines.push(
    s.drafted === 0
      ? '- Nem készült számlaminta.'
      : `- Elkészült számlaminták: ${s.drafted} (bruttó összesen ${money(s, ',')}). Hogy ebből mennyit véglegesítettél már a Cashmanben, azt a program nem látja.`,
  );
  if (s.open.length > 0) {
    lines.push(`- Teendőre vár (karanténban vagy bizonytalan): ${s.open.length}`);
    lines.push(...openLines(s.open, HU_STATE, 'rendelés'));
  }
  if (s.reports.length > 0) {
    lines.push(`- Lemondva vagy megváltozott a számlaminta után, még nincs nyugtázva: ${s.reports.length}`);
    for (const r of s.reports) lines.push(`  - ${r.orderNumber} (${HU_REPORT[r.kind] ?? r.kind}${r.cashmanRef ? `, Cashman: ${r.cashmanRef}` : ''}): ${r.reason}`);
  }
  if (s.pilotWaiting) lines.push('- A próbaüzem jóváhagyásra vár: nézd át a mintákat, majd futtasd: `approve`.');
  for (const o of s.outages) {
    const system = HU_SYSTEM[o.system] ?? o.system;
    lines.push(`- Kiesés: ${system} ${o.to ? `${o.from} – ${o.to} (${o.minutes ?? '?'} perc)` : `${fromTime(o.from)}, még tart`}.`);
  }
  const waiting = s.open.length + s.reports.length;
  return {
    title: `napi összefoglaló, ${s.day}: ${s.drafted} számlaminta, ${waiting} teendő`,
    what: lines.join('\n'),
    todo: waiting > 0 || s.pilotWaiting ? 'A részleteket a `status` parancs mutatja, rendelésenként: `status <rendelésszám>`.' : null,
  };
}

const EN_STATE = { quarantined: 'quarantined', uncertain: 'uncertain' } as const;

/** The morning summary in English. */
export function summaryTextEn(s: DailySummary | undefined): AlertText {
  if (!s) return { title: 'daily summary', what: 'The summary figures are missing.', todo: null };
  if (allQuiet(s)) return { title: `daily summary, ${s.day}: all quiet`, what: `${s.day}: all quiet, no draft was made and nothing waits for you.`, todo: null };
  const lines = [`Summary of ${s.day}:`];
  lines.push(
    s.drafted === 0
      ? '- No draft was made.'
      : `- Drafts made: ${s.drafted} (gross ${money(s, '.')} in all). How many of them you finalized in Cashman since cannot be seen from here.`,
  );
  if (s.open.length > 0) {
    lines.push(`- Waiting for a person (quarantined or uncertain): ${s.open.length}`);
    lines.push(...openLines(s.open, EN_STATE, 'orders'));
  }
  if (s.reports.length > 0) {
    lines.push(`- Cancelled or changed after the draft, not acknowledged: ${s.reports.length}`);
    for (const r of s.reports) lines.push(`  - ${r.orderNumber} (${r.kind}${r.cashmanRef ? `, Cashman ${r.cashmanRef}` : ''}): ${r.reason}`);
  }
  if (s.pilotWaiting) lines.push('- The pilot waits for approval: check its drafts, then run `approve`.');
  for (const o of s.outages) lines.push(`- Outage: ${o.system} ${o.from}${o.to ? ` – ${o.to} (${o.minutes ?? '?'} min)` : ' on, still going'}.`);
  const waiting = s.open.length + s.reports.length;
  return {
    title: `daily summary, ${s.day}: ${s.drafted} drafts, ${waiting} waiting`,
    what: lines.join('\n'),
    todo: waiting > 0 || s.pilotWaiting ? 'The details: `status`, and `status <order>` per order.' : null,
  };
}
