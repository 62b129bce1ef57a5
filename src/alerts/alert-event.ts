import type { DailySummary } from './summary-figures.js';

/**
 * What a person is told: a new quarantined or uncertain order, a report after the draft, the
 * pilot's end, and a remote that starts failing and works again (src/sync/episodes.ts). Alerts
 * are queued in the ledger and delivered beside the order work (src/sync/alert-delivery.ts).
 */
export type AlertKind =
  | 'quarantined'
  | 'uncertain'
  | 'login-failed'
  | 'login-recovered'
  | 'shoprenter-failing'
  | 'shoprenter-recovered'
  | 'cashman-failing'
  | 'cashman-recovered'
  | 'cancelled-after-draft'
  | 'changed-after-draft'
  | 'pilot-ready'
  | 'writer-stopped'
  | 'sync-failing'
  | 'sync-recovered'
  | 'shoprenter-login-failed'
  | 'shoprenter-login-recovered'
  /** `check --send-test-alert`. */
  | 'test-alert'
  /** The morning summary (alerts.dailySummaryAt), e-mail only. */
  | 'daily-summary'
  /** A stock round wrote nothing and waits for `stock approve` (SPEC §6). */
  | 'stock-held'
  /** Stock writes refused for a missing product.product:write scope (SPEC §6). */
  | 'stock-write-refused';

export interface AlertEvent {
  kind: AlertKind;
  orderNumber?: string;
  reason: string;
  /** The Cashman reference of the draft an after-draft report is about. */
  cashmanRef?: string | null;
  /** What a person should do (after-draft reports), in English. */
  action?: string;
  /**
   * An `uncertain` order held because Cashman refused its buyer's partner code as taken after a
   * create whose answer was lost (issue 16 §4): no draft exists, a person says whose the code is.
   */
  partnerCode?: string;
  /** The figures of a `daily-summary`. */
  summary?: DailySummary;
}
