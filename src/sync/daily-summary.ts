import type { DailySummary } from '../alerts/summary-figures.js';
import { localToInstant, shopNow } from '../domain/shop-clock.js';
import type { Logger } from '../log/logger.js';
import type { AlertOutbox, RaisedAlert } from '../store/alert-outbox.js';
import type { Ledger } from '../store/ledger.js';
import { readLedgerDay } from '../store/summary-queries.js';
import type { AlertEvent } from './alerts.js';

const SENT_FOR = 'daily_summary_day';

/** Episode alert kinds by remote: what the summary calls an outage. */
const OUTAGES: readonly { system: string; failing: string; recovered: string }[] = [
  { system: 'Shoprenter', failing: 'shoprenter-failing', recovered: 'shoprenter-recovered' },
  { system: 'Cashman', failing: 'cashman-failing', recovered: 'cashman-recovered' },
  { system: 'login', failing: 'login-failed', recovered: 'login-recovered' },
  { system: 'sync', failing: 'sync-failing', recovered: 'sync-recovered' },
];

/** YYYY-MM-DD plus `days` (calendar arithmetic, no clock involved). */
export function addDays(day: string, days: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** The day whose summary is due at shop-local `nowLocal`: yesterday once `at` has passed today, else the day before. */
export function summaryDay(nowLocal: string, at: string): string {
  const today = nowLocal.slice(0, 10);
  return nowLocal.slice(11, 16) >= at ? addDays(today, -1) : addDays(today, -2);
}

/** The figures of one shop-local day, from the ledger only (no remote request). */
export function buildDailySummary(ledger: Ledger, outbox: AlertOutbox, day: string, timezone: string): DailySummary {
  const from = localToInstant(`${day}T00:00:00`, timezone).toISOString();
  const to = localToInstant(`${addDays(day, 1)}T00:00:00`, timezone).toISOString();
  const local = (iso: string) => shopNow(new Date(iso), timezone).slice(0, 16).replace('T', ' ');
  const raised = outbox.raisedBetween(from, to);
  const outages: DailySummary['outages'] = [];
  for (const rule of OUTAGES) {
    const before = outbox.lastBefore([rule.failing, rule.recovered], from);
    let start: string | null = before?.kind === rule.failing ? before.at : null;
    for (const alert of raised.filter((a: RaisedAlert) => a.kind === rule.failing || a.kind === rule.recovered)) {
      if (alert.kind === rule.failing) start ??= alert.at;
      else if (start !== null) {
        outages.push({ system: rule.system, from: local(start), to: local(alert.at), minutes: Math.round((Date.parse(alert.at) - Date.parse(start)) / 60_000) });
        start = null;
      }
    }
    if (start !== null) outages.push({ system: rule.system, from: local(start), to: null, minutes: null });
  }
  return { day, ...readLedgerDay(ledger, from, to), outages };
}

/**
 * Enqueues the morning summary when it is due and not yet sent for that day: the day is recorded
 * in the same transaction as the enqueue, so restarts and `once` from cron send it once.
 */
export function enqueueDailySummary(deps: { ledger: Ledger; outbox: AlertOutbox; timezone: string; at: string; now: () => Date; logger: Logger }): boolean {
  const day = summaryDay(shopNow(deps.now(), deps.timezone), deps.at);
  const sent = deps.ledger.getMeta(SENT_FOR);
  if (sent !== undefined && sent >= day) return false;
  const summary = buildDailySummary(deps.ledger, deps.outbox, day, deps.timezone);
  const event: AlertEvent = { kind: 'daily-summary', reason: `Daily summary of ${day}.`, summary };
  const queued = deps.ledger.db.transaction(() => {
    const again = deps.ledger.getMeta(SENT_FOR);
    if (again !== undefined && again >= day) return false;
    deps.outbox.enqueue(event, JSON.stringify(event), ['email']);
    deps.ledger.setMeta(SENT_FOR, day);
    return true;
  })();
  if (queued) deps.logger.info('daily summary queued', { day, drafted: summary.drafted, waiting: summary.open.length + summary.reports.length });
  return queued;
}
