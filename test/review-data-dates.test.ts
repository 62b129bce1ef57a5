import { afterEach, describe, expect, it } from '@jest/globals';
import { buildShoprenterOrder, seededRandom } from '../src/standins/shoprenter-fixtures.js';
import { startShoprenterStandin, type ShoprenterStandin } from '../src/standins/shoprenter-standin.js';
import { SIMPLE_ORDER } from './helpers/order-specs.js';
import { standinClient } from './helpers/standin-client.js';

/**
 * Review R1 (review-data): orders whose dateUpdated Shoprenter sends in a form the daemon does not
 * read (here ISO 8601 with an offset, "2025-01-12T20:22:00+01:00": an answer we did not expect;
 * reference §11 says orders carry none today). One such order alone is handed over as unreadable
 * and quarantined with a sentence. When a backfill's window is full of them, the walk cuts the
 * window by those dates (cutAt/halve -> addMinutes) and dies with
 * "RangeError: not a local datetime: ...": every cycle fails the same way, no order is drafted
 * or quarantined, and the owner reads a programmer's error instead of a sentence.
 */

const START = Date.UTC(2025, 0, 6, 8, 0, 0);
const local = (ms: number) => new Date(ms).toISOString().slice(0, 19);
const running: ShoprenterStandin[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.close();
});

describe('review R1: a dateUpdated with an offset', () => {
  it('a backfill of such orders hands each over (as unreadable) instead of failing with a RangeError', async () => {
    const random = seededRandom(11);
    let at = START;
    const orders = Array.from({ length: 2000 }, (_, i) => {
      at += (3 + Math.floor(random() * 118)) * 60_000;
      const o = buildShoprenterOrder({ ...SIMPLE_ORDER, email: `d${i}@example.hu`, innerId: 200_000 + i, dateUpdated: local(at), dateCreated: local(at) });
      o['dateUpdated'] = `${String(o['dateUpdated'])}+01:00`;
      return o;
    });
    const standin = await startShoprenterStandin({ rateLimitPerSecond: 0, orders });
    running.push(standin);
    const client = standinClient(standin);
    const seen = new Set<string>();
    const reasons: string[] = [];
    let failure: unknown = null;
    try {
      await client.listChangedOrders(local(START - 3_600_000), (page) => {
        for (const o of page) {
          seen.add(o.ok ? o.order.orderNumber : String(o.orderNumber));
          if (!o.ok) reasons.push(o.reason);
        }
        return Promise.resolve();
      }, local(at + 3_600_000));
    } catch (error) {
      failure = error;
    }
    expect(failure instanceof RangeError ? `${failure.message}\n${failure.stack ?? ''}` : null).toBeNull();
    expect(seen.size).toBe(orders.length);
  });
});
