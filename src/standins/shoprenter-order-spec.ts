/** The compact order description buildShoprenterOrder takes, and what a built order's products look like on the resources it links to. */

/** Billing or shipping address of a spec; `country` is an ISO alpha-2 code from COUNTRIES. */
export interface AddressSpec {
  postcode: string;
  city: string;
  address1: string;
  address2?: string;
  country?: string;
}

export interface ProductSpec {
  name: string;
  sku: string;
  gtin?: string;
  /** Net unit price in the shop currency (HUF), as a number or 4-decimal text. */
  netPrice: number | string;
  taxRate: number;
  /** Quantities per warehouse: stock1..stock4 (reference §8.1). */
  stocks: [number, number?, number?, number?];
  /**
   * Chosen variant options. Like Shoprenter, the order itself carries only an
   * `orderProductOptions` href; the stand-in serves these at `/orderProductOptions?orderProductId=`.
   */
  options?: { name: string; value: string; price?: number; prefix?: '+' | '-' }[];
  /** The product's measurement unit ("kg"), served by the stand-in at `/productExtend/{id}`; none when absent. */
  unit?: string;
  /** The product's inner id (its API id is base64 "product-product_id=N"); default derived from the SKU, so one SKU is one product. */
  productInnerId?: number;
}

/**
 * What a built order's products look like on the resources orderExtend only links to, in the
 * golden corpus's `enrichment` shape: option items per orderProduct id, the Hungarian measurement
 * unit per product id ("" = none; null = the product was deleted, 404), and product names.
 */
export interface ShoprenterEnrichment {
  options?: Record<string, { name: string; valueName: string; price?: string; prefix?: string }[]>;
  units?: Record<string, string | null>;
  names?: Record<string, string>;
}

export interface AddonSpec {
  name: string;
  sku: string;
  type?: string;
  netPrice: number | string;
  taxRate: number;
  quantity: number;
}

/** Compact description of an order; amounts in the shop currency (HUF). */
export interface OrderSpec {
  shop?: string;
  innerId: number;
  dateUpdated: string;
  dateCreated?: string;
  /** orderStatus inner id; null = no status (not a completed checkout); 0 = abandoned cart. */
  status: number | null;
  email: string;
  phone?: string;
  /** Family name (Shoprenter's `firstname`, reference §9.2). */
  firstname: string;
  /** Given name. */
  lastname: string;
  company?: string;
  taxNumber?: string;
  customerId?: number;
  comment?: string;
  billing: AddressSpec;
  shipping?: AddressSpec & { firstname?: string; lastname?: string; company?: string };
  /** Order currency; `value` = its multiplier against HUF (e.g. 0.0025 for EUR). Default HUF. */
  currency?: { code: string; decimals: number; value: number | string };
  paymentMethodCode: string;
  paymentMethodName?: string;
  paymentFee?: { gross: number; taxRate: number };
  shippingExtension: string;
  shippingMethodName?: string;
  shippingMethodTaxRate?: number;
  shippingFee?: { gross: number; taxRate: number };
  products: ProductSpec[];
  addons?: AddonSpec[];
  coupon?: { code: string; gross: number };
  loyalty?: { gross: number };
  /** Cart-amount discount; its orderTotal `type` is undocumented (reference §7.1), so it is settable. */
  cartDiscount?: { gross: number; type?: string };
  /** Forces TOTAL and order.total, to build an order whose sums do not add up. */
  totalOverride?: number;
}
