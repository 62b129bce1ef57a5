import type { Logger } from '../log/logger.js';
import type { AlertChannel, AlertOutbox } from '../store/alert-outbox.js';

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
  | 'pilot-ready';

export interface AlertEvent {
  kind: AlertKind;
  orderNumber?: string;
  reason: string;
  /** The Cashman reference of the draft an after-draft report is about. */
  cashmanRef?: string | null;
  /** What a person should do (after-draft reports). */
  action?: string;
}

export interface Alerter {
  send(event: AlertEvent): Promise<void>;
}

export function describeAlert(event: AlertEvent): string {
  const subject = event.orderNumber ? `order ${event.orderNumber}` : 'login';
  switch (event.kind) {
    case 'quarantined':
      return `shoprenter-cashman-sync: ${subject} needs attention (quarantined): ${event.reason}`;
    case 'uncertain':
      return `shoprenter-cashman-sync: ${subject} may or may not have a draft in Cashman; check and run "resolve ${event.orderNumber ?? ''} --done" or "retry ${event.orderNumber ?? ''} --force": ${event.reason}`;
    case 'login-failed':
      return `shoprenter-cashman-sync: a login was refused; no order is being sent until it works again: ${event.reason}`;
    case 'shoprenter-failing':
      return `shoprenter-cashman-sync: Shoprenter keeps failing, so no new orders are read; check the API client in the shop admin and the network: ${event.reason}`;
    case 'cashman-failing':
      return `shoprenter-cashman-sync: Cashman cannot be reached, so no draft is being sent; check CASHMAN_API_URL and the network: ${event.reason}`;
    case 'login-recovered':
    case 'shoprenter-recovered':
    case 'cashman-recovered':
      return `shoprenter-cashman-sync: back to normal: ${event.reason}`;
    case 'cancelled-after-draft':
    case 'changed-after-draft':
      return `shoprenter-cashman-sync: ${subject} needs attention after its draft (Cashman draft ${event.cashmanRef ?? 'reference unknown'}): ${event.reason} ${event.action ?? ''}`.trim();
    case 'pilot-ready':
      return `shoprenter-cashman-sync: pilot finished, waiting for "approve": ${event.reason}`;
  }
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
