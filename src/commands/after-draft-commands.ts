import { hostname, userInfo } from 'node:os';
import { UsageError } from '../errors.js';
import { createRuntime } from '../runtime.js';
import type { Ledger, OrderRow } from '../store/ledger.js';
import { recoverRedrafts, redraftGone } from '../sync/after-draft-cycle.js';
import { ownIdentity } from '../store/process-identity.js';
import { CycleAbort, OrderPipeline } from '../sync/process-order.js';
import { baseEnv, config, logger, openExistingLedger, remoteEnv, type CommandContext } from './context.js';

const REPORTED = new Set(['cancelled', 'changed', 'restored']);

/** `ack <order>`: a person dealt with an order cancelled or changed after its draft. */
export function ackCommand(ctx: CommandContext, ref: string | undefined): number {
  if (!ref) throw new UsageError('ack needs an order number, e.g. "ack 1234".');
  const ledger = openExistingLedger(baseEnv(ctx));
  if (!ledger) throw new UsageError(`Order ${ref} is not in the ledger; there is nothing to ack.`);
  try {
    const row = ledger.findOrder(ref);
    if (!row) throw new UsageError(`Order ${ref} is not in the ledger; there is nothing to ack.`);
    if (!ledger.afterDraft.ack(row.orderNumber, `Acknowledged by a person at ${new Date().toISOString()}.`, row.cashmanRef)) {
      throw new UsageError(`Order ${row.orderNumber} has no open report of a cancellation or change after its draft; there is nothing to ack.`);
    }
    ctx.out(`Order ${row.orderNumber}: recorded that a person dealt with it; it no longer shows under "needs attention after the draft".`);
    return 0;
  } finally {
    ledger.close();
  }
}

/**
 * `redraft <order> --old-draft-deleted`: after the person deleted the old draft in Cashman, sends
 * one new draft from the order as it is now, through the same checks as any draft. It is one act
 * on one open report: refused (exit 2, nothing sent) without the person's statement, when the
 * report was acked or already redrafted, or while another redraft has the order. The statement is
 * recorded as theirs (who, when, what they typed): Cashman offers no way to check it.
 *
 * It does not take the writer lock, so it works while the daemon runs (the operator should not
 * have to stop the daemon to fix one order). "Never twice" does not rest on the lock: the order
 * leaves `done` only by a compare-and-set that checks, when it acts, the state the command saw, the
 * open report and that no other redraft holds it (startRedraft), and the draft leaves only after
 * the pipeline's own compare-and-set into `submitting`, which one process wins; `uncertain` is
 * never resent by anyone. What the lock would add is the right to call a `submitting` row a
 * crash's leftover, so the redraft marks its row with its process instead: the daemon's start-up
 * recovery leaves that row alone and recoverRedrafts judges it by the lock's own rules (same boot
 * and pid namespace: pid gone; machine restarted; otherwise an age limit). A misjudgement can only
 * turn this redraft's draft `uncertain`, never send a second one.
 */
export async function redraftCommand(ctx: CommandContext, ref: string | undefined, oldDraftDeleted = false): Promise<number> {
  if (!ref) throw new UsageError('redraft needs an order number, e.g. "redraft 1234 --old-draft-deleted".');
  const env = remoteEnv(ctx);
  const log = logger(ctx, env);
  const runtime = await createRuntime({ env, config: config(env), logger: log, recoverInterrupted: false });
  try {
    const { ledger } = runtime;
    recoverRedrafts(ledger, log, (owner) => redraftGone(owner));
    const row = redraftable(ledger, ref);
    if (!oldDraftDeleted) {
      throw new UsageError(
        `A new draft is sent only once the old one (${row.cashmanRef ?? 'reference unknown'}) is deleted in Cashman; delete it there, then run "redraft ${row.orderNumber} --old-draft-deleted" (nothing was sent).`,
      );
    }
    const sourced = await runtime.shoprenter.getOrder(row.orderNumber);
    if (sourced === null) {
      throw new UsageError(
        `Order ${row.orderNumber} is cancelled (storno) or gone in Shoprenter, so there is nothing to redraft; once the old draft is dealt with in Cashman, run "ack ${row.orderNumber}".`,
      );
    }
    // A redraft is a person's explicit action on an order already drafted (and counted) once, so the
    // go-live pilot does not hold it: it replaces a draft, it does not add an order.
    const pipeline = new OrderPipeline({ ...runtime.deps, pilot: undefined });
    if (sourced.ok && !pipeline.qualifies(sourced.order)) {
      throw new UsageError(
        `Order ${row.orderNumber} is in status ${sourced.order.statusId ?? 'none'}, which does not call for a draft (sync.statuses, sync.cancelStatuses); nothing was sent.`,
      );
    }
    const version = sourced.ok ? sourced.order.dateUpdated : (sourced.dateUpdated ?? row.dateUpdated ?? '');
    const expected = row.state === 'done' ? 'done' : 'quarantined';
    const statement = personsStatement(row.orderNumber, row.cashmanRef);
    if (!ledger.afterDraft.startRedraft(row.orderNumber, expected, version, row.cashmanRef, ownIdentity(), statement)) {
      // Another redraft, an ack or the daemon acted since the checks above: say what holds now.
      throw new UsageError(refusal(ledger, ref) ?? `Order ${row.orderNumber} changed while this command ran; nothing was sent, look again with "status ${row.orderNumber}".`);
    }
    // A draft met by Cashman failing (5xx, no answer) is uncertain and stops a cycle (issue 16 §10);
    // here it is this one order's outcome, reported like any other.
    const outcome = await pipeline.process(sourced, ledger.getOrder(row.orderNumber)).catch((error: unknown) => {
      if (error instanceof CycleAbort && error.outcome) return error.outcome;
      throw error;
    });
    const after = ledger.getOrder(row.orderNumber);
    if (outcome === 'done') {
      ledger.afterDraft.finishRedraft(row.orderNumber, { kind: 'redrafted', version, reason: `New draft sent; it replaces ${row.cashmanRef ?? 'the old draft'}.`, cashmanRef: after?.cashmanRef ?? null }, true);
      ctx.out(`Order ${row.orderNumber}: a new draft was sent to Cashman (${after?.cashmanRef ?? 'reference unknown'}); the old one (${row.cashmanRef ?? 'reference unknown'}) stays in the audit trail.`);
      return 0;
    }
    const reason = after?.lastError ?? `the order ended ${outcome}`;
    ledger.afterDraft.finishRedraft(row.orderNumber, { kind: 'redraft-failed', version, reason, cashmanRef: row.cashmanRef }, false);
    ctx.out(`Order ${row.orderNumber}: no new draft was confirmed; it is now ${after?.state ?? outcome}: ${reason}`);
    return 1;
  } finally {
    runtime.close();
    await log.close();
  }
}

/** What the person said, as their words: who (the account and machine the command ran on), when, and what they typed. */
function personsStatement(orderNumber: string, oldRef: string | null): string {
  return `A person (${whoRuns()}) stated at ${new Date().toISOString()}, with "redraft ${orderNumber} --old-draft-deleted", that the old draft ${oldRef ?? '(reference unknown)'} was deleted in Cashman; this program has not checked it (Cashman offers no way to).`;
}

function whoRuns(): string {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    // A container user without a passwd entry has a uid only.
    user = `uid ${process.getuid?.() ?? 'unknown'}`;
  }
  return `user ${process.env['SUDO_USER'] ?? user} on host ${hostname()}`;
}

/** Only an order with an open report (cancelled, changed or restored after its draft) that no redraft has yet. */
function redraftable(ledger: Ledger, ref: string): OrderRow {
  const row = ledger.findOrder(ref);
  const why = refusal(ledger, ref);
  if (why !== null || !row) throw new UsageError(why ?? `Order ${ref} is not in the ledger; there is nothing to redraft.`);
  return row;
}

/** Why `redraft` must not act on this order now, in one sentence; null when it may. */
function refusal(ledger: Ledger, ref: string): string | null {
  const row = ledger.findOrder(ref);
  if (!row) return `Order ${ref} is not in the ledger; there is nothing to redraft.`;
  const n = row.orderNumber;
  const watch = ledger.afterDraft.get(n);
  if (watch?.redraftPid != null) {
    return `A redraft of order ${n} is already under way (process ${watch.redraftPid}); nothing was sent, look again with "status ${n}" once it has finished.`;
  }
  const leftByRedraft = row.state === 'quarantined' && row.lastErrorCode === 'REDRAFT';
  if (row.state !== 'done' && !leftByRedraft) {
    return `Order ${n} is ${row.state}, not drafted: redraft is only for an order whose draft exists; see "status ${n}".`;
  }
  if (watch?.attention) return null;
  const events = ledger.afterDraft.eventsFor(n);
  const lastReport = events.findLastIndex((e) => REPORTED.has(e.kind));
  if (lastReport < 0) return `Order ${n} has not been reported as cancelled or changed after its draft; there is nothing to redraft.`;
  const closed = events.slice(lastReport + 1).findLast((e) => e.kind === 'redrafted' || e.kind === 'acked');
  if (closed?.kind === 'redrafted') {
    return `Order ${n} was already redrafted at ${closed.at} (new draft ${closed.cashmanRef ?? 'reference unknown'}); nothing was sent, a new report of the order is needed for another redraft.`;
  }
  if (closed?.kind === 'acked') {
    return `Order ${n}'s report was acknowledged with "ack" at ${closed.at}, so there is nothing to redraft; nothing was sent.`;
  }
  return `Order ${n} has no open report of a cancellation or change after its draft; there is nothing to redraft.`;
}
