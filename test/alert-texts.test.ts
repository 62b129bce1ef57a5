import { describe, expect, it } from '@jest/globals';
import { composeEmail } from '../src/alerts/email-text.js';
import { articleFor, numberAdjective } from '../src/alerts/hungarian.js';
import { formatMoney, fromTime } from '../src/alerts/summary-text.js';
import { describeAlert, type AlertLanguage } from '../src/alerts/texts.js';
import type { AlertEvent, AlertKind } from '../src/sync/alerts.js';

/**
 * Every alert kind in both languages, checked for what the owner must learn from it (what
 * happened, which order, what to run), not by snapshot. A new kind fails to compile here until it
 * has a row: `satisfies Record<AlertKind, ...>`.
 */

interface Expectation {
  event: AlertEvent;
  /** Substrings of the subject, per language. */
  subject: Record<AlertLanguage, string>;
  /** Substrings of the plain text body, per language (commands are the same in both). */
  body: Record<AlertLanguage, string[]>;
}

const REASON = 'The reason the pipeline gave, in English.';

const CASES = {
  quarantined: {
    event: { kind: 'quarantined', orderNumber: '1234', reason: REASON },
    subject: { hu: '1234: karanténban, nem készült számlaminta', en: '1234: quarantined, no draft was made' },
    body: { hu: ['Az 1234-es rendelésből nem készült számlaminta', 'Teendő:', '`retry 1234`', REASON], en: ['Order 1234 needs attention (quarantined)', 'What to do:', '`retry 1234`', REASON] },
  },
  uncertain: {
    event: { kind: 'uncertain', orderNumber: '3001', reason: REASON },
    subject: { hu: '3001: nem biztos, hogy elkészült a számlaminta', en: '3001: the draft may or may not exist in Cashman' },
    body: { hu: ['A 3001-es rendelés számlamintájának', 'nehogy két számla', '`resolve 3001 --done`', '`retry 3001 --force`'], en: ['never sent again by itself', '`resolve 3001 --done`', '`retry 3001 --force`'] },
  },
  'login-failed': {
    event: { kind: 'login-failed', reason: 'Cashman refused the login.' },
    subject: { hu: 'sikertelen belépés', en: 'a login was refused' },
    body: { hu: ['egy sem vész el', 'CASHMAN_PASSWORD', 'Cashman refused the login.'], en: ['none is lost', 'CASHMAN_PASSWORD', 'Cashman refused the login.'] },
  },
  'login-recovered': {
    event: { kind: 'login-recovered', reason: 'The Cashman login works again.' },
    subject: { hu: 'a belépés újra működik', en: 'the login works again' },
    body: { hu: ['a várakozó rendelések mennek tovább'], en: ['Back to normal'] },
  },
  'shoprenter-failing': {
    event: { kind: 'shoprenter-failing', reason: REASON },
    subject: { hu: 'a Shoprenter nem válaszol', en: 'Shoprenter keeps failing' },
    body: { hu: ['nem olvasok be új rendelést', 'API-kliens'], en: ['no new orders are read', 'API client'] },
  },
  'shoprenter-recovered': {
    event: { kind: 'shoprenter-recovered', reason: REASON },
    subject: { hu: 'a Shoprenter újra válaszol', en: 'Shoprenter answers again' },
    body: { hu: ['Minden rendben'], en: ['Back to normal'] },
  },
  'cashman-failing': {
    event: { kind: 'cashman-failing', reason: REASON },
    subject: { hu: 'a Cashman nem érhető el', en: 'Cashman cannot be reached' },
    body: { hu: ['sorban mennek, amint újra válaszol', 'CASHMAN_API_URL'], en: ['go out in order', 'CASHMAN_API_URL'] },
  },
  'cashman-recovered': {
    event: { kind: 'cashman-recovered', reason: REASON },
    subject: { hu: 'a Cashman újra elérhető', en: 'Cashman answers again' },
    body: { hu: ['Minden rendben'], en: ['Back to normal'] },
  },
  'cancelled-after-draft': {
    event: { kind: 'cancelled-after-draft', orderNumber: '1234', cashmanRef: '5001', reason: 'Order 1234 was cancelled (storno) in Shoprenter after its draft was made.', action: 'Delete it, then run "ack 1234".' },
    subject: { hu: '1234: törölve a számlaminta után', en: '1234: cancelled after its draft' },
    body: {
      hu: ['Az 1234-es rendelés számlamintája elkészült (Cashman: 5001), de a rendelést azóta lemondták', 'Töröld az 5001-es mintát a Cashmanben', '`ack 1234`', 'Cashman-számlaminta: 5001'],
      en: ['Cashman draft 5001', 'Delete it, then run "ack 1234".', 'Cashman draft: 5001'],
    },
  },
  'changed-after-draft': {
    event: { kind: 'changed-after-draft', orderNumber: '20', cashmanRef: '6100', reason: 'Order 20 changed after its draft was made: gross 12 990 -> 10 990 Ft.', action: 'Run "redraft 20" or "ack 20".' },
    subject: { hu: '20: megváltozott a számlaminta után', en: '20: changed after its draft' },
    body: { hu: ['A 20-as rendelés számlamintája elkészült (Cashman: 6100)', 'töröld a 6100-as mintát', '`redraft 20 --old-draft-deleted`', '`ack 20`', 'gross 12 990 -> 10 990 Ft'], en: ['Cashman draft 6100', 'Run "redraft 20" or "ack 20".'] },
  },
  'pilot-ready': {
    event: { kind: 'pilot-ready', reason: 'Drafted 3 pilot orders: 701, 702, 703.' },
    subject: { hu: 'kész a próbaüzem, jóváhagyásra vár', en: 'pilot finished, waiting for approve' },
    body: { hu: ['további mintát nem küldök, amíg jóvá nem hagyod', '`approve`', '701, 702, 703'], en: ['no further draft is sent until you approve', '`approve`', '701, 702, 703'] },
  },
  'writer-stopped': {
    event: { kind: 'writer-stopped', reason: REASON },
    subject: { hu: 'leállt egy folyamat: egy másik vette át a nyilvántartást', en: 'a process stopped: another one took over the ledger' },
    body: { hu: ['egy sem vész el', 'keresd meg a másodikat', REASON], en: ['none is lost', 'look for a second one', REASON] },
  },
  'sync-failing': {
    event: { kind: 'sync-failing', reason: REASON },
    subject: { hu: 'hibásan futnak a körök, most nem készül számlaminta', en: 'sync cycles are failing; no order is being drafted' },
    body: { hu: ['szabad lemezhelyet', REASON], en: ['free disk space', REASON] },
  },
  'sync-recovered': {
    event: { kind: 'sync-recovered', reason: REASON },
    subject: { hu: 'a körök újra rendben futnak', en: 'sync cycles work again' },
    body: { hu: ['Minden rendben'], en: ['Back to normal'] },
  },
  'shoprenter-login-failed': {
    event: { kind: 'shoprenter-login-failed', reason: REASON },
    subject: { hu: 'a Shoprenter elutasította az API-klienst', en: 'Shoprenter refused the API client' },
    body: { hu: ['magától nem javul meg', 'SHOPRENTER_CLIENT_ID', REASON], en: ['does not heal by itself', 'SHOPRENTER_CLIENT_ID', REASON] },
  },
  'shoprenter-login-recovered': {
    event: { kind: 'shoprenter-login-recovered', reason: REASON },
    subject: { hu: 'a Shoprenter újra elfogadja az API-klienst', en: 'Shoprenter accepts the API client again' },
    body: { hu: ['Minden rendben'], en: ['Back to normal'] },
  },
  'stock-held': {
    event: { kind: 'stock-held', reason: REASON },
    subject: { hu: 'visszatartott készletfrissítés, semmit nem írtam a boltba', en: 'a stock round was held and wrote nothing' },
    body: { hu: ['`stock preview`', '`stock approve`', REASON], en: ['`stock preview`', '`stock approve`', REASON] },
  },
  'stock-write-refused': {
    event: { kind: 'stock-write-refused', reason: REASON },
    subject: { hu: 'nem frissül a készlet: a bolt nem engedi írni a termékeket', en: 'stock is not written: the shop refuses product writes' },
    body: { hu: ['product.product:write', REASON], en: ['product.product:write', REASON] },
  },
  'test-alert': {
    event: { kind: 'test-alert', reason: 'test' },
    subject: { hu: 'próba értesítés', en: 'test alert' },
    body: { hu: ['ez a csatorna működik'], en: ['this channel works'] },
  },
  'daily-summary': {
    event: {
      kind: 'daily-summary',
      reason: 'Daily summary.',
      summary: {
        day: '2026-11-20',
        drafted: 14,
        draftedGross: [{ currency: 'HUF', amount: '212990' }],
        open: [{ orderNumber: '1250', state: 'uncertain', reason: 'No answer from Cashman.' }],
        reports: [{ orderNumber: '1240', kind: 'cancelled', cashmanRef: '5009', reason: 'Cancelled.' }],
        pilotWaiting: true,
        outages: [{ system: 'Cashman', from: '2026-11-20 02:10', to: '2026-11-20 02:25', minutes: 15 }],
      },
    },
    subject: { hu: 'napi összefoglaló, 2026-11-20: 14 számlaminta, 2 teendő', en: 'daily summary, 2026-11-20: 14 drafts, 2 waiting' },
    body: {
      hu: ['Elkészült számlaminták: 14 (bruttó összesen 212 990 Ft)', '1250 (bizonytalan): No answer from Cashman.', '1240 (lemondva, Cashman: 5009)', '`approve`', 'Kiesés: Cashman 2026-11-20 02:10 – 2026-11-20 02:25 (15 perc)'],
      en: ['Drafts made: 14 (gross 212 990 Ft in all)', '1250 (uncertain)', '1240 (cancelled, Cashman 5009)', '`approve`', 'Outage: Cashman 2026-11-20 02:10 – 2026-11-20 02:25 (15 min)'],
    },
  },
} satisfies Record<AlertKind, Expectation>;

describe('alert texts', () => {
  for (const [kind, c] of Object.entries(CASES) as [AlertKind, Expectation][]) {
    for (const language of ['hu', 'en'] as const) {
      it(`${kind} in ${language}: subject, both parts, the order and the command`, () => {
        const mail = composeEmail([c.event], language, 'bolt');
        expect(mail.subject.startsWith('[shoprenter-cashman-sync] ')).toBe(true);
        expect(mail.subject).toContain(c.subject[language]);
        for (const piece of c.body[language]) expect(mail.text).toContain(piece);
        // The HTML part says the same (read as text), with commands as code.
        const htmlText = mail.html
          .replace(/<code>([^<]*)<\/code>/g, '`$1`')
          .replace(/<[^>]+>/g, ' ')
          .replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')
          .replace(/\s+/g, ' ');
        for (const piece of c.body[language]) expect(htmlText).toContain(piece.replace(/\s+/g, ' '));
        for (const command of c.body[language].join(' ').match(/`[^`]+`/g) ?? []) expect(mail.html).toContain(`<code>${command.slice(1, -1).replace(/</g, '&lt;').replace(/>/g, '&gt;')}</code>`);
        expect(`${mail.subject}\n${mail.text}\n${mail.html}`).not.toMatch(/undefined|null|\[object/);
        const line = describeAlert(c.event, language);
        expect(line.startsWith('[shoprenter-cashman-sync] ')).toBe(true);
        if (c.event.orderNumber) expect(line).toContain(c.event.orderNumber);
      });
    }
  }

  it('writes Hungarian and English differently for every kind', () => {
    for (const c of Object.values(CASES) as Expectation[]) expect(composeEmail([c.event], 'hu', 'x').text).not.toBe(composeEmail([c.event], 'en', 'x').text);
  });

  it('bundles several alerts into one e-mail listing each, oldest first', () => {
    const events = [CASES.quarantined.event, CASES['cancelled-after-draft'].event, CASES.uncertain.event] as AlertEvent[];
    const mail = composeEmail(events, 'hu', 'bolt');
    expect(mail.subject).toBe('[shoprenter-cashman-sync] 3 értesítés: 1234, 3001');
    expect(mail.text.indexOf('1. 1234: karanténban')).toBeLessThan(mail.text.indexOf('2. 1234: törölve a számlaminta után'));
    expect(mail.text).toContain('3. 3001: nem biztos');
    expect(composeEmail(events, 'en', 'shop').text).toContain('3 new alerts, oldest first.');
  });
});

describe('Hungarian numbers', () => {
  it.each([
    ['1', 'az', '1-es'], ['2', 'a', '2-es'], ['3', 'a', '3-as'], ['5', 'az', '5-ös'], ['6', 'a', '6-os'], ['8', 'a', '8-as'],
    ['10', 'a', '10-es'], ['20', 'a', '20-as'], ['30', 'a', '30-as'], ['50', 'az', '50-es'], ['60', 'a', '60-as'], ['100', 'a', '100-as'],
    ['500', 'az', '500-as'], ['1000', 'az', '1000-es'], ['1234', 'az', '1234-es'], ['3001', 'a', '3001-es'], ['5001', 'az', '5001-es'],
    ['12000', 'a', '12000-es'], ['1000000', 'az', '1000000-s'], ['A-12', 'a(z)', 'A-12'],
  ])('%s: "%s %s"', (n, article, adjective) => {
    expect(articleFor(n)).toBe(article);
    expect(numberAdjective(n)).toBe(adjective);
  });

  // By ear: ...egytől, kettőtől, háromtól, négytől, öttől, hattól, héttől, nyolctól, kilenctől;
  // tíztől, húsztól, harminctól, negyventől, ötventől; a whole hour is "órától".
  it.each([
    ['23:50', '23:50-től'], ['23:40', '23:40-től'], ['23:30', '23:30-tól'], ['23:20', '23:20-tól'], ['23:10', '23:10-től'],
    ['08:00', '08:00-tól'], ['08:01', '08:01-től'], ['08:02', '08:02-től'], ['08:03', '08:03-tól'], ['08:04', '08:04-től'],
    ['08:05', '08:05-től'], ['08:06', '08:06-tól'], ['08:07', '08:07-től'], ['08:08', '08:08-tól'], ['08:09', '08:09-től'],
  ])('"from %s" is "%s"', (time, words) => {
    expect(fromTime(`2026-11-20 ${time}`)).toBe(`2026-11-20 ${words}`);
  });

  it('writes money as "12 990 Ft"', () => {
    expect(formatMoney('12990', 'HUF', ',')).toBe('12 990 Ft');
    expect(formatMoney('1234567.50', 'EUR', ',')).toBe('1 234 567,50 EUR');
    expect(formatMoney('990.00', 'HUF', '.')).toBe('990 Ft');
    expect(formatMoney('-1500', 'HUF', ',')).toBe('-1 500 Ft');
  });
});
