import type { RequestRow } from '../sync/ports.js';
import type { StandinStockRow } from './cashman-standin-stock.js';
import type { OddAnswer } from './cashman-standin-wire.js';

/**
 * What a test (or `demo`) can set up, inject and inspect on the Cashman stand-in
 * (cashman-standin.ts): its options, its faults, and what it recorded.
 */

export interface CashmanStandinOptions {
  /** Fixed port for manual experiments (`demo --serve`); 0 (default) = any free port. */
  port?: number;
  group?: string;
  user?: string;
  password?: string;
  /** Delay before every answer. */
  latencyMs?: number;
  /** When given, afa_id / mennyisegiegyseg_id must be one of these (the tenant's ids). */
  vatIds?: readonly number[];
  unitIds?: readonly number[];
  firstPartnerId?: number;
  firstDraftId?: number;
  /** Partner codes the tenant already holds (a lost ledger's partners), e.g. SR000001. */
  existingPartnerCodes?: readonly string[];
  /**
   * Test hook: called after a request was processed (a draft or partner is recorded) and before
   * the answer is written; the answer waits for the returned promise. Lets a crash test kill the
   * client exactly between Cashman's processing and the client's ledger commit.
   */
  onProcessed?: (event: { operation: number; answer: string }) => void | Promise<void>;
  /** Op 19's stock list (cashman-standin-stock.ts); default none. */
  stock?: StandinStockRow[];
}

/** One injected misbehaviour; `slow` still processes the request, then answers after `delayMs`. */
export type CashmanFault =
  | { kind: 'hiba'; message: string }
  | { kind: 'login' }
  | { kind: 'status500' }
  | { kind: 'drop' }
  | { kind: 'dropAfterProcessing' }
  | { kind: 'slow'; delayMs: number }
  /** Answers with the raw request body echoed back, as a PHP error page dumping its input would:
   * a `HIBA:` text (status 200) or, with `status`, an HTML error page. Nothing is processed. */
  | { kind: 'echo'; status?: number }
  /** Answers one of the shapes that are not a success (ODD_ANSWERS), status 200, and records
   * nothing. With `around` the request is processed (the draft or partner exists) and the odd
   * text is printed before or after the real answer, as PHP prints a warning mid-script. */
  | { kind: 'answer'; shape: OddAnswer; around?: 'before' | 'after' }
  /** The real answer cut in half, as a dropped connection mid-body or a PHP memory limit leaves it. */
  | { kind: 'truncate' };

export interface StandinPartner {
  partnerId: string;
  partnerCode: string;
  /** Everything op 9 sent, login fields removed. */
  fields: RequestRow;
  updates: number;
}

export interface StandinDraft {
  operation: number;
  /** The rows as received, password masked. */
  rows: RequestRow[];
  partnerCode: string;
  reference: string;
}

export interface CashmanStandin {
  /** The API URL to give the client (http://127.0.0.1:PORT/fxapi/jxs.php). */
  url: string;
  /** Every request that could be decoded, password masked; `durationMs` from arrival to answer (the benchmark's floor). */
  received: Array<{
    operation: number | null;
    rows: RequestRow[];
    at: Date;
    durationMs?: number;
    /** Which accepted connection carried it (1-based), and when that connection was accepted (performance.now()). */
    connection: number;
    connectedAt: number;
    /** performance.now() when the answer was written; undefined when none was. */
    answeredAt?: number;
  }>;
  partners: Map<string, StandinPartner>;
  drafts: StandinDraft[];
  /** Every `email_cim` value seen: the daemon must never send one (SPEC §1.3). */
  emailCimSeen: string[];
  /** `connections`: every connection accepted (a request's `connection` is its 1-based number among them). */
  stats: { requests: number; hiba: number; faultsApplied: number; byOperation: Record<string, number>; connections: number };
  /** Applies `fault` to the next `times` requests (default 1), optionally only to some operations. */
  setFault(fault: CashmanFault, options?: { times?: number; operations?: readonly number[] }): void;
  clearFaults(): void;
  setLatency(ms: number): void;
  /** Changes the login Cashman accepts from now on (e.g. a password changed in Cashman). */
  setLogin(login: { group?: string; user?: string; password?: string }): void;
  /** Refuses every draft with a line of this SKU as Cashman does for a product-group conflict;
   * the message contains "csoport", which the login pattern also matches. Until clearFaults(). */
  rejectSku(sku: string): void;
  /** Stops listening, keeping every partner and draft: the daemon sees Cashman unreachable (connection refused). */
  pause(): Promise<void>;
  /** Listens again on the same port after `pause`. */
  resume(): Promise<void>;
  /** Op 19's rows; tests change them in place (goods received, invoices finalized). */
  stock: StandinStockRow[];
  close(): Promise<void>;
}
