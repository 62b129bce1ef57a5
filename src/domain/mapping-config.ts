/**
 * The part of config.yaml that the order -> draft mapping reads. Defined here so the domain does
 * not depend on the config loader; `src/config/schema.ts` produces a value of this shape.
 */
export interface MappingConfig {
  /** Shop time zone (IANA), e.g. Europe/Budapest: Shoprenter datetimes carry no offset. */
  timezone: string;
  invoice: {
    dueDays: number;
    /** `teljesites`: the order's date (default) or the day the draft is made. */
    fulfilmentDate?: 'order' | 'draft';
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
  /** Shoprenter VAT percent as text ("27", "5", "0") -> Cashman afa_id. "0" stands for the domestic and deposit cases only. */
  vatRates: Record<string, number>;
  /** VAT case of a 0 % line (SPEC §1.6) -> Cashman afa_id of its exemption row; absent in configs written before it. */
  vatExemptions?: Partial<Record<'deposit' | 'intraEu' | 'export' | 'domestic', number>>;
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

/**
 * Hungarian defaults for `invoice.lineNames`. The payment fee is named generically because not
 * only cash on delivery carries one; build-draft appends the shop's payment method name to it.
 */
export const DEFAULT_LINE_NAMES: MappingConfig['invoice']['lineNames'] = {
  discount: 'Kosárkedvezmény',
  coupon: 'Kupon kedvezmény',
  loyalty: 'Hűségpont beváltás',
  paymentFee: 'Kezelési költség',
};

/** Name of the shipping line when config.yaml has no `shippingMethods.default` entry of its own. */
export const DEFAULT_SHIPPING_LINE_NAME = 'Szállítási díj';
