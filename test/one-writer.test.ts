import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoConfigYaml, startLocalShop, type LocalShop } from '../src/standins/local-shop.js';
import { sampleShop } from '../src/standins/shoprenter-fixtures.js';
import { duplicateDrafts, requireBuild, runToEnd, spawnCli, waitFor } from './helpers/processes.js';

/**
 * One writer per ledger (SPEC §2, issue 9), proven with real processes on one database file: the
 * built daemon (`node dist/main.js run`) busy with a backlog against the stand-ins, while a second
 * `once` or `run` tries to start on the same file.
 */

const LATENCY_MS = 100;

describe('one writer per ledger (real processes)', () => {
  let shop: LocalShop;
  let dir: string;
  let env: Record<string, string>;
  let onDraft: (() => void) | null = null;

  beforeEach(async () => {
    requireBuild();
    shop = await startLocalShop({
      cashman: {
        latencyMs: LATENCY_MS,
        onProcessed: ({ operation }) => {
          if (operation === 4) onDraft?.();
        },
      },
    });
    dir = mkdtempSync(join(tmpdir(), 'scs-writer-'));
    writeFileSync(join(dir, 'config.yaml'), demoConfigYaml({ intervalSeconds: 5, productLookups: false }));
    env = { ...shop.env, CONFIG_PATH: join(dir, 'config.yaml'), DATABASE_PATH: join(dir, 'sync.db'), LOG_LEVEL: 'info', LOG_FORMAT: 'json' };
  });
  afterEach(async () => {
    onDraft = null;
    await shop.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const states = (): Record<string, number> => {
    const db = new Database(env['DATABASE_PATH'], { readonly: true });
    try {
      const rows = db.prepare('SELECT state, COUNT(*) AS n FROM orders GROUP BY state').all() as { state: string; n: number }[];
      return Object.fromEntries(rows.map((r) => [r.state, r.n]));
    } finally {
      db.close();
    }
  };
  const lockRows = (): number => {
    const db = new Database(env['DATABASE_PATH'], { readonly: true });
    try {
      return (db.prepare('SELECT COUNT(*) AS n FROM writer_lock').get() as { n: number }).n;
    } finally {
      db.close();
    }
  };

  it('a once or a second run started while run works a backlog exits 1 naming the holder; nothing is drafted twice', async () => {
    const orders = sampleShop(24, 5);
    shop.shoprenter.addOrders(orders);
    const daemon = spawnCli(['run'], env, dir);
    try {
      await waitFor(() => shop.cashman.drafts.length >= 2, 20_000, 'the daemon to start drafting');
      const holder = new RegExp(`in use by another "run" \\(pid ${daemon.process.pid} on host ${hostname()}, since \\d{4}-\\d\\d-\\d\\dT[^)]*\\)`);
      const once = await runToEnd(['once'], env, dir);
      const secondRun = await runToEnd(['run'], env, dir);
      expect({ code: once.code, text: errorMessage(once.text) }).toEqual({ code: 1, text: expect.stringMatching(holder) });
      expect({ code: secondRun.code, text: errorMessage(secondRun.text) }).toEqual({ code: 1, text: expect.stringMatching(holder) });
      expect(shop.cashman.drafts.length).toBeLessThan(orders.length); // the refusals came while the backlog was being worked
      // status (no lock needed) names the writer.
      expect((await runToEnd(['status'], env, dir)).text).toContain(`Writer: "run", pid ${daemon.process.pid} on host ${hostname()}, since `);

      await waitFor(() => shop.cashman.drafts.length >= orders.length, 30_000, 'the backlog to be drafted');
      daemon.process.kill('SIGTERM');
      expect((await daemon.exit).code).toBe(0);
    } finally {
      daemon.process.kill('SIGKILL');
    }
    expect(duplicateDrafts(shop.cashman.drafts)).toEqual([]);
    expect(shop.cashman.drafts).toHaveLength(orders.length);
    // No false "interrupted" order: the refused process never touched the daemon's in-flight row.
    expect(states()).toEqual({ done: orders.length });
    expect(daemon.text()).not.toContain('interrupted');
    expect(lockRows()).toBe(0);
    const status = await runToEnd(['status'], env, dir);
    expect(status.text).toContain('Nothing needs attention.');
    expect(status.text).toContain('Writer: none');
  }, 60_000);

  it('takes over the lock left by a run killed with -9, and says so', async () => {
    const orders = sampleShop(10, 6);
    shop.shoprenter.addOrders(orders);
    const daemon = spawnCli(['run'], env, dir);
    onDraft = () => daemon.process.kill('SIGKILL');
    await daemon.exit;
    onDraft = null;
    expect(lockRows()).toBe(1); // kill -9 left its row behind

    const once = await runToEnd(['once'], env, dir);
    expect(once.code).toBe(0);
    expect(once.text).toContain('taking over the ledger lock');
    expect(once.text).toContain(`process ${daemon.process.pid} no longer exists`);
    expect(lockRows()).toBe(0);
    expect(duplicateDrafts(shop.cashman.drafts)).toEqual([]);
    // The draft answered after the kill: uncertain (never resent); every other order done.
    expect(states()).toEqual({ done: orders.length - 1, uncertain: 1 });
  }, 60_000);

  it('a holder in another container is judged by its heartbeat only', async () => {
    shop.shoprenter.addOrders(sampleShop(2, 7));
    expect((await runToEnd(['status'], env, dir)).code).toBe(0);
    expect((await runToEnd(['once'], env, dir)).code).toBe(0); // creates the ledger
    const put = (heartbeatAgoMs: number): void => {
      const db = new Database(env['DATABASE_PATH']);
      const at = new Date(Date.now() - heartbeatAgoMs).toISOString();
      db.prepare(
        `INSERT OR REPLACE INTO writer_lock (id, token, pid, host, boot_id, pid_ns, command, started_at, heartbeat_at)
         VALUES (1, 'other', 1, 'another-container', NULL, 'pid:[1]', 'run', '2026-11-20T09:00:00.000Z', ?)`,
      ).run(at);
      db.close();
    };
    put(2_000);
    const refused = await runToEnd(['once'], env, dir);
    expect({ code: refused.code, text: errorMessage(refused.text) }).toEqual({
      code: 1,
      text: expect.stringMatching(/^The ledger is in use by another "run" \(pid 1 on host another-container, since 2026-11-20T09:00:00.000Z, last heartbeat [0-9] s ago\); stop that one first, or run this command after it has finished\.$/),
    });
    put(40_000);
    const taken = await runToEnd(['once'], env, dir);
    expect(taken.code).toBe(0);
    expect(taken.text).toMatch(/taking over the ledger lock.*heartbeat stopped 4\d s ago/);
  }, 60_000);

  it('a run whose lock was taken over sends nothing more and exits 1', async () => {
    const orders = sampleShop(20, 9);
    shop.shoprenter.addOrders(orders);
    const daemon = spawnCli(['run'], env, dir);
    let draftsAtSteal = -1;
    onDraft = () => {
      if (draftsAtSteal >= 0 || shop.cashman.drafts.length < 2) return;
      // What a process that judged this one stale would do: its own row in the lock.
      const db = new Database(env['DATABASE_PATH']);
      db.prepare(`UPDATE writer_lock SET token = 'thief', pid = 1, host = 'another-container', heartbeat_at = ?`).run(new Date().toISOString());
      db.close();
      draftsAtSteal = shop.cashman.drafts.length;
    };
    const guard = setTimeout(() => daemon.process.kill('SIGKILL'), 30_000);
    const result = await daemon.exit;
    clearTimeout(guard);
    onDraft = null;
    expect(result.code).toBe(1);
    // The draft being answered at the steal is the last one: every later intent was fenced off.
    expect(shop.cashman.drafts.length - draftsAtSteal).toBeLessThanOrEqual(1);
    expect(duplicateDrafts(shop.cashman.drafts)).toEqual([]);
    // The draft answered after the steal is not recorded by a process that no longer holds the
    // ledger: its row stays `submitting` for the holder, whose start marks it uncertain.
    expect(states()['submitting'] ?? 0).toBeLessThanOrEqual(1);
    // The lost fence is this process's failure, never an order's (issue 16 §2): nothing quarantined,
    // and the cycle it was in is left unfinished for the holder of the ledger.
    expect(states()['quarantined'] ?? 0).toBe(0);
    expect(daemon.text()).toContain('stopped: another process took over the ledger');
    const db = new Database(env['DATABASE_PATH'], { readonly: true });
    const finished = (db.prepare('SELECT COUNT(*) AS n FROM cycles WHERE finished_at IS NOT NULL').get() as { n: number }).n;
    db.close();
    expect(finished).toBe(0);
  }, 60_000);

  it('SIGINT during once finishes the order in hand and leaves nothing in submitting', async () => {
    const orders = sampleShop(16, 8);
    shop.shoprenter.addOrders(orders);
    const once = spawnCli(['once'], env, dir);
    let signalledAt = 0;
    onDraft = () => {
      if (signalledAt > 0) return;
      signalledAt = Date.now();
      once.process.kill('SIGINT');
    };
    const guard = setTimeout(() => once.process.kill('SIGKILL'), 30_000);
    const result = await once.exit;
    clearTimeout(guard);
    onDraft = null;
    expect({ signalled: signalledAt > 0, code: result.code, signal: result.signal }).toEqual({ signalled: true, code: 1, signal: null });
    expect(Date.now() - signalledAt).toBeLessThan(5_000);
    expect(once.text()).toMatch(/"message":"once: cycle stopped by a signal after the order in hand".*"interrupted":true|"interrupted":true.*"message":"once: cycle stopped by a signal after the order in hand"/);
    const drafted = shop.cashman.drafts.length;
    expect(drafted).toBeLessThan(orders.length);
    // The draft being answered when the signal came was recorded as done, not left in submitting.
    expect(states()).toEqual(expect.objectContaining({ done: drafted }));
    expect(states()['submitting'] ?? 0).toBe(0);
    expect(states()['uncertain'] ?? 0).toBe(0);

    expect((await runToEnd(['once'], env, dir)).code).toBe(0);
    expect(duplicateDrafts(shop.cashman.drafts)).toEqual([]);
    expect(shop.cashman.drafts).toHaveLength(orders.length);
    expect(states()).toEqual({ done: orders.length });
  }, 60_000);

  it('SIGTERM while a Shoprenter read rides out a storm stops run within seconds, not after the 90 s read budget', async () => {
    shop.shoprenter.addOrders(sampleShop(2, 2));
    // Every list request answers 503 with a Retry-After of 20 s: without a stop-aware wait the read
    // would sleep through the daemon's 40 s grace and compose's 50 s stop_grace_period.
    shop.shoprenter.setFault({ kind: 'status', status: 503, retryAfter: '20', path: '/orderExtend', times: 1_000 });
    const run = spawnCli(['run'], { ...env, LOG_LEVEL: 'debug' }, dir);
    await waitFor(() => run.text().includes('retrying'), 20_000, 'the first retry of the order list');
    const signalledAt = Date.now();
    run.process.kill('SIGTERM');
    const guard = setTimeout(() => run.process.kill('SIGKILL'), 30_000);
    const result = await run.exit;
    clearTimeout(guard);
    expect({ code: result.code, signal: result.signal }).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalledAt).toBeLessThan(10_000);
    expect(shop.cashman.drafts).toHaveLength(0);
    expect(lockRows()).toBe(0);
  }, 60_000);
});

/** LOG_FORMAT=json: a refused start is one JSON line on stderr, the only output; its sentence. */
function errorMessage(text: string): string {
  const lines = text.trim().split('\n');
  return lines.length === 1 ? String((JSON.parse(lines[0]!) as { message?: unknown }).message) : text.trim();
}
