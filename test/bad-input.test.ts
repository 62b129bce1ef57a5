import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Runtime } from '../src/runtime.js';
import { buildShoprenterOrder, sampleShop } from '../src/standins/shoprenter-fixtures.js';
import { addMinutes } from '../src/standins/shoprenter-wire.js';
import { runCycle, type CycleSummary } from '../src/sync/cycle.js';
import { BAD_CASES, ledgerKey, type BadCase } from './fixtures/bad-input/cases.js';
import { BASE_SPEC, type Wire } from './fixtures/bad-input/wire-edits.js';
import { demoConfigYaml } from '../src/standins/local-shop.js';
import { startHarness, type Harness } from './helpers/harness.js';

/**
 * The bad-input corpus (test/fixtures/bad-input/) in ONE stand-in page among valid orders, run
 * through real cycles: every hostile order is quarantined with a clean sentence or drafted with
 * its text intact, the valid ones are drafted exactly once, and nothing quarantined reaches Cashman.
 */

// Pinned shop clock: Budapest is UTC+1 in November, so "present" is 2026-11-25T13:00:00.
const NOW = () => new Date('2026-11-25T12:00:00Z');
const FIRST_BAD = 7001;

interface Built {
  c: BadCase;
  innerId: number;
  raw: Wire;
  key: string;
  email: string;
}

function buildCase(c: BadCase, index: number): Built {
  const innerId = FIRST_BAD + index;
  const date = addMinutes('2026-11-21T00:00:00', index * 3);
  const email = `case${innerId}@example.hu`;
  const raw = buildShoprenterOrder({ ...BASE_SPEC, innerId, dateUpdated: date, dateCreated: date, email, ...c.spec });
  c.mutate?.(raw);
  return { c, innerId, raw, key: ledgerKey(raw, innerId), email };
}

const egyeb = (innerId: number | string) => `Shoprenter rendelés: ${innerId}`;

/** What makes a quarantine reason a bad sentence; the quoted echo of the input "NaN" is allowed. */
function sentenceProblems(reason: string): string[] {
  const problems: string[] = [];
  if (/[\r\n]/.test(reason)) problems.push('spans several lines');
  if (/\bat \S+ \(|\.[jt]s:\d+:\d+|\w*Error:/.test(reason)) problems.push('looks like a stack trace');
  if (reason.includes('undefined')) problems.push('says "undefined"');
  if (reason.includes('[object Object]')) problems.push('says "[object Object]"');
  if (reason.replaceAll('"NaN"', '').includes('NaN')) problems.push('says "NaN"');
  // eslint-disable-next-line no-control-regex -- looking for exactly these characters
  if (/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(reason)) problems.push('carries control characters');
  if (!/[.!]$/.test(reason)) problems.push('does not end like a sentence');
  if (reason.length > 400) problems.push(`is ${reason.length} characters long`);
  return problems;
}

describe('bad input: a page of malformed and hostile orders among valid ones', () => {
  let h: Harness;
  let runtime: Runtime;
  let first: CycleSummary;
  const built = BAD_CASES.map(buildCase);
  const valid = sampleShop(10, 42, { start: '2026-11-21T00:01:00', firstInnerId: 9001 });
  const byOutcome = (outcome: BadCase['expect']['outcome']) => built.filter((b) => b.c.expect.outcome === outcome);
  const draftsFor = (innerId: number | string) => h.shop.cashman.drafts.filter((d) => d.rows[0]?.['egyeb'] === egyeb(innerId));

  beforeAll(async () => {
    // Product option/unit reads are not what this corpus is about, and a 500-line order would cost
    // 500 of them at Shoprenter's 3 requests per second.
    h = await startHarness({ shoprenter: { rateLimitPerSecond: 0 }, config: demoConfigYaml({ productLookups: false }) });
    h.shop.shoprenter.addOrders([...built.map((b) => b.raw), ...valid]);
    runtime = await h.runtime();
    first = await runCycle({ ...runtime.deps, now: NOW });
  });
  afterAll(async () => {
    await h.close();
  });

  it('has a corpus of at least 40 bad inputs, all listed in one page', () => {
    expect(built.length).toBeGreaterThanOrEqual(40);
    expect(new Set(built.map((b) => b.key)).size).toBe(built.length);
    expect(first.listed).toBe(built.length + valid.length);
    expect(h.shop.shoprenter.stats.byPath['/api/orderExtend']).toBe(1);
  });

  it('keeps the cycle running and counts every outcome', () => {
    expect(first).toMatchObject({ ok: true, error: null });
    expect(first.outcomes).toMatchObject({
      quarantined: byOutcome('quarantined').length,
      done: byOutcome('drafted').length + valid.length,
      ignored: byOutcome('ignored').length,
      failed: 0,
      uncertain: 0,
    });
  });

  it.each(byOutcome('quarantined').map((b) => [b.c.name, b] as const))('quarantines: %s', (_name, b) => {
    const row = runtime.ledger.getOrder(b.key);
    expect({ state: row?.state, reason: row?.lastError }).toEqual({ state: 'quarantined', reason: expect.stringMatching((b.c.expect as { keyword: RegExp }).keyword) });
    expect(sentenceProblems(row?.lastError ?? '')).toEqual([]);
  });

  it.each(byOutcome('drafted').map((b) => [b.c.name, b] as const))('drafts with its text intact: %s', (_name, b) => {
    expect(runtime.ledger.getOrder(b.key)?.state).toBe('done');
    const drafts = draftsFor(b.innerId);
    expect(drafts).toHaveLength(1);
    const expectation = b.c.expect as { intact?: string[]; minRows?: number };
    const values = drafts[0]!.rows.flatMap((row) => Object.values(row));
    for (const text of expectation.intact ?? []) expect(values.filter((v) => v === text || v.includes(text))).not.toEqual([]);
    expect(drafts[0]!.rows.length).toBeGreaterThanOrEqual(expectation.minRows ?? 1);
  });

  it('ignores an order that is not a completed checkout, without a ledger row', () => {
    for (const b of byOutcome('ignored')) {
      expect(runtime.ledger.getOrder(b.key)).toBeUndefined();
      expect(draftsFor(b.innerId)).toEqual([]);
    }
  });

  it('drafts every valid order of the same page exactly once', () => {
    for (const order of valid) expect(draftsFor(String(order['innerId']))).toHaveLength(1);
  });

  it('never sent anything of a quarantined or ignored order to Cashman', () => {
    const kept = built.filter((b) => b.c.expect.outcome !== 'drafted');
    const sentEgyeb = new Set(h.shop.cashman.drafts.map((d) => d.rows[0]?.['egyeb']));
    const sentEmails = new Set(h.shop.cashman.received.flatMap((r) => r.rows.map((row) => row['email'])));
    for (const b of kept) {
      expect({ name: b.c.name, drafted: sentEgyeb.has(egyeb(b.innerId)), partner: sentEmails.has(b.email) }).toEqual({ name: b.c.name, drafted: false, partner: false });
    }
    expect(h.shop.cashman.stats.hiba).toBe(0);
    expect(h.shop.cashman.drafts).toHaveLength(byOutcome('drafted').length + valid.length);
  });

  it('keeps the cursor out of the future, so a later real order is still drafted, and drafts nothing twice', async () => {
    const cursor = runtime.ledger.getMeta('cursor') ?? '';
    expect(cursor <= '2026-11-25T13:00:00').toBe(true);

    const draftsBefore = h.shop.cashman.drafts.length;
    const later = buildShoprenterOrder({ ...BASE_SPEC, innerId: 9901, dateUpdated: '2026-11-25T12:55:00', email: 'later@example.hu' });
    h.shop.shoprenter.addOrder(later);
    const second = await runCycle({ ...runtime.deps, now: () => new Date('2026-11-25T12:01:00Z') });
    expect(second).toMatchObject({ ok: true, outcomes: { done: 1, quarantined: 0, failed: 0, uncertain: 0 } });
    expect(draftsFor(9901)).toHaveLength(1);
    expect(h.shop.cashman.drafts).toHaveLength(draftsBefore + 1);

    // A restart on the same ledger, a day later: everything already handled stays handled.
    const restarted = await h.runtime();
    const third = await runCycle({ ...restarted.deps, now: () => new Date('2026-11-26T12:00:00Z') });
    expect(third.ok).toBe(true);
    expect(third.outcomes).toMatchObject({ done: 0, quarantined: 0, failed: 0, uncertain: 0 });
    expect(h.shop.cashman.drafts).toHaveLength(draftsBefore + 1);
    const counts = new Map<string, number>();
    for (const d of h.shop.cashman.drafts) counts.set(d.rows[0]?.['egyeb'] ?? '', (counts.get(d.rows[0]?.['egyeb'] ?? '') ?? 0) + 1);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  });

  it('prints a summary', () => {
    const quarantined = byOutcome('quarantined').length;
    const drafted = byOutcome('drafted').length;
    const ignored = byOutcome('ignored').length;
    console.log(
      `bad-input corpus: ${built.length} bad inputs tried: ${quarantined} quarantined with a reason, ${drafted} drafted with their text intact, ${ignored} ignored (not a completed checkout); ${valid.length} valid orders in the same page drafted exactly once.`,
    );
    expect(quarantined + drafted + ignored).toBe(built.length);
  });
});
