import type { PartnerData } from './partner.js';

/** What a line stands for; discounts are negative lines. */
export type DraftLineKind = 'product' | 'addon' | 'discount' | 'coupon' | 'loyalty' | 'shipping' | 'payment';

/**
 * One invoice line, amounts in whole minor units of the draft currency (HUF: forint).
 * net + vat = gross always holds; these become `tetel_netto/afa/brutto` so Cashman cannot re-round.
 */
export interface DraftLine {
  kind: DraftLineKind;
  name: string;
  sku: string | null;
  /** Line note (`tetel_megjegyzes`), e.g. the barcode. */
  note: string | null;
  /** Decimal text, e.g. "2" or "1.5". */
  quantity: string;
  unitText: string;
  /** Cashman mennyisegiegyseg_id. */
  unitId: number;
  /** The Shoprenter VAT rate as text ("27", "5", "0"). */
  vatRate: string;
  /** Cashman afa_id. */
  vatId: number;
  /** Net unit price as decimal text (2 decimals beyond the currency's), informative for Cashman. */
  netUnitPrice: string;
  net: bigint;
  vat: bigint;
  gross: bigint;
}

export interface ShippingAddress {
  name: string;
  postcode: string;
  city: string;
  street: string;
  country: string;
}

/** The complete invoice draft ("számlaminta") for one order, before it is turned into Cashman rows. */
export interface InvoiceDraft {
  orderId: string;
  orderNumber: string;
  buyer: PartnerData;
  /** Company buyers are rounded net-first, private buyers gross-first. */
  buyerKind: 'company' | 'private';
  shipping: ShippingAddress | null;
  /** YYYY-MM-DD in the shop's time zone. */
  issueDate: string;
  fulfilmentDate: string;
  dueDate: string;
  currency: string;
  /** Decimal places of `currency` (HUF 0). */
  decimals: number;
  paymentMethod: string;
  /** Text for `egyeb` (order number). */
  orderNumberText: string;
  /** Invoice note (`megjegyzes`): customer comment and, for foreign currency, the exchange rate; null = Cashman's default. */
  note: string | null;
  lines: DraftLine[];
  totals: { net: bigint; vat: bigint; gross: bigint };
}

/** Result of mapping an order: a draft, or the one sentence a shop owner reads in `status`. */
export type DraftResult =
  | {
      ok: true;
      draft: InvoiceDraft;
      /** Lines on which one forint was moved between net and VAT to pass NAV's check 890 (nav-rules.md §7). */
      corrections: number;
    }
  | { ok: false; reason: string };
