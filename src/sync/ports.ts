import type { InvoiceDraft } from '../domain/draft.js';
import type { Fingerprint } from '../domain/fingerprint.js';
import type { Order } from '../domain/order.js';
import type { PartnerData } from '../domain/partner.js';

/**
 * The small interfaces the pipeline depends on. The Shoprenter and Cashman adapters implement
 * them; tests, `demo` and `bench` plug in the same adapters pointed at local stand-ins, and a
 * second invoicing backend would implement InvoiceBackend.
 */

/** An order as it came off a list page: normalised, or the reason it could not be read. */
export type SourcedOrder =
  | { ok: true; order: Order }
  | { ok: false; id: string; orderNumber: string | null; dateUpdated: string | null; reason: string };

export interface OrderSource {
  /**
   * Lists orders updated at or after `updatedAtMin` (shop-local "YYYY-MM-DDTHH:MM:SS"), every page,
   * handing each page to `onPage` before fetching the next so memory stays flat. `present`, the
   * shop's time taken before the listing, lets the source plan its reads without looking ahead.
   */
  listChangedOrders(updatedAtMin: string, onPage: (orders: SourcedOrder[]) => Promise<void>, present?: string): Promise<void>;
  /** One order by Shoprenter order number (innerId) or API id; null when the shop has no such order. */
  getOrder(ref: string): Promise<SourcedOrder | null>;
}

/** One request row as sent to Cashman, with the password already masked. */
export type RequestRow = Record<string, string>;

export interface PartnerRequest {
  partner: PartnerData;
  partnerCode: string;
  /** Cashman partner_id from an earlier create; null = create. */
  partnerId: string | null;
  /** Cashman fizetesmod text for the partner card, when known. */
  paymentMethod: string | null;
  dueDays: number;
}

/** `sendAfter` for a request whose intent was committed durably already (or that needs none). */
export const SEND_NOW: Promise<void> = Promise.resolve();

export interface InvoiceBackend {
  /** The exact rows `savePartner` would send, password masked: for the audit trail and previews. */
  describePartnerRequest(request: PartnerRequest): RequestRow[];
  /** The exact rows `createDraft` would send, password masked. */
  describeDraftRequest(draft: InvoiceDraft, partnerCode: string): RequestRow[];
  /**
   * Creates or updates the partner; returns Cashman's partner_id. `sendAfter` is the intent's
   * durability (the ledger's Intent): the request may be prepared and connected meanwhile, but no
   * byte leaves before it resolves, and when it rejects nothing leaves and the call rejects with
   * its error. Required, so that no wrapper can drop it: SEND_NOW when nothing is to wait for.
   */
  savePartner(request: PartnerRequest, sendAfter: Promise<void>): Promise<{ partnerId: string }>;
  /**
   * Creates the invoice draft; `reference` is whatever Cashman answered (op 4's answer is
   * undocumented). `sendAfter` as for savePartner.
   */
  createDraft(draft: InvoiceDraft, partnerCode: string, sendAfter: Promise<void>): Promise<{ reference: string | null }>;
  /** Proves the login works without creating anything. */
  checkLogin(): Promise<void>;
}

/**
 * What a draft request kept in the audit trail was built from, read back by the backend whose rows
 * they are (only it knows their format: src/cashman/draft-fingerprint.ts); null when unreadable.
 */
export type DraftRequestFingerprint = (rows: unknown) => Fingerprint | null;

// What the adapters read for a stock round (src/stock/stock-core.ts matches the two).

/** One row of Cashman's op 19 answer, as far as stock needs it. */
export interface CashmanStockRow {
  sku: string;
  barcode: string;
  /** `keszlet` as Cashman sent it ("12", "3.5", "-2"). */
  stock: string;
}

/** One Shoprenter product with the fields a round reads. */
export interface ShopProduct {
  id: string;
  sku: string;
  gtin: string;
  /** The current value of `stock.field`, as sent ("12"); null when the product has none. */
  current: string | null;
}
