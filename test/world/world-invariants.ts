import { existsSync, readFileSync } from 'node:fs';
import { DONE_STATUS } from './world-shop.js';
import { ledgerOrders } from './world-procs.js';
import { draftsOf, type WorldState } from './world-steps.js';

const ORDER_KINDS = new Set(['quarantined', 'uncertain', 'cancelled-after-draft', 'changed-after-draft', 'pilot-ready', 'stock-held']);

/**
 * The promises checked from the outside after a world settled: the stand-ins' records, the ledger
 * read with plain SQL, the alerts the endpoint accepted and every process's output. Never through
 * src/domain or src/store: the code under test does not get to grade itself.
 */
export function worldViolations(state: WorldState): string[] {
  const { shop } = state;
  const found: string[] = [];
  const ledger = new Map(ledgerOrders(shop.dbPath).map((row) => [row.order_number, row]));
  const alerts = shop.sink.delivered;
  const alerted = (kind: string, n: string) => alerts.some((a) => a.kind === kind && a.orderNumber === n);
  const orders = [...state.status.keys()];
  const drafted = new Set(shop.local.cashman.drafts.map((d) => /(\d+)\s*$/.exec(d.rows[0]?.['egyeb'] ?? '')?.[1] ?? '?'));

  for (const n of drafted) {
    if (!state.status.has(n)) found.push(`a draft names order ${n}, which the shop does not have`);
  }
  for (const n of orders) {
    const drafts = draftsOf(shop, n);
    const row = ledger.get(n);
    // A failed order still in line for its next attempt (fewer than 5 so far) is waiting, not lost.
    const inLine = row?.state === 'failed' && row.attempts < 5;
    const qualifies = state.status.get(n) === DONE_STATUS && !state.stornoed.has(n);
    const allowed = 1 + (state.redraftAllowance.get(n) ?? 0);
    if (drafts > allowed) found.push(`order ${n} drafted ${drafts} times (a person asked for ${allowed - 1} redraft(s)); ledger: ${row?.state ?? 'no row'}`);
    if (drafts > 0 && state.status.get(n) !== DONE_STATUS) found.push(`order ${n} drafted though never completed in the shop`);
    if (qualifies && drafts === 0 && !inLine && !(row?.state === 'uncertain' && alerted('uncertain', n))) {
      found.push(`order ${n} is completed in the shop but has no draft (ledger: ${row ? `${row.state}${row.last_error ? `: ${row.last_error}` : ''}` : 'no row'})`);
    }
    if (row?.state === 'quarantined') found.push(`order ${n} quarantined for a reason not its own: ${row.last_error ?? '?'}`);
    else if (alerted('quarantined', n)) found.push(`order ${n} was alerted as quarantined (no order of this world is bad)`);
    if (row?.state === 'uncertain' && !alerted('uncertain', n)) found.push(`order ${n} is uncertain but no uncertain alert was delivered`);
    if (row && !['done', 'uncertain', 'quarantined'].includes(row.state) && !inLine && (qualifies || drafts > 0)) {
      found.push(`order ${n} still ${row.state} after the remotes came back (attempts ${row.attempts}: ${row.last_error ?? ''})`);
    }
    if (state.stornoed.has(n) && drafts > 0 && row?.state === 'done' && !alerted('cancelled-after-draft', n)) {
      found.push(`order ${n} cancelled after its draft, never reported${state.stornoBumps ? '' : ' (the storno left dateUpdated unchanged)'}`);
    }
    if (state.changed.has(n) && !state.stornoed.has(n) && row?.state === 'done' && !alerted('changed-after-draft', n)) {
      found.push(`order ${n} changed after its draft, never reported`);
    }
  }

  const lost = state.procs.all.filter((p) => p.lostLedger);
  for (const p of lost) {
    if (p.exit?.code !== 1 && !p.signals.includes('SIGKILL')) found.push(`${p.label} lost the ledger and exited ${p.exit?.code ?? p.exit?.signal ?? '?'}, not 1`);
  }
  // The kind is the fence work's `writer-stopped`; any non-order alert that names the ledger also counts.
  const stopAlerts = alerts.filter((a) => a.kind === 'writer-stopped' || (!ORDER_KINDS.has(a.kind) && /ledger|lock|writer/i.test(a.text))).length;
  const owed = lost.filter((p) => !p.signals.includes('SIGKILL')).length;
  if (stopAlerts < owed) found.push(`${owed} run(s) stopped after losing the ledger, ${stopAlerts} alert(s) said so`);
  for (const p of state.procs.all) {
    const code = p.exit?.code;
    if (code !== null && code !== undefined && ![0, 1, 2].includes(code)) found.push(`${p.label} exited ${code}`);
    if (p.exit?.signal && !p.signals.includes(p.exit.signal)) found.push(`${p.label} died of ${p.exit.signal}`);
  }
  found.push(...secretLeaks(state));
  return [...state.violations, ...found];
}

function secretLeaks(state: WorldState): string[] {
  const { shop } = state;
  const secrets = [...shop.secrets, ...shop.local.shoprenter.issuedTokens].filter((s) => s.length >= 8);
  const places: Array<[string, string]> = state.procs.all.map((p) => [`output of ${p.label}`, p.child.text()]);
  places.push(['alert bodies', shop.sink.delivered.map((a) => a.raw).join('\n')]);
  for (const suffix of ['', '-wal']) {
    const file = `${shop.dbPath}${suffix}`;
    if (existsSync(file)) places.push([`ledger file sync.db${suffix}`, readFileSync(file).toString('latin1')]);
  }
  const leaks: string[] = [];
  for (const [where, text] of places) {
    for (const secret of secrets) {
      if (text.includes(secret)) leaks.push(`a secret (${secret.slice(0, 3)}…, ${secret.length} chars) appears in the ${where}`);
    }
  }
  return [...new Set(leaks)];
}
