import type { AfterDraftEventKind } from '../domain/after-draft-judgement.js';

/** The alert kind of a report (SPEC §3 ALERT_WEBHOOK_URL); a restored order is news about a change. */
export function afterDraftAlertKind(kind: AfterDraftEventKind): 'cancelled-after-draft' | 'changed-after-draft' {
  return kind === 'cancelled' ? 'cancelled-after-draft' : 'changed-after-draft';
}

/**
 * What a person does about a report, in the three cases the README explains: a draft not finalized
 * yet, an invoice already finalized, a change that does not matter. The daemon never deletes or
 * resends a draft by itself: Cashman offers no way to find or delete the old one.
 */
export function afterDraftAction(kind: AfterDraftEventKind, orderNumber: string): string {
  switch (kind) {
    case 'cancelled':
      return `In Cashman: if the draft is not finalized yet, delete it; if it is already an invoice, issue a storno invoice for it. Then run "ack ${orderNumber}".`;
    case 'changed':
      return `In Cashman: if the draft is not finalized yet, delete it and run "redraft ${orderNumber} --old-draft-deleted" to send a new one; if it is already an invoice, correct it with a storno invoice, then run "ack ${orderNumber}"; if the change does not matter, run "ack ${orderNumber}".`;
    case 'restored':
      return `If you kept the draft in Cashman, run "ack ${orderNumber}"; if you deleted it, run "redraft ${orderNumber} --old-draft-deleted" to send a new one.`;
  }
}
