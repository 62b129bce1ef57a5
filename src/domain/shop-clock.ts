/**
 * Shoprenter datetimes are shop-local and carry no offset ("2026-11-01T00:30:00"). The cursor
 * and `startFrom` are kept in that same form, so comparisons are plain string comparisons; these
 * helpers turn the daemon's own clock into that form, do minute arithmetic on it, and work out the
 * list's lower bound across daylight-saving changes (local time runs backwards once a year).
 */

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/;

export function isLocalDateTime(text: string): boolean {
  return LOCAL.test(text);
}

// Building a DateTimeFormat costs about a hundred times more than using one; the pipeline asks per order.
const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formats.set(timeZone, format);
  }
  return format;
}

/** The wall-clock time in `timeZone` as "YYYY-MM-DDTHH:MM:SS". */
/** The shop-local calendar day (YYYY-MM-DD) of an instant: a draft's issue date. */
export function shopToday(now: Date, timeZone: string): string {
  return shopNow(now, timeZone).slice(0, 10);
}

// The last answer per zone: formatToParts costs tens of µs, and the pipeline asks twice per order,
// mostly within the same second. Keyed by the whole second, so the answer is the same function of
// its inputs as without the cache.
const lastNow = new Map<string, { second: number; text: string }>();

export function shopNow(now: Date, timeZone: string): string {
  const second = Math.floor(now.getTime() / 1000);
  const last = lastNow.get(timeZone);
  if (last && last.second === second) return last.text;
  const text = timeZone === localZone ? localWallClock(now) : zoneWallClock(now, timeZone);
  lastNow.set(timeZone, { second, text });
  return text;
}

function zoneWallClock(now: Date, timeZone: string): string {
  const parts = formatFor(timeZone).formatToParts(now);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '00';
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}:${get('second')}`;
}

/**
 * The zone this process's own local time follows, once the composition root made it so (TZ set to
 * the shop's zone): the wall clock is then read with Date's local getters, which follow the same
 * tz rules (ICU's) as Intl.DateTimeFormat without loading its formatting engine — about 5 MB of
 * resident memory in a daemon that asks nothing else of it. Null: every zone goes through Intl.
 */
let localZone: string | null = null;

/** Only for the composition root, right after it set TZ to `zone` (or null to stop). Results do not change. */
export function followLocalTimeFor(zone: string | null): void {
  localZone = zone;
  lastNow.clear();
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function localWallClock(now: Date): string {
  return `${pad(now.getFullYear(), 4)}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}T${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}`;
}

/**
 * Shifts a local datetime by whole minutes as naive calendar arithmetic. Around a DST change the
 * result can be an hour off in real time; the overlap window is there to absorb exactly that.
 */
export function addMinutes(local: string, minutes: number): string {
  const m = LOCAL.exec(local);
  if (!m) throw new RangeError(`not a local datetime: ${local}`);
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return new Date(t + minutes * 60_000).toISOString().slice(0, 19);
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Shorter than the distance between two offset changes anywhere, so one step holds at most one. */
const SCAN_STEP_MS = 6 * HOUR_MS;

function naiveMs(local: string): number {
  const m = LOCAL.exec(local);
  if (!m) throw new RangeError(`not a local datetime: ${local}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/** The zone's offset from UTC at instant `ms`, in ms (whole seconds). */
function offsetAt(ms: number, timeZone: string): number {
  const second = Math.floor(ms / 1000) * 1000;
  return naiveMs(shopNow(new Date(second), timeZone)) - second;
}

/** First whole second in (lo, hi] where `test` holds, given it fails at lo and holds at hi. */
function firstSecond(lo: number, hi: number, test: (ms: number) => boolean): number {
  let a = lo;
  let b = hi;
  while (b - a > 1000) {
    const mid = a + Math.floor((b - a) / 2000) * 1000;
    if (test(mid)) b = mid;
    else a = mid;
  }
  return b;
}

/**
 * The first instant whose shop-local time is `local` or later. For a time the autumn change shows
 * twice that is its first (summer-time) occurrence; for one the spring change skips, the change
 * itself. Every instant before it has a local time before `local`.
 */
export function localToInstant(local: string, timeZone: string): Date {
  const n = naiveMs(local);
  const offsets = [offsetAt(n - DAY_MS, timeZone), offsetAt(n + DAY_MS, timeZone)];
  const candidates = offsets.map((o) => n - o).sort((a, b) => a - b);
  const exact = candidates.find((t) => shopNow(new Date(t), timeZone) === local);
  if (exact !== undefined) return new Date(exact);
  const [lo = n, hi = n] = candidates;
  return new Date(firstSecond(lo, hi, (t) => shopNow(new Date(t), timeZone) >= local));
}

/**
 * The lowest shop-local time shown at any instant from `fromMs` to `toMs`. Local time rises with
 * real time except when the clocks go back, so it is the local time at `fromMs` or the one just
 * after an autumn change in between ("02:00:00" in Budapest).
 */
export function lowestLocalBetween(fromMs: number, toMs: number, timeZone: string): string {
  let lowest = shopNow(new Date(fromMs), timeZone);
  for (let t = fromMs; t < toMs; t += SCAN_STEP_MS) {
    const next = Math.min(t + SCAN_STEP_MS, toMs);
    const before = offsetAt(t, timeZone);
    if (offsetAt(next, timeZone) >= before) continue;
    const change = firstSecond(t, next, (ms) => offsetAt(ms, timeZone) < before);
    const after = shopNow(new Date(change), timeZone);
    if (after < lowest) lowest = after;
  }
  return lowest;
}

/**
 * The `updatedAtMin` of a poll: low enough that every order changed since one overlap before the
 * cursor is listed, whichever daylight-saving changes lie between. Shoprenter stamps dateUpdated
 * with the shop's wall clock, so an order changed in the autumn's repeated hour can carry a time
 * earlier than the cursor; the bound then goes back to the start of that hour. The cursor (the
 * newest dateUpdated fully read) is taken at its earliest possible instant; the scan runs an hour
 * past `now` so a change during the walk itself is covered too.
 */
export function listLowerBound(cursor: string, overlapMinutes: number, timeZone: string, now: Date): string {
  const from = localToInstant(cursor, timeZone).getTime() - overlapMinutes * 60_000;
  const lowest = lowestLocalBetween(from, Math.max(from, now.getTime() + HOUR_MS), timeZone);
  const naive = addMinutes(cursor, -overlapMinutes);
  return lowest < naive ? lowest : naive;
}

/** Whether `text` starts with a real calendar date from 2000 on (Shoprenter also sends "0000-00-00"). */
export function hasCalendarDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(text.trim());
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return y >= 2000 && t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}
