import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addMinutes, shopNow } from '../src/domain/shop-clock.js';
import { startLocalShop, type LocalShop } from '../src/standins/local-shop.js';
import { sampleShop, seededRandom } from '../src/standins/shoprenter-fixtures.js';
import { OneByOneSync } from './baseline.js';
import { nowMs, startDaemon } from './daemon-process.js';
import { percentile, round, type RemoteProfile } from './figures.js';
import { benchConfigYaml, benchMapping, isDraftable, TIMEZONE } from './shop-data.js';

/** Order-to-draft latency while orders trickle in, scaled from the run's poll interval to 30 s. */
export interface LatencyResult {
  integration: 'daemon' | 'baseline';
  intervalSeconds: number;
  /** Factor applied to the wait for the next poll (30 / intervalSeconds); processing time is not scaled. */
  scale: number;
  orders: number;
  drafted: number;
  /** At 30 s polling, seconds. */
  p50: number;
  p95: number;
  max: number;
  /** As measured at `intervalSeconds`, seconds. */
  raw: { p50: number; p95: number; max: number };
  /** Poll-to-draft part alone (unscaled), seconds. */
  processing: { p50: number; max: number };
  /** Per drafted order: wait for the poll that saw it, and poll to draft, ms (unscaled). */
  samples: { waitMs: number; workMs: number }[];
  /** Time between consecutive polls while orders arrived, ms. */
  pollGaps: { count: number; p50Ms: number; minMs: number; maxMs: number };
}

export interface LatencyPlan {
  intervalSeconds: number;
  seconds: number;
  orders: number;
  seed: number;
  profile: RemoteProfile;
}

interface Arrival {
  offsetMs: number;
  raw: Record<string, unknown>;
}

/**
 * Arrival times: the run is cut into `orders` equal slots and each order lands at a uniformly
 * random instant inside its own slot (stratified random, seeded), so a short run still samples
 * every phase of the poll interval evenly.
 */
function arrivals(plan: LatencyPlan): Arrival[] {
  const random = seededRandom(plan.seed + 7);
  const slot = (plan.seconds * 1000) / plan.orders;
  const raws = sampleShop(plan.orders, plan.seed + 1, { firstInnerId: 500_001, addons: false });
  return raws.map((raw, i) => ({ offsetMs: Math.round((i + random()) * slot), raw }));
}

/** Runs the daemon and the baseline side by side, each against its own pair of stand-ins. */
export async function latencyRuns(plan: LatencyPlan): Promise<LatencyResult[]> {
  const schedule = arrivals(plan);
  return Promise.all([latencyRun('daemon', plan, schedule), latencyRun('baseline', plan, schedule)]);
}

async function latencyRun(integration: LatencyResult['integration'], plan: LatencyPlan, schedule: Arrival[]): Promise<LatencyResult> {
  const shop = await startLocalShop({
    shoprenter: { rateLimitPerSecond: plan.profile.rateLimitPerSecond, latencyMs: plan.profile.shoprenterLatencyMs },
    cashman: { latencyMs: plan.profile.cashmanLatencyMs },
  });
  const dir = mkdtempSync(join(tmpdir(), 'scs-bench-latency-'));
  const startFrom = addMinutes(shopNow(new Date(), TIMEZONE), -60);
  const stopIntegration = startIntegration(integration, shop, dir, startFrom, plan.intervalSeconds);
  try {
    await firstPoll(shop, integration, 30_000);
    const inserted = new Map<string, number>();
    const t0 = nowMs();
    for (const arrival of schedule) {
      const wait = t0 + arrival.offsetMs - nowMs();
      if (wait > 0) await sleep(wait);
      const stamp = shopNow(new Date(), TIMEZONE);
      shop.shoprenter.addOrder({ ...arrival.raw, dateCreated: stamp, dateUpdated: stamp });
      inserted.set(String(arrival.raw['innerId']), nowMs());
    }
    const mapping = benchMapping();
    const draftable = schedule.filter((a) => isDraftable(a.raw, mapping)).length;
    await drained(shop, draftable, (plan.intervalSeconds * 3 + 15) * 1000);
    return figures(integration, plan, shop, inserted);
  } finally {
    await stopIntegration();
    await shop.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function startIntegration(
  integration: LatencyResult['integration'],
  shop: LocalShop,
  dir: string,
  startFrom: string,
  intervalSeconds: number,
): () => Promise<void> {
  if (integration === 'daemon') {
    writeFileSync(join(dir, 'config.yaml'), benchConfigYaml(startFrom, intervalSeconds, false));
    const daemon = startDaemon({ cwd: dir, env: { ...shop.env, CONFIG_PATH: join(dir, 'config.yaml'), DATABASE_PATH: join(dir, 'sync.db') } });
    return async () => {
      await daemon.stop();
    };
  }
  // The baseline's own loop: a cycle every interval, never two at once.
  const sync = OneByOneSync.create(shop.env, startFrom);
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const started = nowMs();
      await sync.cycle().catch(() => undefined);
      const wait = started + intervalSeconds * 1000 - nowMs();
      if (wait > 0 && !stopped) await sleep(wait);
    }
  })();
  return async () => {
    stopped = true;
    await loop;
  };
}

const isPoll = (path: string, query: string) => /\/(orderExtend|orders)$/.test(path) && /(^|&)page=0(&|$)/.test(query);

async function firstPoll(shop: LocalShop, integration: string, timeoutMs: number): Promise<void> {
  const deadline = nowMs() + timeoutMs;
  while (!shop.shoprenter.requestLog.some((r) => isPoll(r.path, r.query) && r.status !== 0)) {
    if (nowMs() > deadline) throw new Error(`the ${integration} never polled the shop`);
    await sleep(100);
  }
}

async function drained(shop: LocalShop, expected: number, timeoutMs: number): Promise<void> {
  const deadline = nowMs() + timeoutMs;
  while (shop.cashman.received.filter((r) => r.operation !== 9).length < expected && nowMs() < deadline) await sleep(200);
}

function figures(integration: LatencyResult['integration'], plan: LatencyPlan, shop: LocalShop, inserted: Map<string, number>): LatencyResult {
  const scale = 30 / plan.intervalSeconds;
  const polls = shop.shoprenter.requestLog.filter((r) => isPoll(r.path, r.query)).map((r) => r.time);
  const first = Math.min(...inserted.values());
  const last = Math.max(...inserted.values());
  const raw: number[] = [];
  const scaled: number[] = [];
  const processing: number[] = [];
  const samples: LatencyResult['samples'] = [];
  for (const draft of shop.cashman.received) {
    if (draft.operation === 9) continue;
    const orderNumber = /(\d+)\s*$/.exec(draft.rows[0]?.['egyeb'] ?? '')?.[1];
    const at = orderNumber === undefined ? undefined : inserted.get(orderNumber);
    if (at === undefined) continue;
    const done = draft.at.getTime();
    // The poll that saw the order: the first whose answer (arrival + latency) came after it appeared.
    const poll = polls.find((t) => t + plan.profile.shoprenterLatencyMs >= at) ?? at;
    const wait = Math.max(0, poll - at);
    const work = done - Math.max(poll, at);
    raw.push(done - at);
    scaled.push(wait * scale + work);
    processing.push(work);
    samples.push({ waitMs: Math.round(wait), workMs: Math.round(work) });
  }
  const s = (ms: number) => round(ms / 1000, 2);
  return {
    integration,
    intervalSeconds: plan.intervalSeconds,
    scale,
    orders: inserted.size,
    drafted: raw.length,
    p50: s(percentile(scaled, 50)),
    p95: s(percentile(scaled, 95)),
    max: s(Math.max(...scaled)),
    raw: { p50: s(percentile(raw, 50)), p95: s(percentile(raw, 95)), max: s(Math.max(...raw)) },
    processing: { p50: s(percentile(processing, 50)), max: s(Math.max(...processing)) },
    samples,
    pollGaps: gaps(polls.filter((t) => t >= first - plan.intervalSeconds * 1000 && t <= last + plan.intervalSeconds * 1000)),
  };
}

function gaps(times: number[]): LatencyResult['pollGaps'] {
  const between = times.slice(1).map((t, i) => t - times[i]!);
  return { count: between.length, p50Ms: round(percentile(between, 50)), minMs: round(Math.min(...between)), maxMs: round(Math.max(...between)) };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
