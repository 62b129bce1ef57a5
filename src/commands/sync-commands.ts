import type { Logger } from '../log/logger.js';
import { createRuntime, type Runtime, type RuntimeOptions } from '../runtime.js';
import { runCycle, type CycleSummary } from '../sync/cycle.js';
import { Daemon, SHUTDOWN_GRACE_MS } from '../sync/daemon.js';
import { startStock } from '../stock/stock-daemon.js';
import type { StockScheduler } from '../stock/stock-scheduler.js';
import { config, logger, remoteEnv, type CommandContext } from './context.js';
import { startListener } from '../http/listener.js';
import type { SyncMetrics } from '../http/metrics.js';
import { SerialLane } from '../sync/serial-lane.js';
import { resolve } from 'node:path';
import { packageVersion } from '../version.js';
import { summaryJson } from './summary-json.js';
import { recordConfigInUse } from './config-fingerprint.js';
import { WriterLostError } from '../errors.js';
import { alertWriterStopped } from './writer-stopped.js';

// SIGHUP (a closed terminal, or `kill -HUP` expecting a reload) stops gracefully too: the config is
// read once at start, so a restart is how a config change is applied; a half-applied reload is not.
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];

/**
 * Starts the runtime with the stop signals already handled: start-up may wait on Shoprenter (status
 * names are resolved there), and `docker compose stop` at that moment must end the process cleanly
 * (exit 0 for `run`), not kill it mid-start. Null when a signal stopped the start.
 */
async function startRuntime(ctx: CommandContext, options: Omit<RuntimeOptions, 'stop'>): Promise<Runtime | null> {
  const stop = { requested: false };
  const early = (signal: NodeJS.Signals): void => {
    options.logger.info('signal received while starting: stopping', { signal });
    stop.requested = true;
  };
  for (const signal of STOP_SIGNALS) ctx.signals?.on(signal, early);
  try {
    const runtime = await createRuntime({ ...options, stop });
    if (!stop.requested) return runtime;
    runtime.close();
    return null;
  } catch (error) {
    if (stop.requested) return null;
    throw error;
  } finally {
    for (const signal of STOP_SIGNALS) ctx.signals?.off(signal, early);
  }
}

/**
 * `once`: one full cycle and a summary; 0 when the cycle completed, 1 when it could not. It takes
 * the ledger like `run` and stops like `run`: the first SIGINT/SIGTERM/SIGHUP finishes the order in hand.
 */
export async function onceCommand(ctx: CommandContext): Promise<number> {
  const env = remoteEnv(ctx);
  const cfg = config(env);
  const log = logger(ctx, env);
  let runtime: Runtime;
  try {
    const started = await startRuntime(ctx, { env, config: cfg, logger: log, lock: 'once' });
    if (!started) {
      await log.close();
      return 1; // stopped by a signal before its cycle: not a completed cycle
    }
    runtime = started;
  } catch (error) {
    await log.close();
    throw error;
  }
  const onSignal = stopOnSignal(runtime, log, () => undefined);
  for (const signal of STOP_SIGNALS) ctx.signals?.on(signal, onSignal);
  // Alerts go out beside the cycle (waiting ones from earlier processes first); the cycle never waits for them.
  runtime.delivery.start();
  try {
    let summary: CycleSummary;
    try {
      summary = await runCycle(runtime.deps);
    } catch (error) {
      if (!(error instanceof WriterLostError)) throw error;
      await alertWriterStopped(runtime, log, 'once');
      return 1;
    }
    // LOG_FORMAT=json: the summary is a JSON line too, so every stdout line parses.
    ctx.out(env.logFormat === 'json' ? summaryJson(summary) : formatSummary(summary));
    await finishAlerts(runtime, log);
    return summary.ok && !summary.interrupted ? 0 : 1;
  } finally {
    for (const signal of STOP_SIGNALS) ctx.signals?.off(signal, onSignal);
    runtime.close();
    await log.close();
  }
}

/**
 * First signal: stop after the order in hand; a second one exits at once (the ledger's
 * intent-first writes make that safe: an order cut mid-send becomes uncertain, never a duplicate).
 */
function stopOnSignal(runtime: Runtime, log: Logger, stop: () => void): (signal: NodeJS.Signals) => void {
  let signalled = 0;
  return (signal) => {
    signalled += 1;
    if (signalled > 1) {
      log.warn('second signal: exiting now', { signal });
      runtime.close();
      process.exit(1);
    }
    log.info('signal received: stopping after the order in hand', { signal });
    runtime.deps.stop.requested = true;
    stop();
  };
}

/** How long `once` (and a stopping `run`) waits for undelivered alerts before leaving them to the next process. */
export const ALERT_EXIT_BUDGET_MS = 5_000;

async function finishAlerts(runtime: Runtime, log: Logger): Promise<void> {
  const left = await runtime.delivery.finish(ALERT_EXIT_BUDGET_MS);
  if (left > 0) log.warn('alerts not delivered yet; they stay queued in the ledger for the next run', { waiting: left });
}

export function formatSummary(s: CycleSummary): string {
  const o = s.outcomes;
  const head = !s.ok ? `Cycle failed: ${s.error ?? 'unknown error'}` : s.interrupted ? 'Cycle stopped by a signal after the order in hand' : 'Cycle completed';
  return `${head}: ${s.listed} listed, ${o.done} drafted, ${o.skipped} already handled, ${o.ignored} not qualifying, ${o.failed} failed (will retry), ${o.quarantined} quarantined, ${o.uncertain} uncertain${o.held ? `, ${o.held} waiting for approve (pilot)` : ''}; partners ${s.partnersCreated} created, ${s.partnersUpdated} updated; cursor ${s.cursor}.`;
}

/**
 * `run`: the daemon. The first SIGTERM/SIGINT finishes the order in hand and exits 0 with the
 * database closed; a second one exits at once (the ledger's intent-first writes make that safe).
 */
export async function runCommand(ctx: CommandContext): Promise<number> {
  const env = remoteEnv(ctx);
  const cfg = config(env);
  const log = logger(ctx, env);
  log.addSecret(env.webhookSecret);
  // prom-client is loaded only when there is an HTTP port to serve /metrics on.
  const metrics: SyncMetrics | undefined = env.http ? new (await import('../http/metrics.js')).SyncMetrics() : undefined;
  let runtime: Runtime;
  try {
    const started = await startRuntime(ctx, { env, config: cfg, logger: log, lock: 'run', ...(metrics ? { observer: metrics } : {}) });
    if (!started) {
      log.info('daemon stopped');
      await log.close();
      return 0;
    }
    runtime = started;
  } catch (error) {
    await log.close();
    throw error;
  }
  recordConfigInUse(runtime.ledger, env.configPath);
  const lane = new SerialLane();
  let lockLost = false;
  let stopAll = (): void => undefined;
  const writerLost = (): void => {
    if (lockLost) return;
    lockLost = true;
    stopAll();
  };
  let stock: StockScheduler | null;
  try {
    stock = await startStock({ runtime, env, config: cfg, logger: log, lane, ...(metrics ? { onRequest: (info) => metrics.shoprenterRequest(info) } : {}) });
  } catch (error) {
    runtime.close();
    await log.close();
    throw error;
  }
  const onCycle = (summary: CycleSummary) => {
    metrics?.cycle(summary);
    stock?.afterCycle();
  };
  const daemon = new Daemon(runtime.deps, cfg.sync.intervalSeconds, log, { lane, onCycle, onWriterLost: writerLost });
  let listener: Awaited<ReturnType<typeof startListener>> | null = null;
  if (env.http && metrics) {
    try {
      listener = await startListener({ http: env.http, deps: runtime.deps, lane, metrics, logger: log, intervalSeconds: cfg.sync.intervalSeconds });
    } catch (error) {
      runtime.close();
      await log.close();
      throw error;
    }
  }
  stopAll = (): void => {
    void listener?.close();
    void daemon.shutdown();
  };
  runtime.lock?.onLost(writerLost);
  const onSignal = stopOnSignal(runtime, log, stopAll);
  for (const signal of STOP_SIGNALS) ctx.signals?.on(signal, onSignal);
  log.info('daemon started', {
    version: packageVersion(),
    config: resolve(env.configPath),
    ledger: env.databasePath === ':memory:' ? env.databasePath : resolve(env.databasePath),
    shop: env.shoprenter.shop,
    intervalSeconds: cfg.sync.intervalSeconds,
    startFrom: runtime.deps.settings.startFrom,
    statuses: runtime.deps.settings.statusIds ? [...runtime.deps.settings.statusIds].join(',') : 'every completed checkout',
  });
  runtime.delivery.start();
  try {
    await daemon.start();
    await stock?.idle(SHUTDOWN_GRACE_MS);
    await listener?.close();
    if (lockLost) {
      // Queued in the outbox for the new holder to deliver: this process delivers nothing more.
      await alertWriterStopped(runtime, log, 'run');
      return 1;
    }
    await finishAlerts(runtime, log);
    log.info('daemon stopped');
    return 0;
  } finally {
    for (const signal of STOP_SIGNALS) ctx.signals?.off(signal, onSignal);
    runtime.close();
    await log.close();
  }
}
