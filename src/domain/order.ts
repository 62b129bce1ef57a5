import type { Amount4 } from './money.js';

/**
 * A Shoprenter order after the adapter has normalised it (src/shoprenter/): numbers parsed,
 * `{}`/""/null empties turned into null, names put in Hungarian order, quantity summed from the
 * four warehouses. The domain never sees the wire shape.
 */
export interface Order {
  /** Shoprenter API id (opaque string), the ledger key. */
  id: string;
  /** Shoprenter order number as shown in the admin (`innerId`). */
  orderNumber: string;
  /** Shop-local "YYYY-MM-DDTHH:MM:SS", exactly as Shoprenter sent it. */
  dateCreated: string;
  dateUpdated: string;
  /** Status inner id ("1", "5", ...), null when the order has no status. */
  statusId: string | null;
  email: string | null;
  phone: string | null;
  /** Top-level `taxNumber` (HU adószám of a company buyer), null when empty. */
  taxNumber: string | null;
  comment: string | null;
  billing: OrderAddress;
  shipping: OrderAddress | null;
  currency: OrderCurrency;
  paymentMethodCode: string | null;
  paymentMethodName: string | null;
  /** VAT rate of the payment fee, null when Shoprenter gave none. */
  paymentMethodTaxRate: Amount4 | null;
  shippingMethodName: string | null;
  shippingMethodExtension: string | null;
  shippingMethodTaxRate: Amount4 | null;
  products: OrderProduct[];
  addons: OrderAddon[];
  totals: OrderTotal[];
  /** `order.total`: the gross total in the shop's default currency. */
  total: Amount4;
  couponCode: string | null;
}

/** Billing or shipping address block. `name` is already "family given" (Shoprenter's firstname first). */
export interface OrderAddress {
  name: string;
  company: string | null;
  postcode: string | null;
  city: string | null;
  /** address1 and address2 joined with a space. */
  street: string | null;
  countryName: string | null;
  /** ISO 3166 alpha-2 when orderExtend embedded the country, else null. */
  countryCode: string | null;
}

export interface OrderCurrency {
  code: string;
  decimals: number;
  /** Exchange multiplier against the shop's default currency (`order.value`, "1.00000000" for HUF). Scaled 10^8. */
  value: string;
}

export interface OrderProduct {
  name: string;
  sku: string | null;
  gtin: string | null;
  /** stock1 + stock2 + stock3 + stock4. */
  quantity: Amount4;
  /** Net unit price (`price`), in the shop's default currency. */
  netUnitPrice: Amount4;
  /** Gross unit price when Shoprenter sent one (`grossPrice`), else null. */
  grossUnitPrice: Amount4 | null;
  /** Prices already converted into the order currency (`priceCurrency`, `grossPriceCurrency`), when present. */
  netUnitPriceCurrency: Amount4 | null;
  grossUnitPriceCurrency: Amount4 | null;
  taxRate: Amount4;
  /** Measurement unit text when known (not on orderProduct in the API; null = config default). */
  unit: string | null;
  /** Chosen variant options as "name: value" texts. */
  options: string[];
  /**
   * The orderProduct's API id (opaque), the key of `/orderProductOptions?orderProductId=`; null when
   * the wire had none. Optional only so orders built by hand need not carry it; the adapter always sets it.
   */
  orderProductId?: string | null;
  /**
   * The product's API id (last path segment of `product.href`), the key of `/productExtend/{id}`
   * where the measurement unit lives; null when the line has no product link.
   */
  productId?: string | null;
}

/** Deposit fee (betétdíj) or other add-on: its own invoice line. */
export interface OrderAddon {
  name: string;
  sku: string | null;
  type: string;
  netUnitPrice: Amount4;
  quantity: Amount4;
  taxRate: Amount4;
}

/** One orderTotals row. `type` is kept as text: undocumented types must be handled defensively. */
export interface OrderTotal {
  type: string;
  key: string | null;
  name: string;
  value: Amount4;
}
