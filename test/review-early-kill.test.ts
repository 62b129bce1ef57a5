import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { addMinutes, shopNow } from '../src/domain/shop-clock.js';
import { demoConfigYaml, startLocalShop, type LocalShop } from '../src/standins/local-shop.js';
import { sampleShop } from '../src/standins/shoprenter-fixtures.js';
import { Ledger } from '../src/store/ledger.js';
import { duplicateDrafts, orderNumberOf, requireBuild, runToEnd, spawnCli } from './helpers/processes.js';

/**
 * Review of 0.5.1 (the window answered early), with the real daemon: the stop/kill lands exactly
 * when the confirmation of the early window is asked (after the early hand-over and the next
 * window), and an order the first page never showed (stamped inside the early window, placed after
 * the first page) waits for that confirmation. The next run must draft it, nothing twice, and the
 * cursor must not have moved. Shoprenter paced at 3 requests a second, as the real one.
 */
const TZ = 'Europe/Budapest';
const N = 600;

function config(startFrom: string): string {
  const c = parseYaml(demoConfigYaml({ startFrom, intervalSeconds: 5 })) as Record<string, Record<string, unknown>>;
  c['invoice'] = { ...c['invoice'], productOptions: false };
  c['units'] = { ...c['units'], fromProducts: false };
  return stringifyYaml(c);
}

describe.each(['SIGKILL', 'SIGTERM'] as const)('daemon stopped (%s) at the early window\'s confirmation', (signal) => {
  let shop: LocalShop;
  let dir: string;
  let env: Record<string, string>;
  let startFrom: string;
  let orders: Record<string, unknown>[];
  beforeAll(async () => {
    requireBuild();
    shop = await startLocalShop({ shoprenter: { rateLimitPerSecond: 3 } });
    const start = addMinutes(shopNow(new Date(), TZ), -(N * 120 + 60));
    startFrom = addMinutes(start, -60);
    orders = sampleShop(N, 7, { start, addons: false });
    shop.shoprenter.addOrders(orders);
    dir = mkdtempSync(join(tmpdir(), 'scs-early-kill-'));
    writeFileSync(join(dir, 'config.yaml'), config(startFrom));
    env = { ...shop.env, CONFIG_PATH: join(dir, 'config.yaml'), DATABASE_PATH: join(dir, 'data', 'sync.db'), LOG_LEVEL: 'info', LOG_FORMAT: 'json' };
  });
  afterAll(async () => {
    await shop.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loses nothing, drafts nothing twice, leaves the cursor where it was', async () => {
    const late = structuredClone(orders[40]) as Record<string, unknown>;
    const lateNumber = 990001;
    Object.assign(late, { id: 'b3JkZXItb3JkZXJfaWQ9OTkwMDAx', innerId: lateNumber, email: 'late.buyer@example.hu' });
    const queries: string[] = [];
    const daemon = spawnCli(['run'], env, dir);
    let killedAt = -1;
    let draftsAtKill = -1;
    let status429AtKill = -1;
    shop.shoprenter.listing.onList = (q) => {
      if (!q.has('updatedAtMin')) return;
      queries.push(`${q.get('updatedAtMin')}..${q.get('updatedAtMax') ?? ''}`);
      // The first page answered: place an order stamped inside the early window (the page never showed it).
      if (queries.length === 2) shop.shoprenter.addOrder(late);
      // The confirmation: the first window asked again, closed, after the next one.
      if (killedAt < 0 && queries.length >= 3 && q.get('updatedAtMin') === queries[0]?.split('..')[0] && q.get('updatedAtMax') !== null) {
        killedAt = queries.length;
        draftsAtKill = shop.cashman.drafts.length;
        status429AtKill = shop.shoprenter.stats.status429;
        daemon.process.kill(signal);
      }
    };
    await daemon.exit;
    shop.shoprenter.listing.onList = null;
    expect(killedAt).toBe(3);
    expect(draftsAtKill).toBeGreaterThan(150);
    // Paced at 3 a second up to the confirmation: Shoprenter never refused a request.
    expect(status429AtKill).toBe(0);
    const ledger = Ledger.open(env['DATABASE_PATH'] as string);
    const cursor = ledger.getMeta('cursor');
    const lateRow = ledger.findOrder(String(lateNumber));
    ledger.close();
    // The walk did not complete: the cursor must not have moved, the late order not drafted yet.
    expect(cursor ?? null).toBeNull();
    expect(lateRow?.state ?? null).toBeNull();

    const again = await runToEnd(['once'], env, dir, 120_000);
    expect(again.code).toBe(0);
    const check = Ledger.open(env['DATABASE_PATH'] as string);
    const states = new Map((check.db.prepare('SELECT order_number, state FROM orders').all() as { order_number: string; state: string }[]).map((r) => [r.order_number, r.state]));
    const after = check.getMeta('cursor');
    check.close();
    expect(duplicateDrafts(shop.cashman.drafts)).toEqual([]);
    expect(states.get(String(lateNumber))).toBe('done');
    const drafted = new Set(shop.cashman.drafts.map((d) => orderNumberOf(d.rows[0]?.['egyeb'])));
    expect(drafted.has(String(lateNumber))).toBe(true);
    // Every order of the shop reached a ledger state (none pending/failed, none missing).
    const missing = [...orders, late].map((o) => String(o['innerId'])).filter((n) => !states.has(n) || ['pending', 'failed', 'submitting'].includes(states.get(n) as string));
    expect(missing).toEqual([]);
    expect(after).not.toBeNull();
  });
});
