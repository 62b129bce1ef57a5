import { alertChannels } from '../alerts/channels.js';
import type { RemoteEnv } from '../config/env.js';
import type { FileConfig } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import { AlertOutbox } from '../store/alert-outbox.js';
import type { Ledger } from '../store/ledger.js';
import { AlertDelivery, type DeliveryTuning } from './alert-delivery.js';
import { OutboxAlerter, type Alerter } from './alerts.js';
import { enqueueDailySummary } from './daily-summary.js';

/** The alerter a process raises alerts through, and the delivery that sends them while it holds the ledger. */
export interface Alerting {
  alerts: Alerter;
  delivery: AlertDelivery;
}

/**
 * One wiring for every process that holds the ledger (`run`, `once`, `demo`, `stock push`): alerts
 * are queued in the ledger's outbox and delivered beside the work on every configured channel.
 */
export function createAlerting(options: {
  env: RemoteEnv;
  config: FileConfig;
  ledger: Ledger;
  logger: Logger;
  now: () => Date;
  tuning?: Partial<DeliveryTuning>;
}): Alerting {
  const { env, config, ledger, logger, now } = options;
  const channels = alertChannels(env, { language: config.alerts.language, shop: env.shoprenter.shop, timeoutMs: options.tuning?.requestTimeoutMs }, logger);
  const outbox = new AlertOutbox(ledger.db, now);
  const summaryAt = config.alerts.dailySummaryAt;
  const summary =
    summaryAt && channels.some((c) => c.name === 'email')
      ? () => void enqueueDailySummary({ ledger, outbox, timezone: config.sync.timezone, at: summaryAt, now, logger })
      : undefined;
  const delivery = new AlertDelivery({
    outbox,
    holdsWriterLock: () => ledger.holdsWriterLock(),
    channels,
    logger,
    now,
    ...(options.tuning ? { tuning: options.tuning } : {}),
    ...(summary ? { beforePass: summary } : {}),
  });
  const alerts = new OutboxAlerter(outbox, channels.map((c) => c.name), logger, {
    enqueued: () => delivery.wake(),
    unrecorded: (event) => void delivery.tryOnce(event),
  });
  return { alerts, delivery };
}
