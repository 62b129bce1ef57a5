import { refuse, reasons } from './draft-reasons.js';
import { shopToday } from './shop-clock.js';

/**
 * Invoice dates. Shoprenter datetimes are already shop-local and carry no offset
 * (reference/shoprenter-api.md §11), so the order's date is simply the date part of `dateCreated`:
 * an order at 00:30 Budapest time on the 1st is dated the 1st, whatever zone the server runs in.
 * Converting such a value "from UTC" would be the classic off-by-one-day bug (§8.14 of the
 * invoicing reference). The configured time zone (`sync.timezone`) matters where an instant must
 * become shop-local: the sync layer's "now" for `updatedAtMin` and `startFrom`, and here only a
 * datetime that does carry an offset ("Z", "+01:00"), which is converted into the shop's zone.
 */
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** The order's calendar date (YYYY-MM-DD) in the shop's time zone. */
export function orderDate(dateCreated: string, timeZone: string, orderNumber: string): string {
  const text = dateCreated.trim();
  const m = DATETIME.exec(text);
  const [, y = '', mo = '', d = '', h = '0', mi = '0', s = '0', offset] = m ?? [];
  const date = `${y}-${mo}-${d}`;
  if (!m || !isCalendarDate(date) || Number(y) < 2000 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) {
    refuse(reasons.date(orderNumber, dateCreated));
  }
  if (offset === undefined) return date;
  const offsetMinutes = offset === 'Z' ? 0 : offsetToMinutes(offset);
  const instant = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) - offsetMinutes * 60_000;
  return dateInZone(instant, timeZone);
}

/**
 * The three dates of a draft (SPEC §1.3): the issue date (`kelt`) is the day the draft is made,
 * because an invoice cannot be dated before it exists (a backfill at go-live, or a Friday order
 * drafted on Monday, would otherwise carry an issue date from the past); the fulfilment date
 * (`teljesites`) is the order's date unless `invoice.fulfilmentDate: draft`; the due date counts
 * from the issue date. `today` is passed in (shop-local), so the domain never reads a clock.
 */
export function draftDates(
  order: { dateCreated: string; orderNumber: string },
  config: { timezone: string; invoice: { dueDays: number; fulfilmentDate?: 'order' | 'draft' } },
  today: string,
): { issueDate: string; fulfilmentDate: string; dueDate: string } {
  if (!isCalendarDate(today)) refuse(reasons.date(order.orderNumber, today));
  const ordered = orderDate(order.dateCreated, config.timezone, order.orderNumber);
  const fulfilmentDate = config.invoice.fulfilmentDate === 'draft' ? today : ordered;
  return { issueDate: today, fulfilmentDate, dueDate: addDays(today, config.invoice.dueDays) };
}

/** Calendar arithmetic on YYYY-MM-DD, rolling over months and years (2026-12-28 + 8 = 2027-01-05). */
export function addDays(date: string, days: number): string {
  if (!Number.isInteger(days) || days < 0 || days > 365) refuse(reasons.dueDays(days));
  // Every draft of a run asks the same sum (today + dueDays): the last answer is kept.
  if (date === lastSum.date && days === lastSum.days) return lastSum.result;
  const [y = 0, m = 1, d = 1] = date.split('-').map(Number);
  const result = new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
  lastSum = { date, days, result };
  return result;
}

let lastSum = { date: '', days: -1, result: '' };

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A real day of the (proleptic Gregorian) calendar, written YYYY-MM-DD; by arithmetic, not through Date. */
function isCalendarDate(date: string): boolean {
  if (!DATE.test(date)) return false;
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  const d = Number(date.slice(8, 10));
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return d <= (m === 2 ? (leap ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31);
}

function offsetToMinutes(offset: string): number {
  const digits = offset.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2));
  return offset.startsWith('-') ? -minutes : minutes;
}

function dateInZone(instant: number, timeZone: string): string {
  try {
    return shopToday(new Date(instant), timeZone);
  } catch {
    return refuse(reasons.timezone(timeZone));
  }
}
