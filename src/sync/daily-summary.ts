import type { DailySummary } from '../alerts/summary-figures.js';
import { localToInstant, shopNow } from '../domain/shop-clock.js';
import type { Logger } from '../log/logger.js';
import type { AlertOutbox, RaisedAlert } from '../store/alert-outbox.js';
import type { Ledger } from '../store/ledger.js';
import { firstRecordAt, readLedgerDay } from '../store/summary-queries.js';
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

/** The first day a summary may be about: the ledger's first record, or today on a fresh ledger. */
const SUMMARY_FROM = 'daily_summary_from';
/** After a long downtime, at most this many missed days are sent (one e-mail each); older ones are logged. */
export const MAX_CATCH_UP_DAYS = 7;

/**
 * The days whose summary is due now, oldest first: from the day after the last one sent (or the
 * ledger's first day) up to the latest due day. Never a day before the ledger existed; the days a
 * stopped daemon missed are all sent, up to MAX_CATCH_UP_DAYS (`skipped` says how many older ones
 * are not).
 */
export function dueSummaryDays(firstDay: string, lastSent: string | undefined, latestDue: string): { days: string[]; skipped: number } {
  let from = lastSent !== undefined ? addDays(lastSent, 1) : firstDay;
  if (from < firstDay) from = firstDay;
  const days: string[] = [];
  for (let day = from; day <= latestDue; day = addDays(day, 1)) days.push(day);
  const skipped = Math.max(0, days.length - MAX_CATCH_UP_DAYS);
  return { days: days.slice(skipped), skipped };
}

/**
 * The first day a summary may be about, recorded at the first look: the ledger's first shop-local
 * day (its oldest order or alert), or today on a fresh ledger, so its first summary is about its
 * first, maybe partial, day, at the next dailySummaryAt, never about a day before it existed. On
 * an old ledger where the summary was just turned on: yesterday, not a week of past days at once.
 */
function firstDay(ledger: Ledger, timezone: string, now: Date): string {
  const known = ledger.getMeta(SUMMARY_FROM);
  if (known !== undefined) return known;
  const oldest = firstRecordAt(ledger);
  const today = shopNow(now, timezone).slice(0, 10);
  const first = oldest ? shopNow(new Date(oldest), timezone).slice(0, 10) : today;
  const yesterday = addDays(today, -1);
  const day = first >= today ? today : first > yesterday ? first : yesterday;
  ledger.setMeta(SUMMARY_FROM, day);
  return day;
}

/**
 * Enqueues the morning summaries that are due and not yet sent: the last day sent is recorded in
 * the same transaction as the enqueue, so restarts and `once` from cron send each day once. A daemon
 * that was down for days sends one e-mail per missed day (up to MAX_CATCH_UP_DAYS), oldest first.
 */
export function enqueueDailySummary(deps: { ledger: Ledger; outbox: AlertOutbox; timezone: string; at: string; now: () => Date; logger: Logger }): boolean {
  const now = deps.now();
  const latest = summaryDay(shopNow(now, deps.timezone), deps.at);
  const sent = deps.ledger.getMeta(SENT_FOR);
  if (sent !== undefined && sent >= latest) return false;
  const first = firstDay(deps.ledger, deps.timezone, now);
  const { days, skipped } = dueSummaryDays(first, sent, latest);
  if (days.length === 0) return false;
  const summaries = days.map((day) => buildDailySummary(deps.ledger, deps.outbox, day, deps.timezone));
  const queued = deps.ledger.db.transaction(() => {
    const again = deps.ledger.getMeta(SENT_FOR);
    if (again !== undefined && again >= latest) return false;
    for (const summary of summaries) {
      if (again !== undefined && summary.day <= again) continue;
      const event: AlertEvent = { kind: 'daily-summary', reason: `Daily summary of ${summary.day}.`, summary };
      deps.outbox.enqueue(event, JSON.stringify(event), ['email']);
    }
    deps.ledger.setMeta(SENT_FOR, latest);
    return true;
  })();
  if (!queued) return false;
  if (skipped > 0) deps.logger.warn('daily summaries of a long downtime skipped; only the latest days are sent', { skipped, firstSent: days[0]! });
  for (const summary of summaries) deps.logger.info('daily summary queued', { day: summary.day, drafted: summary.drafted, waiting: summary.open.length + summary.reports.length });
  return queued;
}
