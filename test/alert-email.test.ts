import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { existsSync, readFileSync } from 'node:fs';
import { demoConfigYaml } from '../src/standins/local-shop.js';
import { buildShoprenterOrder, type OrderSpec } from '../src/standins/shoprenter-fixtures.js';
import { runCycle } from '../src/sync/cycle.js';
import { localToInstant } from '../src/domain/shop-clock.js';
import { BASE_SPEC } from './fixtures/bad-input/wire-edits.js';
import { startHarness, type Harness } from './helpers/harness.js';
import { requireBuild, runToEnd, waitFor } from './helpers/processes.js';
import { startWebhook } from './alerts-webhook.js';
import { startSmtpCatcher, type SmtpCatcher } from './helpers/smtp-catcher.js';

/**
 * Issue 19: alerts by e-mail through a real SMTP server (smtp-server on 127.0.0.1, AUTH only after
 * STARTTLS), parsed with mailparser; the same delivery guarantees as the webhook; the morning
 * summary against the ledger.
 */

const TO = ['tulajdonos@bolt.example.hu', 'konyvelo@bolt.example.hu'];
const FROM = 'Webshop szinkron <alerts@shop.example.hu>';

function order(innerId: number, dateUpdated: string, patch: Partial<OrderSpec> = {}): Record<string, unknown> {
  return buildShoprenterOrder({ ...BASE_SPEC, innerId, dateUpdated, email: `buyer${innerId}@example.hu`, ...patch });
}

const local = (text: string) => localToInstant(text, 'Europe/Budapest');

describe('alert e-mail', () => {
  let h: Harness;
  let smtp: SmtpCatcher;
  let clock: Date;

  async function start(config = ''): Promise<void> {
    smtp = await startSmtpCatcher();
    h = await startHarness({ shoprenter: { rateLimitPerSecond: 0 }, config: demoConfigYaml({ productLookups: false }) + config, logLevel: 'debug' });
    Object.assign(h.env, { SMTP_URL: smtp.url(), ALERT_EMAIL_TO: TO.join(', '), ALERT_EMAIL_FROM: FROM });
  }
  const runtime = () => h.runtime({ now: () => clock, alertTuning: { backoffBaseMs: 1_000, pollMs: 10 } });
  const ledgerBytes = () => [h.env.DATABASE_PATH, `${h.env.DATABASE_PATH}-wal`].filter(existsSync).map((p) => readFileSync(p).toString('latin1')).join('');

  beforeEach(() => {
    clock = local('2026-11-20T12:00:00');
  });
  afterEach(async () => {
    await Promise.all([h.close(), smtp.close()]);
  });

  it('sends a quarantine as a Hungarian e-mail over STARTTLS with AUTH: subject, recipients, both parts; the password nowhere', async () => {
    await start();
    h.shop.shoprenter.addOrder(order(1234, '2026-11-20T10:00:00', { paymentMethodCode: 'OTP_SZEP' }));
    const rt = await runtime();
    expect((await runCycle(rt.deps)).outcomes).toMatchObject({ quarantined: 1 });
    await rt.delivery.flush();

    expect(smtp.mails).toHaveLength(1);
    const mail = smtp.mails[0]!;
    expect(mail.secure).toBe(true); // AUTH is refused before STARTTLS: this proves both
    expect(smtp.logins).toEqual([{ user: smtp.user, ok: true, secure: true }]);
    expect(mail.parsed.subject).toBe('[shoprenter-cashman-sync] 1234: karanténban, nem készült számlaminta');
    expect(mail.rcptTo.sort()).toEqual([...TO].sort());
    expect(mail.parsed.from?.value[0]?.address).toBe('alerts@shop.example.hu');
    const text = mail.parsed.text ?? '';
    const html = typeof mail.parsed.html === 'string' ? mail.parsed.html : '';
    // "Az 1234-es" (ezerkétszáz...): the article follows the spoken number.
    expect(text).toContain('Az 1234-es rendelésből nem készült számlaminta');
    expect(text).toContain('Payment method "OTP_SZEP" has no entry under paymentMethods');
    expect(text).toContain('Teendő: Javítsd a hibát');
    expect(text).toContain('`retry 1234`');
    expect(html).toContain('<code>retry 1234</code>');
    expect(html).toContain('Az 1234-es rendelésből');
    for (const output of [mail.raw, h.logs.join(''), ledgerBytes()]) {
      expect(output).not.toContain(smtp.password);
      expect(output).not.toContain(encodeURIComponent(smtp.password));
    }
  });

  it('sends over smtps:// (TLS from the first byte) too', async () => {
    await start();
    await smtp.close();
    smtp = await startSmtpCatcher({ secure: true });
    h.env['SMTP_URL'] = smtp.url();
    expect(h.env['SMTP_URL']).toMatch(/^smtps:\/\//);
    h.shop.shoprenter.addOrder(order(1300, '2026-11-20T10:00:00', { paymentMethodCode: 'OTP_SZEP' }));
    const rt = await runtime();
    await runCycle(rt.deps);
    await rt.delivery.flush();
    expect(smtp.mails.map((m) => [m.parsed.subject, m.secure])).toEqual([['[shoprenter-cashman-sync] 1300: karanténban, nem készült számlaminta', true]]);
  });

  it('retries after the server refused (451) and after it was down, across a restart; each alert arrives once', async () => {
    await start();
    h.shop.shoprenter.addOrder(order(2001, '2026-11-20T10:00:00', { email: 'not-an-email' }));
    smtp.refuseNext(2);
    const rt = await runtime();
    await runCycle(rt.deps);
    await rt.delivery.flush(); // refused once
    expect([smtp.refused, smtp.mails.length]).toEqual([1, 0]);
    await rt.delivery.flush(); // not due yet: the backoff has not passed on this clock
    expect([smtp.refused, smtp.mails.length]).toEqual([1, 0]);
    clock = new Date(clock.getTime() + 60_000);
    await rt.delivery.flush();
    expect([smtp.refused, smtp.mails.length]).toEqual([2, 0]);
    clock = new Date(clock.getTime() + 60_000);
    await rt.delivery.flush();
    expect(smtp.mails.map((m) => m.parsed.subject)).toEqual(['[shoprenter-cashman-sync] 2001: karanténban, nem készült számlaminta']);

    // The server goes down; a new alert waits; the process ends; the next one delivers it.
    await smtp.down();
    h.shop.shoprenter.addOrder(order(2002, '2026-11-20T10:05:00', { paymentMethodCode: 'OTP_SZEP' }));
    const second = await runtime();
    await runCycle(second.deps);
    await second.delivery.flush();
    const waiting = () => {
      const db = new Database(h.env.DATABASE_PATH, { readonly: true });
      try {
        return db.prepare(`SELECT last_error FROM alert_deliveries WHERE channel = 'email' AND sent_at IS NULL`).all() as { last_error: string }[];
      } finally {
        db.close();
      }
    };
    expect(waiting()).toEqual([{ last_error: expect.stringMatching(/^the SMTP server 127\.0\.0\.1:\d+ cannot be reached/) }]);
    second.close();
    await smtp.up();
    const third = await runtime();
    await third.delivery.flush();
    expect(smtp.mails.map((m) => m.parsed.subject)).toEqual([
      '[shoprenter-cashman-sync] 2001: karanténban, nem készült számlaminta',
      '[shoprenter-cashman-sync] 2002: karanténban, nem készült számlaminta',
    ]);
    expect(waiting()).toEqual([]);
    await third.delivery.flush();
    expect(smtp.mails).toHaveLength(2);
  });

  it('keeps each channel to itself: a hung webhook holds no e-mail, and a channel that failed is retried alone', async () => {
    await start();
    const hook = await startWebhook();
    try {
      h.env['ALERT_WEBHOOK_URL'] = hook.url;
      hook.hang();
      h.shop.shoprenter.addOrder(order(6001, '2026-11-20T10:00:00', { paymentMethodCode: 'OTP_SZEP' }));
      // No burst wait (this clock stands still): the point is the channels' independence.
      const rt = await h.runtime({ now: () => clock, alertTuning: { requestTimeoutMs: 10 * 60_000, pollMs: 10, settleMs: 0 } });
      await runCycle(rt.deps);
      rt.delivery.start();
      await waitFor(() => smtp.mails.length === 1, 20_000, 'the e-mail');
      expect(hook.calls.map((c) => c.status)).toEqual([null]); // the webhook request is still held open
      hook.answer(503);
      hook.release();
      await waitFor(() => hook.calls[0]!.status === 503, 20_000, 'the webhook to answer');
      rt.delivery.halt();
      // The next process retries the webhook only; the e-mail is not sent twice.
      hook.answer(200);
      const next = await h.runtime({ now: () => clock });
      await next.delivery.flush();
      expect(hook.accepted().map((c) => c.json['orderNumber'])).toEqual(['6001']);
      expect(smtp.mails).toHaveLength(1);
    } finally {
      hook.release();
      await hook.close();
    }
  });

  it('bundles a burst: 300 orders quarantined by one config gap make one e-mail listing them under their one reason', async () => {
    await start();
    const orders = Array.from({ length: 300 }, (_, i) => order(5000 + i, `2026-11-20T10:${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`, { paymentMethodCode: 'OTP_SZEP' }));
    h.shop.shoprenter.addOrders(orders);
    const rt = await runtime();
    expect((await runCycle(rt.deps)).outcomes).toMatchObject({ quarantined: 300 });
    await rt.delivery.flush();
    expect(smtp.mails).toHaveLength(1);
    const mail = smtp.mails[0]!;
    expect(mail.parsed.subject).toBe('[shoprenter-cashman-sync] 300 értesítés: 5000, 5001, 5002, 5003, 5004 és még 295 további');
    const text = mail.parsed.text ?? '';
    const html = typeof mail.parsed.html === 'string' ? mail.parsed.html : '';
    // One config gap, one reason: one paragraph listing every order, one command for all of them.
    const numbers = Array.from({ length: 300 }, (_, i) => String(5000 + i)).join(', ');
    expect(text.replace(/\s+/g, ' ')).toContain(`: ${numbers}.`);
    expect(html).toContain(`: ${numbers}.`);
    expect(text.split('Payment method "OTP_SZEP" has no entry under paymentMethods').length - 1).toBe(1);
    expect(text.split('`retry --quarantined`').length - 1).toBe(1);
    expect(html).toContain('<code>retry --quarantined</code>');
    expect(html).not.toContain('<code>retry 5000</code>');
  }, 60_000);

  it('sends the morning summary once a day, with the figures the ledger holds, and "all quiet" after a quiet day', async () => {
    await start('alerts:\n  language: hu\n  dailySummaryAt: "07:30"\n');
    h.shop.shoprenter.addOrders([
      order(3001, '2026-11-20T09:00:00'),
      order(3002, '2026-11-20T09:05:00'),
      order(3003, '2026-11-20T09:10:00', { paymentMethodCode: 'OTP_SZEP' }),
    ]);
    const rt = await runtime();
    expect((await runCycle(rt.deps)).outcomes).toMatchObject({ done: 2, quarantined: 1 });
    await rt.delivery.flush(); // the quarantine alert; no summary yet today (for the 19th: an empty day)
    const summaries = () => smtp.mails.filter((m) => (m.parsed.subject ?? '').includes('napi összefoglaló'));
    const first = summaries().length;

    clock = local('2026-11-21T07:29:00');
    await rt.delivery.flush();
    expect(summaries()).toHaveLength(first);
    clock = local('2026-11-21T07:31:00');
    await rt.delivery.flush();
    expect(summaries()).toHaveLength(first + 1);
    const summary = summaries().at(-1)!;
    expect(summary.parsed.subject).toBe('[shoprenter-cashman-sync] napi összefoglaló, 2026-11-20: 2 számlaminta, 1 teendő');
    const text = summary.parsed.text ?? '';
    // By hand: each order is 2 × 3 937.0079 × 1.27 = 10 000, plus 4 284.7619 × 1.05 = 4 499, plus
    // 1 690 shipping and 590 COD fee: 16 779 Ft gross (the order's TOTAL); two of them: 33 558 Ft.
    expect(text).toContain('Elkészült számlaminták: 2 (bruttó összesen 33 558 Ft)');
    expect(text).toContain('3003 (karantén): Payment method "OTP_SZEP" has no entry under paymentMethods');
    expect(text).not.toContain('Kiesés');

    // A restart the same morning does not send it again.
    const again = await runtime();
    await again.delivery.flush();
    expect(summaries()).toHaveLength(first + 1);

    // A quiet day, with nothing left waiting: one line.
    again.ledger.db.prepare(`UPDATE orders SET state = 'done' WHERE order_number = '3003'`).run();
    clock = local('2026-11-23T08:00:00');
    await again.delivery.flush();
    const quiet = summaries().at(-1)!;
    expect(quiet.parsed.subject).toBe('[shoprenter-cashman-sync] napi összefoglaló, 2026-11-22: minden csendes');
    expect((quiet.parsed.text ?? '').split('\n').filter((l) => l.trim() && !l.startsWith('--') && !l.includes('shoprenter-cashman-sync küldte'))).toEqual([
      '2026-11-22: minden csendes volt, nem készült számlaminta, és semmi nem vár rád.',
    ]);
  });

  it('puts the outages of the day in the summary, with how long each lasted, one still going', async () => {
    await start('alerts:\n  language: en\n  dailySummaryAt: "07:30"\n');
    clock = local('2026-11-20T06:00:00');
    const rt = await runtime();
    // Raised the way the episodes raise them, at shop-local times chosen by hand.
    const at = async (time: string, kind: 'cashman-failing' | 'cashman-recovered' | 'shoprenter-failing') => {
      clock = local(`2026-11-20T${time}:00`);
      await rt.deps.alerts.send({ kind, reason: `${kind} at ${time}` });
    };
    await at('02:10', 'cashman-failing');
    await at('02:25', 'cashman-recovered');
    await at('23:40', 'shoprenter-failing');
    clock = local('2026-11-21T07:45:00');
    await rt.delivery.flush();
    const summary = smtp.mails.find((m) => (m.parsed.subject ?? '').includes('daily summary, 2026-11-20'))!;
    expect(summary.parsed.text).toContain('- Outage: Cashman 2026-11-20 02:10 – 2026-11-20 02:25 (15 min).');
    expect(summary.parsed.text).toContain('- Outage: Shoprenter 2026-11-20 23:40 on, still going.');
  });

  it('keeps the SMTP password out of every output of real processes that fail to deliver, then deliver', async () => {
    requireBuild();
    await start();
    h.shop.shoprenter.addOrder(order(4101, '2026-11-20T10:00:00', { paymentMethodCode: 'OTP_SZEP' }));
    const wrongUrl = smtp.url('Wrong-SECRET-pw%41');
    const outputs: string[] = [];
    const refusedLogin = await runToEnd(['once'], { ...h.env, SMTP_URL: wrongUrl, LOG_LEVEL: 'debug', LOG_FORMAT: 'json' }, h.dir);
    outputs.push(refusedLogin.text);
    expect(refusedLogin.code).toBe(0);
    expect(refusedLogin.text).toContain(`refused the login of \\"${smtp.user}\\"`);
    smtp.refuseNext(1);
    const refused = await runToEnd(['once'], { ...h.env, LOG_LEVEL: 'debug' }, h.dir);
    outputs.push(refused.text);
    expect(refused.text).toMatch(/answered 451/);
    expect(smtp.mails).toHaveLength(0);
    const delivered = await runToEnd(['once'], { ...h.env, LOG_LEVEL: 'debug' }, h.dir);
    outputs.push(delivered.text);
    expect(smtp.mails.map((m) => m.parsed.subject)).toEqual(['[shoprenter-cashman-sync] 4101: karanténban, nem készült számlaminta']);
    outputs.push((await runToEnd(['status', '4101'], h.env, h.dir)).text);
    const all = [...outputs, ledgerBytes(), smtp.mails[0]!.raw].join('\n');
    for (const secret of [smtp.password, encodeURIComponent(smtp.password), 'Wrong-SECRET-pw', wrongUrl, smtp.url()]) expect(all).not.toContain(secret);
  }, 60_000);

  it('demo prints the alert e-mail an owner would get', async () => {
    requireBuild();
    await start();
    const demo = await runToEnd(['demo'], {}, h.dir, 60_000);
    expect(demo.code).toBe(0);
    expect(demo.text).toContain('Subject: [shoprenter-cashman-sync] 9002: karanténban, nem készült számlaminta');
    expect(demo.text).toContain('| Teendő: Javítsd a hibát');
  }, 60_000);

  it('check names a wrong SMTP password and an unreachable server in one sentence and sends nothing; --send-test-alert sends one', async () => {
    requireBuild();
    await start();
    const wrong = await runToEnd(['check'], { ...h.env, SMTP_URL: smtp.url('not-the-password') }, h.dir);
    expect(wrong.code).toBe(1);
    const wrongLine = wrong.text.split('\n').filter((l) => l.includes('alert e-mail'));
    expect(wrongLine).toEqual([
      `FAIL  alert e-mail: the SMTP server 127.0.0.1:${smtp.port} refused the login of "${smtp.user}" (535): check the user and password in SMTP_URL.`,
    ]);
    expect(wrong.text).not.toContain('not-the-password');

    await smtp.down();
    const down = await runToEnd(['check'], h.env, h.dir);
    expect(down.code).toBe(1);
    expect(down.text).toMatch(new RegExp(`FAIL  alert e-mail: the SMTP server 127\\.0\\.0\\.1:${smtp.port} cannot be reached \\(ECONNREFUSED\\)\\.`));
    await smtp.up();

    const ok = await runToEnd(['check'], h.env, h.dir);
    expect(ok.text).toContain(`ok    alert e-mail: the SMTP server 127.0.0.1:${smtp.port} accepts the login`);
    expect(smtp.mails).toHaveLength(0);

    const test = await runToEnd(['check', '--send-test-alert'], h.env, h.dir);
    expect(test.text).toContain('ok    test alert sent on the e-mail channel');
    expect(smtp.mails.map((m) => m.parsed.subject)).toEqual(['[shoprenter-cashman-sync] próba értesítés']);
    for (const out of [wrong.text, down.text, ok.text, test.text]) expect(out).not.toContain(smtp.password);
  }, 60_000);
});
