import { afterEach, describe, expect, it } from '@jest/globals';
import { buildShoprenterOrder, seededRandom } from '../src/standins/shoprenter-fixtures.js';
import { startShoprenterStandin, type ShoprenterStandin } from '../src/standins/shoprenter-standin.js';
import { SIMPLE_ORDER } from './helpers/order-specs.js';
import { standinClient } from './helpers/standin-client.js';

/**
 * Review R1 (review-data): gateway timeouts (504, "make the request smaller", reference §2.2) at
 * the start of a backfill. Each halves the page for the rest of the walk; the first one also
 * lands on the window the planner cut "by prefix" from the first (oldest-first) page, so the
 * planner concludes the list is not oldest first (prefixTrusted = false) although it is. With six
 * timeouts (page 200 -> 3) the density guess then plans 4-second windows (the span to the newest
 * order seen divided by the whole backlog's page count), each followed by an open question that
 * comes back full: the walk crawls through the backlog 4 seconds per 2 requests. A 2,000-order
 * backlog (the benchmark's spread) is not read after 20,000 requests (1,682 orders still unread);
 * the code before this round (6e550bb) read it in 3,714. At 3 requests/s that is a cycle that
 * does not end for days: no order after the crawl's position is drafted meanwhile.
 */

const START = Date.UTC(2025, 0, 6, 8, 0, 0);
const local = (ms: number) => new Date(ms).toISOString().slice(0, 19);
const N = 2000;
const LIMIT = 2 * N;
const running: ShoprenterStandin[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.close();
});

describe('review R1: a walk after six gateway timeouts', () => {
  it(`reads a ${N}-order backlog within ${LIMIT} list requests`, async () => {
    const random = seededRandom(11);
    let at = START;
    const orders = Array.from({ length: N }, (_, i) => {
      at += (3 + Math.floor(random() * 118)) * 60_000;
      return buildShoprenterOrder({ ...SIMPLE_ORDER, email: `g${i}@example.hu`, innerId: 500_000 + i, dateUpdated: local(at), dateCreated: local(at) });
    });
    const standin = await startShoprenterStandin({ rateLimitPerSecond: 0, orders });
    running.push(standin);
    let lists = 0;
    standin.listing.onList = () => {
      lists += 1;
      // The next list request answers 504, six times in a row from the walk's first answer on.
      if (lists <= 6) standin.setFault({ kind: 'status', status: 504, path: '/orderExtend' });
      // A runaway guard for this test only: past the budget every list request fails, so the walk ends.
      if (lists > LIMIT) standin.setFault({ kind: 'status', status: 500, path: '/orderExtend', times: 100 });
    };
    const client = standinClient(standin, { retryBaseMs: 5 });
    const seen = new Set<string>();
    let error: string | null = null;
    try {
      await client.listChangedOrders(local(START - 3_600_000), (page) => {
        for (const o of page) seen.add(o.ok ? o.order.orderNumber : String(o.orderNumber));
        return Promise.resolve();
      }, local(at + 3_600_000));
    } catch (caught) {
      error = String(caught);
    }
    expect({ lists: lists <= LIMIT ? 'within budget' : `over ${LIMIT}`, unread: N - seen.size, error }).toEqual({ lists: 'within budget', unread: 0, error: null });
  }, 300_000);
});
