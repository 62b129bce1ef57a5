import { afterEach, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ledger } from '../src/store/ledger.js';
import { MIGRATIONS } from '../src/store/migrations.js';

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
});
