import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoConfigYaml, startLocalShop, type LocalShop } from '../src/standins/local-shop.js';
import { sampleShop } from '../src/standins/shoprenter-fixtures.js';
import { startWebhook, type WebhookServer } from './alerts-webhook.js';
import { requireBuild, runToEnd, spawnCli, waitFor, type Child } from './helpers/processes.js';

/**
 * Issue 16 §7, every stop alerted, with real processes, the stand-ins and the test webhook
 * receiver: a revoked Shoprenter client alerts at the first failed cycle (no three-cycle grace),
 * and a cycle that fails for this process's own reason (here a SQLite error: another program holds
 * the ledger's write lock past the busy timeout) opens one `sync-failing` episode: alerted once with
 * the cause, and once when it is over.
 */

describe('every stop alerted (real processes)', () => {
  let shop: LocalShop;
  let hook: WebhookServer;
  let dir: string;
  let env: Record<string, string>;
  const children: Child[] = [];

  beforeEach(async () => {
    requireBuild();
    shop = await startLocalShop();
    hook = await startWebhook();
    dir = mkdtempSync(join(tmpdir(), 'scs-stops-'));
    writeFileSync(join(dir, 'config.yaml'), demoConfigYaml({ intervalSeconds: 5, productLookups: false }));
    env = { ...shop.env, CONFIG_PATH: join(dir, 'config.yaml'), DATABASE_PATH: join(dir, 'sync.db'), ALERT_WEBHOOK_URL: hook.url, LOG_LEVEL: 'info' };
  });
  afterEach(async () => {
    for (const child of children.splice(0)) child.process.kill('SIGKILL');
    await hook.close();
    await shop.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const kinds = (): string[] => hook.calls.map((call) => String(call.json['kind']));
  const reasonOf = (kind: string): string => String(hook.calls.find((call) => call.json['kind'] === kind)?.json['reason']);

  it('a revoked Shoprenter client (401 on the token endpoint) alerts at the first once; once more says nothing new; fixed, it recovers', async () => {
    shop.shoprenter.addOrders(sampleShop(2, 71));
    const revoked = { ...env, SHOPRENTER_CLIENT_SECRET: 'revoked-in-the-shop-admin' };
    const first = await runToEnd(['once'], revoked, dir);
    expect(first.code).toBe(1);
    expect(kinds()).toEqual(['shoprenter-login-failed']);
    expect(reasonOf('shoprenter-login-failed')).toMatch(/401|refused|credentials|client/i);
    expect(hook.calls[0]?.raw).not.toContain('revoked-in-the-shop-admin');

    expect((await runToEnd(['once'], revoked, dir)).code).toBe(1);
    expect(kinds()).toEqual(['shoprenter-login-failed']); // one episode, one alert

    expect((await runToEnd(['once'], env, dir)).code).toBe(0);
    expect(kinds()).toEqual(['shoprenter-login-failed', 'shoprenter-login-recovered']);
    expect(shop.cashman.drafts).toHaveLength(2);
  }, 60_000);

  it('a 401 on every API call (a scope taken away) alerts at the first once', async () => {
    shop.shoprenter.addOrders(sampleShop(2, 72));
    expect((await runToEnd(['once'], env, dir)).code).toBe(0); // a working ledger first
    shop.shoprenter.setFault({ kind: 'status', status: 401, path: '/orderExtend', times: 1_000 });
    expect((await runToEnd(['once'], env, dir)).code).toBe(1);
    expect(kinds()).toEqual(['shoprenter-login-failed']);
    shop.shoprenter.clearFaults();
    expect((await runToEnd(['once'], env, dir)).code).toBe(0);
    expect(kinds()).toEqual(['shoprenter-login-failed', 'shoprenter-login-recovered']);
  }, 60_000);

  it('cycles failing on a SQLite error alert one sync-failing episode with the cause, and its end', async () => {
    shop.shoprenter.addOrders(sampleShop(3, 73));
    const run = spawnCli(['run'], env, dir);
    children.push(run);
    await waitFor(() => shop.cashman.drafts.length === 3 && run.text().includes('cycle finished'), 30_000, 'the first cycle');

    // Another program (a backup tool, `sqlite3` left in a transaction) holds the write lock.
    const other = new Database(env['DATABASE_PATH']);
    other.exec('BEGIN IMMEDIATE');
    try {
      // Each blocked write waits out SQLite's 5 s busy timeout (and blocks the process meanwhile), so
      // the alert takes several of those: a generous limit, never an assertion on speed.
      await waitFor(() => kinds().includes('sync-failing'), 120_000, 'the sync-failing alert');
    } finally {
      other.exec('COMMIT');
      other.close();
    }
    expect(reasonOf('sync-failing')).toMatch(/database is locked/);
    await waitFor(() => kinds().includes('sync-recovered'), 120_000, 'the recovery alert');
    run.process.kill('SIGTERM');
    expect((await run.exit).code).toBe(0);
    expect(kinds()).toEqual(['sync-failing', 'sync-recovered']);
  }, 300_000);
});
