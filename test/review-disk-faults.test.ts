import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { demoConfigYaml, startLocalShop, type LocalShop } from '../src/standins/local-shop.js';
import { buildShoprenterOrder } from '../src/standins/shoprenter-fixtures.js';
import { duplicateDrafts, orderNumberOf, requireBuild, runToEnd } from './helpers/processes.js';
import { SIMPLE_ORDER } from './helpers/order-specs.js';

/**
 * Review of 0.5.2 (the intent's sync beside the event loop), with the real daemon on a disk that
 * misbehaves: test/fixtures/disk/fsync-shim.c, compiled here and preloaded (LD_PRELOAD), makes
 * fsync refuse. SQLite's own sync ignores a folder's fsync result (some file systems refuse it with
 * EINVAL); a refused sync of the WAL must send nothing and lose nothing.
 */

const SHIM_SOURCE = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'disk', 'fsync-shim.c');

let shim: string;
let workDir: string;
beforeAll(() => {
  requireBuild();
  workDir = mkdtempSync(join(tmpdir(), 'scs-disk-'));
  shim = join(workDir, 'fsync-shim.so');
  // The C compiler that `npm ci` needs for better-sqlite3 builds the shim too.
  execFileSync('cc', ['-shared', '-fPIC', '-O2', '-o', shim, SHIM_SOURCE, '-ldl']);
});
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

let shop: LocalShop | undefined;
afterEach(async () => {
  await shop?.close();
  shop = undefined;
});

async function shopWith(orders: number[]): Promise<{ shop: LocalShop; env: Record<string, string>; dir: string }> {
  shop = await startLocalShop({ shoprenter: { rateLimitPerSecond: 3 }, cashman: {} });
  orders.forEach((innerId, i) => {
    const dateUpdated = `2026-11-20T10:00:0${i}`;
    shop!.shoprenter.addOrder(buildShoprenterOrder({ ...SIMPLE_ORDER, email: `buyer${innerId}@example.hu`, innerId, dateUpdated }));
  });
  const dir = mkdtempSync(join(workDir, 'shop-'));
  writeFileSync(join(dir, 'config.yaml'), demoConfigYaml({ productLookups: false }));
  return { shop, dir, env: { ...shop.env, CONFIG_PATH: join(dir, 'config.yaml'), DATABASE_PATH: join(dir, 'data', 'sync.db') } };
}

describe('review of 0.5.2: the daemon on a disk that refuses fsync', () => {
  it('a folder whose fsync is refused (EINVAL) drafts as under SQLite\'s own sync', async () => {
    const { shop, dir, env } = await shopWith([801, 802]);
    const once = await runToEnd(['once'], { ...env, LD_PRELOAD: shim, SHIM_DIR_EINVAL: '1' }, dir);
    expect(once.text).toContain('2 drafted');
    expect(once.code).toBe(0);
    expect(shop.cashman.drafts.map((d) => orderNumberOf(d.rows[0]?.['egyeb'])).sort()).toEqual(['801', '802']);
  });

  it.each([1, 2, 3, 4])('the WAL sync of intent %i refused (EIO): that request is not sent, nothing is counted, and the next run drafts every order once', async (at) => {
    const { shop, dir, env } = await shopWith([811, 812]);
    const refused = await runToEnd(['once'], { ...env, LD_PRELOAD: shim, SHIM_WAL_EIO_AT: String(at) }, dir);
    expect(refused.code).toBe(1);
    expect(refused.text).toMatch(/could not be made durable on disk \(EIO.*nothing was sent.*DATABASE_PATH/);
    // Intents go partner, draft, partner, draft: the refused one's request never arrived.
    expect(shop.cashman.received.map((r) => r.operation)).toEqual([9, 4, 9, 4].slice(0, at - 1));
    const ledger = new Database(env['DATABASE_PATH'], { readonly: true });
    try {
      const rows = ledger.prepare(`SELECT order_number, state, attempts FROM orders ORDER BY order_number`).all();
      const expected = [
        { order_number: '811', state: at <= 2 ? 'pending' : 'done', attempts: 0 },
        ...(at <= 2 ? [] : [{ order_number: '812', state: 'pending', attempts: 0 }]),
      ];
      expect(rows).toEqual(expected);
      const refusedAudit = ledger.prepare(`SELECT kind, outcome FROM audit WHERE outcome = 'LEDGER_SYNC'`).all();
      expect(refusedAudit).toEqual([{ kind: at % 2 === 1 ? 'partner' : 'draft', outcome: 'LEDGER_SYNC' }]);
      expect(ledger.prepare(`SELECT COUNT(*) AS n FROM partners WHERE pending IS NOT NULL`).get()).toEqual({ n: 0 });
    } finally {
      ledger.close();
    }

    const next = await runToEnd(['once'], env, dir);
    expect(next.code).toBe(0);
    expect(duplicateDrafts(shop.cashman.drafts)).toEqual([]);
    expect(shop.cashman.drafts.map((d) => orderNumberOf(d.rows[0]?.['egyeb'])).sort()).toEqual(['811', '812']);
    expect(next.text).not.toMatch(/uncertain: [1-9]|marked uncertain/);
  });
});
