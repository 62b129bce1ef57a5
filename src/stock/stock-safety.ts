import type { RoundPlan } from './stock-core.js';

/**
 * Whether a planned round may write (SPEC §6 "Safety"). Pure: the round passes what the ledger
 * remembers (the last good round's match count, an approval). One bad round can empty a shop on a
 * Saturday, so anything surprising holds the round; a person looks at `stock preview` and runs
 * `stock approve` to let it go once.
 */

export type HoldKind = 'answer' | 'shrunk' | 'changes' | 'zeroes';

export interface Hold {
  kind: HoldKind;
  /** One sentence a shop owner understands. */
  reason: string;
  /** Counts the approval is bound to (see `approvalCovers`). */
  changes: number;
  zeroes: number;
  matched: number;
}

/** What `stock approve` recorded: the kind and counts of the held round the person looked at. */
export interface Approval {
  kind: string;
  changes: number;
  zeroes: number;
}

export interface SafetyInput {
  plan: RoundPlan;
  /** Matched products of the last round that was not held; null before the first. */
  lastGoodMatched: number | null;
  maxChangeShare: number;
  approval: Approval | null;
}

export function roundCounts(plan: RoundPlan): { changes: number; zeroes: number; matched: number } {
  const writes = plan.matched.filter((item) => item.write);
  return { changes: writes.length, zeroes: writes.filter((item) => item.target === 0).length, matched: plan.matched.length };
}

/**
 * How far a hold's reason reaches: a round that sets many products to 0 also changes many, and a
 * cut list usually does both. An approval covers holds up to its own kind, never beyond: one
 * given for many changes (a delivery) does not let a cut list ("shrunk") or a wave of zeroes go.
 */
const REACH: Record<string, number> = { changes: 0, zeroes: 1, shrunk: 2 };

/** The most changes (or zeroes) an approval of `n` lets go. */
export function approvalLimit(n: number): number {
  return n + Math.max(2, Math.ceil(n / 10));
}

/**
 * An approval lets go a round held for the same reason (or a lesser one, see REACH) and no bigger
 * than the one approved: the same changes, give or take what orders and deliveries moved since (a
 * tenth more, at least 2). A round that grew beyond that, or is held for another reason, is a
 * different round and is held again.
 */
export function approvalCovers(approval: Approval, hold: { kind: string; changes: number; zeroes: number }): boolean {
  const slack = approvalLimit;
  const reach = (kind: string) => REACH[kind] ?? Number.POSITIVE_INFINITY;
  if (reach(hold.kind) > reach(approval.kind)) return false;
  return hold.changes <= slack(approval.changes) && hold.zeroes <= slack(approval.zeroes);
}

/** Null when the round may write; otherwise why it is held. */
export function judgeRound(input: SafetyInput): Hold | null {
  const counts = roundCounts(input.plan);
  const hold = (kind: HoldKind, reason: string): Hold => ({ kind, reason, ...counts });
  const share = (n: number) => (counts.matched === 0 ? 0 : n / counts.matched);
  const percent = `${Math.round(input.maxChangeShare * 100)} %`;
  let found: Hold | null = null;
  if (input.lastGoodMatched !== null && counts.matched * 2 < input.lastGoodMatched) {
    found = hold(
      'shrunk',
      `Cashman's stock list matched only ${counts.matched} products, fewer than half of the ${input.lastGoodMatched} of the last good round; a cut list must not empty the shop.`,
    );
  } else if (share(counts.zeroes) > input.maxChangeShare) {
    found = hold('zeroes', `the round would set ${counts.zeroes} of ${counts.matched} matched products to 0, more than stock.maxChangeShare (${percent}).`);
  } else if (share(counts.changes) > input.maxChangeShare) {
    found = hold('changes', `the round would change ${counts.changes} of ${counts.matched} matched products, more than stock.maxChangeShare (${percent}).`);
  }
  if (found && input.approval && approvalCovers(input.approval, found)) return null;
  return found;
}
