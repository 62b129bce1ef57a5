import type { DraftLineKind } from './draft.js';
import type { MappingConfig } from './mapping-config.js';
import { SCALE4, toMinor, type Amount4 } from './money.js';
import type { Order, OrderAddon, OrderProduct } from './order.js';
import { clean } from './build-partner.js';
import type { DraftMoney } from './draft-currency.js';
import { refuse, reasons } from './draft-reasons.js';
import { lengthBeyond, navText } from './nav-text.js';
import { checkLinePrices } from './price-checks.js';
import { convertAmount4, timesQuantity, unitGrossFromNet } from './rounding.js';
import { addonVatCase, vatIdFor, type VatCase } from './vat-cases.js';

/** A draft line before its gross is split into net and VAT: what it is, and the gross it must carry. */
export interface LineTarget {
  kind: DraftLineKind;
  name: string;
  sku: string | null;
  note: string | null;
  quantity: Amount4;
  unitText: string;
  unitId: number;
  rate: Amount4;
  vatId: number;
  /** The VAT case of a 0 % line (SPEC §1.6); null for a line at a rate. */
  vatCase: VatCase | null;
  /** Whole minor units of the draft currency. */
  gross: bigint;
}

/** Quantities above this are taken for a data error, not an order. */
const MAX_QUANTITY = 1_000_000n * SCALE4;
/**
 * Longest line name sent. The NAV Online Számla schema gives the line description 512
 * characters (SimpleText512NotBlankType), so a longer name could never be reported once the
 * draft is finalised; Cashman might also cut it silently.
 */
export const MAX_LINE_NAME = 512;
/** NAV's productCodeOwnValue and unitOfMeasureOwn (reference/nav-rules.md §8): longer fails the schema. */
export const MAX_SKU = 255;
export const MAX_UNIT_TEXT = 50;

/** Cashman mennyisegiegyseg_id of a unit text ("DB" finds "db"). */
export function unitIdFor(unit: string, config: MappingConfig): number {
  return lookupIgnoringCase(config.units.ids, unit) ?? refuse(reasons.unitUnmapped(unit));
}

/** A config map entry: the exact key first, then the first key equal ignoring case. Never an inherited property. */
export function lookupIgnoringCase<T>(map: Record<string, T>, key: string | null): T | undefined {
  if (key === null) return undefined;
  if (Object.hasOwn(map, key)) return map[key];
  const found = Object.keys(map).find((k) => k.toLowerCase() === key.toLowerCase());
  return found === undefined ? undefined : map[found];
}

/** One line per product, in order: name with options, SKU, barcode note, the shop's gross. */
export function productTargets(order: Order, money: DraftMoney, config: MappingConfig, buyer: VatCase): LineTarget[] {
  return order.products.map((product) => {
    const base = navText(product.name);
    const name = navText(product.options.length > 0 ? `${base} (${product.options.join(', ')})` : base);
    checkQuantityAndPrice(order, name, product.quantity, [product.netUnitPrice, product.grossUnitPrice]);
    // The rate's own problems (invalid, unmapped) first: they say what to fix more plainly.
    const vatId = vatIdFor(order, `"${name}"`, product.taxRate, buyer, config);
    checkLinePrices(order, name, product);
    const unitText = clean(product.unit) ?? config.units.default;
    const unitLength = lengthBeyond(unitText, MAX_UNIT_TEXT);
    if (unitLength > MAX_UNIT_TEXT) refuse(reasons.unitTooLong(order.orderNumber, name, unitText, unitLength, MAX_UNIT_TEXT));
    const gtin = clean(product.gtin);
    return {
      kind: 'product',
      name,
      sku: checkedSku(order, name, product.sku),
      note: gtin === null ? null : `Vonalkód: ${gtin}`,
      quantity: product.quantity,
      unitText,
      unitId: unitIdFor(unitText, config),
      rate: product.taxRate,
      vatId,
      vatCase: product.taxRate === 0n ? buyer : null,
      gross: timesQuantity(productUnitGross(product, money), product.quantity),
    };
  });
}

/**
 * The gross unit price the buyer saw, in minor units of the draft currency. Shoprenter's own
 * `grossPrice` when it sent one; otherwise round(net × (1 + r)) per unit, which is how the shop
 * turns its stored net price into the gross it displays. For a converted order the `*Currency`
 * prices are used when present (Shoprenter added them for exactly this); else the HUF net price is
 * converted first. A HUF `grossPrice` is never converted: it is already rounded to the forint.
 */
export function productUnitGross(product: OrderProduct, money: DraftMoney): bigint {
  if (!money.converted) {
    return product.grossUnitPrice !== null ? toMinor(product.grossUnitPrice, 0) : unitGrossFromNet(product.netUnitPrice, product.taxRate, 0);
  }
  if (product.grossUnitPriceCurrency !== null) return toMinor(product.grossUnitPriceCurrency, money.decimals);
  const net = product.netUnitPriceCurrency ?? convertAmount4(product.netUnitPrice, money.multiplier8);
  return unitGrossFromNet(net, product.taxRate, money.decimals);
}

/** Deposit fees and other add-ons, each its own line in the default unit (Shoprenter gives none). */
export function addonTargets(order: Order, money: DraftMoney, config: MappingConfig, buyer: Exclude<VatCase, 'deposit'>): LineTarget[] {
  return order.addons.map((addon: OrderAddon) => {
    const name = navText(addon.name);
    const vatCase = addonVatCase(addon.type, buyer);
    checkQuantityAndPrice(order, name, addon.quantity, [addon.netUnitPrice]);
    const net = money.converted ? convertAmount4(addon.netUnitPrice, money.multiplier8) : addon.netUnitPrice;
    return {
      kind: 'addon',
      name,
      sku: checkedSku(order, name, addon.sku),
      note: null,
      quantity: addon.quantity,
      unitText: config.units.default,
      unitId: unitIdFor(config.units.default, config),
      rate: addon.taxRate,
      vatId: vatIdFor(order, `"${name}"`, addon.taxRate, vatCase, config),
      vatCase: addon.taxRate === 0n ? vatCase : null,
      gross: timesQuantity(unitGrossFromNet(net, addon.taxRate, money.decimals), addon.quantity),
    };
  });
}

function checkedSku(order: Order, name: string, raw: string | null): string | null {
  const sku = clean(raw);
  const length = sku === null ? 0 : lengthBeyond(sku, MAX_SKU);
  if (length > MAX_SKU) refuse(reasons.skuTooLong(order.orderNumber, name, length, MAX_SKU));
  return sku;
}

function checkQuantityAndPrice(order: Order, name: string, quantity: Amount4, prices: (Amount4 | null)[]): void {
  if (name === '') refuse(reasons.nameMissing(order.orderNumber));
  const length = lengthBeyond(name, MAX_LINE_NAME);
  if (length > MAX_LINE_NAME) refuse(reasons.nameTooLong(order.orderNumber, name, length, MAX_LINE_NAME));
  if (quantity <= 0n) refuse(reasons.quantity(order.orderNumber, name, quantity));
  if (quantity > MAX_QUANTITY) refuse(reasons.absurdQuantity(order.orderNumber, name, quantity));
  if (prices.some((p) => p !== null && p < 0n)) refuse(reasons.negativePrice(order.orderNumber, name));
}

/** A one-piece line in the default unit for a gross amount fixed by the shop (fees, discounts). */
export function feeTarget(
  kind: DraftLineKind,
  name: string,
  rate: Amount4,
  vat: { id: number; vatCase: VatCase | null },
  gross: bigint,
  config: MappingConfig,
): LineTarget {
  const unitText = config.units.default;
  const unitId = unitIdFor(unitText, config);
  return { kind, name: navText(name), sku: null, note: null, quantity: SCALE4, unitText, unitId, rate, vatId: vat.id, vatCase: rate === 0n ? vat.vatCase : null, gross };
}
