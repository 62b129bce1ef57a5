import { describeDifferences } from './fingerprint-difference.js';
import type { Fingerprint } from './fingerprint.js';

/** Where a drafted order stands against its draft. */
export type DraftCondition = 'ok' | 'cancelled' | 'changed';

/** What a person must hear about: each is reported once per version of the order. */
export type AfterDraftEventKind = 'cancelled' | 'changed' | 'restored';

export interface WatchedDraft {
  condition: DraftCondition;
  /** What the draft was built from. */
  base: Fingerprint;
  /** The order as last compared; null when not known. */
  observed: Fingerprint | null;
}

export interface Judgement {
  condition: DraftCondition;
  event: { kind: AfterDraftEventKind; differences: string[] } | null;
}

/**
 * Compares a new version of a drafted order with its draft (SPEC §1.7). `cancelledBy` says whether
 * the order is now storno or in a cancel status. A new event only when the condition changes, or
 * when a changed order changed again in something the invoice shows: a status change or a staff
 * comment alone is never an event.
 */
export function judgeNewVersion(watched: WatchedDraft, now: Fingerprint, cancelledBy: 'storno' | 'status' | null): Judgement {
  const differences = describeDifferences(watched.base, now);
  if (cancelledBy !== null) {
    return { condition: 'cancelled', event: watched.condition === 'cancelled' ? null : { kind: 'cancelled', differences } };
  }
  if (differences.length > 0) {
    const changedAgain = watched.observed === null || describeDifferences(watched.observed, now).length > 0;
    const news = watched.condition !== 'changed' || changedAgain;
    return { condition: 'changed', event: news ? { kind: 'changed', differences } : null };
  }
  if (watched.condition !== 'ok') return { condition: 'ok', event: { kind: 'restored', differences: [] } };
  return { condition: 'ok', event: null };
}
