import { createRuntime } from '../runtime.js';
import { runCycle, type CycleSummary } from '../sync/cycle.js';
import { Daemon } from '../sync/daemon.js';
import { config, logger, remoteEnv, type CommandContext } from './context.js';

/** `once`: one full cycle and a summary; 0 when the cycle completed, 1 when it could not. */
export async function onceCommand(ctx: CommandContext): Promise<number> {
  const env = remoteEnv(ctx);
  const cfg = config(env);
  const log = logger(ctx, env);
  const runtime = await createRuntime({ env, config: cfg, logger: log });
  try {
    const summary = await runCycle(runtime.deps);
    ctx.out(formatSummary(summary));
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
  ctx.signals?.on('SIGTERM', onSignal);
  ctx.signals?.on('SIGINT', onSignal);
  log.info('daemon started', {
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
    ctx.signals?.off('SIGTERM', onSignal);
    ctx.signals?.off('SIGINT', onSignal);
    runtime.close();
    await log.close();
  }
}
