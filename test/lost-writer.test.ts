import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoConfigYaml, startLocalShop, type LocalShop } from '../src/standins/local-shop.js';
import { sampleShop } from '../src/standins/shoprenter-fixtures.js';
import { STALE_AFTER_MS } from '../src/store/writer-lock.js';
import { startWebhook, type WebhookServer } from './alerts-webhook.js';
import { duplicateDrafts, orderNumberOf, requireBuild, runToEnd, spawnCli, waitFor, type Child } from './helpers/processes.js';

/**
 * Issue 16 §2: a `run` paused (SIGSTOP, as Ctrl-Z or `docker pause` do) past the lock's staleness
 * limit loses the ledger to a second `run`. On SIGCONT it must stop like an abort: no order row,
 * cursor, meta row, cycle summary or order alert from it; exit 1 and one alert saying it stopped.
 * Real processes on one ledger file, both stand-ins, the test webhook receiver for alerts.
 */

const ORDERS = 36;

describe('a writer that lost the ledger touches nothing (real processes)', () => {
  let shop: LocalShop;
  let hook: WebhookServer;
  let dir: string;
  let env: Record<string, string>;
  const children: Child[] = [];
  let onDraft: (() => void) | null = null;

  beforeEach(async () => {
    requireBuild();
    // Latency on both sides keeps the first run mid-walk and mid-request when it is paused.
    shop = await startLocalShop({
      shoprenter: { latencyMs: 40 },
      cashman: { latencyMs: 120, onProcessed: ({ operation }) => (operation === 4 ? onDraft?.() : undefined) },
    });
    hook = await startWebhook();
    dir = mkdtempSync(join(tmpdir(), 'scs-lost-writer-'));
    writeFileSync(join(dir, 'config.yaml'), demoConfigYaml({ intervalSeconds: 5, productLookups: false }));
    env = {
      ...shop.env,
      CONFIG_PATH: join(dir, 'config.yaml'),
      DATABASE_PATH: join(dir, 'sync.db'),
      ALERT_WEBHOOK_URL: hook.url,
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
    };
  });
  afterEach(async () => {
    onDraft = null;
    for (const child of children.splice(0)) {
      child.process.kill('SIGCONT');
      child.process.kill('SIGKILL');
    }
    await hook.close();
    await shop.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const read = <T>(query: (db: Database.Database) => T): T => {
    const db = new Database(env['DATABASE_PATH'], { readonly: true, fileMustExist: true });
    try {
      return query(db);
    } finally {
      db.close();
    }
  };
  const states = (): Record<string, number> =>
    read((db) => Object.fromEntries((db.prepare('SELECT state, COUNT(*) AS n FROM orders GROUP BY state').all() as { state: string; n: number }[]).map((r) => [r.state, r.n])));
  const heartbeatAgeMs = (): number =>
    read((db) => Date.now() - Date.parse((db.prepare('SELECT heartbeat_at FROM writer_lock WHERE id = 1').get() as { heartbeat_at: string }).heartbeat_at));
  const settled = (): number => {
    const s = states();
    return (s['done'] ?? 0) + (s['uncertain'] ?? 0) + (s['quarantined'] ?? 0);
  };

  it('a run paused past the staleness limit, resumed while a second run works the backlog, stops, writes nothing and alerts', async () => {
    const orders = sampleShop(ORDERS, 16);
    shop.shoprenter.addOrders(orders);
    const first = spawnCli(['run'], env, dir);
    children.push(first);
    // Paused while its third draft is answered: waiting on the socket, inside no SQLite transaction
    // (a process stopped mid-commit keeps SQLite's write lock, and no one can take over until it resumes).
    let inFlight = '';
    const paused = new Promise<void>((resolve) => {
      onDraft = () => {
        if (shop.cashman.drafts.length < 3) return;
        onDraft = null;
        first.process.kill('SIGSTOP');
        inFlight = orderNumberOf(shop.cashman.drafts.at(-1)?.rows[0]?.['egyeb']);
        resolve();
      };
    });
    await paused;
    const outputAtPause = first.text().length;

    // Only the heartbeat rule can free the lock of a live, stopped process on this host.
    await waitFor(() => heartbeatAgeMs() > STALE_AFTER_MS + 1_000, STALE_AFTER_MS + 15_000, 'the paused run’s lock to go stale');
    const second = spawnCli(['run'], env, dir);
    children.push(second);
    const draftsBefore = shop.cashman.drafts.length;
    await waitFor(() => shop.cashman.drafts.length >= draftsBefore + 3, 30_000, 'the second run to take over and draft');
    expect(settled()).toBeLessThan(ORDERS); // the first resumes while the backlog is still being worked

    first.process.kill('SIGCONT');
    const guard = setTimeout(() => first.process.kill('SIGKILL'), 30_000);
    const firstExit = await first.exit;
    clearTimeout(guard);

    await waitFor(() => settled() >= ORDERS, 60_000, 'the second run to settle every order');
    second.process.kill('SIGTERM');
    expect((await second.exit).code).toBe(0);

    const resumed = first.text().slice(outputAtPause);
    expect({ code: firstExit.code, signal: firstExit.signal }).toEqual({ code: 1, signal: null });
    // Every order drafted exactly once; the only uncertain one is the draft in flight at the pause.
    expect(duplicateDrafts(shop.cashman.drafts)).toEqual([]);
    const drafted = new Set(shop.cashman.drafts.map((d) => orderNumberOf(d.rows[0]?.['egyeb'])));
    expect(drafted.size).toBe(ORDERS);
    const final = states();
    expect(final['quarantined'] ?? 0).toBe(0);
    expect((final['done'] ?? 0) + (final['uncertain'] ?? 0)).toBe(ORDERS);
    const uncertain = read((db) => (db.prepare(`SELECT order_number FROM orders WHERE state = 'uncertain'`).all() as { order_number: string }[]).map((r) => r.order_number));
    expect(uncertain).toEqual([inFlight]);

    // The resumed process wrote no order, cycle or summary and said so.
    expect(resumed).not.toMatch(/order quarantined|cycle finished|cycle failed|draft created in Cashman/);
    expect(resumed).toContain('stopped: another process took over the ledger');
    const kinds = hook.calls.map((call) => String(call.json['kind']));
    expect(kinds.filter((kind) => kind === 'quarantined')).toEqual([]);
    const stopped = hook.calls.filter((call) => call.json['kind'] === 'writer-stopped');
    expect(stopped).toHaveLength(1);
    expect(String(stopped[0]?.json['reason'])).toMatch(new RegExp(`^"run" \\(pid ${first.process.pid}\\) was paused or stalled for longer than 30 s, and "run" \\(pid ${second.process.pid} on host `));
    // No cycle row was left by the paused one after the takeover: each finished cycle belongs to the second.
    const unfinished = read((db) => (db.prepare('SELECT COUNT(*) AS n FROM cycles WHERE finished_at IS NULL').get() as { n: number }).n);
    expect(unfinished).toBe(1); // the first run's cycle, cut by the pause and never closed
  }, 180_000);

  it('a start while another process holds the file in the middle of a write is refused with a sentence (exit 1)', async () => {
    shop.shoprenter.addOrders(sampleShop(1, 17));
    expect((await runToEnd(['once'], env, dir)).code).toBe(0);
    // What a process stopped mid-commit leaves: SQLite's write lock, held.
    const holder = new Database(env['DATABASE_PATH']);
    holder.exec('BEGIN IMMEDIATE');
    try {
      const refused = await runToEnd(['once'], { ...env, LOG_FORMAT: 'pretty' }, dir);
      expect(refused).toEqual({
        code: 1,
        text: 'The ledger file stayed locked by another process for more than 5 s (a process paused or stalled in the middle of a write, or a sqlite3 session or backup holding it); resume or stop that process, then start this one again.\n',
      });
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  }, 60_000);
});