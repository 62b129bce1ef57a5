import { afterEach, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { main } from '../src/cli.js';
import { describeAlert } from '../src/alerts/texts.js';
import { Ledger } from '../src/store/ledger.js';
import { demoConfigYaml } from '../src/standins/local-shop.js';
import { buildShoprenterOrder } from '../src/standins/shoprenter-fixtures.js';
import { startWebhook, type WebhookServer } from './alerts-webhook.js';
import { startHarness, type Harness } from './helpers/harness.js';
import { SIMPLE_ORDER } from './helpers/order-specs.js';
import { requireBuild, runToEnd } from './helpers/processes.js';

function capture(env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const logStream = new Writable({ write: (_c, _e, done) => done() });
  return { out, err, ctx: { env, logStream, out: (t: string) => out.push(t), err: (t: string) => err.push(t) } };
}

const EMAIL = 'uj.vevo.931@example.hu';

/**
 * Issue 16 §4, after review: a lost ledger, so Cashman already holds SR000001 (an OLD buyer's
 * partner). The new buyer's create with SR000001 loses its answer; the retry is refused as taken.
 * Cashman's refusal names only the code and offers no lookup, so the program cannot tell "our
 * create went through" from "another buyer had it": no draft leaves (a draft naming SR000001 takes
 * the partner from Cashman's master data, reference §7), the order is uncertain, a person decides.
 */
describe('a partner create whose answer was lost, then refused as "code taken"', () => {
  let h: Harness;
  let hook: WebhookServer;
  afterEach(async () => {
    await h.close();
    await hook.close();
  });

  const cli = async (args: string[]): Promise<{ code: number; out: string; err: string }> => {
    const c = capture({ ...h.env, LOG_LEVEL: 'error' });
    const code = await main(args, c.ctx);
    return { code, out: c.out.join('\n'), err: c.err.join('\n') };
  };
  const partnersWithCode = (code: string) => [...h.shop.cashman.partners.values()].filter((p) => p.partnerCode === code);

  /** Up to the held order: the first create is dropped unprocessed (the review's case) or processed. */
  async function holdOrder(fault: 'drop' | 'dropAfterProcessing', existing: string[]): Promise<void> {
    hook = await startWebhook();
    h = await startHarness({ shoprenter: { rateLimitPerSecond: 0 }, cashman: { existingPartnerCodes: existing } });
    h.env['ALERT_WEBHOOK_URL'] = hook.url;
    writeFileSync(h.env.CONFIG_PATH, demoConfigYaml({ pilotOrders: 0, productLookups: false }));
    h.shop.shoprenter.addOrder(buildShoprenterOrder({ ...SIMPLE_ORDER, innerId: 931, email: EMAIL, dateUpdated: '2026-11-24T10:01:00' }));
    h.shop.cashman.setFault({ kind: fault }, { times: 1, operations: [9] });
    // A lost answer is Cashman failing (issue 16 §10): the cycle stops (exit 1), the order keeps its place.
    expect((await cli(['once'])).code).toBe(1);
    expect(h.shop.cashman.drafts).toHaveLength(0);
    // The next run resends the in-doubt create with the same code and meets "code taken".
    await cli(['once']);
  }

  async function expectHeld(code: string): Promise<void> {
    expect(h.shop.cashman.drafts).toHaveLength(0);
    const status = JSON.parse((await cli(['status', '--json'])).out) as { orders: Array<{ orderNumber: string; state: string; reason: string }> };
    const row = status.orders.find((o) => o.orderNumber === '931');
    expect(row?.state).toBe('uncertain');
    for (const text of [code, EMAIL, 'Kiss Anna', 'No draft was sent', `look up partner ${code} in Cashman`, 'retry 931 --partner-code-is-theirs', 'retry 931 --new-partner-code']) {
      expect(row?.reason).toContain(text);
    }
    // The alert says the same to the shop owner.
    const told = hook.accepted().filter((c) => c.json['orderNumber'] === '931');
    expect(told.map((c) => c.json['kind'])).toEqual(['uncertain']);
    const text = String(told[0]?.json['text']);
    for (const part of [`partner code ${code}`, 'retry 931 --partner-code-is-theirs', 'retry 931 --new-partner-code']) expect(text).toContain(part);
    // Not the lost-draft advice: there is no draft to look for, and "resolve --done" would record one.
    expect(text).not.toContain('resolve 931 --done');
    // Held: later cycles send nothing on it.
    expect((await cli(['once'])).code).toBe(0);
    expect(h.shop.cashman.drafts).toHaveLength(0);
  }

  it("the review's case: no draft under the other buyer's code; 'retry --new-partner-code' drafts under the next free code", async () => {
    await holdOrder('drop', ['SR000001']);
    await expectHeld('SR000001');
    // The ordinary ways out that do not fit are refused with a sentence, and change nothing.
    const plain = await cli(['retry', '931']);
    expect(plain.code).toBe(2);
    expect(plain.err).toContain('--partner-code-is-theirs');
    const resolve = await cli(['resolve', '931', '--done']);
    expect(resolve.code).toBe(2);
    expect(resolve.err).toContain('has no draft in Cashman');
    expect((await cli(['retry', '931', '--partner-code-is-theirs', '--new-partner-code'])).code).toBe(2);
    expect((await cli(['retry', '931', '--new-partner-code', '--force'])).code).toBe(2);

    const answer = await cli(['retry', '931', '--new-partner-code']);
    expect(answer.code).toBe(0);
    expect(answer.out).toContain('SR000002');
    // Typed twice (shell history): refused, nothing changes.
    const twice = await cli(['retry', '931', '--new-partner-code']);
    expect(twice.code).toBe(2);
    expect(twice.err).toContain('nothing was changed');
    expect((await cli(['once'])).code).toBe(0);

    expect(h.shop.cashman.drafts.map((d) => d.partnerCode)).toEqual(['SR000002']);
    expect(partnersWithCode('SR000002').map((p) => p.fields['email'])).toEqual([EMAIL]);
    expect(partnersWithCode('SR000001').map((p) => p.fields)).toEqual([{ partner_kod: 'SR000001' }]); // the old buyer, untouched
    // Recorded as the person's statement, beside the requests that left.
    const ledger = Ledger.open(h.env.DATABASE_PATH, { readonly: true });
    try {
      const stated = ledger.db.prepare(`SELECT request FROM audit WHERE order_number = '931' AND outcome = 'stated by a person: SR000001 is someone else, now SR000002'`).all() as { request: string }[];
      expect(stated.map((r) => JSON.parse(r.request) as { statement: string })).toEqual([
        expect.objectContaining({ statement: `a person stated that Cashman's partner SR000001 is not this buyer (${EMAIL}); next code SR000002` }),
      ]);
    } finally {
      ledger.close();
    }
    expect((await cli(['retry', '931', '--partner-code-is-theirs'])).code).toBe(2); // done now: nothing to state
  });

  it("the review's case, when the person finds SR000001 is this buyer after all: 'retry --partner-code-is-theirs' drafts under it, no new partner", async () => {
    await holdOrder('drop', ['SR000001']);
    await expectHeld('SR000001');
    const before = h.shop.cashman.partners.size;
    expect((await cli(['retry', '931', '--partner-code-is-theirs'])).code).toBe(0);
    expect((await cli(['retry', '931', '--partner-code-is-theirs'])).code).toBe(2); // typed twice
    expect((await cli(['once'])).code).toBe(0);
    expect(h.shop.cashman.drafts.map((d) => d.partnerCode)).toEqual(['SR000001']);
    expect(h.shop.cashman.partners.size).toBe(before);
  });

  it('typed at once from two shells (real processes), even as the two contradicting answers: exactly one applies, the other exits 2 and changes nothing', async () => {
    requireBuild();
    await holdOrder('drop', ['SR000001']);
    await expectHeld('SR000001');
    const runs = await Promise.all([
      runToEnd(['retry', '931', '--new-partner-code'], h.env, h.dir),
      runToEnd(['retry', '931', '--new-partner-code'], h.env, h.dir),
      runToEnd(['retry', '931', '--partner-code-is-theirs'], h.env, h.dir),
    ]);
    expect(runs.map((r) => r.code).sort()).toEqual([0, 2, 2]);
    const winner = runs.findIndex((r) => r.code === 0);
    expect((await cli(['once'])).code).toBe(0);
    // One statement, one code: SR000002 for "someone else", SR000001 for "theirs"; never SR000003.
    expect(h.shop.cashman.drafts.map((d) => d.partnerCode)).toEqual([winner === 2 ? 'SR000001' : 'SR000002']);
    expect(partnersWithCode('SR000003')).toHaveLength(0);
  });

  it('the original §4 case: the lost create DID reach Cashman; the person says it is theirs; exactly one partner, and later orders of the buyer use it without a partner call', async () => {
    await holdOrder('dropAfterProcessing', []);
    // Cashman holds SR000001 for this very buyer; the daemon cannot know that.
    expect(partnersWithCode('SR000001').map((p) => p.fields['email'])).toEqual([EMAIL]);
    await expectHeld('SR000001');
    expect((await cli(['retry', '931', '--partner-code-is-theirs'])).code).toBe(0);
    expect((await cli(['once'])).code).toBe(0);
    expect(h.shop.cashman.drafts.map((d) => d.partnerCode)).toEqual(['SR000001']);

    const partnerCalls = () => h.shop.cashman.received.filter((r) => r.operation === 9).length;
    const callsBefore = partnerCalls();
    h.shop.shoprenter.addOrder(buildShoprenterOrder({ ...SIMPLE_ORDER, innerId: 932, email: EMAIL, dateUpdated: '2026-11-24T10:05:00' }));
    expect((await cli(['once'])).code).toBe(0);
    expect(h.shop.cashman.drafts.map((d) => d.partnerCode)).toEqual(['SR000001', 'SR000001']);
    expect(partnerCalls()).toBe(callsBefore);
    expect([...h.shop.cashman.partners.values()].filter((p) => p.fields['email'] === EMAIL)).toHaveLength(1);

    // Its Cashman id is unknown (no lookup): new buyer details cannot be sent; the log says to update it by hand.
    h.shop.shoprenter.addOrder(buildShoprenterOrder({ ...SIMPLE_ORDER, innerId: 933, email: EMAIL, phone: '+36 30 999 8877', dateUpdated: '2026-11-24T10:06:00' }));
    const logs: string[] = [];
    const c = capture({ ...h.env, LOG_LEVEL: 'warn' });
    c.ctx.logStream = new Writable({ write: (chunk: Buffer, _e, done) => void (logs.push(chunk.toString()), done()) });
    expect(await main(['once'], c.ctx)).toBe(0);
    expect(partnerCalls()).toBe(callsBefore);
    expect(h.shop.cashman.drafts.map((d) => d.partnerCode)).toEqual(['SR000001', 'SR000001', 'SR000001']);
    expect(logs.join('')).toMatch(/buyer details changed, but the partner was confirmed by a person.*update it in Cashman by hand.*changed=phone/);
  });
});

describe('the alert of an order held for its partner code', () => {
  it('names the code and both commands, and never the lost-draft advice, in both languages', () => {
    const event = { kind: 'uncertain', orderNumber: '931', reason: 'R.', partnerCode: 'SR000001' } as const;
    const en = describeAlert(event, 'en');
    const hu = describeAlert(event, 'hu');
    expect(en).toContain('931: no draft yet, partner code SR000001 to check');
    expect(hu).toContain('931: még nincs számlaminta, ellenőrizd a(z) SR000001 partnerkódot');
    expect(hu).toContain('A 931-es rendeléshez nem küldtem számlamintát');
    for (const text of [en, hu]) {
      expect(text).toContain('`retry 931 --partner-code-is-theirs`');
      expect(text).toContain('`retry 931 --new-partner-code`');
      expect(text).not.toContain('resolve 931');
    }
  });
});
