import got from 'got';
import type { Logger } from '../log/logger.js';

/**
 * ALERT_WEBHOOK_URL: one JSON POST per new quarantined or uncertain order, and one when a remote
 * starts failing and when it works again (episodes.ts). The body carries `text` (Slack,
 * Teams/Power Automate) and `content` (Discord) so the common incoming-webhook flavours all show
 * it. A failing webhook is logged, never fatal.
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
  | 'stock-held';

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
    case 'stock-held':
      return `shoprenter-cashman-sync: a stock round was held and wrote nothing; check "stock preview", then run "stock approve" if it is right: ${event.reason}`;
  }
}

export class WebhookAlerter implements Alerter {
  constructor(
    private readonly url: string | null,
    private readonly logger: Logger,
  ) {}

  async send(event: AlertEvent): Promise<void> {
    if (!this.url) return;
    const text = describeAlert(event);
    try {
      await got.post(this.url, {
        json: {
          text,
          content: text.slice(0, 1900),
          kind: event.kind,
          orderNumber: event.orderNumber ?? null,
          reason: event.reason,
          ...(event.cashmanRef !== undefined ? { cashmanRef: event.cashmanRef } : {}),
          ...(event.action !== undefined ? { action: event.action } : {}),
        },
        // Alerts are sent inside the cycle: a dead webhook must cost seconds, not minutes.
        timeout: { request: 5_000 },
        retry: { limit: 1, methods: ['POST'] },
      });
    } catch (error) {
      this.logger.warn('alert webhook failed', { kind: event.kind, orderNumber: event.orderNumber, error: (error as Error).message });
    }
  }
}

export const noAlerts: Alerter = { send: () => Promise.resolve() };
