import { afterEach, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Ledger } from '../src/store/ledger.js';
import { MIGRATIONS } from '../src/store/migrations.js';
import { recoverRedrafts, redraftGone } from '../src/sync/after-draft-cycle.js';
import { createLogger } from '../src/log/logger.js';

/** Migration 2 on a ledger written by the first release, and the store's once-per-version rule. */
describe('after-draft ledger tables', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scs-after-store-'));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('upgrades a first-release ledger, keeping its done orders and audit rows for lazy fingerprints', () => {
    const path = join(dir, 'old.db');
    const old = new Database(path);
    old.exec(MIGRATIONS[0]!);
    old.pragma('user_version = 1');
    old.prepare(`INSERT INTO orders (order_id, order_number, state, cashman_ref, created_at, updated_at) VALUES ('b3Jk', '77', 'done', '5001|1', 'x', 'x')`).run();
    old.prepare(`INSERT INTO audit (at, order_id, order_number, kind, request, outcome) VALUES ('x', 'b3Jk', '77', 'draft', '[{"nev":"Kiss Anna","deviza":"HUF","szamla_brutto":"12990"}]', 'ok')`).run();
    old.close();

    const ledger = Ledger.open(path);
    try {
      expect(ledger.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
      expect(ledger.findOrder('77')?.state).toBe('done');
      expect(ledger.afterDraft.get('77')).toBeUndefined();
      expect(ledger.afterDraft.lastDraftRequest('77')).toEqual([{ nev: 'Kiss Anna', deviza: 'HUF', szamla_brutto: '12990' }]);
    } finally {
      ledger.close();
    }
  });

  it('records a version once, and ack is compare-and-set', () => {
    const ledger = Ledger.open(join(dir, 'new.db'));
    try {
      const store = ledger.afterDraft;
      store.recordDraft('78', { grossHuf: '100' }, '2026-11-20T10:00:00');
      const event = { kind: 'changed' as const, version: '2026-11-20T11:00:00', reason: 'gross 100 -> 90 Ft', cashmanRef: 'R1' };
      expect(store.settleVersion('78', '2026-11-20T11:00:00', { grossHuf: '90' }, 'changed', event)).not.toBeNull();
      expect(store.settleVersion('78', '2026-11-20T11:00:00', { grossHuf: '90' }, 'changed', event)).toBeNull();
      expect(store.needingAttention().map((a) => a.event.reason)).toEqual(['gross 100 -> 90 Ft']);
      expect(store.ack('78', 'done by hand', 'R1')).toBe(true);
      expect(store.ack('78', 'done by hand', 'R1')).toBe(false);
      expect(store.needingAttention()).toEqual([]);
      expect(store.eventsFor('78').map((e) => e.kind)).toEqual(['changed', 'acked']);
    } finally {
      ledger.close();
    }
  });

  it('a redraft is a compare-and-set by order number, and its draft in flight is not a crash leftover for the writer', () => {
    const ledger = Ledger.open(join(dir, 'redraft.db'));
    try {
      const key = { orderId: 'b3JkZXItNzk=', orderNumber: '79', dateUpdated: '2026-11-20T10:00:00' };
      ledger.markPending(key, 'a@example.hu');
      const first = ledger.markSubmitting(key, 'a@example.hu', []);
      ledger.markDone('79', 'R1', first!.auditId);
      const me = { pid: 4242, host: 'vm', bootId: 'boot-a', pidNs: 'pid:[1]' };
      const said = 'A person stated that R1 was deleted.';
      const changedBy = (v: string) => ({ kind: 'changed' as const, version: v, reason: 'gross 100 -> 90 Ft', cashmanRef: 'R1' });
      ledger.afterDraft.adopt('79', { grossHuf: '100' }, 'observed');
      expect(ledger.afterDraft.startRedraft('79', 'done', '2026-11-20T11:00:00', 'R1', me, said)).toBe(false); // no report to act on
      ledger.afterDraft.settleVersion('79', '2026-11-20T10:30:00', { grossHuf: '90' }, 'changed', changedBy('2026-11-20T10:30:00'));
      expect(ledger.afterDraft.startRedraft('79', 'quarantined', '2026-11-20T11:00:00', 'R1', me, said)).toBe(false); // not what the command saw
      expect(ledger.afterDraft.startRedraft('79', 'done', '2026-11-20T11:00:00', 'R1', me, said)).toBe(true);
      expect(ledger.afterDraft.startRedraft('79', 'done', '2026-11-20T11:00:00', 'R1', me, said)).toBe(false); // a second redraft lost the race
      // Left by a redraft, but that redraft still holds it: a second one started now is refused too.
      expect(ledger.afterDraft.startRedraft('79', 'quarantined', '2026-11-20T11:00:00', 'R1', me, said)).toBe(false);
      expect(ledger.afterDraft.eventsFor('79').find((e) => e.kind === 'redraft-started')?.reason).toBe(said);
      expect(ledger.getOrder('79')).toMatchObject({ state: 'quarantined', lastErrorCode: 'REDRAFT' });
      const redraftKey = { ...key, dateUpdated: '2026-11-20T11:00:00' };
      expect(ledger.markPending(redraftKey, 'a@example.hu')).toBe(true);
      expect(ledger.markSubmitting(redraftKey, 'a@example.hu', [])).not.toBeNull();

      // The writer's start-up recovery leaves the redraft's row to the redraft's own judge...
      expect(ledger.recoverInterrupted(() => 'interrupted')).toEqual([]);
      const logger = createLogger({ level: 'error', format: 'json', stream: new Writable({ write: (_chunk, _encoding, done) => done() }) });
      recoverRedrafts(ledger, logger, () => null);
      expect(ledger.getOrder('79')?.state).toBe('submitting');
      // ...which turns it uncertain (never pending) once the process is known to be gone.
      recoverRedrafts(ledger, logger, () => 'process 4242 no longer exists');
      expect(ledger.getOrder('79')).toMatchObject({ state: 'uncertain', lastErrorCode: 'INTERRUPTED' });
      expect(ledger.afterDraft.redraftsInFlight()).toEqual([]);
    } finally {
      ledger.close();
    }
  });

  it('judges a redraft process by the writer lock\'s rules, with a 15-minute age limit instead of a heartbeat', () => {
    const me = { pid: 10, host: 'vm', bootId: 'boot-a', pidNs: 'pid:[1]' };
    const now = Date.parse('2026-11-20T12:00:00Z');
    const owner = (patch: object) => ({ pid: 999_999_999, host: 'vm', bootId: 'boot-a', pidNs: 'pid:[1]', startedAt: '2026-11-20T11:59:00Z', ...patch });
    expect(redraftGone(owner({}), me, now)).toBe('process 999999999 no longer exists');
    expect(redraftGone(owner({ pid: process.pid, pidNs: 'pid:[2]' }), me, now)).toBeNull(); // another container: its pid means nothing here
    expect(redraftGone(owner({ pidNs: 'pid:[2]' }), me, now)).toBeNull();
    expect(redraftGone(owner({ pidNs: 'pid:[2]', startedAt: '2026-11-20T11:44:00Z' }), me, now)).toBe('it started 16 minutes ago, longer than any redraft takes');
    expect(redraftGone(owner({ pidNs: 'pid:[2]', bootId: 'boot-b' }), me, now)).toBe('the machine restarted since');
  });
});
