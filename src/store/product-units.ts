import type { Ledger } from './ledger.js';

/**
 * How long a product's unit read from Shoprenter is trusted: 24 hours. A unit changes when the
 * shop owner edits the product, which is rare; until the refresh, a changed unit would still reach
 * a few drafts with the old one, and drafts are checked by a person before they become invoices.
 * A day keeps that window short while a product sold again within the day (the common case for a
 * shop's best sellers) costs no read at all, and a restart no longer re-reads every product.
 */
export const UNIT_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/** The ledger's cache of product units; the Shoprenter client's UnitStore. */
export class LedgerUnitStore {
  constructor(
    private readonly ledger: Ledger,
    private readonly now: () => Date = () => new Date(),
    private readonly maxAgeMs = UNIT_MAX_AGE_MS,
  ) {}

  fresh(productId: string): { unit: string | null } | undefined {
    const row = this.ledger.db.prepare('SELECT unit, fetched_at FROM product_units WHERE product_id = ?').get(productId) as
      | { unit: string | null; fetched_at: string }
      | undefined;
    if (!row || this.now().getTime() - Date.parse(row.fetched_at) > this.maxAgeMs) return undefined;
    return { unit: row.unit };
  }

  remember(productId: string, unit: string | null): void {
    this.ledger.db
      .prepare(
        `INSERT INTO product_units (product_id, unit, fetched_at) VALUES (?, ?, ?)
         ON CONFLICT (product_id) DO UPDATE SET unit = excluded.unit, fetched_at = excluded.fetched_at`,
      )
      .run(productId, unit, this.now().toISOString());
  }
}
