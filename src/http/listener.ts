import type { HttpSettings } from '../config/env.js';
import type { Logger } from '../log/logger.js';
import type { Ledger } from '../store/ledger.js';
import type { CycleDeps } from '../sync/cycle.js';
import { judgeHealth } from '../sync/health-rule.js';
import { openEpisodes } from '../sync/episodes.js';
import { episodeStore } from '../sync/cycle-health.js';
import { runningCycle } from '../sync/progress.js';
import type { SerialLane } from '../sync/serial-lane.js';
import { TokenBucket, TriggerQueue } from '../sync/trigger-queue.js';
import { WebhookWorker } from '../sync/webhook-worker.js';
import type { SyncMetrics } from './metrics.js';
import { startHttpServer, type HttpListener } from './server.js';

/** Webhook-triggered Shoprenter reads: one a second sustained, a burst of three. */
export const TRIGGERED_READS_PER_SECOND = 1;
export const TRIGGERED_READS_BURST = 3;

export interface ListenerOptions {
  http: HttpSettings;
  deps: CycleDeps;
  lane: SerialLane;
  metrics: SyncMetrics;
  logger: Logger;
  intervalSeconds: number;
  /** For the benchmark; defaults above. */
  readsPerSecond?: number;
}

/**
 * Starts the HTTP listener and, when a webhook secret is set, the worker behind it. `close()` stops
 * taking requests, lets the worker finish the order in hand, and is safe to call twice.
 */
export async function startListener(options: ListenerOptions): Promise<HttpListener> {
  const { http, deps, lane, metrics, logger } = options;
  logger.addSecret(http.webhookSecret);
  const queue = new TriggerQueue();
  const rate = options.readsPerSecond ?? TRIGGERED_READS_PER_SECOND;
  const worker = new WebhookWorker({
    cycle: deps,
    queue,
    bucket: new TokenBucket(rate, Math.max(TRIGGERED_READS_BURST, rate)),
    lane,
    onHandled: (trigger, outcome) => {
      if (outcome === 'done') metrics.webhookDrafted((Date.now() - trigger.receivedAt) / 1000);
    },
  });
  const server = await startHttpServer({
    port: http.port,
    host: http.host,
    webhookSecret: http.webhookSecret,
    logger,
    onOrders: (refs, receivedAt) => {
      for (const ref of refs) metrics.trigger(queue.add(ref, receivedAt));
    },
    onDelivery: (outcome) => metrics.delivery(outcome),
    health: () => healthBody(deps.ledger, options.intervalSeconds),
    metrics: async () => ({ contentType: metrics.contentType, text: await metrics.text() }),
  });
  if (http.webhookSecret !== null) worker.start();
  logger.info('http listener started', {
    host: http.host,
    port: server.port,
    webhooks: http.webhookSecret === null ? 'off (WEBHOOK_SECRET not set)' : 'on',
  });
  let closing: Promise<void> | null = null;
  return {
    port: server.port,
    close: () => (closing ??= Promise.all([server.close(), worker.stop()]).then(() => undefined)),
  };
}

/** `/healthz`: the `health` command's rule, with the facts it used. */
export function healthBody(ledger: Ledger, intervalSeconds: number): { healthy: boolean; body: Record<string, unknown> } {
  const lastSuccessAt = ledger.getMeta('last_success_at');
  const now = new Date();
  // Through the episode store: a ledger that cannot be written keeps its episodes in this process.
  const episodes = openEpisodes(episodeStore(ledger), now);
  const verdict = judgeHealth({ lastSuccessAt, intervalSeconds, now, progressAt: runningCycle(ledger)?.at, episodes });
  const lastCycleOk = ledger.getMeta('last_cycle_ok');
  return {
    healthy: verdict.healthy,
    body: {
      status: verdict.healthy ? 'ok' : 'unhealthy',
      lastCycleAt: ledger.getMeta('last_cycle_at') ?? null,
      lastCycleOk: lastCycleOk === undefined ? null : lastCycleOk === '1',
      lastSuccessAt: lastSuccessAt ?? null,
      lastSuccessAgeSeconds: verdict.ageMs === null ? null : Math.round(verdict.ageMs / 1000),
      detail: verdict.sentence,
      failing: episodes.map((e) => ({ part: e.name, since: e.since, failedCycles: e.failures, reason: e.reason, pastGrace: e.pastGrace })),
    },
  };
}
