import type { OrderExtendWire, OrderProductOptionWire, OrderProductWire } from './schema.js';
import { OrderProductOptionWire as OptionSchema } from './schema.js';

/**
 * `OrderExtendWire.safeParse` written out by hand, for the one schema read once per order. The
 * zod schema in schema.ts stays the definition: this reader gives the same value on every input
 * (same keys in the same order) and, on a failure, the same first issue (where, and whether the
 * field was missing), which test/shoprenter-order-wire.test.ts checks against zod on hundreds of
 * odd inputs. Why by hand: zod's generic machinery (preprocess pipes, per-key issue arrays,
 * result objects) was a third of the CPU of the whole order-to-draft mapping, and more while the
 * JIT warms up, which a backfill pays on every page the window walk reads.
 */

export type WirePath = (string | number)[];

/** The first problem zod would report: the field's path and the value found there (undefined = missing). */
export interface WireIssue {
  path: WirePath;
  input: unknown;
}

/** `hidden`: some text of `data` has a character no invoice text may carry (see HIDDEN); where, the caller finds out. */
export type WireRead = { ok: true; data: OrderExtendWire; hidden: boolean } | { ok: false; issue: WireIssue };

/**
 * Characters no invoice text may carry: C0/C1 controls other than tab, line feed and carriage
 * return (NUL, escape sequences, backspace), unpaired UTF-16 surrogates, and the bidi embedding,
 * override and isolate marks that make text display differently from what it says. They reach
 * Cashman and the NAV report unchanged, so the order waits for a person instead.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const HIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\p{Cs}]/u;

/** True when `text` has a character no invoice text may carry (see HIDDEN). */
export function hasHiddenCharacters(text: string): boolean {
  return HIDDEN.test(text);
}

/**
 * Set while one order is read when a text kept in its value has a HIDDEN character, so that the
 * value is walked for the place only then (a text read but not kept may set it too: the walk is
 * exact, the flag only spares it). Reading is synchronous: one order at a time.
 */
let sawHidden = false;

/** A text as kept in the value, noted when it has a HIDDEN character. */
function kept(text: string): string {
  if (HIDDEN.test(text)) sawHidden = true;
  return text;
}

/** Thrown inside this module only, on the first field that does not fit. */
class Unfit extends Error {
  constructor(
    readonly path: WirePath,
    readonly input: unknown,
  ) {
    super('unfit order field');
  }
}

type Rec = Record<string, unknown>;

const isRecord = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

/** schema.ts's emptyToNull: undefined, null and `{}` (not `[]`) mean "none". */
function isNone(v: unknown): boolean {
  return v === undefined || v === null || (isRecord(v) && Object.keys(v).length === 0);
}

/** schema.ts's `Text`. */
function text(rec: Rec, key: string): string | null {
  const v = rec[key];
  if (typeof v === 'string') {
    const t = v.trim();
    return t === '' ? null : kept(t);
  }
  if (typeof v === 'number') return String(v);
  if (isNone(v)) return null;
  throw new Unfit([key], v);
}

/** schema.ts's `looseText` / `LooseText`: never fails. */
function looseText(v: unknown): string | null {
  if (typeof v === 'string') return v.trim() === '' ? null : kept(v.trim());
  return typeof v === 'number' ? String(v) : null;
}

/** schema.ts's `LooseRef`: never fails. */
function looseRef(v: unknown): { href: string | null; id: string | null } | null {
  if (!isRecord(v)) return null;
  const href = looseText(v['href']);
  const id = looseText(v['id']);
  return href === null && id === null ? null : { href, id };
}

/** Runs `read` on a nested value, putting `key` (and `index`) in front of the path of a failure. */
function nested<T>(key: string, index: number | null, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof Unfit) {
      if (index === null) error.path.unshift(key);
      else error.path.unshift(key, index);
    }
    throw error;
  }
}

/** schema.ts's `embedded(z.object(...))`: none, or an object read by `read`. */
function embedded<T>(rec: Rec, key: string, read: (inner: Rec) => T): T | null {
  const v = rec[key];
  if (isNone(v)) return null;
  if (!isRecord(v)) throw new Unfit([key], v);
  return nested(key, null, () => read(v));
}

/** schema.ts's `embeddedList(z.object(...))`: none is an empty list; each item an object read by `read`. */
function list<T>(rec: Rec, key: string, read: (item: Rec) => T): T[] {
  const v = rec[key];
  const items = isNone(v) ? [] : v;
  if (!Array.isArray(items)) throw new Unfit([key], items);
  const out: T[] = [];
  for (let i = 0; i < items.length; i++) {
    const item: unknown = items[i];
    if (!isRecord(item)) throw new Unfit([key, i], item);
    out.push(nested(key, i, () => read(item)));
  }
  return out;
}

/** schema.ts's `EmbeddedOptions`: never fails. Embedded items (undocumented, rare) go through zod itself. */
function embeddedOptions(v: unknown): { href: string | null; items: OrderProductOptionWire[] | null } {
  if (Array.isArray(v)) {
    // Read by zod, not here: the caller walks the whole value for hidden characters.
    sawHidden = true;
    const items: OrderProductOptionWire[] = [];
    for (const item of v) {
      const parsed = OptionSchema.safeParse(item);
      if (!parsed.success) return { href: null, items: null };
      items.push(parsed.data);
    }
    return { href: null, items };
  }
  return { href: looseRef(v)?.href ?? null, items: null };
}

function product(p: Rec): OrderProductWire {
  return {
    id: looseText(p['id']),
    href: looseText(p['href']),
    product: looseRef(p['product']),
    orderProductOptions: embeddedOptions(p['orderProductOptions']),
    name: text(p, 'name'),
    sku: text(p, 'sku'),
    gtin: text(p, 'gtin'),
    price: text(p, 'price'),
    grossPrice: text(p, 'grossPrice'),
    priceCurrency: text(p, 'priceCurrency'),
    grossPriceCurrency: text(p, 'grossPriceCurrency'),
    taxRate: text(p, 'taxRate'),
    stock1: text(p, 'stock1'),
    stock2: text(p, 'stock2'),
    stock3: text(p, 'stock3'),
    stock4: text(p, 'stock4'),
  };
}

function ref(rec: Rec, key: string): { href: string } | null {
  return embedded(rec, key, (inner) => {
    const href = inner['href'];
    if (typeof href !== 'string') throw new Unfit(['href'], href);
    return { href: kept(href) };
  });
}

const country = (c: Rec) => ({ name: text(c, 'name'), isoCode2: text(c, 'isoCode2') });

function order(o: Rec): OrderExtendWire {
  return {
    id: text(o, 'id'),
    innerId: text(o, 'innerId'),
    firstname: text(o, 'firstname'),
    lastname: text(o, 'lastname'),
    phone: text(o, 'phone'),
    email: text(o, 'email'),
    taxNumber: text(o, 'taxNumber'),
    comment: text(o, 'comment'),
    paymentFirstname: text(o, 'paymentFirstname'),
    paymentLastname: text(o, 'paymentLastname'),
    paymentCompany: text(o, 'paymentCompany'),
    paymentAddress1: text(o, 'paymentAddress1'),
    paymentAddress2: text(o, 'paymentAddress2'),
    paymentCity: text(o, 'paymentCity'),
    paymentPostcode: text(o, 'paymentPostcode'),
    paymentCountryName: text(o, 'paymentCountryName'),
    shippingFirstname: text(o, 'shippingFirstname'),
    shippingLastname: text(o, 'shippingLastname'),
    shippingCompany: text(o, 'shippingCompany'),
    shippingAddress1: text(o, 'shippingAddress1'),
    shippingAddress2: text(o, 'shippingAddress2'),
    shippingCity: text(o, 'shippingCity'),
    shippingPostcode: text(o, 'shippingPostcode'),
    shippingCountryName: text(o, 'shippingCountryName'),
    shippingMethodName: text(o, 'shippingMethodName'),
    shippingMethodTaxRate: text(o, 'shippingMethodTaxRate'),
    shippingMethodExtension: text(o, 'shippingMethodExtension'),
    paymentMethodName: text(o, 'paymentMethodName'),
    paymentMethodCode: text(o, 'paymentMethodCode'),
    paymentMethodTaxRate: text(o, 'paymentMethodTaxRate'),
    total: text(o, 'total'),
    value: text(o, 'value'),
    dateCreated: text(o, 'dateCreated'),
    dateUpdated: text(o, 'dateUpdated'),
    paymentCountry: embedded(o, 'paymentCountry', country),
    shippingCountry: embedded(o, 'shippingCountry', country),
    orderStatus: ref(o, 'orderStatus'),
    currency: embedded(o, 'currency', (c) => ({ code: text(c, 'code'), decimalPlace: text(c, 'decimalPlace'), value: text(c, 'value') })),
    coupon: embedded(o, 'coupon', (c) => ({ code: text(c, 'code') })),
    orderProducts: list(o, 'orderProducts', product),
    orderTotals: list(o, 'orderTotals', (t) => ({ name: text(t, 'name'), value: text(t, 'value'), type: text(t, 'type'), key: text(t, 'key') })),
    orderProductAddons: list(o, 'orderProductAddons', (a) => ({
      name: text(a, 'name'),
      sku: text(a, 'sku'),
      type: text(a, 'type'),
      price: text(a, 'price'),
      quantity: text(a, 'quantity'),
      taxRate: text(a, 'taxRate'),
    })),
  };
}

/** One orderExtend item, read as `OrderExtendWire.safeParse` would read it. */
export function readOrderWire(raw: unknown): WireRead {
  if (!isRecord(raw)) return { ok: false, issue: { path: [], input: raw } };
  sawHidden = false;
  try {
    const data = order(raw);
    return { ok: true, data, hidden: sawHidden };
  } catch (error) {
    if (error instanceof Unfit) return { ok: false, issue: { path: error.path, input: error.input } };
    throw error;
  }
}
