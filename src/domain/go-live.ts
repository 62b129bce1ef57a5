import { hasCalendarDate } from './shop-clock.js';

/**
 * Go-live is about when the order was placed (SPEC §1.1): an order created before `startFrom` that
 * changes later (e.g. completed after go-live) was invoiced by hand and must not get a second
 * invoice. An unreadable creation date is not taken for "before go-live": the draft check
 * quarantines it with a reason. One rule for the daemon, `preview`, `retry` and `check`.
 */
export function placedBeforeGoLive(dateCreated: string, startFrom: string): boolean {
  return hasCalendarDate(dateCreated) && dateCreated < startFrom;
}
