import { ConfigError, UsageError } from '../errors.js';
import type { Ledger } from '../store/ledger.js';
import { Ledger as LedgerClass } from '../store/ledger.js';
import { openLedgerFile } from '../store/ledger-file.js';
import { StockStore } from '../store/stock-store.js';
import { WriterLock } from '../store/writer-lock.js';
import { createClients } from '../runtime.js';
import { noAlerts } from '../sync/alerts.js';
import { createAlerting } from '../sync/alerting.js';
import { ALERT_EXIT_BUDGET_MS } from './sync-commands.js';
import { readAndPlan, runStockRound } from '../stock/stock-round.js';
import { approvalLimit, judgeRound } from '../stock/stock-safety.js';
import { createStockDeps } from '../stock/stock-runtime.js';
import { previewJson, previewLines, roundLine } from './stock-words.js';
import { baseEnv, config, logger, openExistingLedger, remoteEnv, type CommandContext } from './context.js';

/** `stock preview [--json] | push | approve` (SPEC §6). */
export async function stockCommand(ctx: CommandContext, positionals: string[], json: boolean): Promise<number> {
  const [action] = positionals;
  switch (action) {
    case 'preview':
      return stockPreview(ctx, json);
    case 'push':
      return stockPush(ctx);
    case 'approve':
      return stockApprove(ctx);
    default:
      throw new UsageError(`Unknown stock action "${action ?? ''}"; use "stock preview", "stock push" or "stock approve".`);
  }
}

/** Reads both sides and prints what a round would do; writes nothing, neither remote nor ledger. */
async function stockPreview(ctx: CommandContext, json: boolean): Promise<number> {
  const env = remoteEnv(ctx);
  const cfg = config(env);
  const log = logger(ctx, env);
  const ledger = readableLedger(openExistingLedger(env, 'read'));
  try {
    const { cashman } = createClients(env, cfg, log);
    const deps = await createStockDeps({ env, config: cfg, logger: log, ledger, alerts: noAlerts, cashman, stop: { requested: false } });
    const read = await readAndPlan(deps, false);
    if ('failed' in read) {
      ctx.out(`Stock preview failed: ${read.failed}`);
      return 1;
    }
    if ('hold' in read) {
      ctx.out(json ? JSON.stringify({ hold: read.hold }, null, 2) : `A round now would be held: ${read.hold.reason}`);
      return 0;
    }
    const store = deps.store;
    const held = store.held();
    const hold = judgeRound({
      plan: read.plan,
      lastGoodMatched: store.lastGoodMatched(),
      maxChangeShare: cfg.stock.maxChangeShare,
      approval: held?.approvedAt ? held : null,
    });
    if (json) ctx.out(JSON.stringify(previewJson(read.plan, hold, cfg.stock), null, 2));
    else for (const line of previewLines(read.plan, hold, cfg.stock)) ctx.out(line);
    return 0;
  } finally {
    ledger.close();
    await log.close();
  }
}

/** The ledger as it is (read-only) when it has the stock tables; otherwise an empty in-memory one. */
function readableLedger(existing: Ledger | null): Ledger {
  const hasStock = existing?.db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'stock_rounds'`).get();
  if (existing && hasStock) return existing;
  existing?.close();
  return LedgerClass.open(':memory:');
}

/** One round now, as the daemon's: 0 done or nothing to do, 1 failed, 2 config problem or held. */
async function stockPush(ctx: CommandContext): Promise<number> {
  const env = remoteEnv(ctx);
  const cfg = config(env);
  if (!cfg.stock.enabled) throw new ConfigError('stock.enabled is false in the config; set it to true to write stock into the shop.');
  const log = logger(ctx, env);
  const stop = { requested: false };
  const onSignal = () => (stop.requested = true);
  let ledger: Ledger | null = null;
  let lock: WriterLock | null = null;
  try {
    ledger = openLedgerFile(env.databasePath).ledger;
    lock = WriterLock.acquire(ledger, 'stock push', log);
    lock.onLost(() => (stop.requested = true));
    for (const signal of ['SIGTERM', 'SIGINT'] as const) ctx.signals?.on(signal, onSignal);
    const { cashman } = createClients(env, cfg, log, {}, undefined, undefined, stop);
    // A held round alerts like the daemon's: queued, and delivered for a few seconds before exit.
    const { alerts, delivery } = createAlerting({ env, config: cfg, ledger, logger: log, now: () => new Date() });
    delivery.start();
    const deps = await createStockDeps({ env, config: cfg, logger: log, ledger, alerts, cashman, stop });
    const result = await runStockRound(deps);
    ctx.out(roundLine(result));
    const left = await delivery.finish(ALERT_EXIT_BUDGET_MS);
    if (left > 0) log.warn('alerts not delivered yet; they stay queued in the ledger for the next run', { waiting: left });
    if (result.outcome === 'done') return 0;
    return result.outcome === 'held' ? 2 : 1;
  } finally {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) ctx.signals?.off(signal, onSignal);
    lock?.release();
    ledger?.close();
    await log.close();
  }
}

/** Lets the held round go once; one conditional write, safe while the daemon runs. */
function stockApprove(ctx: CommandContext): number {
  const ledger = openExistingLedger(baseEnv(ctx));
  if (!ledger) {
    ctx.out('No ledger yet: no stock round ran with this DATABASE_PATH, so nothing is held.');
    return 0;
  }
  try {
    const store = new StockStore(ledger);
    const held = store.held();
    if (held?.kind === 'answer') {
      ctx.out(`The held round had no usable stock list to write (${held.reason}); there is nothing to approve. Fix Cashman's answer; the next round runs by itself.`);
      return 2;
    }
    const outcome = store.approve(held?.roundId ?? null);
    if (outcome === 'nothing') ctx.out('No stock round is held; nothing to approve.');
    else if (outcome === 'already') ctx.out('The held stock round is already approved; the next round writes it.');
    else if (outcome === 'moved') ctx.out('A newer round was held meanwhile; look at "stock preview" and run "stock approve" again.');
    else {
      const changes = held?.changes ?? 0;
      const zeroes = held?.zeroes ?? 0;
      ctx.out(
        `Approved: the next stock round writes the held changes once (${changes} products, ${zeroes} of them to 0). ` +
          `If by then it would change more than ${approvalLimit(changes)} products or set more than ${approvalLimit(zeroes)} to 0, or it is held for another reason, it is held again and you are alerted again.`,
      );
    }
    return outcome === 'moved' ? 1 : 0;
  } finally {
    ledger.close();
  }
}
