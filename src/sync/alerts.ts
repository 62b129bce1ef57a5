import type { Logger } from '../log/logger.js';
import type { AlertChannel, AlertOutbox } from '../store/alert-outbox.js';
import type { AlertEvent } from '../alerts/alert-event.js';

export type { AlertEvent, AlertKind } from '../alerts/alert-event.js';

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
