/**
 * The part of config.yaml that the order -> draft mapping reads. Defined here so the domain does
 * not depend on the config loader; `src/config/schema.ts` produces a value of this shape.
 */
export interface MappingConfig {
  /** Shop time zone (IANA), e.g. Europe/Budapest: Shoprenter datetimes carry no offset. */
  timezone: string;
  invoice: {
    dueDays: number;
    /** Template for `egyeb`; `{orderNumber}` is replaced. */
    orderNumberText: string;
    /** Names of the generated (non-product) lines. */
    lineNames: {
      discount: string;
      coupon: string;
      loyalty: string;
      paymentFee: string;
    };
  };
  /** Shoprenter VAT percent as text ("27", "5", "0") -> Cashman afa_id. "0" must point at an exemption row (AAM, TAM, ...). */
  vatRates: Record<string, number>;
  units: {
    /** Unit used when the shop gives none. */
    default: string;
    /** Unit text -> Cashman mennyisegiegyseg_id. */
    ids: Record<string, number>;
  };
  /** paymentMethodCode (compared case-insensitively) -> Cashman fizetesmod text. */
  paymentMethods: Record<string, string>;
  /** shippingMethodExtension (case-insensitive) -> shipping line name; `default` for the rest. */
  shippingMethods: Record<string, string>;
}
