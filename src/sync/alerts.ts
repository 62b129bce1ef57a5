import type { Logger } from '../log/logger.js';
import type { AlertChannel, AlertOutbox } from '../store/alert-outbox.js';
import type { DailySummary } from '../alerts/summary-figures.js';

/**
 * What a person is told: a new quarantined or uncertain order, a report after the draft, the
 * pilot's end, and a remote that starts failing and works again (episodes.ts). Alerts are queued
 * in the ledger and delivered beside the order work (src/sync/alert-delivery.ts).
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

export interface Alerter {
  send(event: AlertEvent): Promise<void>;
}

/**
 * The pipeline's alerter: `send` records the alert in the ledger's outbox (one local insert, from
 * any process) and returns; the writer's AlertDelivery sends it. It never throws: an alert that
 * cannot even be recorded (a full disk) is logged and handed to `unrecorded`, which tries it once
 * from memory.
 */
export class OutboxAlerter implements Alerter {
  constructor(
    private readonly outbox: AlertOutbox,
    private readonly channels: readonly AlertChannel[],
    private readonly logger: Logger,
    private readonly hooks: { enqueued?: () => void; unrecorded?: (event: AlertEvent) => void } = {},
  ) {}

  send(event: AlertEvent): Promise<void> {
    try {
      this.outbox.enqueue(event, JSON.stringify(event), this.channels);
    } catch (error) {
      this.logger.error('could not record an alert in the ledger; trying it once from memory', {
        kind: event.kind,
        orderNumber: event.orderNumber,
        error: (error as Error).message,
      });
      this.hooks.unrecorded?.(event);
      return Promise.resolve();
    }
    this.hooks.enqueued?.();
    return Promise.resolve();
  }
}

export const noAlerts: Alerter = { send: () => Promise.resolve() };
