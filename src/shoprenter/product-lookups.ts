import type { Order, OrderProduct } from '../domain/order.js';
import { MappingError, ShoprenterError } from '../errors.js';
import { hasHiddenCharacters } from './normalize-order.js';
import { lastPathSegment, optionTexts, OrderProductOptionWire } from './schema.js';
import type { ProductDescriptionWire, ProductExtendWire } from './schema.js';

/**
 * What orderExtend does not carry about a product line (reference §8.1), fetched separately by
 * ShoprenterClient.enrichOrder: the chosen options (`/orderProductOptions?orderProductId=`) and
 * the measurement unit (`/productExtend/{id}` -> productDescriptions[].measurementUnit). The
 * golden corpus keeps the same data under a case's `enrichment` key, in this shape.
 */
export interface ProductLookups {
  /** Per orderProduct API id: its `/orderProductOptions` items as Shoprenter sends them (name, valueName, price, prefix). */
  options?: Readonly<Record<string, readonly unknown[]>>;
  /** Per product API id: the Hungarian measurement unit; null or "" when the product has none or no longer exists. */
  units?: Readonly<Record<string, string | null>>;
}

/** Which lookups to make; the config decides (e.g. no unit lookups when every unit is the default). */
export interface EnrichWhat {
  options: boolean;
  units: boolean;
}

/** orderProduct ids whose options are still to be fetched, in order, once each. */
export function optionLookupsNeeded(order: Order, what: EnrichWhat): string[] {
  if (!what.options) return [];
  return unique(order.products.flatMap((p) => (p.options.length === 0 && p.orderProductId ? [p.orderProductId] : [])));
}

/** Product ids whose unit is still to be fetched, in order, once each. */
export function unitLookupsNeeded(order: Order, what: EnrichWhat): string[] {
  if (!what.units) return [];
  return unique(order.products.flatMap((p) => (p.unit === null && p.productId ? [p.productId] : [])));
}

/**
 * A copy of `order` with the lookups filled in: options only where the line has none yet, units
 * only where it has none. Text no invoice may carry (control or text-direction characters) is a
 * MappingError, i.e. quarantine with a sentence, as normalizeOrder does for orderExtend's own text.
 */
export function applyProductLookups(order: Order, lookups: ProductLookups): Order {
  const label = `Order ${order.orderNumber}`;
  const products = order.products.map((product, index): OrderProduct => {
    const copy: OrderProduct = { ...product, options: [...product.options] };
    const optionItems = lookup(lookups.options, product.orderProductId);
    if (copy.options.length === 0 && optionItems !== undefined) {
      copy.options = optionTexts(optionItems.map((item) => readOption(item, label)));
      if (copy.options.some(hasHiddenCharacters)) throw hidden(label, 'options', index);
    }
    const unit = lookup(lookups.units, product.productId);
    if (copy.unit === null && unit !== undefined && unit !== null && unit.trim() !== '') {
      copy.unit = unit.trim();
      if (hasHiddenCharacters(copy.unit)) throw hidden(label, 'measurement unit', index);
    }
    return copy;
  });
  return { ...order, products };
}

/**
 * The measurement unit of a product: the Hungarian description's (language inner id 1, code "hu",
 * or an id decoding to "language-language_id=1"), else the first description that has one; null
 * when none has. Hungarian invoices want "db"/"kg", not the English "pc".
 */
export function hungarianMeasurementUnit(product: ProductExtendWire): string | null {
  const withUnit = product.productDescriptions.filter((d) => d.measurementUnit !== null);
  return (withUnit.find((d) => isHungarian(d.language)) ?? withUnit[0])?.measurementUnit ?? null;
}

function isHungarian(language: ProductDescriptionWire['language']): boolean {
  if (!language) return false;
  if (language.code?.toLowerCase() === 'hu' || language.innerId === '1') return true;
  const id = language.id ?? lastPathSegment(language.href);
  if (id === null) return false;
  return /^language-language_id=1$/.test(Buffer.from(id, 'base64').toString('utf8'));
}

function readOption(item: unknown, label: string): OrderProductOptionWire {
  const parsed = OrderProductOptionWire.safeParse(item);
  if (parsed.success) return parsed.data;
  throw new ShoprenterError(
    'SHOPRENTER_BAD_RESPONSE',
    `Shoprenter sent a product option of ${label.toLowerCase()} in an unexpected form; will try again next cycle.`,
    true,
  );
}

function hidden(label: string, what: string, index: number): MappingError {
  return new MappingError(`${label} has invisible control or text-direction characters in the ${what} of product ${index + 1}; correct it in Shoprenter.`);
}

function lookup<T>(table: Readonly<Record<string, T>> | undefined, key: string | null | undefined): T | undefined {
  return table !== undefined && key && Object.hasOwn(table, key) ? table[key] : undefined;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
