import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WriterLostError } from '../src/errors.js';
import { Ledger, type OrderState } from '../src/store/ledger.js';
import { MIGRATIONS } from '../src/store/migrations.js';
import { STALE_AFTER_MS, staleReason, type LockHolder } from '../src/store/writer-lock.js';

/**
 * Every ledger state change is a compare-and-set on the state it expects (SPEC §2, issue 9): a
 * second writer's stale view can never reset a row that is being sent or already has a draft.
 * Real SQLite files; each row is put into its state with plain SQL, not with the code under test.
 */

const key = { orderId: 'b3JkZXItb3JkZXJfaWQ9MTcy', orderNumber: '172', dateUpdated: '2026-11-20T10:00:00' };

describe('ledger compare-and-set', () => {
  let dir: string;
  let ledger: Ledger;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-cas-'));
    ledger = Ledger.open(join(dir, 'sync.db'));
  });
  afterEach(() => {
    ledger.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function put(state: OrderState, extra: { attempts?: number; cashmanRef?: string } = {}): void {
    ledger.db
      .prepare(
        `INSERT INTO orders (order_number, order_id, state, attempts, cashman_ref, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, '2026-11-20T09:00:00Z', '2026-11-20T09:00:00Z')`,
      )
      .run(key.orderNumber, key.orderId, state, extra.attempts ?? 0, extra.cashmanRef ?? null);
  }
  const stateOf = () => (ledger.db.prepare('SELECT state FROM orders WHERE order_number = ?').get(key.orderNumber) as { state: string }).state;

  it.each(['submitting', 'done', 'uncertain', 'failed'] as const)('markPending cannot reset a %s row', (state) => {
    put(state, { attempts: 3, cashmanRef: '991|1' });
    expect(ledger.markPending(key, 'a@example.hu')).toBe(false);
    expect(ledger.db.prepare('SELECT state, attempts, cashman_ref AS ref FROM orders').get()).toEqual({ state, attempts: 3, ref: '991|1' });
  });

  it.each(['pending', 'quarantined'] as const)('markPending puts a %s row back in line', (state) => {
    put(state, { attempts: 2 });
    expect(ledger.markPending(key)).toBe(true);
    expect(ledger.db.prepare('SELECT state, attempts FROM orders').get()).toEqual({ state: 'pending', attempts: 0 });
  });

  it.each(['submitting', 'done', 'uncertain', 'quarantined'] as const)('markSubmitting sends nothing for a %s row', (state) => {
    put(state);
    expect(ledger.markSubmitting(key, 'a@example.hu', [])).toBeNull();
    expect(stateOf()).toBe(state);
    expect(ledger.db.prepare('SELECT COUNT(*) AS n FROM audit').get()).toEqual({ n: 0 });
  });

  it.each(['pending', 'failed', 'done', 'uncertain', 'quarantined'] as const)('markDone only from submitting, not %s', (state) => {
    put(state);
    expect(ledger.markDone(key.orderNumber, '991|1')).toBe(false);
    expect(stateOf()).toBe(state);
  });

  it.each(['done', 'uncertain', 'quarantined'] as const)('markFailed leaves a %s row alone', (state) => {
    put(state);
    expect(ledger.markFailed(key.orderNumber, 'CASHMAN_NOT_SENT', 'refused', new Date())).toBe(false);
    expect(stateOf()).toBe(state);
  });

  it.each(['done', 'uncertain'] as const)('quarantine never overwrites a %s row', (state) => {
    put(state);
    expect(ledger.markQuarantined(key, 'MAPPING', 'bad')).toBe(false);
    expect(stateOf()).toBe(state);
  });

  it.each(['pending', 'failed', 'done', 'quarantined'] as const)('markUncertain only from submitting, not %s', (state) => {
    put(state);
    expect(ledger.markUncertain(key, 'INTERRUPTED', 'x')).toBe(false);
    expect(stateOf()).toBe(state);
  });

  it('requeue (retry) and resolveDone (resolve --done) are conditional on the state the person saw', () => {
    put('uncertain');
    expect(ledger.requeue(key.orderNumber, 'quarantined')).toBe(false);
    expect(stateOf()).toBe('uncertain');
    expect(ledger.resolveDone(key.orderNumber, 'by hand')).toBe(true);
    expect(stateOf()).toBe('done');
    expect(ledger.resolveDone(key.orderNumber, 'by hand')).toBe(false);
    expect(ledger.requeue(key.orderNumber, 'uncertain')).toBe(false);
    expect(stateOf()).toBe('done');
  });

  it('resolveDone refuses a quarantined row: it never had a draft', () => {
    put('quarantined');
    expect(ledger.resolveDone(key.orderNumber, 'by hand')).toBe(false);
    expect(stateOf()).toBe('quarantined');
  });

  it('recoverInterrupted reports only the rows it flipped', () => {
    put('submitting');
    expect(ledger.recoverInterrupted(() => 'interrupted').map((r) => r.orderNumber)).toEqual(['172']);
    expect(ledger.recoverInterrupted(() => 'interrupted')).toEqual([]);
  });

  it('a fenced ledger refuses every intent once another process holds the lock', () => {
    put('pending');
    ledger.db
      .prepare(
        `INSERT INTO writer_lock (id, token, pid, host, command, started_at, heartbeat_at) VALUES (1, 'theirs', 1, 'h', 'run', '2026-11-20T09:00:00Z', '2026-11-20T09:00:00Z')`,
      )
      .run();
    ledger.fence('mine');
    expect(() => ledger.markSubmitting(key, 'a@example.hu', [])).toThrow(WriterLostError);
    expect(() => ledger.markPartnerSending('a@example.hu', {} as never, key, [])).toThrow(WriterLostError);
    expect(ledger.writerLost()).toBe(true);
    // Issue 16 §2: no other write of this connection goes through either (order rows, cursor,
    // meta, cycles, partners), whatever path attempts it ...
    const writes: [string, () => unknown][] = [
      ['markPending', () => ledger.markPending({ ...key, orderNumber: '173' })],
      ['markQuarantined', () => ledger.markQuarantined(key, 'MAPPING', 'x')],
      ['markFailed', () => ledger.markFailed(key.orderNumber, 'X', 'x', new Date())],
      ['setMeta', () => ledger.setMeta('cursor', '2026-11-20T10:00:00')],
      ['startCycle', () => ledger.startCycle()],
      ['allocatePartner', () => ledger.allocatePartner('b@example.hu', 'SR', 6)],
      ['setAlerted', () => ledger.setAlerted(key.orderNumber, 'quarantined:')],
    ];
    const through = writes.filter(([, write]) => {
      try {
        write();
        return true;
      } catch {
        return false;
      }
    });
    expect(through.map(([name]) => name)).toEqual([]);
    expect(stateOf()).toBe('pending');
    expect(ledger.getMeta('cursor')).toBeUndefined();
    // ... while another connection (a `retry` or `resolve` process, no lock) writes as before.
    const other = Ledger.open(ledger.db.name);
    try {
      expect(other.requeue(key.orderNumber, 'pending')).toBe(true);
      other.setMeta('probe', '1');
    } finally {
      other.close();
    }
    ledger.db.prepare(`UPDATE writer_lock SET token = 'mine'`).run();
    expect(ledger.writerLost()).toBe(false);
    expect(ledger.markSubmitting(key, 'a@example.hu', [])).not.toBeNull();
  });
});

describe('migration of a version 1 ledger (keyed by API id) to order numbers', () => {
  it('keeps every order, the API id as a column, and of two rows for one order the one with a draft', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-v1-'));
    const path = join(dir, 'sync.db');
    try {
      const v1 = new Database(path);
      v1.exec(MIGRATIONS[0]!);
      v1.pragma('user_version = 1');
      const insert = v1.prepare(
        `INSERT INTO orders (order_id, order_number, state, attempts, cashman_ref, date_updated, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      insert.run('id-A', '1001', 'done', 0, '991|1', '2026-11-20T10:00:00', '2026-11-20T09:00:00Z', '2026-11-20T09:01:00Z');
      // The same order again under a new API id (an integration set an outer id), newer and pending: the duplicate in the making.
      insert.run('id-A2', '1001', 'pending', 0, null, '2026-11-21T10:00:00', '2026-11-21T09:00:00Z', '2026-11-21T09:00:00Z');
      insert.run('id-B', '1002', 'failed', 2, null, '2026-11-20T11:00:00', '2026-11-20T09:00:00Z', '2026-11-20T09:02:00Z');
      insert.run('id-C', '1003', 'uncertain', 0, null, '2026-11-20T12:00:00', '2026-11-20T09:00:00Z', '2026-11-20T09:03:00Z');
      v1.prepare(`INSERT INTO audit (at, order_id, order_number, kind, request, outcome) VALUES ('2026-11-20T09:01:00Z', 'id-A', '1001', 'draft', '[]', 'ok')`).run();
      v1.close();

      const ledger = Ledger.open(path);
      try {
        expect(ledger.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
        const rows = ledger.db.prepare('SELECT order_number, order_id, state, attempts, cashman_ref FROM orders ORDER BY order_number').all();
        expect(rows).toEqual([
          { order_number: '1001', order_id: 'id-A', state: 'done', attempts: 0, cashman_ref: '991|1' },
          { order_number: '1002', order_id: 'id-B', state: 'failed', attempts: 2, cashman_ref: null },
          { order_number: '1003', order_id: 'id-C', state: 'uncertain', attempts: 0, cashman_ref: null },
        ]);
        // The order number is the key now: the same order under any API id is one row.
        expect(ledger.markPending({ orderId: 'id-A3', orderNumber: '1001', dateUpdated: '2026-11-22T10:00:00' })).toBe(false);
        expect(() => ledger.db.prepare(`INSERT INTO orders (order_number, order_id, state, created_at, updated_at) VALUES ('1002', 'x', 'pending', 'a', 'a')`).run()).toThrow(/UNIQUE/);
        expect(ledger.findOrder('id-C')?.orderNumber).toBe('1003');
        expect(ledger.auditFor('1001').map((a) => a.outcome)).toEqual(['ok']);
      } finally {
        ledger.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('writer lock staleness rules', () => {
  const me = { pid: 4242, host: 'c0ffee', bootId: 'boot-1', pidNs: 'pid:[4026531836]' };
  const now = Date.parse('2026-11-20T10:00:00Z');
  const holder = (over: Partial<LockHolder>): LockHolder => ({
    token: 't',
    pid: 7,
    host: 'other',
    bootId: 'boot-1',
    pidNs: 'pid:[4026532999]',
    command: 'run',
    startedAt: '2026-11-20T09:00:00.000Z',
    heartbeatAt: new Date(now - 5_000).toISOString(),
    ...over,
  });

  it('another container with a recent heartbeat holds it, whatever its pid', () => {
    expect(staleReason(holder({ pid: 999_999_9 }), me, now)).toBeNull();
    // Same hostname, other pid namespace: its pid is not ours to judge.
    expect(staleReason(holder({ host: 'c0ffee', pid: 999_999_9 }), me, now)).toBeNull();
  });
  it('a heartbeat older than the limit is stale', () => {
    expect(STALE_AFTER_MS).toBe(30_000);
    expect(staleReason(holder({ heartbeatAt: new Date(now - 31_000).toISOString() }), me, now)).toMatch(/heartbeat stopped 31 s ago/);
  });
  it('a holder from an earlier boot of this host is stale at once', () => {
    expect(staleReason(holder({ host: 'c0ffee', bootId: 'boot-0' }), me, now)).toBe('the machine restarted since');
  });
  it('a dead pid in our own pid namespace is stale at once; a live one is not', () => {
    const ownNs = { host: 'c0ffee', pidNs: me.pidNs };
    expect(staleReason(holder({ ...ownNs, pid: 2 ** 22 + 12345 }), me, now)).toMatch(/no longer exists/);
    expect(staleReason(holder({ ...ownNs, pid: process.pid }), me, now)).toBeNull();
  });
});
