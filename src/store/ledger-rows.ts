import type { PartnerData } from '../domain/partner.js';

/** The ledger's row shapes (orders keyed by order number since migration 2) and their mapping from SQLite. */

/**
 * The quarantine code of an order that waited (pilot, retry) and no longer qualifies: its status is
 * now a cancel status or not in sync.statuses. Nothing is wrong and nobody has to act, so it is never
 * alerted nor listed as needing a person; it is looked at again when the order changes in the shop.
 */
export const NOT_QUALIFYING = 'NOT_QUALIFYING';

export type OrderState = 'pending' | 'submitting' | 'done' | 'failed' | 'quarantined' | 'uncertain';
export const ORDER_STATES: readonly OrderState[] = ['pending', 'submitting', 'done', 'failed', 'quarantined', 'uncertain'];

export interface OrderRow {
  orderId: string;
  orderNumber: string;
  state: OrderState;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  lastErrorCode: string | null;
  cashmanRef: string | null;
  dateUpdated: string | null;
  partnerEmail: string | null;
  alertedState: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface PartnerRow {
  email: string;
  partnerCode: string;
  partnerId: string | null;
  snapshot: PartnerData | null;
  pending: PartnerData | null;
  /** A person stated that Cashman's partner under partnerCode is this buyer (its id unknown): when, and by which command. */
  stated: string | null;
}

export interface OrderKey {
  orderId: string;
  orderNumber: string;
  dateUpdated: string | null;
}

export interface RawOrderRow {
  order_id: string;
  order_number: string;
  state: OrderState;
  attempts: number;
  next_attempt_at: string | null;
  last_error: string | null;
  last_error_code: string | null;
  cashman_ref: string | null;
  date_updated: string | null;
  partner_email: string | null;
  alerted_state: string | null;
  created_at: string;
  updated_at: string;
}

export function toOrderRow(raw: RawOrderRow): OrderRow {
  return {
    orderId: raw.order_id,
    orderNumber: raw.order_number,
    state: raw.state,
    attempts: raw.attempts,
    nextAttemptAt: raw.next_attempt_at,
    lastError: raw.last_error,
    lastErrorCode: raw.last_error_code,
    cashmanRef: raw.cashman_ref,
    dateUpdated: raw.date_updated,
    partnerEmail: raw.partner_email,
    alertedState: raw.alerted_state,
    createdAt: raw.created_at,
    updatedAt: raw.updated_at,
  };
}
