import { NOT_QUALIFYING } from '../store/ledger-rows.js';
import { PARTNER_CODE_IN_DOUBT } from '../store/partner-codes.js';
import { LedgerConflictError, UsageError } from '../errors.js';
import type { Ledger, OrderRow } from '../store/ledger.js';
import { currentHolder, type LockHolder } from '../store/writer-lock.js';
import { AlertOutbox } from '../store/alert-outbox.js';
import { pilotLines, pilotReport } from './pilot-commands.js';
import { retrySkipped } from './retry-skipped.js';
import { retryQuarantinedCommand } from './retry-quarantined.js';
import { progressLine, runningCycle } from '../sync/progress.js';
import { configChangedNote } from './config-fingerprint.js';
import { baseEnv, config, openExistingLedger, type CommandContext } from './context.js';
import { afterDraftAttention, afterDraftLines } from './order-story.js';
import { judgeHealth } from '../sync/health-rule.js';
import { fingerprintFromDraftRows } from '../cashman/draft-fingerprint.js';
import { episodeSentence, openEpisodes } from '../sync/episodes.js';
import { stockStatus, stockStatusLines } from './stock-words.js';

function withLedger<T>(ctx: CommandContext, empty: () => T, use: (ledger: Ledger) => T, mode: 'read' | 'write' = 'write'): T {
  const ledger = openExistingLedger(baseEnv(ctx), mode);
  if (!ledger) return empty();
  try {
    return use(ledger);
  } finally {
    ledger.close();
  }
}

function lastCycle(ledger: Ledger): { at: string | null; ok: boolean | null; error: string | null } {
  const row = ledger.db.prepare('SELECT finished_at, ok, summary FROM cycles WHERE finished_at IS NOT NULL ORDER BY id DESC LIMIT 1').get() as
    | { finished_at: string; ok: number; summary: string }
    | undefined;
  if (!row) return { at: null, ok: null, error: null };
  const summary = JSON.parse(row.summary) as { error?: string | null; interrupted?: boolean };
  return { at: row.finished_at, ok: row.ok === 1, error: summary.error ?? (summary.interrupted ? 'interrupted by shutdown' : null) };
}

function age(iso: string, now = Date.now()): string {
  const minutes = Math.max(0, Math.round((now - Date.parse(iso)) / 60_000));
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)} h`;
  return `${Math.round(minutes / 1440)} days`;
}

/** `status`: counts, cursor, last cycle, and every order that is not done with its reason. */
export function statusCommand(ctx: CommandContext, json: boolean): number {
  return withLedger(
    ctx,
    () => {
      if (json) ctx.out(JSON.stringify({ counts: {}, orders: [], cursor: null, lastCycle: { at: null, ok: null } }, null, 2));
      else ctx.out('No ledger yet: the daemon has not run with this DATABASE_PATH.');
      return 0;
    },
    (ledger) => {
      const counts = ledger.counts();
      const orders = ledger.listNotDone();
      const cycle = lastCycle(ledger);
      const cursor = ledger.getMeta('cursor') ?? null;
      const afterDraft = afterDraftAttention(ledger);
      const episodes = openEpisodes(ledger, new Date());
      if (json) {
        ctx.out(
          JSON.stringify(
            {
              counts,
              orders: orders.map((o) => ({
                orderNumber: o.orderNumber,
                orderId: o.orderId,
                state: o.state,
                reason: o.lastError,
                attempts: o.attempts,
                updatedAt: o.updatedAt,
                nextAttemptAt: o.nextAttemptAt,
              })),
              cursor,
              lastCycle: cycle,
              lastSuccessAt: ledger.getMeta('last_success_at') ?? null,
              failing: episodes.map((e) => ({ part: e.name, label: e.label, since: e.since, failedCycles: e.failures, reason: e.reason, alerted: e.pastGrace })),
              needsAttentionAfterDraft: afterDraft,
              writer: writer(ledger) ?? null,
              cycleInProgress: runningCycle(ledger),
              pilot: pilotReport(ledger),
              alertsWaiting: new AlertOutbox(ledger.db).backlog(),
              stock: stockStatus(ledger),
            },
            null,
            2,
          ),
        );
        return 0;
      }
      ctx.out(`Orders: ${Object.entries(counts).map(([state, n]) => `${state} ${n}`).join(', ')}`);
      ctx.out(`Cursor: ${cursor ?? 'not set yet'} (shop time)`);
      const holder = writer(ledger);
      ctx.out(
        holder
          ? `Writer: "${holder.command}", pid ${holder.pid} on host ${holder.host}, since ${holder.startedAt} (heartbeat ${Math.max(0, Math.round((Date.now() - Date.parse(holder.heartbeatAt)) / 1000))} s ago)`
          : 'Writer: none (no run or once holds the ledger)',
      );
      ctx.out(cycle.at ? `Last cycle: ${cycle.at} (UTC), ${cycle.ok ? 'completed' : `FAILED: ${cycle.error ?? ''}`}` : 'Last cycle: none yet');
      // Orders waiting for a failing remote keep their place and attempts; this says why they wait.
      for (const episode of episodes) ctx.out(`FAILING: ${episodeSentence(episode)}; waiting orders go out by themselves once it works again.`);
      const running = progressLine(ledger);
      if (running) ctx.out(running);
      for (const line of pilotLines(pilotReport(ledger))) ctx.out(line);
      for (const line of stockStatusLines(stockStatus(ledger))) ctx.out(line);
      for (const line of afterDraftLines(afterDraft)) ctx.out(line);
      for (const line of alertBacklogLines(new AlertOutbox(ledger.db).backlog())) ctx.out(line);
      if (orders.length === 0) {
        if (afterDraft.length === 0 && episodes.length === 0) ctx.out('Nothing needs attention.');
        return 0;
      }
      const needWork = orders.filter((o) => o.lastErrorCode !== NOT_QUALIFYING);
      const notQualifying = orders.filter((o) => o.lastErrorCode === NOT_QUALIFYING);
      if (needWork.length > 0) {
        ctx.out('');
        ctx.out('Orders that are not done (uncertain and quarantined need a person):');
        for (const o of needWork) ctx.out(formatRow(o));
      }
      if (notQualifying.length > 0) {
        ctx.out('');
        ctx.out('Not drafted, nothing to do (their status no longer qualifies, e.g. cancelled while waiting; looked at again if they change):');
        for (const o of notQualifying) ctx.out(formatRow(o));
      }
      if (needWork.length === 0 && afterDraft.length === 0 && episodes.length === 0) ctx.out('Nothing needs attention.');
      return 0;
    },
    'read',
  );
}

/** Alerts not delivered yet, per channel: a silent channel is worth a line. */
function alertBacklogLines(backlog: ReturnType<AlertOutbox['backlog']>): string[] {
  return backlog.map(
    (b) =>
      `Alerts: ${b.waiting} not delivered yet on the ${b.channel === 'email' ? 'e-mail' : 'webhook'} channel (oldest from ${b.oldestAt}, UTC)${b.lastError ? `; last failure: ${b.lastError}` : ''}; they are retried by the running daemon or the next run/once.`,
  );
}

/** The writer lock's holder; undefined too for a ledger not yet migrated (status opens it read-only). */
function writer(ledger: Ledger): LockHolder | undefined {
  const table = ledger.db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'writer_lock'`).get();
  return table ? currentHolder(ledger) : undefined;
}

function formatRow(o: OrderRow): string {
  const extra = o.state === 'failed' && o.nextAttemptAt ? `, next try ${o.nextAttemptAt}` : '';
  const head = `  ${o.orderNumber.padEnd(10)} ${o.state.padEnd(12)} attempts ${o.attempts}, for ${age(o.updatedAt)}${extra}`;
  // A pending order has no reason of its own (in line for the next cycle, or held by the pilot).
  return o.lastError ? `${head}\n      ${o.lastError}` : head;
}

/**
 * `retry <order> [--force]`: back in line; uncertain ones only with --force (it may create a second
 * draft). One conditional UPDATE on the state shown to the person: safe while the daemon runs. An
 * order the ledger does not hold is one the daemon skipped: retry-skipped.ts.
 */
export async function retryCommand(ctx: CommandContext, ref: string | undefined, force: boolean, quarantined = false): Promise<number> {
  if (quarantined) {
    if (ref || force) throw new UsageError('retry takes either an order number or --quarantined alone, e.g. "retry 1234" or "retry --quarantined".');
    return retryQuarantinedCommand(ctx);
  }
  if (!ref) throw new UsageError('retry needs an order number, e.g. "retry 1234", or --quarantined for every quarantined order.');
  // Not in the ledger: an order the daemon skipped, which may qualify now.
  if (!withLedger(ctx, () => false, (ledger) => ledger.findOrder(ref) !== undefined, 'read')) return retrySkipped(ctx, ref);
  return withLedger(
    ctx,
    () => {
      throw new UsageError(`Order ${ref} is not in the ledger; there is nothing to retry.`);
    },
    (ledger) => {
      const row = ledger.findOrder(ref);
      if (!row) throw new UsageError(`Order ${ref} is not in the ledger; there is nothing to retry.`);
      const refusal = retryRefusal(row, force);
      if (refusal) throw new UsageError(refusal);
      if (!ledger.requeue(row.orderNumber, row.state)) throw changedMeanwhile(ledger, row);
      ctx.out(`Order ${row.orderNumber} is back in line; the next cycle fetches it again from Shoprenter.`);
      const note = configChangedNote(ledger, baseEnv(ctx).configPath);
      if (note) ctx.out(note);
      return 0;
    },
  );
}

function retryRefusal(row: OrderRow, force: boolean): string | null {
  switch (row.state) {
    case 'done':
      return `Order ${row.orderNumber} already has a draft in Cashman; nothing to retry.`;
    case 'pending':
      return `Order ${row.orderNumber} is already waiting for the next cycle; nothing to retry.`;
    case 'submitting':
      // In flight right now, or left by a crash: the next start of `run`/`once` turns it uncertain.
      return `Order ${row.orderNumber} is being sent to Cashman right now (or was, when the daemon stopped); wait for the daemon, or start it, and look again with "status".`;
    case 'uncertain':
      if (row.lastErrorCode === PARTNER_CODE_IN_DOUBT && !force) {
        return `Order ${row.orderNumber} has no draft: it waits for you to say whose partner its code is in Cashman. Look it up, then run "retry ${row.orderNumber} --partner-code-is-theirs" if it is this buyer or "retry ${row.orderNumber} --new-partner-code" if it is someone else (see "status ${row.orderNumber}").`;
      }
      return force
        ? null
        : `Order ${row.orderNumber} is uncertain: its draft may already exist in Cashman. Check Cashman first; if the draft is not there, run "retry ${row.orderNumber} --force", if it is, run "resolve ${row.orderNumber} --done".`;
    case 'failed':
    case 'quarantined':
      return null;
  }
}

function changedMeanwhile(ledger: Ledger, row: OrderRow): LedgerConflictError {
  const now = ledger.getOrder(row.orderNumber)?.state ?? 'gone';
  return new LedgerConflictError(`Order ${row.orderNumber} changed from ${row.state} to ${now} while this command ran; nothing was changed, look again with "status".`);
}

/** `resolve <order> --done`: a person confirmed that the draft of an uncertain order exists in Cashman. */
export function resolveCommand(ctx: CommandContext, ref: string | undefined, done: boolean): number {
  if (!ref || !done) throw new UsageError('resolve needs an order number and --done, e.g. "resolve 1234 --done".');
  return withLedger(
    ctx,
    () => {
      throw new UsageError(`Order ${ref} is not in the ledger; there is nothing to resolve.`);
    },
    (ledger) => {
      const row = ledger.findOrder(ref);
      if (!row) throw new UsageError(`Order ${ref} is not in the ledger; there is nothing to resolve.`);
      if (row.state === 'uncertain' && row.lastErrorCode === PARTNER_CODE_IN_DOUBT) {
        // No draft request ever left for it: "done" would record a draft that does not exist.
        throw new UsageError(
          `Order ${row.orderNumber} has no draft in Cashman (it waits for its partner code to be settled); run "retry ${row.orderNumber} --partner-code-is-theirs" or "retry ${row.orderNumber} --new-partner-code" instead (see "status ${row.orderNumber}").`,
        );
      }
      if (row.state !== 'uncertain') {
        // Only an uncertain order may have a draft nobody recorded; anything else would record a draft that never existed.
        const next = row.state === 'done' ? 'it is already done' : `"resolve --done" is only for uncertain orders; see "status" for what it needs`;
        throw new UsageError(`Order ${row.orderNumber} is ${row.state}, not uncertain: ${next}.`);
      }
      // One transaction: the order is done and the after-draft watch looks at it once (src/sync/after-draft-cycle.ts firstLooks).
      const resolved = ledger.db.transaction(() => {
        if (!ledger.resolveDone(row.orderNumber, `resolved by hand at ${new Date().toISOString()}`)) return false;
        ledger.afterDraft.resolvedByHand(row.orderNumber, fingerprintFromDraftRows(ledger.afterDraft.lastDraftRequest(row.orderNumber, true)));
        return true;
      })();
      if (!resolved) throw changedMeanwhile(ledger, row);
      ctx.out(`Order ${row.orderNumber} is recorded as done; it will never be drafted again.`);
      return 0;
    },
  );
}

/** `health`: 0 when the last successful cycle is recent enough (Docker HEALTHCHECK). */
export function healthCommand(ctx: CommandContext): number {
  const env = baseEnv(ctx);
  let interval = 30;
  try {
    interval = config(env).sync.intervalSeconds;
  } catch {
    // The daemon itself reports config errors; health only judges the ledger.
  }
  return withLedger(
    ctx,
    () => {
      ctx.out('unhealthy: no ledger yet (the daemon has not completed a cycle).');
      return 1;
    },
    (ledger) => {
      const verdict = judgeHealth({
        lastSuccessAt: ledger.getMeta('last_success_at'),
        intervalSeconds: interval,
        now: new Date(),
        progressAt: runningCycle(ledger)?.at,
        episodes: openEpisodes(ledger, new Date()),
      });
      ctx.out(verdict.sentence);
      return verdict.healthy ? 0 : 1;
    },
    'read',
  );
}
