import type { MappingConfig } from '../domain/mapping-config.js';
import type { Order } from '../domain/order.js';
import type { Logger } from '../log/logger.js';
import type { Ledger, OrderKey, OrderRow } from '../store/ledger.js';
import type { Alerter } from './alerts.js';
import type { InvoiceBackend, SourcedOrder } from './ports.js';
import type { PilotGate } from './pilot.js';

/** Settings of the per-order pipeline, from config.yaml. */
export interface PipelineSettings {
  mapping: MappingConfig;
  /** Status inner ids that trigger a draft; null = every completed checkout. */
  statusIds: ReadonlySet<string> | null;
  /** Status inner ids that mean "cancelled" (sync.cancelStatuses): never drafted. */
  cancelStatusIds?: ReadonlySet<string>;
  /** Shop-local "YYYY-MM-DDTHH:MM:SS"; orders placed (created) earlier are never drafted. */
  startFrom: string;
  partnerCodePrefix: string;
  partnerCodeDigits: number;
  dueDays: number;
}

export interface PipelineDeps {
  ledger: Ledger;
  /**
   * Fills what the order listing does not carry (chosen options, product units) with extra
   * Shoprenter reads. Called only for orders about to be drafted, so skipped orders stay free.
   */
  enrich?: (order: Order) => Promise<Order>;
  backend: InvoiceBackend;
  logger: Logger;
  alerts: Alerter;
  settings: PipelineSettings;
  /** The go-live pilot (SPEC §1.8); absent = no pilot. */
  pilot?: PilotGate;
  now?: () => Date;
  random?: () => number;
  /** Watches drafted orders for cancellation and change (SPEC §1.7). */
  afterDraft?: AfterDraftHooks;
  /** Set by a signal: no new Cashman request starts. */
  stop?: { requested: boolean };
}

/** What the pipeline tells the after-draft watch (src/sync/after-draft.ts). */
export interface AfterDraftHooks {
  drafted(order: Order): void;
  observe(order: Order, row: OrderRow): Promise<void>;
}

export type OrderOutcome =
  | 'skipped' // already handled, or not due: no remote call
  | 'ignored' // does not qualify (status, startFrom)
  | 'done'
  | 'failed'
  | 'quarantined'
  | 'uncertain'
  | 'held'; // qualifies, but the pilot waits for `approve`: recorded as pending

/** Thrown to stop the cycle when Cashman refuses the login (no order is touched). */
export class CycleAbort extends Error {
  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
    /** What became of the order in hand before the stop (an uncertain draft), for the summary. */
    readonly outcome?: OrderOutcome,
  ) {
    super(reason, options);
  }
}

export interface PartnerStats {
  created: number;
  updated: number;
}

export function keyOf(sourced: SourcedOrder): OrderKey {
  if (sourced.ok) return { orderId: sourced.order.id, orderNumber: sourced.order.orderNumber, dateUpdated: sourced.order.dateUpdated };
  return { orderId: sourced.id, orderNumber: sourced.orderNumber ?? sourced.id, dateUpdated: sourced.dateUpdated };
}
