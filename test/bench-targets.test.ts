import { describe, expect, it } from '@jest/globals';
import type { BackfillResult } from '../bench/scenario-backfill.js';
import type { WebhookLatencyResult } from '../bench/scenario-webhooks.js';
import { checkTargets, webhookTargets, type TargetCheck } from '../bench/targets.js';

/**
 * The bench's target table holds issue 20's limits, and a figure the run did not measure is a
 * MISS, never a silent PASS. Values are put right at and just past each limit by hand.
 */
const profile = (latency: boolean) => ({ shoprenterLatencyMs: latency ? 100 : 0, cashmanLatencyMs: latency ? 30 : 0, rateLimitPerSecond: 3 });
const cost = { orders: 10, requests: 10, perOrder: 1 };

function backfill(over: Partial<BackfillResult> & Pick<BackfillResult, 'orders'>): BackfillResult {
  return {
    integration: 'daemon',
    enrich: false,
    measuredOrders: over.orders,
    profile: profile(false),
    drafted: over.orders,
    wallMs: 1000,
    floorMs: 1000,
    floorRatio: 1,
    nominalFloorMs: 1000,
    ordersPerSecond: 1000,
    shoprenter: { requests: 0, tokenRequests: 1, listRequests: 0, perOrderRequests: 0, status429: 0, per200NewOrders: 1 },
    cashman: { requests: 0, perBuyer: { new: { ...cost, requests: 20, perOrder: 2 }, returningUnchanged: cost, returningChanged: { ...cost, requests: 20, perOrder: 2 } }, unattributed: 0 },
    peakRssMb: 50,
    lines: null,
    idle: null,
    cycleMs: 100,
    cycleOrdersPerSecond: 1000,
    ...over,
  };
}

const webhook = (p50: number, enrich: boolean): WebhookLatencyResult => ({ intervalSeconds: 30, enrich, orders: 10, drafted: 10, p50, p95: p50, max: p50, duplicates: 0, deliveries: 12, samples: [] });

function byName(targets: TargetCheck[], start: string): TargetCheck {
  const found = targets.find((t) => t.name.startsWith(start));
  if (!found) throw new Error(`no target "${start}" in: ${targets.map((t) => t.name).join('; ')}`);
  return found;
}

describe('bench target table (issue 20)', () => {
  const runs = (edge: 'at' | 'past'): BackfillResult[] => {
    const past = edge === 'past';
    return [
      backfill({ orders: 1000, profile: profile(true), floorRatio: past ? 0.929 : 0.93 }),
      backfill({ orders: 1000, cycleOrdersPerSecond: past ? 299 : 300 }),
      backfill({ orders: 10_000, cycleOrdersPerSecond: past ? 299 : 300, peakRssMb: past ? 100.1 : 100, shoprenter: { requests: 0, tokenRequests: 1, listRequests: 0, perOrderRequests: 0, status429: 0, per200NewOrders: past ? 1.21 : 1.2 } }),
      backfill({ orders: 30, enrich: true, profile: profile(true), lines: { productLines: 60, reads: past ? 61 : 60, batches: 0, optionReads: 0, otherLookupReads: 0, readsPerLine: past ? 61 / 60 : 1 } }),
    ];
  };
  const names = ['CPU per order', 'Shoprenter requests per 200 new orders (N=10,000)', 'Shoprenter reads per product line', 'Backfill floor/actual', 'Throughput, latency off, backfill cycle (N=1,000)', 'Throughput, latency off, backfill cycle (N=10,000)', 'Peak RSS during the N=10,000'];

  it('passes every limit exactly at the limit', () => {
    const targets = checkTargets(runs('at'), [], [1000, 10_000], { orders: 1, passes: 1, cpuUsPerOrder: 100 });
    for (const name of names) expect([name, byName(targets, name).pass]).toEqual([name, true]);
    expect(byName(webhookTargets(webhook(0.2, false), webhook(0.5, true)), 'Webhook-to-draft p50, shipped defaults').pass).toBe(true);
  });

  it('misses every limit just past it', () => {
    const targets = checkTargets(runs('past'), [], [1000, 10_000], { orders: 1, passes: 1, cpuUsPerOrder: 100.1 });
    for (const name of names) expect([name, byName(targets, name).pass]).toEqual([name, false]);
    expect(byName(webhookTargets(webhook(0.2, false), webhook(0.51, true)), 'Webhook-to-draft p50, shipped defaults').pass).toBe(false);
  });

  it('a figure the run did not measure is a MISS, not a PASS', () => {
    const targets = checkTargets([], [], [1000], null);
    expect(targets.filter((t) => t.margin === 'not measured').every((t) => !t.pass)).toBe(true);
    for (const name of ['CPU per order', 'Shoprenter reads per product line']) expect(byName(targets, name).margin).toBe('not measured');
    const shippedMissing = byName(webhookTargets(webhook(0.2, false), null), 'Webhook-to-draft p50, shipped defaults');
    expect([shippedMissing.pass, shippedMissing.margin]).toEqual([false, 'not measured']);
  });
});
