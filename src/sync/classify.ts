import { AppError, CashmanError, LedgerSyncError, ShoprenterError, WriterLostError } from '../errors.js';

/**
 * The one place that decides what a failure means for an order (SPEC §2). Decisions come from
 * error classes and codes, never from message text.
 */
export type Decision =
  /** Temporary: count an attempt and try again after a backoff. */
  | 'retry'
  /** Needs a person: wrong data, unmapped value, or Cashman refused it. */
  | 'quarantine'
  /** The draft request may have been processed: never resend automatically. */
  | 'uncertain'
  /** A login (Cashman, or Shoprenter mid-cycle) was refused: stop the cycle, touch no order. */
  | 'abort-cycle'
  /**
   * A remote is down or overloaded (Cashman never reached, Shoprenter's retries exhausted): not the
   * order's fault, so no attempt is counted (issue 16 §10). The cycle stops with the order still in
   * line; the remote's episode moves, and the order goes out in its place once the remote answers.
   */
  | 'remote-down'
  /**
   * Cashman failed (5xx, no answer in time) after a draft request left: the draft may exist, so the
   * order is `uncertain` like any lost answer, but it is the last one sent: the cycle stops as for
   * 'remote-down', so one outage puts at most one order in doubt, not every waiting one.
   */
  | 'uncertain-remote-down'
  /** This process lost the ledger to another writer: stop at once, write nothing, exit 1. */
  | 'stop-process';

/** `phase` says whether a draft request may already have left when the error happened. */
export function classify(error: unknown, phase: 'before-send' | 'partner' | 'draft'): Decision {
  // Checked first: WriterLostError is an AppError that is not temporary, which alone would quarantine.
  if (error instanceof WriterLostError) return 'stop-process';
  if (error instanceof CashmanError) {
    switch (error.code) {
      case 'CASHMAN_LOGIN':
        return 'abort-cycle';
      case 'CASHMAN_REJECTED':
        return 'quarantine';
      case 'CASHMAN_NOT_SENT':
        return 'remote-down';
      case 'CASHMAN_OUTCOME_UNKNOWN':
        // A draft resend could create a second invoice. A partner resend reuses the partner code
        // fixed before the first call, so it is safe to repeat: an attempt of the order's own when
        // Cashman answered something unrecognised, none when Cashman itself is failing.
        if (phase === 'draft') return error.remoteFailing ? 'uncertain-remote-down' : 'uncertain';
        return error.remoteFailing ? 'remote-down' : 'retry';
    }
  }
  // The disk refused the intent's sync, so the request was held back: no order's fault, and every
  // order would meet the same disk. The order keeps its place; the cycle stops with the sentence.
  if (error instanceof LedgerSyncError) return 'abort-cycle';
  // A refused Shoprenter login or a missing API scope is not this order's fault: stop the cycle
  // like a Cashman login failure rather than quarantining every order in turn.
  if (error instanceof ShoprenterError && error.code === 'SHOPRENTER_AUTH') return 'abort-cycle';
  // A read whose retries ran out on the network, 429s or 5xx says Shoprenter is failing for
  // everyone. A definite refusal (400, 404) or an answer in an unexpected form (BAD_RESPONSE: it may
  // be this order's product data) stays the order's: attempts, then quarantine with a sentence,
  // rather than holding every order behind it.
  if (error instanceof ShoprenterError && error.temporary && error.code !== 'SHOPRENTER_BAD_RESPONSE') return 'remote-down';
  if (error instanceof AppError) return error.temporary ? 'retry' : 'quarantine';
  // An unexpected failure (a bug): after the draft request left we cannot know; before, retrying
  // is safe and bounded by the attempt limit.
  return phase === 'draft' ? 'uncertain' : 'retry';
}

/** True when the request provably changed nothing in Cashman: refused, login refused, or never sent. */
export function provablyNotProcessed(error: unknown): boolean {
  if (error instanceof LedgerSyncError) return true;
  return error instanceof CashmanError && (error.code === 'CASHMAN_REJECTED' || error.code === 'CASHMAN_LOGIN' || error.code === 'CASHMAN_NOT_SENT');
}

export const MAX_ATTEMPTS = 5;

/** Capped exponential backoff with ±25% jitter: 30 s, 60 s, 2 min, 4 min ... at most 15 min. */
export function backoffDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(30_000 * 2 ** Math.max(0, attempt - 1), 15 * 60_000);
  return Math.round(base * (0.75 + random() * 0.5));
}

/** A short, single-line, secret-free description of any thrown value. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message.replace(/\s+/g, ' ').trim().slice(0, 500);
  return String(error).slice(0, 500);
}

export function errorCode(error: unknown): string {
  if (error instanceof AppError) return error.code;
  return 'UNEXPECTED';
}
