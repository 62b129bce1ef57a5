import type { AfterDraftEventKind } from '../domain/after-draft-judgement.js';
import { NotFoundError } from '../errors.js';
import type { Ledger } from '../store/ledger.js';
import { afterDraftAction } from '../sync/after-draft-words.js';
import { baseEnv, openExistingLedger, type CommandContext } from './context.js';
import { readRemoteEnv } from '../config/env.js';
import { silentLogger } from '../log/logger.js';
import { createClients } from '../runtime.js';
import { CHECK_TIMEOUT_MS, CHECK_TUNING, configOrProblems } from './check-steps.js';
import { orderVerdict, type Verdict } from './order-verdict.js';

/** One entry of "needs attention after the draft" (SPEC §1.7), as `status --json` prints it. */
export interface AfterDraftAttention {
  orderNumber: string;
  kind: AfterDraftEventKind;
  reason: string;
  cashmanRef: string | null;
  action: string;
  reportedAt: string;
}

export function afterDraftAttention(ledger: Ledger): AfterDraftAttention[] {
  return ledger.afterDraft.needingAttention().map(({ event }) => {
    const kind = event.kind as AfterDraftEventKind;
    return {
      orderNumber: event.orderNumber,
      kind,
      reason: event.reason,
      cashmanRef: event.cashmanRef,
      action: afterDraftAction(kind, event.orderNumber),
      reportedAt: event.at,
    };
  });
}

/** The lines `status` prints under its own heading; nothing when no drafted order needs a person. */
export function afterDraftLines(items: readonly AfterDraftAttention[]): string[] {
  if (items.length === 0) return [];
  const lines = ['', 'Needs attention after the draft (cancelled or changed since its draft was made):'];
  for (const item of items) {
    lines.push(`  ${item.orderNumber.padEnd(10)} ${item.kind.padEnd(10)} Cashman draft ${item.cashmanRef ?? 'reference unknown'}, reported ${item.reportedAt}`);
    lines.push(`      ${item.reason}`, `      ${item.action}`);
  }
  return lines;
}

/**
 * The order's status in Shoprenter now and what the daemon makes of it (issue 17: why it waits),
 * read with `check`'s short timeouts; a sentence instead when Shoprenter or the config cannot tell.
 */
async function currentVerdict(ctx: CommandContext, ledger: Ledger, orderNumber: string): Promise<Verdict | { status: string; text: null }> {
  const { remote, problems } = readRemoteEnv(ctx.env);
  if (problems.length > 0) return { status: 'unknown (.env is incomplete; see "check")', text: null };
  const loaded = configOrProblems(remote);
  if (loaded.problem) return { status: 'unknown (config.yaml has problems; see "check")', text: null };
  try {
    const { shoprenter } = createClients(remote, loaded.config, silentLogger, CHECK_TUNING, CHECK_TIMEOUT_MS);
    const sourced = await shoprenter.getOrder(orderNumber);
    if (!sourced) return { status: 'not found (deleted, or cancelled as storno)', text: null };
    if (!sourced.ok) return { status: `unreadable (${sourced.reason})`, text: null };
    return await orderVerdict(sourced.order, loaded.config, shoprenter, ledger);
  } catch (error) {
    return { status: `unknown (${error instanceof Error ? error.message : String(error)})`, text: null };
  }
}

/** `status <order>`: one order's whole story (state, attempts, reason, Cashman reference, audit, after-draft events). */
export async function orderStatusCommand(ctx: CommandContext, ref: string, json: boolean): Promise<number> {
  const ledger = openExistingLedger(baseEnv(ctx), 'read');
  if (!ledger) throw new NotFoundError(`Order ${ref} is not in the ledger (there is no ledger yet).`);
  try {
    const row = ledger.findOrder(ref);
    if (!row) throw new NotFoundError(`Order ${ref} is not in the ledger: it was never seen, or it does not qualify for a draft.`);
    const audit = ledger.db
      .prepare('SELECT at, kind, outcome, response FROM audit WHERE order_number = ? ORDER BY id')
      .all(row.orderNumber) as { at: string; kind: string; outcome: string | null; response: string | null }[];
    const watch = ledger.afterDraft.get(row.orderNumber);
    const events = ledger.afterDraft.eventsFor(row.orderNumber);
    const now = await currentVerdict(ctx, ledger, row.orderNumber);
    if (json) {
      ctx.out(
        JSON.stringify(
          {
            ...row,
            shopStatus: now.status,
            verdict: now.text,
            afterDraft: watch ? { condition: watch.condition, needsAttention: watch.attention, fingerprintFrom: watch.source, lastCompared: watch.seenUpdated } : null,
            audit,
            events: events.map(({ alerted: _alerted, id: _id, ...event }) => event),
          },
          null,
          2,
        ),
      );
      return 0;
    }
    ctx.out(`Order ${row.orderNumber} (API id ${row.orderId})`);
    // A drafted order's attempts say nothing a person needs (issue 17: "done, attempts 0" puzzled).
    const attempts = row.state === 'done' ? '' : `, attempts ${row.attempts}${row.nextAttemptAt ? `, next try ${row.nextAttemptAt}` : ''}`;
    ctx.out(`  state ${row.state}${attempts}, last change ${row.updatedAt}`);
    ctx.out(`  status in Shoprenter now: ${now.status}`);
    if (now.text && row.state !== 'quarantined' && row.state !== 'uncertain') ctx.out(`  what the daemon does: ${now.text}`);
    if (row.lastError) ctx.out(`  reason: ${row.lastError}`);
    ctx.out(`  Cashman reference: ${row.cashmanRef ?? 'none'}`);
    if (watch) ctx.out(`  after the draft: ${watch.condition}${watch.attention ? ', NEEDS ATTENTION' : ''} (last compared version ${watch.seenUpdated ?? 'none'})`);
    ctx.out('  Sent to Cashman:');
    if (audit.length === 0) ctx.out('    nothing');
    for (const a of audit) ctx.out(`    ${a.at}  ${a.kind.padEnd(8)} ${a.outcome ?? ''}${a.response ? `  answer ${a.response}` : ''}`);
    if (events.length > 0) ctx.out('  After the draft:');
    for (const e of events) ctx.out(`    ${e.at}  ${e.kind.padEnd(16)} ${e.reason}${e.cashmanRef ? ` (draft ${e.cashmanRef})` : ''}`);
    return 0;
  } finally {
    ledger.close();
  }
}
