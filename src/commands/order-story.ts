import type { AfterDraftEventKind } from '../domain/after-draft-judgement.js';
import { NotFoundError } from '../errors.js';
import type { Ledger } from '../store/ledger.js';
import { afterDraftAction } from '../sync/after-draft-words.js';
import { baseEnv, openExistingLedger, type CommandContext } from './context.js';

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

/** `status <order>`: one order's whole story (state, attempts, reason, Cashman reference, audit, after-draft events). */
export function orderStatusCommand(ctx: CommandContext, ref: string, json: boolean): number {
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
    if (json) {
      ctx.out(
        JSON.stringify(
          {
            ...row,
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
    ctx.out(`  state ${row.state}, attempts ${row.attempts}${row.nextAttemptAt ? `, next try ${row.nextAttemptAt}` : ''}, last change ${row.updatedAt}`);
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
