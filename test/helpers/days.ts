/**
 * Calendar days for tests, worked out apart from src/domain/draft-dates.ts: a draft is issued on
 * the shop-local day it is made (issue 17), so a test reads the day before and after the run and
 * accepts either (a midnight may fall in between).
 */

/** The calendar day in Budapest now. */
export function budapestDay(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Budapest', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

/** YYYY-MM-DD plus whole days, by the UTC calendar. */
export function plusDays(day: string, days: number): string {
  const [y = 0, m = 1, d = 1] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}
