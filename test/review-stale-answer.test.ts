import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { CashmanClient } from '../src/cashman/client.js';
import { LOGIN, sampleDraft } from './cashman-fixtures.js';
import { rawCashman, rawReply, type RawCashman } from './helpers/raw-cashman.js';
import { SEND_NOW } from '../src/sync/ports.js';

/**
 * Reviewer (round 2), kept as a guard: with a kept-alive Cashman connection, an answer that arrived
 * on it while idle was read as the answer to the NEXT request sent on it (each request now has a
 * connection of its own). Rule (SPEC/README): a draft's reference is the answer
 * to THAT draft's request; a draft request whose own answer never came is "outcome unknown"
 * (uncertain), never "drafted" with another order's reference.
 */

let raw: RawCashman | undefined;
afterEach(async () => {
  await raw?.close();
  raw = undefined;
});

const reply = rawReply;
const rawServer = async (handler: (n: number, socket: Socket) => void): Promise<RawCashman> => (raw = await rawCashman(handler));

const client = (apiUrl: string) => new CashmanClient({ apiUrl, group: LOGIN.group, user: LOGIN.user, password: LOGIN.password, timeoutMs: 3000 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const outcome = (p: Promise<{ reference: string | null }>) => p.then((v) => ({ reference: v.reference }), (e: { code?: string }) => ({ error: e.code }));

describe('a stray answer on a Cashman connection', () => {
  it('a duplicate answer to order A, arriving while idle, is not taken as order B\'s draft reference', async () => {
    const s = await rawServer((n, socket) => {
      if (n === 1) {
        socket.write(reply('5001|A'));
        // A proxy/PHP bug repeats the answer a moment later (a separate packet, socket idle in the pool).
        setTimeout(() => socket.write(reply('5001|A')), 100);
      }
      // Request 2 (order B) is received by Cashman but its answer never comes.
    });
    const c = client(s.url);
    const a = await outcome(c.createDraft(sampleDraft({ orderNumber: 'A' }), 'SR000001', SEND_NOW));
    expect(a).toEqual({ reference: '5001|A' });
    await sleep(300);
    const b = await outcome(c.createDraft(sampleDraft({ orderNumber: 'B' }), 'SR000002', SEND_NOW));
    // B's own answer never came: B must not be "drafted as 5001|A".
    expect(b).not.toEqual({ reference: '5001|A' });
  });

  it('an extra answer in the same packet as order A\'s answer is not taken as order B\'s', async () => {
    const s = await rawServer((n, socket) => {
      if (n === 1) socket.write(reply('5001|A') + reply('5002|X'));
    });
    const c = client(s.url);
    const a = await outcome(c.createDraft(sampleDraft({ orderNumber: 'A' }), 'SR000001', SEND_NOW));
    expect(a).toEqual({ reference: '5001|A' });
    const b = await outcome(c.createDraft(sampleDraft({ orderNumber: 'B' }), 'SR000002', SEND_NOW));
    expect(b).not.toEqual({ reference: '5002|X' });
  });

  it('a repeated answer to order A that arrives after order B went out is not taken as B\'s reference', async () => {
    const s = await rawServer((n, socket) => {
      if (n === 1) {
        socket.write(reply('5001|A'));
        setTimeout(() => socket.write(reply('5001|A')), 400);
      }
      // Order B's request is never processed (say PHP died on it): no answer of its own comes.
    });
    const c = client(s.url);
    const a = await outcome(c.createDraft(sampleDraft({ orderNumber: 'A' }), 'SR000001', SEND_NOW));
    expect(a).toEqual({ reference: '5001|A' });
    await sleep(100);
    const b = await outcome(c.createDraft(sampleDraft({ orderNumber: 'B' }), 'SR000002', SEND_NOW));
    // By the rule B is "outcome unknown" (uncertain). On a kept-alive connection it was "drafted"
    // with A's reference: no draft exists for B in Cashman and nothing would ever send it (lost).
    expect(b).not.toEqual({ reference: '5001|A' });
  });

  it('Cashman taking 2 s to answer a draft after another still gives its answer', async () => {
    const s = await rawServer((n, socket) => {
      if (n === 1) socket.write(reply('5001|A'));
      if (n === 2) setTimeout(() => socket.write(reply('5002|B')), 2000);
    });
    const c = client(s.url);
    await outcome(c.createDraft(sampleDraft({ orderNumber: 'A' }), 'SR000001', SEND_NOW));
    const b = await outcome(c.createDraft(sampleDraft({ orderNumber: 'B' }), 'SR000002', SEND_NOW));
    expect(b).toEqual({ reference: '5002|B' });
  });

  it('one repeated answer shifts every later draft of a backfill by one order', async () => {
    // Cashman answers each draft request after 50 ms with its own reference; the answer to the first
    // is repeated once, 10 ms later (a proxy or PHP fault). A backfill sends five drafts back to back.
    const s = await rawServer((n, socket) => {
      setTimeout(() => socket.write(reply(`${5000 + n}|order${n}`)), 50);
      if (n === 1) setTimeout(() => socket.write(reply('5001|order1')), 60);
    });
    const c = client(s.url);
    const got: Record<string, unknown> = {};
    for (let i = 1; i <= 5; i += 1) got[`order${i}`] = await outcome(c.createDraft(sampleDraft({ orderNumber: `order${i}` }), `SR00000${i}`, SEND_NOW));
    // Rule: an order is "drafted" only with the answer to its own request.
    for (let i = 2; i <= 5; i += 1) {
      const o = got[`order${i}`] as { reference?: string };
      if (o.reference !== undefined) expect(o.reference).toBe(`${5000 + i}|order${i}`);
    }
  });
});

