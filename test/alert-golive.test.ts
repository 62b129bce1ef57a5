import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { demoConfigYaml } from '../src/standins/local-shop.js';
import { localToInstant } from '../src/domain/shop-clock.js';
import { buildShoprenterOrder } from '../src/standins/shoprenter-fixtures.js';
import { runCycle } from '../src/sync/cycle.js';
import { BASE_SPEC } from './fixtures/bad-input/wire-edits.js';
import type { Runtime } from '../src/runtime.js';
import { startHarness, type Harness } from './helpers/harness.js';
import { requireBuild, runToEnd, waitFor } from './helpers/processes.js';
import { startSmtpCatcher, type SmtpCatcher } from './helpers/smtp-catcher.js';

/**
 * What the go-live review proved about e-mail alerts, each through a real SMTP server
 * (smtp-server, STARTTLS + AUTH) and parsed with mailparser: a 5-minute trickle of quarantines,
 * Cashman's real "5008|1" reference in Hungarian, a bare "%" in SMTP_URL, the morning summary's days.
 */

const TO = ['tulajdonos@bolt.example.hu', 'konyvelo@bolt.example.hu'];
const FROM = 'alerts@shop.example.hu';
const local = (text: string) => localToInstant(text, 'Europe/Budapest');
const GAP = 'VAT rate 18% has no entry under vatRates in config.yaml; add it (e.g. "18": "18%") or fix the product.';

describe('e-mail alerts at go-live', () => {
  let h: Harness;
  let smtp: SmtpCatcher;
  let clock: Date;
  const open: Runtime[] = [];

  async function start(config = '', smtpOptions: Parameters<typeof startSmtpCatcher>[0] = {}): Promise<void> {
    smtp = await startSmtpCatcher(smtpOptions);
    h = await startHarness({ shoprenter: { rateLimitPerSecond: 0 }, config: demoConfigYaml({ productLookups: false }) + config, logLevel: 'debug' });
    Object.assign(h.env, { SMTP_URL: smtp.url(), ALERT_EMAIL_TO: TO.join(', '), ALERT_EMAIL_FROM: FROM });
  }
  async function runtime(tuning: Record<string, number> = {}): Promise<Runtime> {
    const rt = await h.runtime({ now: () => clock, alertTuning: { backoffBaseMs: 1_000, pollMs: 10, ...tuning } });
    open.push(rt);
    return rt;
  }
  const quarantine = (rt: Runtime, n: number, reason = GAP) => rt.deps.alerts.send({ kind: 'quarantined', orderNumber: String(n), reason });
  const waitingEmails = (rt: Runtime) =>
    (rt.ledger.db.prepare(`SELECT COUNT(*) AS n FROM alert_deliveries WHERE channel = 'email' AND sent_at IS NULL`).get() as { n: number }).n;
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const subjects = () => smtp.mails.map((m) => m.parsed.subject ?? '');

  beforeEach(() => {
    clock = local('2026-11-20T12:00:00');
  });
  afterEach(async () => {
    for (const rt of open.splice(0)) rt.delivery.halt();
    await Promise.all([h.close(), smtp.close()]);
  });

  it('makes one e-mail of 310 quarantines that trickle in one a second for 5 minutes, grouped by reason, with `retry --quarantined` once', async () => {
    await start();
    // The default settle and hold (what `run` uses); only the clock is the test's.
    const rt = await runtime();
    rt.delivery.start();
    for (let i = 0; i < 310; i++) {
      clock = new Date(clock.getTime() + 1_000);
      await quarantine(rt, 1001 + i);
      await pause(5); // the delivery loop looks at the outbox in between, as it would
    }
    // One order with another reason, inside the same burst.
    await quarantine(rt, 2001, 'Payment method "OTP_SZEP" has no entry under paymentMethods in config.yaml.');
    expect(smtp.mails).toHaveLength(0);
    clock = new Date(clock.getTime() + 31_000); // the burst is over: 31 s without a new alert
    await waitFor(() => smtp.mails.length > 0, 30_000, 'the bundle');
    await waitFor(() => waitingEmails(rt) === 0, 30_000, 'the outbox to empty');
    expect(smtp.mails).toHaveLength(1);
    const text = smtp.mails[0]!.parsed.text ?? '';
    expect(subjects()).toEqual(['[shoprenter-cashman-sync] 311 értesítés: 1001, 1002, 1003, 1004, 1005 és még 306 további']);
    expect(text.split('`retry --quarantined`').length - 1).toBe(1);
    expect(text.split(GAP).length - 1).toBe(1);
    expect(text).toContain('1. 310 rendelés karanténban, ugyanazért: nem készült számlaminta');
    const numbers = Array.from({ length: 310 }, (_, i) => String(1001 + i)).join(', ');
    expect(text.replace(/\s+/g, ' ')).toContain(`(310) nem készült számlaminta, mind ugyanazért az okért, mert így nem lehet belőlük hibátlan számlát kiállítani: ${numbers}.`);
    expect(text).toContain('2. 2001: karanténban, nem készült számlaminta');
    expect(text).toContain('`retry 2001`');
    expect(text).not.toContain('`retry 1001`');

    // No burst: a single alert goes once 30 s passed without another one.
    await quarantine(rt, 3001);
    clock = new Date(clock.getTime() + 29_000);
    await pause(100);
    expect(smtp.mails).toHaveLength(1);
    clock = new Date(clock.getTime() + 2_000);
    await waitFor(() => smtp.mails.length === 2, 30_000, 'the single alert');
    expect(subjects()[1]).toBe('[shoprenter-cashman-sync] 3001: karanténban, nem készült számlaminta');
  }, 90_000);

  it('reads Cashman\'s "5008|1" reference by its number in Hungarian and shows it whole where it is labelled', async () => {
    await start();
    const rt = await runtime();
    await rt.deps.alerts.send({ kind: 'cancelled-after-draft', orderNumber: '1005', cashmanRef: '5008|1', reason: 'Order 1005 was cancelled in Shoprenter after its draft was made.' });
    await rt.delivery.flush();
    const text = (smtp.mails[0]!.parsed.text ?? '').replace(/\s+/g, ' ');
    expect(text).toContain('Az 1005-ös rendelés számlamintája elkészült (Cashman: 5008|1)');
    expect(text).toContain('Töröld az 5008-as mintát a Cashmanben');
    expect(text).toContain('Cashman-számlaminta: 5008|1');
    expect(text).not.toContain('a(z)');
  });

  it('refuses a bare "%" in the SMTP password in one sentence naming SMTP_URL, exit 2, the password nowhere', async () => {
    requireBuild();
    await start();
    for (const command of [['check'], ['once']]) {
      const run = await runToEnd(command, { ...h.env, SMTP_URL: 'smtps://u:Fifty%off-SECRET@smtp.example.hu:465' }, h.dir);
      expect(run.code).toBe(2);
      expect(run.text).toContain('SMTP_URL has a "%" in its password that is not percent-encoding; write "%" as %25');
      expect(run.text).not.toContain('Fifty');
      expect(run.text).not.toContain('URI malformed');
    }
  }, 60_000);

  it('summarises no day before the ledger existed, sends nothing at 03:00, and sends every day a stopped daemon missed', async () => {
    await start('alerts:\n  language: hu\n  dailySummaryAt: "07:30"\n');
    const summaries = () => subjects().filter((s) => s.includes('napi összefoglaló'));
    clock = local('2026-11-20T03:00:00'); // a fresh ledger, before dailySummaryAt
    const rt = await runtime();
    await rt.delivery.flush();
    clock = local('2026-11-20T07:31:00'); // yesterday is before the ledger existed
    await rt.delivery.flush();
    expect(summaries()).toEqual([]);
    // An outage on the first day, still going at midnight: the "-tól/-től" follows the minute.
    clock = local('2026-11-20T23:50:00');
    await rt.deps.alerts.send({ kind: 'login-failed', reason: 'Cashman refused the login.' });
    clock = local('2026-11-21T07:31:00');
    await rt.delivery.flush();
    expect(summaries()).toEqual(['[shoprenter-cashman-sync] napi összefoglaló, 2026-11-20: 0 számlaminta, 0 teendő']);
    const first = smtp.mails.find((m) => (m.parsed.subject ?? '').includes('napi összefoglaló'))!.parsed.text ?? '';
    expect(first).toContain('- Kiesés: belépés 2026-11-20 23:50-től, még tart.');
    expect(first.replaceAll('shoprenter-cashman-sync', '')).not.toMatch(/\blogin\b|\bsync\b/);
    rt.delivery.halt();

    // Down from the 21st's summary until the 25th at 09:00: the 21st…24th each arrive, oldest first.
    clock = local('2026-11-25T09:00:00');
    const later = await runtime();
    await later.delivery.flush();
    expect(summaries().slice(1).map((s) => s.replace(/^.*napi összefoglaló, (\S+):.*$/, '$1'))).toEqual(['2026-11-21', '2026-11-22', '2026-11-23', '2026-11-24']);
    await later.delivery.flush();
    expect(summaries()).toHaveLength(5);
  });

  it('on an old ledger turned on today summarises yesterday only; after 10 days down it sends the last 7 and logs the 3 skipped', async () => {
    await start();
    clock = local('2026-11-01T10:00:00');
    const before = await runtime(); // the summary is off: the ledger lives for weeks
    await quarantine(before, 1001);
    await before.delivery.flush();
    before.delivery.halt();
    const summaries = () => subjects().filter((s) => s.includes('napi összefoglaló'));
    clock = local('2026-11-20T08:00:00');
    const config = h.configText + 'alerts:\n  language: hu\n  dailySummaryAt: "07:30"\n';
    const on = await h.runtime({ now: () => clock, config, alertTuning: { pollMs: 10 } });
    open.push(on);
    await on.delivery.flush();
    expect(summaries()).toEqual(['[shoprenter-cashman-sync] napi összefoglaló, 2026-11-19: minden csendes']);
    on.delivery.halt();

    clock = local('2026-11-30T09:00:00'); // down since the 20th's summary: the 20th…29th are due
    h.logs.length = 0;
    const back = await h.runtime({ now: () => clock, config, alertTuning: { pollMs: 10 } });
    open.push(back);
    await back.delivery.flush();
    expect(summaries().slice(1).map((s) => s.replace(/^.*napi összefoglaló, (\S+):.*$/, '$1'))).toEqual([
      '2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27', '2026-11-28', '2026-11-29',
    ]);
    expect(h.logs.join('')).toMatch(/daily summaries of a long downtime skipped.*skipped[=:"\s]+3/);
  });

  it('lists 40 orders quarantined for one reason on one line of the morning summary, from the ledger', async () => {
    await start('alerts:\n  language: hu\n  dailySummaryAt: "07:30"\n');
    const orders = Array.from({ length: 40 }, (_, i) =>
      buildShoprenterOrder({ ...BASE_SPEC, innerId: 7000 + i, dateUpdated: `2026-11-20T10:${String(i).padStart(2, '0')}:00`, email: `b${i}@example.hu`, paymentMethodCode: 'OTP_SZEP' }),
    );
    h.shop.shoprenter.addOrders(orders);
    const rt = await runtime();
    expect((await runCycle(rt.deps)).outcomes).toMatchObject({ quarantined: 40 });
    clock = local('2026-11-21T07:31:00');
    await rt.delivery.flush();
    const summary = smtp.mails.find((m) => (m.parsed.subject ?? '').includes('napi összefoglaló'))!;
    const lines = (summary.parsed.text ?? '').split('\n').filter((l) => l.startsWith('  - '));
    const numbers = Array.from({ length: 40 }, (_, i) => String(7000 + i)).join(', ');
    expect(lines).toEqual([`  - 40 rendelés (karantén): ${numbers}: Payment method "OTP_SZEP" has no entry under paymentMethods in config.yaml.`]);
  });

  it('counts an e-mail some recipients refused as sent and says so; none accepted is a failure, kept and retried', async () => {
    await start('', { refuseRecipients: [TO[1]!] });
    const rt = await runtime();
    await quarantine(rt, 1001);
    await quarantine(rt, 1002);
    await rt.delivery.flush();
    expect(smtp.mails.map((m) => m.rcptTo)).toEqual([[TO[0]]]);
    expect(h.logs.join('')).toContain(`refused 1 of 2 recipients (${TO[1]}): check ALERT_EMAIL_TO`);
    expect(waitingEmails(rt)).toBe(0);

    h.env['ALERT_EMAIL_TO'] = TO[1]!;
    const only = await runtime();
    await quarantine(only, 1003);
    await only.delivery.flush();
    expect(smtp.mails).toHaveLength(1);
    expect(waitingEmails(only)).toBe(1);
  });

  it('logs a bundle that failed as one failure of so many alerts, not as its first order', async () => {
    await start();
    const rt = await runtime();
    for (const n of [1001, 1002, 1003]) await quarantine(rt, n);
    smtp.refuseNext(1);
    h.logs.length = 0;
    await rt.delivery.flush();
    const failed = h.logs.filter((l) => l.includes('alert not delivered'));
    expect(failed).toHaveLength(1);
    expect(failed[0]).not.toContain('order 1001');
    expect(failed[0]).toMatch(/alerts[=:"\s]+3/);
  });
});
