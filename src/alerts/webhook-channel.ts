import { httpRequest } from '../net-request.js';
import type { AlertEvent } from './alert-event.js';
import { describeAlert, type AlertLanguage } from './texts.js';
import { AlertDeliveryError, failureWords, hostOf, type ChannelSender } from './channel.js';

/**
 * ALERT_WEBHOOK_URL: one JSON POST per alert. The body carries `text` (Slack, Teams/Power
 * Automate) and `content` (Discord) so the common incoming-webhook flavours all show it. Only a
 * 2xx counts as delivered: no redirect is followed (a 3xx is not an acceptance) and no retry is
 * made here; the outbox retries with backoff (src/sync/alert-delivery.ts).
 */
export class WebhookChannel implements ChannelSender {
  readonly name = 'webhook';
  readonly bundle = 1;
  readonly where: string;

  constructor(
    private readonly url: string,
    private readonly timeoutMs: number,
    private readonly language: AlertLanguage = 'en',
  ) {
    this.where = hostOf(url);
  }

  async deliver(events: readonly AlertEvent[], signal: AbortSignal): Promise<void> {
    const event = events[0];
    if (!event) return;
    let status: number;
    try {
      const response = await httpRequest(new URL(this.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'shoprenter-cashman-sync' },
        body: JSON.stringify(webhookBody(event, this.language)),
        timeoutMs: this.timeoutMs,
        signal,
      });
      status = response.statusCode;
    } catch (error) {
      throw new AlertDeliveryError(failureWords(error, this.timeoutMs, signal));
    }
    if (status < 200 || status > 299) throw new AlertDeliveryError(`answered HTTP ${status}`);
  }
}

export function webhookBody(event: AlertEvent, language: AlertLanguage): Record<string, unknown> {
  const text = describeAlert(event, language);
  return {
    text,
    content: text.slice(0, 1900),
    kind: event.kind,
    orderNumber: event.orderNumber ?? null,
    reason: event.reason,
    ...(event.cashmanRef !== undefined ? { cashmanRef: event.cashmanRef } : {}),
    ...(event.action !== undefined ? { action: event.action } : {}),
  };
}
