import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addMinutes, shopNow } from '../src/domain/shop-clock.js';
import { startLocalShop } from '../src/standins/local-shop.js';
import { sampleShop, seededRandom } from '../src/standins/shoprenter-fixtures.js';
import { nowMs, startDaemon } from './daemon-process.js';
import { percentile, round, type RemoteProfile } from './figures.js';
import { benchConfigYaml, benchMapping, isDraftable, TIMEZONE } from './shop-data.js';

/**
 * Webhook-to-draft latency: the real daemon polling every 30 s (not scaled) with HTTP_PORT and
 * WEBHOOK_SECRET set; each order is put in the Shoprenter stand-in and an `order_confirm` webhook
 * is POSTed for it the way Shoprenter sends it (form field `data`). Latency = the webhook POST
 * leaving the bench to the draft request arriving at the Cashman stand-in. Every third order also
 * gets a duplicate confirm 0-2 s later and every fifth an `order_status_change` first (out of
 * order), to count duplicates.
 */
export interface WebhookLatencyResult {
  intervalSeconds: number;
  enrich: boolean;
  orders: number;
  drafted: number;
  p50: number;
  p95: number;
  max: number;
  /** Drafts beyond the first for any order: must be 0. */
  duplicates: number;
  deliveries: number;
  /** Per drafted order, webhook sent to draft received, ms. */
  samples: number[];
}

export interface WebhookPlan {
  seconds: number;
  orders: number;
  seed: number;
  profile: RemoteProfile;
  /** The shipped defaults: per-line option and per-product unit reads before each draft. */
  enrich: boolean;
}

const SECRET = 'bench-webhook-secret-0123456789abcdef';

export async function webhookLatencyRun(plan: WebhookPlan): Promise<WebhookLatencyResult> {
  const intervalSeconds = 30;
  const shop = await startLocalShop({
    shoprenter: { rateLimitPerSecond: plan.profile.rateLimitPerSecond, latencyMs: plan.profile.shoprenterLatencyMs },
    cashman: { latencyMs: plan.profile.cashmanLatencyMs },
  });
  const dir = mkdtempSync(join(tmpdir(), 'scs-bench-webhooks-'));
  const startFrom = addMinutes(shopNow(new Date(), TIMEZONE), -60);
  writeFileSync(join(dir, 'config.yaml'), benchConfigYaml(startFrom, intervalSeconds, plan.enrich));
  const daemon = startDaemon({
    cwd: dir,
    env: { ...shop.env, CONFIG_PATH: join(dir, 'config.yaml'), DATABASE_PATH: join(dir, 'sync.db'), HTTP_PORT: '0', WEBHOOK_SECRET: SECRET },
  });
  try {
    const started = await daemon.waitForLine(/http listener started/, 30_000);
    const port = /port=(\d+)/.exec(started.text)?.[1];
    const hook = `http://127.0.0.1:${port}/webhooks/shoprenter/${SECRET}`;
    // Idle cycles log at debug: wait for the first poll's answer at the stand-in instead.
    const until = nowMs() + 30_000;
    while (!shop.shoprenter.requestLog.some((r) => r.path.endsWith('/orderExtend') && r.status === 200)) {
      if (nowMs() > until) throw new Error('the daemon never polled the shop');
      await sleep(100);
    }
    const random = seededRandom(plan.seed + 13);
    const raws = sampleShop(plan.orders, plan.seed + 3, { firstInnerId: 700_001, addons: false });
    const slot = (plan.seconds * 1000) / plan.orders;
    const offsets = raws.map((_, i) => Math.round((i + random()) * slot));
    const sent = new Map<string, number>();
    const posts: Promise<unknown>[] = [];
    let deliveries = 0;
    const deliver = (innerId: string, id: string, status?: string) => {
      deliveries += 1;
      const order = { innerId, innerResourceId: `orders/${id}`, ...(status ? { orderHistory: { status, statusText: 'Feldolgozás alatt' } } : {}) };
      const body = new URLSearchParams({ data: JSON.stringify({ orders: { order: [order] } }) }).toString();
      posts.push(fetch(hook, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }).then((r) => r.arrayBuffer()));
    };
    const t0 = nowMs();
    for (const [i, raw] of raws.entries()) {
      const wait = t0 + (offsets[i] ?? 0) - nowMs();
      if (wait > 0) await sleep(wait);
      const stamp = shopNow(new Date(), TIMEZONE);
      shop.shoprenter.addOrder({ ...raw, dateCreated: stamp, dateUpdated: stamp });
      const innerId = String(raw['innerId']);
      const id = String(raw['id']);
      if (i % 5 === 0) deliver(innerId, id, '2');
      sent.set(innerId, nowMs());
      deliver(innerId, id);
      if (i % 3 === 0) setTimeout(() => deliver(innerId, id), Math.round(random() * 2000));
    }
    await sleep(2500);
    await Promise.all(posts);
    const draftable = raws.filter((raw) => isDraftable(raw, benchMapping())).length;
    const deadline = nowMs() + 60_000;
    while (shop.cashman.received.filter((r) => r.operation !== 9).length < draftable && nowMs() < deadline) await sleep(100);
    await sleep(1000);

    const perOrder = new Map<string, number>();
    const latencies: number[] = [];
    for (const draft of shop.cashman.received) {
      if (draft.operation === 9) continue;
      const orderNumber = /(\d+)\s*$/.exec(draft.rows[0]?.['egyeb'] ?? '')?.[1] ?? '';
      perOrder.set(orderNumber, (perOrder.get(orderNumber) ?? 0) + 1);
      const at = sent.get(orderNumber);
      if (at !== undefined && perOrder.get(orderNumber) === 1) latencies.push(draft.at.getTime() - at);
    }
    const duplicates = [...perOrder.values()].reduce((sum, n) => sum + n - 1, 0);
    const s = (ms: number) => round(ms / 1000, 2);
    return {
      intervalSeconds,
      enrich: plan.enrich,
      orders: raws.length,
      drafted: latencies.length,
      p50: s(percentile(latencies, 50)),
      p95: s(percentile(latencies, 95)),
      max: s(Math.max(...latencies)),
      duplicates,
      deliveries,
      samples: latencies.map((ms) => Math.round(ms)),
    };
  } finally {
    await daemon.stop();
    await shop.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
