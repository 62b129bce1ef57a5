import type { MappingCpu } from './mapping-cpu.js';
import type { BackfillResult } from './scenario-backfill.js';
import type { LatencyResult } from './scenario-latency.js';
import type { WebhookLatencyResult } from './scenario-webhooks.js';

/**
 * The target table `npm run bench` prints: each figure against its limit (PASS/MISS with the
 * margin). The limits are the product's promises (SPEC §5) and issue 20's "lean again" targets.
 */
export interface TargetCheck {
  name: string;
  target: string;
  value: number | null;
  unit: string;
  pass: boolean;
  margin: string;
}

export const fmt = (value: number | null | undefined, digits = 0): string =>
  value === null || value === undefined || Number.isNaN(value) ? 'n/a' : value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** A figure against its limit; a figure the run did not measure is a MISS ("not measured"), never a PASS. */
export function check(name: string, value: number | null, op: '<=' | '>=', limit: number, unit: string, digits = 2): TargetCheck {
  const target = `${op === '<=' ? '≤' : '≥'} ${fmt(limit, limit % 1 === 0 ? 0 : 2)} ${unit}`.trim();
  if (value === null || Number.isNaN(value)) return { name, target, value, unit, pass: false, margin: 'not measured' };
  const pass = op === '<=' ? value <= limit : value >= limit;
  const diff = op === '<=' ? limit - value : value - limit;
  const percent = limit === 0 ? '' : ` (${fmt((diff / limit) * 100, 0)}%)`;
  return { name, target, value, unit, pass, margin: `${diff >= 0 ? '+' : ''}${fmt(diff, digits)} ${unit}${percent}`.replace(/\s+/g, ' ').trim() };
}

type Find = (integration: BackfillResult['integration'], latencyOn: boolean, orders?: number) => BackfillResult | undefined;

/** The plain (lookups off) backfill of one integration, with or without latency, of a size. */
export function finder(backfills: readonly BackfillResult[]): Find {
  return (integration, latencyOn, orders) =>
    backfills.find(
      (b) =>
        b.integration === integration &&
        !b.enrich &&
        (b.profile.cashmanLatencyMs + b.profile.shoprenterLatencyMs > 0) === latencyOn &&
        (orders === undefined || b.orders === orders),
    );
}

/**
 * SPEC §5's goal (the draft within 2 s, median, of its order_confirm webhook; never a duplicate)
 * on the run with lookups off, and issue 20's p50 ≤ 0.5 s on the run with the shipped defaults.
 * Either run may be absent (`--only-webhooks`, or skipped): its rows then say "not measured".
 */
export function webhookTargets(plain: WebhookLatencyResult | null, shipped: WebhookLatencyResult | null): TargetCheck[] {
  const runs = [plain, shipped].filter((w): w is WebhookLatencyResult => w !== null);
  const duplicates = runs.length === 0 ? null : runs.reduce((sum, w) => sum + w.duplicates, 0);
  return [
    ...(plain || !shipped
      ? [
          check('Webhook-to-draft p50 (30 s polling beside)', plain?.p50 ?? null, '<=', 2, 's'),
          check('Webhook-to-draft max', plain?.max ?? null, '<=', 5, 's'),
        ]
      : []),
    check('Webhook-to-draft p50, shipped defaults (option + unit reads on)', shipped?.p50 ?? null, '<=', 0.5, 's'),
    check('Duplicate drafts across duplicate and out-of-order webhooks', duplicates, '<=', 0, '', 0),
  ];
}

export function checkTargets(backfills: readonly BackfillResult[], latency: readonly LatencyResult[], sizes: readonly number[], cpu: MappingCpu | null): TargetCheck[] {
  const find = finder(backfills);
  const daemonRuns = backfills.filter((b) => b.integration === 'daemon' && !b.enrich);
  const enriched = backfills.find((b) => b.integration === 'daemon' && b.enrich);
  const largest = Math.max(...sizes);
  const idle = daemonRuns.find((b) => b.idle)?.idle ?? null;
  const big = find('daemon', false, largest);
  const sum = (pick: (b: BackfillResult) => number) => daemonRuns.reduce((s, b) => s + pick(b), 0);
  const perOrder = (kind: 'new' | 'returningUnchanged' | 'returningChanged') => {
    const orders = sum((b) => b.cashman.perBuyer[kind].orders);
    return orders === 0 ? null : sum((b) => b.cashman.perBuyer[kind].requests) / orders;
  };
  const latencyOn = find('daemon', true);
  const daemonLatency = latency.find((l) => l.integration === 'daemon');
  return [
    check('CPU per order, pure mapping (normalize + partner + draft)', cpu?.cpuUsPerOrder ?? null, '<=', 100, 'µs', 1),
    check('Shoprenter requests per idle cycle', idle?.perCycle ?? null, '<=', 1, 'req'),
    check(`Shoprenter requests per 200 new orders (N=${fmt(largest)})`, big?.shoprenter.per200NewOrders ?? null, '<=', 1.2, 'req'),
    check(
      `Shoprenter reads per product line, shipped defaults, fresh ledger (N=${fmt(enriched?.orders)})`,
      enriched?.lines?.readsPerLine ?? null,
      '<=',
      1,
      'req/line',
    ),
    check('429 answers, all daemon runs', sum((b) => b.shoprenter.status429), '<=', 0, '', 0),
    check('Cashman requests, returning unchanged buyer', perOrder('returningUnchanged'), '<=', 1, 'req/order', 3),
    check('Cashman requests, new buyer', perOrder('new'), '<=', 2, 'req/order', 3),
    check('Cashman requests, returning changed buyer', perOrder('returningChanged'), '<=', 2, 'req/order', 3),
    check(`Backfill floor/actual, latency on (N=${fmt(latencyOn?.orders)})`, latencyOn?.floorRatio ?? null, '>=', 0.93, ''),
    ...sizes.map((n) => {
      const run = find('daemon', false, n);
      return check(`Throughput, latency off, backfill cycle (N=${fmt(n)})`, run?.cycleOrdersPerSecond ?? run?.ordersPerSecond ?? null, '>=', 300, 'orders/s', 0);
    }),
    check('Latency p50 at 30 s polling', daemonLatency?.p50 ?? null, '<=', 16, 's'),
    check('Latency max at 30 s polling', daemonLatency?.max ?? null, '<=', 32, 's'),
    check(`Peak RSS during the N=${fmt(largest)} backfill`, big?.peakRssMb ?? null, '<=', 100, 'MB', 1),
  ];
}
