import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { readFileSync, existsSync } from 'node:fs';
import { buildShoprenterOrder, type OrderSpec } from '../src/standins/shoprenter-fixtures.js';
import { runCycle } from '../src/sync/cycle.js';
import { startWebhook, type WebhookServer } from './alerts-webhook.js';
import { BASE_SPEC } from './fixtures/bad-input/wire-edits.js';
import { startHarness, type Harness } from './helpers/harness.js';
import { requireBuild, runToEnd, spawnCli, waitFor } from './helpers/processes.js';

/**
 * SPEC §2 "alerts are delivered, never fired" (issue 16 §6): an alert counts as sent only on a
 * 2xx, is retried with backoff across restarts, goes out beside the order lane, and its URL (a
 * bearer secret: chat webhooks carry a token in the path) never appears in any output.
 */

const TOKEN = 'T0ALERTS/B0SECRET/xoxWebhookToken9f3a';

function order(innerId: number, dateUpdated: string, patch: Partial<OrderSpec> = {}): Record<string, unknown> {
  return buildShoprenterOrder({ ...BASE_SPEC, innerId, dateUpdated, email: `buyer${innerId}@example.hu`, ...patch });
}

function waitingDeliveries(dbPath: string): { kind: string; order_number: string | null; attempts: number; last_error: string | null }[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db
      .prepare('SELECT o.kind, o.order_number, d.attempts, d.last_error FROM alert_deliveries d JOIN alert_outbox o ON o.id = d.alert_id WHERE d.sent_at IS NULL')
      .all() as never;
  } finally {
    db.close();
  }
}

describe('alert delivery', () => {
  let h: Harness;
  let hook: WebhookServer;

  beforeEach(async () => {
    hook = await startWebhook({ path: `/services/${TOKEN}` });
    h = await startHarness({ shoprenter: { rateLimitPerSecond: 0 }, logLevel: 'debug' });
    h.env['ALERT_WEBHOOK_URL'] = hook.url;
  });
  afterEach(async () => {
    hook.release();
    await Promise.all([h.close(), hook.close()]);
  });

  it('counts an alert as sent only on a 2xx: three 503s, then one 200, and nothing after it', async () => {
    hook.script([503, 503, 503]);
    h.shop.shoprenter.addOrder(order(7101, '2026-11-20T10:00:00', { paymentMethodCode: 'OTP_SZEP' }));
    const runtime = await h.runtime({ alertTuning: { backoffBaseMs: 1, pollMs: 10 } });
    runtime.delivery.start();
    expect((await runCycle(runtime.deps)).outcomes).toMatchObject({ quarantined: 1 });
    await waitFor(() => hook.accepted().length > 0, 20_000, 'the alert to be accepted');
    await runtime.delivery.flush();
    expect(hook.calls.map((c) => c.status)).toEqual([503, 503, 503, 200]);
    expect(hook.calls.every((c) => c.json['orderNumber'] === '7101' && c.json['kind'] === 'quarantined')).toBe(true);
    expect(waitingDeliveries(h.env.DATABASE_PATH)).toEqual([]);
    // Later cycles and passes send it no more.
    await runCycle(runtime.deps);
    await runtime.delivery.flush();
    expect(hook.calls).toHaveLength(4);
  });

  it('retries on time when the clock is set back after a failure', async () => {
    let now = new Date('2026-11-20T12:00:00Z');
    hook.script([503]);
    h.shop.shoprenter.addOrder(order(7151, '2026-11-20T10:00:00', { paymentMethodCode: 'OTP_SZEP' }));
    const runtime = await h.runtime({ now: () => now });
    await runCycle(runtime.deps);
    await runtime.delivery.flush();
    await runtime.delivery.flush(); // within its backoff: not tried again
    expect(hook.calls.map((c) => c.status)).toEqual([503]);
    now = new Date('2026-11-20T10:00:00Z'); // NTP, or a person, sets the clock back two hours
    await runtime.delivery.flush();
    expect(hook.calls.map((c) => c.status)).toEqual([503, 200]);
  });

  it('never makes a draft wait for a hung alert endpoint', async () => {
    hook.hang();
    h.shop.shoprenter.addOrders([
      order(7201, '2026-11-20T10:00:00', { email: 'not-an-email' }), // quarantined first: its alert hangs
      order(7202, '2026-11-20T10:01:00'),
    ]);
    // What Cashman held when the alert request ended (answered, or given up by the client).
    const draftsWhenAlertEnded: string[][] = [];
    hook.onRequestEnd = () => draftsWhenAlertEnded.push(h.shop.cashman.drafts.map((d) => String(d.rows[0]?.['egyeb'] ?? '')));
    const runtime = await h.runtime({ alertTuning: { requestTimeoutMs: 10 * 60_000, pollMs: 10 } });
    runtime.delivery.start();
    const summary = await runCycle(runtime.deps);
    expect(summary.outcomes).toMatchObject({ quarantined: 1, done: 1 });
    // The cycle is over with the draft in Cashman; only now may the endpoint answer.
    hook.release();
    await waitFor(() => hook.accepted().length === 1, 20_000, 'the held alert to be answered');
    await runtime.delivery.flush();
    expect(draftsWhenAlertEnded.length).toBeGreaterThanOrEqual(1);
    expect(draftsWhenAlertEnded[0]!.some((egyeb) => egyeb.includes('7202'))).toBe(true);
    expect(hook.accepted().map((c) => c.json['orderNumber'])).toEqual(['7201']);
    expect(waitingDeliveries(h.env.DATABASE_PATH)).toEqual([]);
  });

  it('delivers only while holding the writer lock: a writer that lost the ledger sends nothing, the new one sends it once', async () => {
    h.shop.shoprenter.addOrder(order(7501, '2026-11-20T10:00:00', { paymentMethodCode: 'OTP_SZEP' }));
    const stalled = await h.runtime({ lock: 'run' });
    expect((await runCycle(stalled.deps)).outcomes).toMatchObject({ quarantined: 1 });
    // Another process takes the ledger over (as after a stall past the staleness limit).
    stalled.ledger.db.prepare(`UPDATE writer_lock SET token = 'the-new-writer' WHERE id = 1`).run();
    await stalled.delivery.flush();
    stalled.delivery.start();
    await stalled.delivery.flush();
    expect(hook.calls).toHaveLength(0);
    stalled.ledger.db.prepare('DELETE FROM writer_lock').run();
    const next = await h.runtime({ lock: 'run' });
    await next.delivery.flush();
    expect(hook.accepted().map((c) => c.json['orderNumber'])).toEqual(['7501']);
    await stalled.delivery.flush();
    expect(hook.calls).toHaveLength(1);
  });

  it('keeps an alert across processes until one is accepted: hung, then 503, then delivered once; the URL is in no output', async () => {
    requireBuild();
    h.shop.shoprenter.addOrder(order(7301, '2026-11-20T10:00:00', { paymentMethodCode: 'OTP_SZEP' }));
    const outputs: string[] = [];

    // 1: the endpoint hangs. `once` finishes its cycle, waits a few seconds for the alert, exits
    // while the request is still held, and leaves the alert queued.
    hook.hang();
    const first = spawnCli(['once'], { ...h.env, LOG_LEVEL: 'debug' }, h.dir);
    const exited = await first.exit;
    outputs.push(first.text());
    expect(exited.code).toBe(0);
    expect(hook.calls).toHaveLength(1);
    expect(hook.calls[0]!.status).toBeNull(); // never answered: the process left without waiting for it
    expect(waitingDeliveries(h.env.DATABASE_PATH)).toEqual([expect.objectContaining({ kind: 'quarantined', order_number: '7301' })]);

    // 2: the endpoint is back but answers 503: still queued, the failure recorded without the URL.
    hook.answer(503);
    hook.release();
    const second = await runToEnd(['once'], { ...h.env, LOG_LEVEL: 'debug', LOG_FORMAT: 'json' }, h.dir);
    outputs.push(second.text);
    expect(second.code).toBe(0);
    expect(hook.calls.map((c) => c.status)).toEqual([null, 503]); // the held one was abandoned by the first process
    const waiting = waitingDeliveries(h.env.DATABASE_PATH);
    expect(waiting).toEqual([expect.objectContaining({ order_number: '7301', last_error: 'answered HTTP 503' })]);
    const waitingStatus = await runToEnd(['status'], h.env, h.dir);
    outputs.push(waitingStatus.text);
    expect(waitingStatus.text).toMatch(/Alerts: 1 not delivered yet on the webhook channel \(oldest from .*\); last failure: answered HTTP 503;/);

    // 3: the endpoint works: delivered by the next process, once.
    hook.answer(200);
    const third = await runToEnd(['once'], { ...h.env, LOG_LEVEL: 'debug' }, h.dir);
    outputs.push(third.text);
    expect(hook.accepted().map((c) => c.json['orderNumber'])).toEqual(['7301']);
    expect(waitingDeliveries(h.env.DATABASE_PATH)).toEqual([]);
    const fourth = await runToEnd(['once'], { ...h.env, LOG_LEVEL: 'debug' }, h.dir);
    outputs.push(fourth.text);
    expect(hook.calls).toHaveLength(3);

    // The token-bearing path is in no log, no output, no ledger byte; the host is named.
    const status = await runToEnd(['status', '7301'], h.env, h.dir);
    outputs.push(status.text);
    const all = outputs.join('\n');
    expect(all).toContain(new URL(hook.url).host);
    expect(all).toMatch(/alert not delivered/);
    const ledgerBytes = [h.env.DATABASE_PATH, `${h.env.DATABASE_PATH}-wal`].filter(existsSync).map((p) => readFileSync(p).toString('latin1')).join('');
    for (const piece of [hook.url, TOKEN, 'xoxWebhookToken9f3a']) {
      expect(all).not.toContain(piece);
      expect(ledgerBytes).not.toContain(piece);
    }
  }, 90_000);

  it('names no URL when the webhook host refuses connections', async () => {
    requireBuild();
    const { closedPortUrl } = await import('../src/standins/cashman-standin.js');
    const refused = `${new URL(await closedPortUrl()).origin}/services/${TOKEN}`;
    h.shop.shoprenter.addOrder(order(7401, '2026-11-20T10:00:00', { email: '' }));
    const run = await runToEnd(['once'], { ...h.env, ALERT_WEBHOOK_URL: refused, LOG_LEVEL: 'debug' }, h.dir);
    expect(run.code).toBe(0);
    expect(run.text).toContain('connection refused');
    expect(run.text).not.toContain(TOKEN);
    expect(run.text).not.toContain('xoxWebhookToken9f3a');
    expect(waitingDeliveries(h.env.DATABASE_PATH)).toEqual([expect.objectContaining({ order_number: '7401', last_error: 'connection refused' })]);
  }, 30_000);
});
