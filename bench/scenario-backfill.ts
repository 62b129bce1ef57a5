import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalShop, type LocalShop } from '../src/standins/local-shop.js';
import type { RequestLogEntry } from '../src/standins/shoprenter-standin.js';
import { normalizeOrder } from '../src/shoprenter/normalize-order.js';
import { OneByOneSync } from './baseline.js';
import { startDaemon, nowMs } from './daemon-process.js';
import { cashmanPerBuyer, floorMs, remoteCalls, round, type BuyerCost, type RemoteProfile } from './figures.js';
import { benchConfigYaml, benchShop, type BuyerClass } from './shop-data.js';

/** One backfill: a shop of `orders` orders drafted from scratch by one integration. */
export interface BackfillResult {
  integration: 'daemon' | 'baseline';
  /** Per-line option and per-product unit reads on (the shipped defaults) or off. */
  enrich: boolean;
  orders: number;
  /** Orders actually run; smaller than `orders` for the baseline, whose times are then scaled. */
  measuredOrders: number;
  profile: RemoteProfile;
  drafted: number;
  /** Start (daemon: spawn of the process) to the end of the backfill cycle. */
  wallMs: number;
  /** Same calls, each as long as the stand-in took to answer it, zero work of our own. */
  floorMs: number;
  floorRatio: number;
  /** Same calls at exactly the configured latency (the stand-ins' timers and processing not counted). */
  nominalFloorMs: number;
  ordersPerSecond: number;
  shoprenter: { requests: number; tokenRequests: number; listRequests: number; perOrderRequests: number; status429: number; per200NewOrders: number };
  cashman: { requests: number; perBuyer: Record<BuyerClass, BuyerCost & { perOrder: number }>; unattributed: number };
  peakRssMb: number | null;
  /**
   * Runs with the shipped defaults: Shoprenter reads (every GET but the token's, list pages
   * included) per product line of the shop's orders, on the fresh ledger each run starts with.
   */
  lines: { productLines: number; reads: number; batches: number; optionReads: number; otherLookupReads: number; readsPerLine: number } | null;
  idle: {
    cycles: number;
    requests: number;
    perCycle: number;
    cashmanRequests: number;
    /** Polls after the backfill that still re-read part of the backlog, and their requests. */
    catchUp: { cycles: number; requests: number };
  } | null;
  /** Backfill cycle alone (from the daemon's own summary line), excluding the process start. */
  cycleMs: number | null;
  cycleOrdersPerSecond: number | null;
  exitCode?: number | null;
}

const CYCLE_END = /\bcycle (finished|failed|interrupted)/;

async function withShop<T>(profile: RemoteProfile, orders: Record<string, unknown>[], run: (shop: LocalShop, dir: string) => Promise<T>): Promise<T> {
  const shop = await startLocalShop({
    shoprenter: { rateLimitPerSecond: profile.rateLimitPerSecond, latencyMs: profile.shoprenterLatencyMs },
    cashman: { latencyMs: profile.cashmanLatencyMs },
  });
  const dir = mkdtempSync(join(tmpdir(), 'scs-bench-'));
  try {
    shop.shoprenter.addOrders(orders);
    return await run(shop, dir);
  } finally {
    await shop.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The real daemon (`node dist/main.js run`) backfilling `n` orders; then `idleCycles` idle polls watched. */
export async function daemonBackfill(n: number, seed: number, profile: RemoteProfile, idleCycles: number, enrich = false): Promise<BackfillResult> {
  const data = benchShop(n, seed);
  return withShop(profile, data.orders, async (shop, dir) => {
    const intervalSeconds = 5;
    writeFileSync(join(dir, 'config.yaml'), benchConfigYaml(data.startFrom, intervalSeconds, enrich));
    const daemon = startDaemon({
      cwd: dir,
      env: { ...shop.env, CONFIG_PATH: join(dir, 'config.yaml'), DATABASE_PATH: join(dir, 'data', 'sync.db') },
    });
    try {
      const end = await daemon.waitForLine(CYCLE_END, 30 * 60_000);
      if (!/cycle finished/.test(end.text)) throw new Error(`the backfill cycle did not finish: ${end.text}`);
      const log = shop.shoprenter.requestLog.filter((r) => r.time <= end.at);
      const calls = remoteCalls(shop.shoprenter, shop.cashman).filter((c) => c.at <= end.at);
      const cashmanLog = shop.cashman.received.filter((r) => r.at.getTime() <= end.at);
      const idle = idleCycles > 0 ? await watchIdle(shop, end.at, idleCycles, intervalSeconds, Math.ceil(n / 200)) : null;
      const cycleMs = Number(/\bms=(\d+)/.exec(end.text)?.[1] ?? Number.NaN);
      const peak = daemon.peakRssKb();
      const exitCode = await daemon.stop();
      return {
        ...summarize('daemon', n, n, profile, log, shop, cashmanLog, calls, { from: daemon.spawnedAt, to: end.at }, data.classes),
        enrich,
        cycleMs: Number.isNaN(cycleMs) ? null : cycleMs,
        cycleOrdersPerSecond: Number.isNaN(cycleMs) ? null : round(n / (cycleMs / 1000), 1),
        peakRssMb: peak === null ? null : round(peak / 1024, 1),
        lines: enrich ? readsPerLine(log, shop, data.orders) : null,
        idle,
        exitCode,
      };
    } finally {
      await daemon.stop();
    }
  });
}

/**
 * The one-by-one baseline, in this process, on `sample` orders of the same kind of shop. Its time
 * is rate-limit bound and linear in the orders, so one measurement is scaled to each size in `sizes`
 * (only the per-order part scales: the token and the first list request are paid once).
 */
export async function baselineBackfill(sizes: readonly number[], sample: number, seed: number, profile: RemoteProfile): Promise<BackfillResult[]> {
  const measured = Math.min(sample, ...sizes);
  const data = benchShop(measured, seed);
  return withShop(profile, data.orders, async (shop) => {
    const sync = OneByOneSync.create(shop.env, data.startFrom);
    const started = nowMs();
    const result = await sync.cycle();
    const end = nowMs();
    if (result.drafted === 0) throw new Error('the baseline drafted nothing');
    const log = shop.shoprenter.requestLog.filter((r) => r.time <= end);
    const calls = remoteCalls(shop.shoprenter, shop.cashman);
    const cashmanLog = [...shop.cashman.received];
    const idleFrom = nowMs();
    await sync.cycle();
    const idleLog = shop.shoprenter.requestLog.filter((r) => r.time >= idleFrom);
    const idle = {
      cycles: 1,
      requests: idleLog.length,
      perCycle: idleLog.length,
      cashmanRequests: shop.cashman.received.length - cashmanLog.length,
      catchUp: { cycles: 0, requests: 0 },
    };
    return sizes.map((n) => ({
      ...summarize('baseline', n, measured, profile, log, shop, cashmanLog, calls, { from: started, to: end }, data.classes),
      enrich: false,
      cycleMs: null,
      cycleOrdersPerSecond: null,
      peakRssMb: null,
      lines: null,
      idle,
    }));
  });
}

function summarize(
  integration: BackfillResult['integration'],
  n: number,
  measured: number,
  profile: RemoteProfile,
  log: RequestLogEntry[],
  shop: LocalShop,
  cashmanLog: LocalShop['cashman']['received'],
  calls: ReturnType<typeof remoteCalls>,
  span: { from: number; to: number },
  classes: ReadonlyMap<string, BuyerClass>,
): Omit<BackfillResult, 'peakRssMb' | 'idle' | 'enrich' | 'cycleMs' | 'cycleOrdersPerSecond' | 'lines'> {
  const scale = n / measured;
  const tokenPath = new URL(shop.shoprenter.tokenUrl).pathname;
  const isList = (r: RequestLogEntry) => r.path.endsWith('/orderExtend') || r.path.endsWith('/orders');
  const tokenRequests = log.filter((r) => r.path === tokenPath).length;
  const listRequests = log.filter(isList).length;
  const perOrderRequests = log.length - tokenRequests - listRequests;
  const perBuyer = cashmanPerBuyer(cashmanLog, classes);
  // A sample is scaled by its per-order part only: the token and the list request are paid once.
  const perOrderFrom = log.find((r) => r.path !== tokenPath && !isList(r))?.time ?? span.from;
  const fixed = measured < n ? perOrderFrom - span.from : 0;
  const wallMs = fixed + (span.to - span.from - fixed) * scale;
  const scaled = (exact: boolean) => {
    const fixedFloor = measured < n ? floorMs(calls.filter((c) => c.at < perOrderFrom), profile, exact) : 0;
    return fixedFloor + (floorMs(calls, profile, exact) - fixedFloor) * scale;
  };
  const floor = scaled(true);
  const drafted = cashmanLog.filter((r) => r.operation !== 9).length;
  return {
    integration,
    orders: n,
    measuredOrders: measured,
    profile,
    drafted: Math.round(drafted * scale),
    wallMs: round(wallMs),
    floorMs: round(floor),
    floorRatio: round(floor / wallMs, 3),
    nominalFloorMs: round(scaled(false)),
    ordersPerSecond: round(n / (wallMs / 1000), 1),
    shoprenter: {
      requests: Math.round((log.length - tokenRequests) * scale) + tokenRequests,
      tokenRequests,
      listRequests: Math.ceil(listRequests * scale),
      perOrderRequests: Math.round(perOrderRequests * scale),
      status429: log.filter((r) => r.status === 429).length,
      // Per-order requests scale with the orders; list pages come one per 200 orders.
      per200NewOrders: round((perOrderRequests / measured) * 200 + (listRequests * 200) / Math.max(measured, 200), 2),
    },
    cashman: {
      requests: Math.round(cashmanLog.length * scale),
      perBuyer: {
        new: withPerOrder(perBuyer.new),
        returningUnchanged: withPerOrder(perBuyer.returningUnchanged),
        returningChanged: withPerOrder(perBuyer.returningChanged),
      },
      unattributed: perBuyer.unattributed,
    },
  };
}

/**
 * What a product line costs in Shoprenter reads with the shipped defaults: every GET but the
 * token's (order list pages included, so a lookup folded into the list is counted where it is
 * paid) over the product lines of the orders the shop holds (`orderProducts`, as normalised).
 */
function readsPerLine(log: readonly RequestLogEntry[], shop: LocalShop, orders: readonly Record<string, unknown>[]): NonNullable<BackfillResult['lines']> {
  const tokenPath = new URL(shop.shoprenter.tokenUrl).pathname;
  // A POST /batch is one request that reads (an order's option and unit lookups go out as one):
  // it counts like a GET, and the lookups inside it are shown in the breakdown.
  const isBatch = (r: RequestLogEntry) => r.method === 'POST' && r.path.endsWith('/batch');
  const reads = log.filter((r) => (r.method === 'GET' || isBatch(r)) && r.path !== tokenPath);
  const until = log.at(-1)?.time ?? Infinity;
  const lookups = [...reads.filter((r) => r.method === 'GET'), ...shop.shoprenter.batchLog.filter((r) => r.time <= until)];
  const isList = (r: RequestLogEntry) => r.path.endsWith('/orderExtend') || r.path.endsWith('/orders');
  const optionReads = lookups.filter((r) => r.path.includes('/orderProductOption')).length;
  const otherLookupReads = lookups.filter((r) => !isList(r) && !r.path.includes('/orderProductOption')).length;
  const productLines = orders.reduce((sum, raw) => {
    const sourced = normalizeOrder(raw);
    return sum + (sourced.ok ? sourced.order.products.length : 0);
  }, 0);
  return {
    productLines,
    reads: reads.length,
    batches: reads.filter(isBatch).length,
    optionReads,
    otherLookupReads,
    readsPerLine: productLines === 0 ? Number.NaN : round(reads.length / productLines, 3),
  };
}

function withPerOrder(cost: BuyerCost): BuyerCost & { perOrder: number } {
  return { ...cost, perOrder: cost.orders === 0 ? Number.NaN : round(cost.requests / cost.orders, 3) };
}

/**
 * Watches the polls after the backfill. The first ones may re-read part of the backlog (one
 * overlap before the cursor); they are counted as catch-up. Then `cycles` idle polls are measured.
 * A poll starts with an open-ended list request (no updatedAtMax) after a pause: the window walk
 * also asks open-ended windows, but within a cycle, back to back.
 */
async function watchIdle(
  shop: LocalShop,
  after: number,
  cycles: number,
  intervalSeconds: number,
  backlogPages: number,
): Promise<NonNullable<BackfillResult['idle']>> {
  const isList = (r: RequestLogEntry) => r.path.endsWith('/orderExtend') && !/(^|&)(innerId|orderId)=/.test(r.query);
  const pause = (intervalSeconds * 1000) / 2;
  const deadline = nowMs() + (backlogPages + cycles + 3) * intervalSeconds * 1000 + 20_000;
  for (;;) {
    const log = shop.shoprenter.requestLog.filter((r) => r.time > after);
    const lists = log.filter(isList);
    const polls = lists
      .filter((r, i) => !/(^|&)updatedAtMax=/.test(r.query) && /(^|&)page=0(&|$)/.test(r.query) && (i === 0 || r.time - lists[i - 1]!.time >= pause))
      .map((r) => r.time);
    // Requests of each completed cycle: from its poll to the next one.
    const costs = polls.slice(0, -1).map((from, i) => log.filter((r) => r.time >= from && r.time < polls[i + 1]!).length);
    const steady = costs.findIndex((c) => c <= 1);
    if (steady >= 0 && costs.length - steady >= cycles) {
      const idle = costs.slice(steady, steady + cycles);
      const from = polls[steady]!;
      const to = polls[steady + cycles]!;
      const cashmanRequests = shop.cashman.received.filter((r) => r.at.getTime() >= after && r.at.getTime() < to).length;
      return {
        cycles,
        requests: idle.reduce((a, b) => a + b, 0),
        perCycle: round(idle.reduce((a, b) => a + b, 0) / cycles, 2),
        cashmanRequests,
        catchUp: { cycles: steady, requests: log.filter((r) => r.time < from).length },
      };
    }
    if (nowMs() > deadline) throw new Error(`no ${cycles} idle polls after the backfill; requests per poll so far: ${costs.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
