import { createRuntime } from '../runtime.js';
import { runCycle, type CycleSummary } from '../sync/cycle.js';
import { Daemon } from '../sync/daemon.js';
import { config, logger, remoteEnv, type CommandContext } from './context.js';
import { resolve } from 'node:path';
import { packageVersion } from '../version.js';
import { summaryJson } from './summary-json.js';
import { recordConfigInUse } from './config-fingerprint.js';

const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];

/** `once`: one full cycle and a summary; 0 when the cycle completed, 1 when it could not. */
export async function onceCommand(ctx: CommandContext): Promise<number> {
  const env = remoteEnv(ctx);
  const cfg = config(env);
  const log = logger(ctx, env);
  const runtime = await createRuntime({ env, config: cfg, logger: log });
  try {
    const summary = await runCycle(runtime.deps);
    // LOG_FORMAT=json: the summary is a JSON line too, so every stdout line parses.
    ctx.out(env.logFormat === 'json' ? summaryJson(summary) : formatSummary(summary));
    return summary.ok ? 0 : 1;
  } finally {
    runtime.close();
    await log.close();
  }
}

export function formatSummary(s: CycleSummary): string {
  const o = s.outcomes;
  const head = s.ok ? 'Cycle completed' : `Cycle failed: ${s.error ?? 'unknown error'}`;
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
  const runtime = await createRuntime({ env, config: cfg, logger: log });
  recordConfigInUse(runtime.ledger, env.configPath);
  const daemon = new Daemon(runtime.deps, cfg.sync.intervalSeconds, log);
  let signalled = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signalled += 1;
    if (signalled > 1) {
      log.warn('second signal: exiting now', { signal });
      runtime.close();
      process.exit(1);
    }
    log.info('signal received: stopping after the order in hand', { signal });
    void daemon.shutdown();
  };
  // SIGHUP (a closed terminal, or `kill -HUP` expecting a reload) stops gracefully too: the config is
  // read once at start, so a restart is how a config change is applied; a half-applied reload is not.
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
  try {
    await daemon.start();
    log.info('daemon stopped');
    return 0;
  } finally {
    for (const signal of STOP_SIGNALS) ctx.signals?.off(signal, onSignal);
    runtime.close();
    await log.close();
  }
}
