import got from 'got';
import type { Logger } from '../log/logger.js';

/**
 * ALERT_WEBHOOK_URL: one JSON POST per new quarantined or uncertain order and per login failure.
 * The body carries `text` (Slack, Teams/Power Automate) and `content` (Discord) so the common
 * incoming-webhook flavours all show it. A failing webhook is logged, never fatal.
 */
export interface AlertEvent {
  kind: 'quarantined' | 'uncertain' | 'login-failed' | 'pilot-ready';
  orderNumber?: string;
  reason: string;
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
    case 'pilot-ready':
      return `shoprenter-cashman-sync: pilot finished, waiting for "approve": ${event.reason}`;
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
        json: { text, content: text.slice(0, 1900), kind: event.kind, orderNumber: event.orderNumber ?? null, reason: event.reason },
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
