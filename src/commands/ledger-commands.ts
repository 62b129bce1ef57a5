import { UsageError, NotFoundError } from '../errors.js';
import type { Ledger, OrderRow } from '../store/ledger.js';
import { pilotLines, pilotReport } from './pilot-commands.js';
import { retrySkipped } from './retry-skipped.js';
import { progressLine, progressingAgeMs, runningCycle } from '../sync/progress.js';
import { configChangedNote } from './config-fingerprint.js';
import { baseEnv, config, openExistingLedger, type CommandContext } from './context.js';

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
              cycleInProgress: runningCycle(ledger),
              pilot: pilotReport(ledger),
            },
            null,
            2,
          ),
        );
        return 0;
      }
      ctx.out(`Orders: ${Object.entries(counts).map(([state, n]) => `${state} ${n}`).join(', ')}`);
      ctx.out(`Cursor: ${cursor ?? 'not set yet'} (shop time)`);
      ctx.out(cycle.at ? `Last cycle: ${cycle.at} (UTC), ${cycle.ok ? 'completed' : `FAILED: ${cycle.error ?? ''}`}` : 'Last cycle: none yet');
      const running = progressLine(ledger);
      if (running) ctx.out(running);
      for (const line of pilotLines(pilotReport(ledger))) ctx.out(line);
      if (orders.length === 0) {
        ctx.out('Nothing needs attention.');
        return 0;
      }
      ctx.out('');
      ctx.out('Orders that are not done (uncertain and quarantined need a person):');
      for (const o of orders) ctx.out(formatRow(o));
      return 0;
    },
    'read',
  );
}

function formatRow(o: OrderRow): string {
  const extra = o.state === 'failed' && o.nextAttemptAt ? `, next try ${o.nextAttemptAt}` : '';
  return `  ${o.orderNumber.padEnd(10)} ${o.state.padEnd(12)} attempts ${o.attempts}, for ${age(o.updatedAt)}${extra}\n      ${o.lastError ?? ''}`;
}

/** `retry <order> [--force]`: back in line; uncertain ones only with --force (it may create a second draft). */
export async function retryCommand(ctx: CommandContext, ref: string | undefined, force: boolean): Promise<number> {
  if (!ref) throw new UsageError('retry needs an order number, e.g. "retry 1234".');
  // Not in the ledger: an order the daemon skipped, which may qualify now.
  if (!withLedger(ctx, () => false, (ledger) => ledger.findOrder(ref) !== undefined, 'read')) return retrySkipped(ctx, ref);
  return withLedger(
    ctx,
    () => {
      throw new NotFoundError(`Order ${ref} is not in the ledger; there is nothing to retry.`);
    },
    (ledger) => {
      const row = ledger.findOrder(ref);
      if (!row) throw new NotFoundError(`Order ${ref} is not in the ledger; there is nothing to retry.`);
      if (row.state === 'done') throw new UsageError(`Order ${row.orderNumber} already has a draft in Cashman; nothing to retry.`);
      if ((row.state === 'uncertain' || row.state === 'submitting') && !force) {
        throw new UsageError(
          `Order ${row.orderNumber} is ${row.state}: its draft may already exist in Cashman. Check Cashman first; if the draft is not there, run "retry ${row.orderNumber} --force", if it is, run "resolve ${row.orderNumber} --done".`,
        );
      }
      ledger.requeue(row.orderId);
      ctx.out(`Order ${row.orderNumber} is back in line; the next cycle fetches it again from Shoprenter.`);
      const note = configChangedNote(ledger, baseEnv(ctx).configPath);
      if (note) ctx.out(note);
      return 0;
    },
  );
}

/** `resolve <order> --done`: a person confirmed the draft exists in Cashman. */
export function resolveCommand(ctx: CommandContext, ref: string | undefined, done: boolean): number {
  if (!ref || !done) throw new UsageError('resolve needs an order number and --done, e.g. "resolve 1234 --done".');
  return withLedger(
    ctx,
    () => {
      throw new NotFoundError(`Order ${ref} is not in the ledger.`);
    },
    (ledger) => {
      const row = ledger.findOrder(ref);
      if (!row) throw new NotFoundError(`Order ${ref} is not in the ledger.`);
      if (row.state === 'done') {
        ctx.out(`Order ${row.orderNumber} was already done.`);
        return 0;
      }
      ledger.resolveDone(row.orderId, `resolved by hand at ${new Date().toISOString()}`);
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
  const maxAgeMs = Math.max(interval * 10, 300) * 1000;
  return withLedger(
    ctx,
    () => {
      ctx.out('unhealthy: no ledger yet (the daemon has not completed a cycle).');
      return 1;
    },
    (ledger) => {
      const last = ledger.getMeta('last_success_at');
      // A long first backfill has no finished cycle for minutes: progress is what counts then.
      const progressing = progressingAgeMs(ledger);
      if (progressing !== null && progressing <= maxAgeMs && (!last || Date.now() - Date.parse(last) > maxAgeMs)) {
        ctx.out(`healthy: a cycle is in progress; its last order was handled ${Math.round(progressing / 1000)} s ago.`);
        return 0;
      }
      if (!last) {
        ctx.out('unhealthy: no successful cycle yet.');
        return 1;
      }
      const ageMs = Date.now() - Date.parse(last);
      if (ageMs > maxAgeMs) {
        ctx.out(`unhealthy: the last successful cycle was ${Math.round(ageMs / 1000)} s ago (${last}).`);
        return 1;
      }
      ctx.out(`healthy: last successful cycle ${Math.round(ageMs / 1000)} s ago.`);
      return 0;
    },
    'read',
  );
}
