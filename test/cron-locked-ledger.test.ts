import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoConfigYaml, startLocalShop, type LocalShop } from '../src/standins/local-shop.js';
import { sampleShop } from '../src/standins/shoprenter-fixtures.js';
import { startWebhook, type WebhookServer } from './alerts-webhook.js';
import { requireBuild, runToEnd, spawnCli, waitFor } from './helpers/processes.js';

/**
 * Issue 16 §7 for the README's other way to run, `once` from cron (found in review): another program
 * holds the ledger's write lock (a backup, a sqlite3 session left in a transaction) while a `once`
 * is mid-cycle. The alert cannot be queued in the locked ledger, so it is sent from memory; it used
 * to be cut when `once` exited, so the stop was never told. A process that cannot write its ledger
 * cannot remember an episode either: each such run alerts (README, known limits), never none.
 */
describe('once from cron whose cycles fail on a SQLite error mid-cycle', () => {
  let shop: LocalShop;
  let hook: WebhookServer;
  let dir: string;
  let env: Record<string, string>;

  beforeEach(async () => {
    requireBuild();
    shop = await startLocalShop({ shoprenter: { latencyMs: 1_500 } });
    hook = await startWebhook();
    dir = mkdtempSync(join(tmpdir(), 'scs-cron-locked-'));
    writeFileSync(join(dir, 'config.yaml'), demoConfigYaml({ productLookups: false }));
    env = { ...shop.env, CONFIG_PATH: join(dir, 'config.yaml'), DATABASE_PATH: join(dir, 'sync.db'), ALERT_WEBHOOK_URL: hook.url, LOG_LEVEL: 'info' };
  });
  afterEach(async () => {
    await hook.close();
    await shop.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('alerts the stop on every failed run, and drafts nothing twice', async () => {
    shop.shoprenter.addOrders(sampleShop(2, 93));
    expect((await runToEnd(['once'], env, dir, 60_000)).code).toBe(0);
    for (let i = 0; i < 2; i++) {
      const asked = shop.shoprenter.requestLog.length;
      const child = spawnCli(['once'], env, dir);
      // Holding the writer lock and waiting on Shoprenter's slow list (its answer takes 1.5 s): the
      // list request has arrived and is not answered yet. Waited for, not slept: a busy machine
      // starts the process late.
      await waitFor(
        () => shop.shoprenter.requestLog.slice(asked).some((entry) => entry.path.endsWith('/orderExtend') && entry.status === 0),
        60_000,
        'the once process asking for the order list',
      );
      const other = new Database(env['DATABASE_PATH']);
      other.exec('BEGIN IMMEDIATE');
      try {
        const exit = await child.exit;
        expect(exit.code).toBe(1);
      } finally {
        other.exec('COMMIT');
        other.close();
      }
    }
    expect((await runToEnd(['once'], env, dir, 60_000)).code).toBe(0);
    const failing = hook.calls.filter((c) => c.json['kind'] === 'sync-failing');
    expect(failing).toHaveLength(2);
    expect(String(failing[0]!.json['reason'])).toMatch(/database is locked/);
    expect(shop.cashman.drafts).toHaveLength(2);
  }, 300_000);
});
