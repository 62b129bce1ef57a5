import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ledger } from '../src/store/ledger.js';
import { MIGRATIONS } from '../src/store/migrations.js';
import { privateBuyer } from './cashman-fixtures.js';

const key = { orderId: 'b3JkZXItb3JkZXJfaWQ9MTcy', orderNumber: '172', dateUpdated: '2026-11-20T10:00:00' };
const partner = { ...privateBuyer, email: 'kiss.anna@example.hu', phone: null };

describe('ledger (real SQLite file)', () => {
  let dir: string;
  let path: string;
  let ledger: Ledger;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-'));
    path = join(dir, 'nested', 'sync.db');
    ledger = Ledger.open(path);
  });
  afterEach(() => {
    ledger.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the schema through migrations and records the version', () => {
    expect(ledger.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(ledger.db.pragma('journal_mode', { simple: true })).toBe('wal');
    ledger.close();
    ledger = Ledger.open(path); // re-opening an up-to-date file is a no-op
    expect(ledger.counts().done).toBe(0);
  });

  it('refuses a database written by a newer version', () => {
    ledger.close();
    const db = new Database(path);
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => Ledger.open(path)).toThrow('newer version');
    ledger = Ledger.open(':memory:');
  });

  it('walks pending -> submitting -> done with the audit written before the send', () => {
    ledger.markPending(key, partner.email);
    const intent = ledger.markSubmitting(key, partner.email, [{ Csoport: 'g', Password: '********' }]);
    expect(ledger.getOrder(key.orderNumber)?.state).toBe('submitting');
    expect(ledger.auditFor(key.orderNumber)).toEqual([{ kind: 'draft', request: [{ Csoport: 'g', Password: '********' }], outcome: 'sent' }]);
    ledger.markDone(key.orderNumber, '991|1', intent!.auditId);
    expect(ledger.getOrder(key.orderNumber)).toMatchObject({ state: 'done', cashmanRef: '991|1' });
    expect(ledger.auditFor(key.orderNumber)[0]?.outcome).toBe('ok');
    expect(ledger.markSubmitting(key, partner.email, [])).toBeNull();
  });

  it('survives a crash while submitting: the row becomes uncertain', () => {
    ledger.markPending(key);
    ledger.markSubmitting(key, partner.email, []);
    ledger.close();
    ledger = Ledger.open(path);
    const recovered = ledger.recoverInterrupted((row) => `order ${row.orderNumber} interrupted`);
    expect(recovered.map((r) => r.orderNumber)).toEqual(['172']);
    expect(ledger.getOrder(key.orderNumber)).toMatchObject({ state: 'uncertain', lastError: 'order 172 interrupted' });
  });

  it('counts failed attempts and lists due retries', () => {
    ledger.markPending(key);
    ledger.markFailed(key.orderNumber, 'CASHMAN_NOT_SENT', 'refused', new Date(Date.now() - 1000));
    expect(ledger.getOrder(key.orderNumber)?.attempts).toBe(1);
    expect(ledger.dueRetries().map((r) => r.orderNumber)).toEqual([key.orderNumber]);
    ledger.markFailed(key.orderNumber, 'CASHMAN_NOT_SENT', 'refused', new Date(Date.now() + 60_000));
    expect(ledger.dueRetries()).toEqual([]);
    ledger.requeue(key.orderNumber, 'failed');
    expect(ledger.getOrder(key.orderNumber)).toMatchObject({ state: 'pending', attempts: 0 });
  });

  it('allocates stable, unique partner codes', () => {
    const first = ledger.allocatePartner('a@example.hu', 'SR', 6);
    const second = ledger.allocatePartner('b@example.hu', 'SR', 6);
    expect([first.partnerCode, second.partnerCode]).toEqual(['SR000001', 'SR000002']);
    expect(ledger.allocatePartner('a@example.hu', 'SR', 6).partnerCode).toBe('SR000001');
    ledger.markPartnerSending('a@example.hu', partner, key, [{ muveletkod: '9' }]);
    expect(ledger.getPartner('a@example.hu')?.pending).toEqual(partner);
    ledger.confirmPartner('a@example.hu', '77', partner);
    expect(ledger.getPartner('a@example.hu')).toMatchObject({ partnerId: '77', snapshot: partner, pending: null });
  });

  it('keeps quarantine reasons and lists every order that is not done', () => {
    ledger.markQuarantined(key, 'MAPPING', 'VAT rate 18% has no entry under vatRates in config.yaml.');
    ledger.markUncertain({ ...key, orderId: 'x', orderNumber: '173' }, 'CASHMAN_OUTCOME_UNKNOWN', 'timeout');
    expect(ledger.listNotDone().map((r) => [r.orderNumber, r.state])).toEqual([
      ['173', 'uncertain'],
      ['172', 'quarantined'],
    ]);
    expect(ledger.counts()).toMatchObject({ quarantined: 1, uncertain: 1, done: 0 });
    expect(ledger.findOrder('172')?.lastError).toContain('vatRates');
    expect(ledger.listUnalerted().map((r) => r.orderNumber).sort()).toEqual(['172', '173']);
    ledger.setAlerted(key.orderNumber, `quarantined:${key.dateUpdated}`);
    expect(ledger.listUnalerted().map((r) => r.orderNumber)).toEqual(['173']);
  });
});
