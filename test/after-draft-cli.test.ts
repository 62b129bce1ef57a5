import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoConfigYaml } from '../src/standins/local-shop.js';
import { buildShoprenterOrder, type OrderSpec } from '../src/standins/shoprenter-fixtures.js';
import { Ledger, type OrderRow } from '../src/store/ledger.js';
import { startHarness, type Harness } from './helpers/harness.js';
import { SIMPLE_ORDER } from './helpers/order-specs.js';

/**
 * `ack` and `redraft` as an operator runs them: real processes (`node dist/main.js`) on one ledger
 * file, against both stand-ins in this process, with and without a running daemon.
 */

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'main.js');
const base: Omit<OrderSpec, 'innerId' | 'dateUpdated'> = { ...SIMPLE_ORDER, email: 'kiss.anna@example.hu' };
const order = (innerId: number, dateUpdated: string, patch: Partial<OrderSpec> = {}) =>
  buildShoprenterOrder({ ...base, innerId, dateUpdated, dateCreated: '2026-11-20T09:00:00', ...patch });
const config = demoConfigYaml({ productLookups: false, intervalSeconds: 5, cancelStatuses: ['Törölve'] });
const [glass, book] = SIMPLE_ORDER.products;
/** The same order with one glass instead of two: 16 779 - 5 000 = 11 779 Ft (see after-draft.test.ts). */
const fewerGlasses = (innerId: number) => order(innerId, '2026-11-20T11:30:00', { products: [{ ...glass!, stocks: [1] }, book!] });

interface Run {
  child: ChildProcess;
  exit: Promise<number | null>;
  output: string[];
}

function start(args: string[], env: Record<string, string>): Run {
  const child = spawn(process.execPath, [MAIN, ...args], { env: { PATH: process.env['PATH'] ?? '', ...env, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  return { child, output, exit: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
}

async function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; text: string }> {
  const run = start(args, env);
  const code = await run.exit;
  return { code, text: run.output.join('') };
}

/** What a command printed for a person, without the daemon's log lines (LOG_LEVEL=info). */
const sentences = (text: string): string[] =>
  text
    .trim()
    .split('\n')
    .filter((line) => !/^\d{4}-\d\d-\d\dT\S+Z\s+(debug|info|warn|error)\b/.test(line));

function orderRow(h: Harness, ref: string): OrderRow | undefined {
  const ledger = Ledger.open(h.env.DATABASE_PATH, { readonly: true });
  try {
    return ledger.findOrder(ref);
  } finally {
    ledger.close();
  }
}

async function waitFor(what: string, test: () => boolean, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('ack and redraft (SPEC §1.7, §2)', () => {
  let h: Harness;
  let killOnDraft: ChildProcess | null = null;
  beforeAll(() => {
    if (!existsSync(MAIN)) throw new Error('dist/main.js is missing: run npm run build first');
  });
  afterEach(async () => {
    await h.close();
  });

  it('redraft is one act on the person\'s word: the flag first, then exactly one new draft; typed again it refuses', async () => {
    h = await startHarness({ config });
    h.shop.shoprenter.addOrder(order(2001, '2026-11-20T10:00:00'));
    expect((await cli(['once'], h.env)).code).toBe(0);
    const oldRef = h.shop.cashman.drafts[0]!.reference;

    expect(await cli(['redraft', '2001', '--old-draft-deleted'], h.env)).toMatchObject({ code: 2, text: expect.stringContaining('has not been reported') });
    expect(await cli(['redraft', '9999', '--old-draft-deleted'], h.env)).toMatchObject({ code: 2, text: expect.stringContaining('Order 9999 is not in the ledger') });
    expect(await cli(['ack', '2001'], h.env)).toMatchObject({ code: 2, text: expect.stringContaining('nothing to ack') });

    h.shop.shoprenter.updateOrder('2001', fewerGlasses(2001));
    expect((await cli(['once'], h.env)).code).toBe(0);
    const listed = JSON.parse((await cli(['status', '--json'], h.env)).text) as { needsAttentionAfterDraft: { orderNumber: string; cashmanRef: string }[] };
    expect(listed.needsAttentionAfterDraft).toEqual([expect.objectContaining({ orderNumber: '2001', cashmanRef: oldRef })]);
    expect((await cli(['health'], h.env)).code).toBe(0); // work for a person, not a fault

    // Without the person's statement nothing is sent, and the refusal names the flag.
    const unstated = await cli(['redraft', '2001'], h.env);
    expect(unstated).toMatchObject({ code: 2, text: expect.stringContaining('redraft 2001 --old-draft-deleted') });
    expect(sentences(unstated.text)).toHaveLength(1);
    expect(h.shop.cashman.drafts).toHaveLength(1);

    const redraft = await cli(['redraft', '2001', '--old-draft-deleted'], h.env);
    expect(redraft).toMatchObject({ code: 0, text: expect.stringContaining('a new draft was sent') });
    // Issue 17: the order was drafted, never quarantined; the log must not say it was.
    expect(redraft.text).toContain('redraft: drafting the order as it is now in the shop');
    expect(redraft.text).not.toContain('since it was quarantined');
    expect(h.shop.cashman.drafts).toHaveLength(2);
    const head = h.shop.cashman.drafts[1]!.rows[0]!;
    expect(head).toMatchObject({ szamla_brutto: '11779', mennyiseg: '1', egyeb: 'Shoprenter rendelés: 2001' });

    // Typed again (shell history, a dropped SSH session): one sentence, exit 2, nothing sent.
    const again = await cli(['redraft', '2001', '--old-draft-deleted'], h.env);
    expect(again).toMatchObject({ code: 2, text: expect.stringContaining('already redrafted') });
    expect(sentences(again.text)).toHaveLength(1);
    expect(await cli(['ack', '2001'], h.env)).toMatchObject({ code: 2 });
    expect((await cli(['once'], h.env)).code).toBe(0);
    expect(h.shop.cashman.drafts).toHaveLength(2);
    expect(orderRow(h, '2001')).toMatchObject({ state: 'done', cashmanRef: h.shop.cashman.drafts[1]!.reference });
    const story = JSON.parse((await cli(['status', '2001', '--json'], h.env)).text) as {
      audit: { kind: string; outcome: string }[];
      events: { kind: string; reason: string }[];
    };
    expect(story.audit.filter((a) => a.kind === 'draft')).toEqual([expect.objectContaining({ outcome: 'ok' }), expect.objectContaining({ outcome: 'ok' })]);
    expect(story.events.map((e) => e.kind)).toEqual(['changed', 'redraft-started', 'redrafted']);
    // The ledger keeps the person's word as theirs: who, when, what they said; not as a checked fact.
    const started = story.events[1]!.reason;
    expect(started).toMatch(/^A person \(user \S+ on host \S+\) stated at \d{4}-\d\d-\d\dT[\d:.]+Z, with "redraft 2001 --old-draft-deleted", that the old draft /);
    expect(started).toContain(oldRef);
    expect(started).toContain('not checked');
  }, 60_000);

  it('after ack, redraft refuses and sends nothing', async () => {
    h = await startHarness({ config });
    h.shop.shoprenter.addOrder(order(2004, '2026-11-20T10:00:00'));
    expect((await cli(['once'], h.env)).code).toBe(0);
    h.shop.shoprenter.updateOrder('2004', fewerGlasses(2004));
    expect((await cli(['once'], h.env)).code).toBe(0);
    expect((await cli(['ack', '2004'], h.env)).code).toBe(0);
    const refused = await cli(['redraft', '2004', '--old-draft-deleted'], h.env);
    expect(refused).toMatchObject({ code: 2, text: expect.stringContaining('acknowledged') });
    expect(sentences(refused.text)).toHaveLength(1);
    expect(h.shop.cashman.drafts).toHaveLength(1);
    expect(orderRow(h, '2004')).toMatchObject({ state: 'done', cashmanRef: h.shop.cashman.drafts[0]!.reference });
  }, 60_000);

  it('a redraft whose draft Cashman answers with a 503 page ends uncertain, told in one line, and is never resent', async () => {
    h = await startHarness({ config });
    h.shop.shoprenter.addOrder(order(2005, '2026-11-20T10:00:00'));
    expect((await cli(['once'], h.env)).code).toBe(0);
    h.shop.shoprenter.updateOrder('2005', fewerGlasses(2005));
    expect((await cli(['once'], h.env)).code).toBe(0);
    // Cashman failing (issue 16 §10) stops a cycle after the order in doubt; for redraft that order is the whole act.
    h.shop.cashman.setFault({ kind: 'status500' }, { operations: [4] });
    const failed = await cli(['redraft', '2005', '--old-draft-deleted'], h.env);
    expect(failed).toMatchObject({ code: 1, text: expect.stringContaining('Order 2005: no new draft was confirmed; it is now uncertain') });
    expect(orderRow(h, '2005')?.state).toBe('uncertain');
    expect((await cli(['once'], h.env)).code).toBe(0);
    expect(h.shop.cashman.drafts).toHaveLength(1);
    expect(await cli(['redraft', '2005', '--old-draft-deleted'], h.env)).toMatchObject({ code: 2 });
  }, 60_000);

  it('a redraft whose draft the daemon sent later (Cashman unreachable at first) is complete: typed again it refuses', async () => {
    h = await startHarness({ config });
    h.shop.shoprenter.addOrder(order(2006, '2026-11-20T10:00:00'));
    expect((await cli(['once'], h.env)).code).toBe(0);
    h.shop.shoprenter.updateOrder('2006', fewerGlasses(2006));
    expect((await cli(['once'], h.env)).code).toBe(0);

    // A port nobody listens on: the draft provably never left (connection refused).
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const unreachable = { ...h.env, CASHMAN_API_URL: `http://127.0.0.1:${port}/fxapi/jxs.php` };
    expect((await cli(['redraft', '2006', '--old-draft-deleted'], unreachable)).code).toBe(1);
    expect(h.shop.cashman.drafts).toHaveLength(1);

    // The daemon sends it once it is due (retry puts it in line now instead of after the backoff).
    if (orderRow(h, '2006')?.state !== 'pending') expect((await cli(['retry', '2006'], h.env)).code).toBe(0);
    expect((await cli(['once'], h.env)).code).toBe(0);
    expect(h.shop.cashman.drafts).toHaveLength(2);
    expect(await cli(['redraft', '2006', '--old-draft-deleted'], h.env)).toMatchObject({ code: 2, text: expect.stringContaining('already redrafted') });
    expect((await cli(['once'], h.env)).code).toBe(0);
    expect(h.shop.cashman.drafts).toHaveLength(2);
    expect(JSON.parse((await cli(['status', '--json'], h.env)).text)).toMatchObject({ needsAttentionAfterDraft: [] });
  }, 60_000);

  it('two redraft processes started together send at most one draft: one wins, the other exits 2', async () => {
    const children: Run[] = [];
    let held = false;
    h = await startHarness({
      config,
      cashman: {
        // The first new draft is held in Cashman until one of the two processes has exited, so
        // the other one acts while that draft is out, whichever of them sent it.
        onProcessed: async ({ operation }) => {
          if (operation !== 4 || held || children.length < 2) return;
          held = true;
          await Promise.race(children.map((c) => c.exit));
        },
      },
    });
    h.shop.shoprenter.addOrder(order(2005, '2026-11-20T10:00:00'));
    expect((await cli(['once'], h.env)).code).toBe(0);
    h.shop.shoprenter.updateOrder('2005', fewerGlasses(2005));
    expect((await cli(['once'], h.env)).code).toBe(0);

    children.push(start(['redraft', '2005', '--old-draft-deleted'], h.env), start(['redraft', '2005', '--old-draft-deleted'], h.env));
    const codes = await Promise.all(children.map((c) => c.exit));
    expect([...codes].sort()).toEqual([0, 2]);
    expect(h.shop.cashman.drafts).toHaveLength(2); // the first draft and exactly one new one
    const loser = children[codes.indexOf(2)]!.output.join('');
    expect(sentences(loser)).toHaveLength(1);
    expect(orderRow(h, '2005')).toMatchObject({ state: 'done', cashmanRef: h.shop.cashman.drafts[1]!.reference });
  }, 60_000);

  it('a redraft SIGKILLed while its draft is out is never resent: the running daemon marks it uncertain', async () => {
    h = await startHarness({
      config,
      cashman: {
        onProcessed: async ({ operation }) => {
          if (operation !== 4 || killOnDraft === null) return;
          const victim = killOnDraft;
          killOnDraft = null;
          const gone = new Promise((resolve) => victim.on('exit', resolve));
          victim.kill('SIGKILL');
          await gone;
        },
      },
    });
    h.shop.shoprenter.addOrder(order(2002, '2026-11-20T10:00:00'));
    expect((await cli(['once'], h.env)).code).toBe(0);
    h.shop.shoprenter.updateOrder('2002', fewerGlasses(2002));
    expect((await cli(['once'], h.env)).code).toBe(0);

    const daemon = start(['run'], h.env);
    await waitFor('the daemon to start polling', () => daemon.output.join('').includes('daemon started'));
    const redraft = start(['redraft', '2002', '--old-draft-deleted'], h.env);
    killOnDraft = redraft.child;
    expect(await redraft.exit).toBeNull(); // killed by the signal
    expect(h.shop.cashman.drafts).toHaveLength(2); // the draft reached Cashman; its answer was lost

    await waitFor('the daemon to mark the order uncertain', () => orderRow(h, '2002')?.state === 'uncertain');
    expect(orderRow(h, '2002')?.lastError).toContain('resolve 2002 --done');
    expect(await cli(['redraft', '2002', '--old-draft-deleted'], h.env)).toMatchObject({ code: 2, text: expect.stringContaining('uncertain') });
    await new Promise((resolve) => setTimeout(resolve, 6_000)); // one more daemon cycle
    expect(h.shop.cashman.drafts).toHaveLength(2);

    daemon.child.kill('SIGTERM');
    expect(await daemon.exit).toBe(0);

    // The person finds the new draft in Cashman: the redraft is complete, and typed again it refuses.
    expect((await cli(['resolve', '2002', '--done'], h.env)).code).toBe(0);
    expect(await cli(['redraft', '2002', '--old-draft-deleted'], h.env)).toMatchObject({ code: 2, text: expect.stringContaining('already redrafted') });
    expect((await cli(['once'], h.env)).code).toBe(0);
    expect(h.shop.cashman.drafts).toHaveLength(2);
    expect(JSON.parse((await cli(['status', '--json'], h.env)).text)).toMatchObject({ needsAttentionAfterDraft: [] });
  }, 90_000);

  it('a once started while a redraft\'s draft is out takes the writer lock but leaves that draft alone', async () => {
    let onceDuringDraft: Promise<{ code: number | null; text: string }> | null = null;
    let armed = false;
    h = await startHarness({
      config,
      cashman: {
        onProcessed: async ({ operation }) => {
          if (operation !== 4 || !armed) return;
          armed = false;
          // The redraft's draft is in Cashman, its answer not yet out: a writer starts now.
          onceDuringDraft = cli(['once'], h.env);
          await onceDuringDraft;
        },
      },
    });
    h.shop.shoprenter.addOrder(order(2003, '2026-11-20T10:00:00'));
    expect((await cli(['once'], h.env)).code).toBe(0);
    h.shop.shoprenter.updateOrder('2003', fewerGlasses(2003));
    expect((await cli(['once'], h.env)).code).toBe(0);

    armed = true;
    const redraft = await cli(['redraft', '2003', '--old-draft-deleted'], h.env);
    const once = await onceDuringDraft!;
    expect(once.code).toBe(0);
    expect(once.text).not.toContain('interrupted');
    expect(redraft).toMatchObject({ code: 0, text: expect.stringContaining('a new draft was sent') });
    expect(h.shop.cashman.drafts).toHaveLength(2);
    expect(orderRow(h, '2003')).toMatchObject({ state: 'done', cashmanRef: h.shop.cashman.drafts[1]!.reference });
    expect((await cli(['once'], h.env)).code).toBe(0);
    expect(h.shop.cashman.drafts).toHaveLength(2);
  }, 60_000);
});
