/**
 * Shoprenter datetimes are shop-local and carry no offset ("2026-11-01T00:30:00"). The cursor
 * and `startFrom` are kept in that same form, so comparisons are plain string comparisons; these
 * helpers turn the daemon's own clock into that form and do minute arithmetic on it.
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
export function shopNow(now: Date, timeZone: string): string {
  const parts = formatFor(timeZone).formatToParts(now);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '00';
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}:${get('second')}`;
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
