import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalShop, type LocalShop } from '../standins/local-shop.js';
import type { RequestLogEntry } from '../standins/shoprenter-standin.js';
import { OneByOneSync } from './baseline.js';
import { startDaemon, nowMs } from './daemon-process.js';
import { cashmanPerBuyer, floorMs, remoteCalls, round, type BuyerCost, type RemoteProfile } from './figures.js';
import { benchConfigYaml, benchShop, type BuyerClass } from './shop-data.js';

/** One backfill: a shop of `orders` orders drafted from scratch by one integration. */
export interface BackfillResult {
  integration: 'daemon' | 'baseline';
  orders: number;
  /** Orders actually run; smaller than `orders` for the baseline, whose times are then scaled. */
  measuredOrders: number;
  profile: RemoteProfile;
  drafted: number;
  /** Start (daemon: spawn of the process) to the end of the backfill cycle. */
  wallMs: number;
  floorMs: number;
  floorRatio: number;
  ordersPerSecond: number;
  shoprenter: { requests: number; tokenRequests: number; listRequests: number; perOrderRequests: number; status429: number; per200NewOrders: number };
  cashman: { requests: number; perBuyer: Record<BuyerClass, BuyerCost & { perOrder: number }>; unattributed: number };
  peakRssMb: number | null;
  idle: { cycles: number; requests: number; perCycle: number; cashmanRequests: number } | null;
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
export async function daemonBackfill(n: number, seed: number, profile: RemoteProfile, idleCycles: number): Promise<BackfillResult> {
  const data = benchShop(n, seed);
  return withShop(profile, data.orders, async (shop, dir) => {
    const intervalSeconds = 5;
    writeFileSync(join(dir, 'config.yaml'), benchConfigYaml(data.startFrom, intervalSeconds));
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
      const idle = idleCycles > 0 ? await watchIdle(shop, end.at, idleCycles, intervalSeconds) : null;
      const peak = daemon.peakRssKb();
      const exitCode = await daemon.stop();
      return {
        ...summarize('daemon', n, n, profile, log, shop, cashmanLog, calls, { from: daemon.spawnedAt, to: end.at }, data.classes),
        peakRssMb: peak === null ? null : round(peak / 1024, 1),
        idle,
        exitCode,
      };
    } finally {
      await daemon.stop();
    }
  });
}

/**
 * The one-by-one baseline, in this process, on the first `sample` orders of the same shop; its
 * time is rate-limit bound and linear in the orders, so times and counts are scaled to `n`.
 */
export async function baselineBackfill(n: number, sample: number, seed: number, profile: RemoteProfile): Promise<BackfillResult> {
  const data = benchShop(n, seed);
  const measured = Math.min(n, sample);
  const orders = data.orders.slice(0, measured);
  return withShop(profile, orders, async (shop) => {
    const sync = OneByOneSync.create(shop.env, data.startFrom);
    const started = nowMs();
    const result = await sync.cycle();
    const end = nowMs();
    const log = shop.shoprenter.requestLog.filter((r) => r.time <= end);
    const calls = remoteCalls(shop.shoprenter, shop.cashman);
    const cashmanLog = [...shop.cashman.received];
    const idleFrom = nowMs();
    await sync.cycle();
    const idleLog = shop.shoprenter.requestLog.filter((r) => r.time >= idleFrom);
    const summary = summarize('baseline', n, measured, profile, log, shop, cashmanLog, calls, { from: started, to: end }, data.classes);
    if (result.drafted === 0) throw new Error('the baseline drafted nothing');
    return {
      ...summary,
      peakRssMb: null,
      idle: { cycles: 1, requests: idleLog.length, perCycle: idleLog.length, cashmanRequests: shop.cashman.received.length - cashmanLog.length },
    };
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
): Omit<BackfillResult, 'peakRssMb' | 'idle'> {
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
  const fixedFloor = measured < n ? floorMs(calls.filter((c) => c.at < perOrderFrom), profile) : 0;
  const floor = fixedFloor + (floorMs(calls, profile) - fixedFloor) * scale;
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

function withPerOrder(cost: BuyerCost): BuyerCost & { perOrder: number } {
  return { ...cost, perOrder: cost.orders === 0 ? Number.NaN : round(cost.requests / cost.orders, 3) };
}

/** Waits for `cycles` idle polls after `after`, and counts what they cost. */
async function watchIdle(
  shop: LocalShop,
  after: number,
  cycles: number,
  intervalSeconds: number,
): Promise<NonNullable<BackfillResult['idle']>> {
  const isPoll = (r: RequestLogEntry) => r.path.endsWith('/orderExtend') && /(^|&)page=0(&|$)/.test(r.query);
  const deadline = nowMs() + (cycles + 2) * intervalSeconds * 1000 + 10_000;
  for (;;) {
    const polls = shop.shoprenter.requestLog.filter((r) => r.time > after && isPoll(r));
    if (polls.length >= cycles + 1) {
      const from = polls[0]!.time;
      const to = polls[cycles]!.time;
      const requests = shop.shoprenter.requestLog.filter((r) => r.time >= from && r.time < to).length;
      const cashmanRequests = shop.cashman.received.filter((r) => r.at.getTime() >= from && r.at.getTime() < to).length;
      return { cycles, requests, perCycle: round(requests / cycles, 2), cashmanRequests };
    }
    if (nowMs() > deadline) throw new Error(`the daemon polled ${polls.length} times after the backfill; expected ${cycles + 1}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
