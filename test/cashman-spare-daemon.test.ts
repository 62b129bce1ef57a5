import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { demoConfigYaml, startLocalShop, type LocalShop } from '../src/standins/local-shop.js';
import { buildShoprenterOrder } from '../src/standins/shoprenter-fixtures.js';
import { SIMPLE_ORDER } from './helpers/order-specs.js';
import { duplicateDrafts, requireBuild, runToEnd } from './helpers/processes.js';

/**
 * The connection opened ahead (src/net-spare.ts) in the real daemon, against the Cashman stand-in
 * that numbers the connections it accepts: a backfill of new buyers (a partner save, then its
 * draft, order after order) sends every request on a connection of its own, leaves at most one
 * connection unused, and drafts each order once; with `cashman.preconnect: false` it opens exactly
 * one connection per request.
 */

let shop: LocalShop | undefined;
let dir: string | undefined;
afterEach(async () => {
  await shop?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  shop = undefined;
  dir = undefined;
});

async function backfill(preconnect: boolean | null, cashmanLatencyMs = 0, orders = 12): Promise<LocalShop> {
  requireBuild();
  // A partner save is answered once a newer connection was accepted (or after 2 s without one), so
  // whether the draft's connection was opened while the save waited does not depend on timing.
  const onProcessed = async ({ operation }: { operation: number }): Promise<void> => {
    const mine = shop?.cashman.received.at(-1)?.connection ?? 0;
    const until = Date.now() + 2000;
    while (operation === 9 && (shop?.cashman.stats.connections ?? 0) <= mine && Date.now() < until) await new Promise((r) => setTimeout(r, 2));
  };
  const cashman = { latencyMs: cashmanLatencyMs, ...(preconnect === false || cashmanLatencyMs > 0 ? {} : { onProcessed }) };
  shop = await startLocalShop({ shoprenter: { rateLimitPerSecond: 3 }, cashman });
  for (let n = 0; n < orders; n += 1) {
    shop.shoprenter.addOrder(buildShoprenterOrder({ ...SIMPLE_ORDER, email: `vevo${n}@example.hu`, innerId: 900 + n, dateUpdated: `2026-11-20T10:00:${String(10 + n)}` }));
  }
  dir = mkdtempSync(join(tmpdir(), 'scs-spare-daemon-'));
  const yaml = demoConfigYaml({ productLookups: false });
  writeFileSync(join(dir, 'config.yaml'), preconnect === null ? yaml : `${yaml}  preconnect: ${preconnect}\n`);
  const env = { ...shop.env, CONFIG_PATH: join(dir, 'config.yaml'), DATABASE_PATH: join(dir, 'sync.db') };
  const { code } = await runToEnd(['once'], env, dir);
  expect(code).toBe(0);
  return shop;
}

describe('the daemon opens the next Cashman connection while the current request is answered', () => {
  it('by default: one request per connection, at most one left unused, every order drafted once', async () => {
    const s = await backfill(null);
    const requests = s.cashman.received.filter((r) => r.operation === 9 || r.operation === 4);
    expect(requests.map((r) => r.operation)).toEqual(Array.from({ length: 24 }, (_, i) => (i % 2 === 0 ? 9 : 4)));
    const connections = s.cashman.received.map((r) => r.connection);
    expect(new Set(connections).size).toBe(connections.length);
    expect(s.cashman.stats.connections - s.cashman.received.length).toBeGreaterThanOrEqual(0);
    expect(s.cashman.stats.connections - s.cashman.received.length).toBeLessThanOrEqual(1);
    expect(s.cashman.drafts).toHaveLength(12);
    expect(duplicateDrafts(s.cashman.drafts)).toEqual([]);
    // Opened ahead: every draft's connection was there before its partner save was answered.
    const drafts = s.cashman.received.flatMap((r, i) => (r.operation === 4 ? [{ draft: r, partner: s.cashman.received[i - 1] }] : []));
    const ahead = drafts.filter(({ draft, partner }) => partner?.answeredAt !== undefined && draft.connectedAt < partner.answeredAt);
    expect(ahead).toHaveLength(12);
  });

  it('with Cashman answering in more than half a second (a connection opened ahead could expire, or meet a proxy\'s idle limit), none is opened ahead', async () => {
    const s = await backfill(null, 600, 3);
    expect(s.cashman.drafts).toHaveLength(3);
    // The first partner save has no answer time to go by yet: at most its draft gets one.
    expect(s.cashman.stats.connections - s.cashman.received.length).toBe(0);
    const ahead = s.cashman.received.filter((r, i) => i > 1 && r.connectedAt < (s.cashman.received[i - 1]?.answeredAt ?? 0));
    expect(ahead).toEqual([]);
  });

  it('with cashman.preconnect: false, exactly one connection per request', async () => {
    const s = await backfill(false);
    expect(s.cashman.drafts).toHaveLength(12);
    expect(s.cashman.stats.connections).toBe(s.cashman.received.length);
    expect(new Set(s.cashman.received.map((r) => r.connection)).size).toBe(s.cashman.received.length);
    const ahead = s.cashman.received.filter((r, i) => i > 0 && r.connectedAt < (s.cashman.received[i - 1]?.answeredAt ?? 0));
    expect(ahead).toEqual([]);
  });
});
