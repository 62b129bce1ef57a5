import { demoConfigYaml } from '../src/standins/local-shop.js';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { closedPortUrl } from '../src/standins/cashman-standin.js';
import { buildShoprenterOrder, type OrderSpec } from '../src/standins/shoprenter-fixtures.js';
import { runCycle as cycleOnly } from '../src/sync/cycle.js';
import type { CycleDeps } from '../src/sync/cycle.js';
import type { AlertDelivery } from '../src/sync/alert-delivery.js';
import { startWebhook, type WebhookCall, type WebhookServer } from './alerts-webhook.js';
import { BASE_SPEC } from './fixtures/bad-input/wire-edits.js';
import { startHarness, type Harness } from './helpers/harness.js';

/**
 * ALERT_WEBHOOK_URL against a real local HTTP server: one POST per newly quarantined or uncertain
 * order and per login-failure episode, Slack/Teams (`text`) and Discord (`content`) readable, no
 * secrets; a webhook that fails never stops or fails a cycle.
 */

const PASSWORD = 'AlertCashmanPw-SECRET-93d1';
const CLIENT_SECRET = 'AlertClientSecret-SECRET-5e2a';

/** One cycle, then what the writer's delivery sends beside it. */
async function runCycle(deps: CycleDeps & { delivery?: AlertDelivery }) {
  const summary = await cycleOnly(deps);
  await deps.delivery?.flush();
  return summary;
}

function order(innerId: number, dateUpdated: string, patch: Partial<OrderSpec> = {}): Record<string, unknown> {
  return buildShoprenterOrder({ ...BASE_SPEC, innerId, dateUpdated, email: `buyer${innerId}@example.hu`, ...patch });
}

function expectReadableAndClean(call: WebhookCall, tokens: readonly string[]): void {
  expect(call.contentType).toMatch(/^application\/json/);
  const { text, content } = call.json;
  expect(typeof text).toBe('string');
  expect(typeof content).toBe('string');
  expect((text as string).length).toBeGreaterThan(20);
  expect((content as string).length).toBeGreaterThan(20);
  expect((content as string).length).toBeLessThanOrEqual(2000); // Discord's limit
  for (const secret of [PASSWORD, CLIENT_SECRET, ...tokens]) expect(call.raw).not.toContain(secret);
}

describe('alert webhook', () => {
  let h: Harness;
  let hook: WebhookServer;
  const kinds = () => hook.calls.map((c) => [c.json['kind'], c.json['orderNumber']].filter((v) => typeof v === 'string').join(' '));

  beforeEach(async () => {
    hook = await startWebhook();
    // English texts: these assertions read the wording (the Hungarian ones: test/alert-texts.test.ts).
    h = await startHarness({ shoprenter: { clientSecret: CLIENT_SECRET, rateLimitPerSecond: 0 }, cashman: { password: PASSWORD }, config: demoConfigYaml() + 'alerts:\n  language: en\n' });
    h.env['ALERT_WEBHOOK_URL'] = hook.url;
  });
  afterEach(async () => {
    await Promise.all([h.close(), hook.close()]);
  });

  it('posts once per newly quarantined or uncertain order, however many cycles see it', async () => {
    const { shoprenter, cashman } = h.shop;
    shoprenter.addOrders([
      order(3001, '2026-11-20T10:00:00'), // its draft meets a Cashman 500: uncertain
      order(3002, '2026-11-20T10:01:00', { paymentMethodCode: 'OTP_SZEP' }),
      order(3003, '2026-11-20T10:02:00', { email: 'not-an-email' }),
      order(3004, '2026-11-20T10:03:00'),
    ]);
    cashman.setFault({ kind: 'status500' }, { operations: [4] });
    const runtime = await h.runtime();

    // Cashman failing (the 500) stops the cycle right after the order in doubt (issue 16 §10); the
    // next cycle handles the others.
    const first = await runCycle({ ...runtime.deps, delivery: runtime.delivery });
    expect(first.outcomes).toMatchObject({ done: 0, quarantined: 0, uncertain: 1 });
    const second = await runCycle({ ...runtime.deps, delivery: runtime.delivery });
    expect(second.outcomes).toMatchObject({ done: 1, quarantined: 2 });
    expect(kinds().sort()).toEqual(['quarantined 3002', 'quarantined 3003', 'uncertain 3001']);
    for (const call of hook.calls) expectReadableAndClean(call, h.shop.shoprenter.issuedTokens);
    const q3002 = hook.calls.find((c) => c.json['orderNumber'] === '3002')!;
    expect(q3002.json['text']).toContain('Order 3002');
    expect(q3002.json['text']).toContain('Payment method "OTP_SZEP" has no entry under paymentMethods');
    expect(q3002.json['content']).toBe(q3002.json['text']);
    expect(hook.calls.find((c) => c.json['kind'] === 'uncertain')!.json['text']).toMatch(/resolve 3001 --done.*retry 3001 --force/);

    // The overlap window lists the same orders again, and a restart re-reads the ledger: no new alert.
    await runCycle({ ...runtime.deps, delivery: runtime.delivery });
    await runCycle({ ...runtime.deps, delivery: runtime.delivery });
    const restarted = await h.runtime();
    await runCycle({ ...restarted.deps, delivery: restarted.delivery });
    expect(hook.calls).toHaveLength(3);

    // The shop owner edits 3002 but it is still unmapped: a new quarantine episode, one more alert.
    shoprenter.updateOrder('3002', { dateUpdated: '2026-11-20T11:00:00' });
    await runCycle({ ...restarted.deps, delivery: restarted.delivery });
    await runCycle({ ...restarted.deps, delivery: restarted.delivery });
    expect(kinds().slice(3)).toEqual(['quarantined 3002']);
  });

  it('posts once per login-failure episode, not once per cycle, and once when it works again', async () => {
    const { shoprenter, cashman } = h.shop;
    shoprenter.addOrder(order(4001, '2026-11-20T10:00:00'));
    cashman.setLogin({ password: 'changed-in-cashman' });
    const runtime = await h.runtime();

    for (let i = 0; i < 3; i++) expect((await runCycle({ ...runtime.deps, delivery: runtime.delivery })).ok).toBe(false);
    expect(kinds()).toEqual(['login-failed']);
    expectReadableAndClean(hook.calls[0]!, shoprenter.issuedTokens);
    expect(hook.calls[0]!.json['text']).toContain('Cashman refused the login');
    const untouched = runtime.ledger.findOrder('4001');
    expect({ state: untouched?.state ?? 'none', attempts: untouched?.attempts ?? 0 }).toMatchObject({ state: expect.stringMatching(/^(none|pending)$/), attempts: 0 });

    // Login works again: the order goes through and the episode is over.
    cashman.setLogin({ password: PASSWORD });
    expect(await runCycle({ ...runtime.deps, delivery: runtime.delivery })).toMatchObject({ ok: true, outcomes: { done: 1 } });
    expect(kinds()).toEqual(['login-failed', 'login-recovered']);
    expect(hook.calls[1]!.json['reason']).toMatch(/^The Cashman login works again; it failed from .* for 3 cycles\.$/);

    // A second outage is a second episode.
    shoprenter.addOrder(order(4002, '2026-11-20T10:05:00'));
    cashman.setLogin({ password: 'changed-again' });
    expect((await runCycle({ ...runtime.deps, delivery: runtime.delivery })).ok).toBe(false);
    expect((await runCycle({ ...runtime.deps, delivery: runtime.delivery })).ok).toBe(false);
    expect(kinds()).toEqual(['login-failed', 'login-recovered', 'login-failed']);
    cashman.setLogin({ password: PASSWORD });
    expect(await runCycle({ ...runtime.deps, delivery: runtime.delivery })).toMatchObject({ ok: true, outcomes: { done: 1 } });
    expect(kinds()).toEqual(['login-failed', 'login-recovered', 'login-failed', 'login-recovered']);
  });

  it('keeps an alert a webhook answered 500 to, logs the host only, and goes on with the cycle', async () => {
    hook.answer(500);
    h.shop.shoprenter.addOrders([order(5001, '2026-11-20T10:00:00', { email: '' }), order(5002, '2026-11-20T10:01:00')]);
    const runtime = await h.runtime();
    const summary = await runCycle({ ...runtime.deps, delivery: runtime.delivery });
    expect(summary).toMatchObject({ ok: true, outcomes: { quarantined: 1, done: 1 } });
    expect(hook.calls.map((c) => [c.json['orderNumber'], c.status])).toEqual([['5001', 500]]);
    const warnings = h.logs.filter((l) => l.includes('alert not delivered'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('order 5001');
    expect(warnings[0]).toContain(new URL(hook.url).host);
    expect(warnings[0]).toContain('answered HTTP 500');
    expect(h.logs.join('')).not.toContain('/hooks/sync');
    // Not re-sent every cycle: it waits for its backoff (15 s first), then goes out.
    expect((await runCycle({ ...runtime.deps, delivery: runtime.delivery })).ok).toBe(true);
    expect(hook.calls).toHaveLength(1);
    hook.answer(200);
    const later = await h.runtime({ now: () => new Date(Date.now() + 20_000) });
    await later.delivery.flush();
    expect(hook.accepted().map((c) => c.json['orderNumber'])).toEqual(['5001']);
  });

  it('keeps an alert whose webhook refuses connections, and goes on with the cycle', async () => {
    h.env['ALERT_WEBHOOK_URL'] = await closedPortUrl();
    h.shop.shoprenter.addOrders([order(6001, '2026-11-20T10:00:00', { paymentMethodCode: 'OTP_SZEP' }), order(6002, '2026-11-20T10:01:00')]);
    const runtime = await h.runtime();
    const summary = await runCycle({ ...runtime.deps, delivery: runtime.delivery });
    expect(summary).toMatchObject({ ok: true, outcomes: { quarantined: 1, done: 1 } });
    const warnings = h.logs.filter((l) => l.includes('alert not delivered'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('order 6001');
    expect(warnings[0]).toContain('connection refused');
  });
});
