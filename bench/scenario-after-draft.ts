import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shopNow } from '../src/domain/shop-clock.js';
import { startLocalShop } from '../src/standins/local-shop.js';
import { seededRandom } from '../src/standins/shoprenter-fixtures.js';
import { Ledger } from '../src/store/ledger.js';
import { SWEEP_EVERY_POLLS } from '../src/sync/storno-sweep.js';
import { nowMs, startDaemon } from './daemon-process.js';
import { round, type RemoteProfile } from './figures.js';
import { benchConfigYaml, benchShop, isDraftable, TIMEZONE } from './shop-data.js';

/** SPEC §1.7: what watching drafted orders costs an idle poll, and how late a storno is alerted. */
export interface AfterDraftResult {
  intervalSeconds: number;
  drafted: number;
  idle: { polls: number; listing: number; sweeps: number; checks: number; probes: number; other: number; perPoll: number; extraPerPoll: number };
  storno: { cancelled: number; alerted: number; delaysMs: number[]; maxMs: number; maxAt30sSeconds: number };
}

export interface AfterDraftPlan {
  orders: number;
  intervalSeconds: number;
  idlePolls: number;
  cancellations: number;
  seed: number;
  profile: RemoteProfile;
}

/**
 * The real daemon (`run`) drafts a sample shop, then idles for `idlePolls` polls while the
 * Shoprenter stand-in counts every request; then orders are cancelled (storno) one at a time at
 * seeded random moments of the sweep period, and each delay runs from the cancellation to the
 * alert's arrival at a local webhook. Waits scale with the interval, so the 30 s figure is the
 * measured delay times 30 / intervalSeconds.
 */
export async function afterDraftWatch(plan: AfterDraftPlan): Promise<AfterDraftResult> {
  const shop = await startLocalShop({
    shoprenter: { latencyMs: plan.profile.shoprenterLatencyMs, rateLimitPerSecond: plan.profile.rateLimitPerSecond },
    cashman: { latencyMs: plan.profile.cashmanLatencyMs },
  });
  const alerts = new Map<string, number>();
  const hook = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { kind?: string; orderNumber?: string };
      if (body.kind === 'cancelled-after-draft' && body.orderNumber && !alerts.has(body.orderNumber)) alerts.set(body.orderNumber, nowMs());
      res.end('ok');
    });
  });
  hook.listen(0, '127.0.0.1');
  await once(hook, 'listening');
  const dir = mkdtempSync(join(tmpdir(), 'scs-bench-after-'));
  const data = benchShop(plan.orders, plan.seed);
  shop.shoprenter.addOrders(data.orders);
  const draftable = data.orders.filter((o) => isDraftable(o)).map((o) => String(o['innerId']));
  writeFileSync(join(dir, 'config.yaml'), benchConfigYaml(data.startFrom, plan.intervalSeconds, false));
  const dbPath = join(dir, 'sync.db');
  const env = { ...shop.env, CONFIG_PATH: join(dir, 'config.yaml'), DATABASE_PATH: dbPath, ALERT_WEBHOOK_URL: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/` };
  const daemon = startDaemon({ env, cwd: dir });
  try {
    await until(() => shop.cashman.drafts.length >= draftable.length, plan.intervalSeconds * 1000 * 20);
    await untilCycle(dbPath, lastCycle(dbPath) + 1, plan.intervalSeconds);
    shop.shoprenter.resetStats();
    const first = lastCycle(dbPath);
    await untilCycle(dbPath, first + plan.idlePolls, plan.intervalSeconds);
    const idle = countRequests(shop.shoprenter.requestLog, plan.idlePolls);

    const random = seededRandom(plan.seed + 11);
    const period = SWEEP_EVERY_POLLS * plan.intervalSeconds * 1000;
    const delaysMs: number[] = [];
    for (const innerId of draftable.slice(0, plan.cancellations)) {
      await sleep(random() * period);
      const at = nowMs();
      shop.shoprenter.setStorno(innerId, true, shopNow(new Date(), TIMEZONE));
      await until(() => alerts.has(innerId), period * 2);
      delaysMs.push(Math.round(alerts.get(innerId)! - at));
    }
    const maxMs = Math.max(...delaysMs);
    return {
      intervalSeconds: plan.intervalSeconds,
      drafted: shop.cashman.drafts.length,
      idle,
      storno: { cancelled: plan.cancellations, alerted: delaysMs.length, delaysMs, maxMs, maxAt30sSeconds: round((maxMs * (30 / plan.intervalSeconds)) / 1000) },
    };
  } finally {
    await daemon.stop();
    hook.closeAllConnections();
    hook.close();
    await shop.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function countRequests(log: readonly { path: string; query: string }[], polls: number): AfterDraftResult['idle'] {
  const lists = log.filter((r) => r.path.endsWith('/orderExtend'));
  const probes = lists.filter((r) => r.query.includes('innerId=')).length;
  // The storno check (once a day; the first at the first sweep) lists by dateCreated only.
  const checks = lists.filter((r) => r.query.includes('excludeStorno=1') && !r.query.includes('innerId=') && !r.query.includes('updatedAtMin')).length;
  const listing = lists.filter((r) => r.query.includes('excludeStorno=1') && !r.query.includes('innerId=')).length - checks;
  const sweeps = lists.filter((r) => !r.query.includes('excludeStorno')).length;
  const other = log.length - listing - sweeps - checks - probes;
  const perPoll = round(log.length / polls, 3);
  return { polls, listing, sweeps, checks, probes, other, perPoll, extraPerPoll: round((sweeps + checks + probes) / polls, 3) };
}

function lastCycle(dbPath: string): number {
  const ledger = Ledger.open(dbPath, { readonly: true });
  try {
    return (ledger.db.prepare('SELECT COALESCE(MAX(id), 0) AS id FROM cycles WHERE finished_at IS NOT NULL').get() as { id: number }).id;
  } finally {
    ledger.close();
  }
}

async function untilCycle(dbPath: string, id: number, intervalSeconds: number): Promise<void> {
  const deadline = Date.now() + (id - lastCycle(dbPath) + 3) * intervalSeconds * 1000;
  while (lastCycle(dbPath) < id) {
    if (Date.now() > deadline) throw new Error(`bench: cycle ${id} did not finish in time`);
    await sleep(100);
  }
}

async function until(test: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error('bench: timed out waiting for the daemon');
    await sleep(50);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The figures as `npm run bench` prints them and BENCHMARKS.md quotes them. */
export function renderAfterDraft(r: AfterDraftResult): string {
  const i = r.idle;
  return [
    `After the draft, real daemon polling every ${r.intervalSeconds} s, ${r.drafted} drafts watched:`,
    `  idle polls: ${i.polls}; Shoprenter requests ${i.listing} listing + ${i.sweeps} storno sweep + ${i.checks} storno check + ${i.probes} probes + ${i.other} other = ${round(i.perPoll, 3)} per poll (${i.extraPerPoll} extra for watching; SPEC allows 0.1)`,
    `  storno to alert: ${r.storno.alerted}/${r.storno.cancelled} alerted, delays ${r.storno.delaysMs.map((d) => `${round(d / 1000, 1)} s`).join(', ')}; longest ${round(r.storno.maxMs / 1000, 1)} s, i.e. ${r.storno.maxAt30sSeconds} s at the default 30 s interval`,
  ].join('\n');
}
