import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Orders as a Shoprenter shop computes them, written from reference/shoprenter-api.md §7–8 and
 * the golden README, with arithmetic of its own (nothing from src/): the shop stores a product's
 * net unit price with 4 decimals, shows its gross unit price rounded to whole forints
 * (`grossPrice`, "3048"), adds line gross = unit gross × quantity, SUB_TOTAL = Σ net × quantity
 * (products and add-ons), one TAX row per rate = Σ gross − Σ net of that rate, fees and
 * discounts as whole-forint gross rows, and TOTAL = the sum. The result is the orderExtend item
 * (wire JSON) of golden case 01 with these values put in, so it goes through the real adapter.
 */

const S4 = 10_000n;

/** Round half away from zero of n / d (d > 0). */
export function rhu(n: bigint, d: bigint): bigint {
  const q = ((n < 0n ? -n : n) * 2n + d) / (d * 2n);
  return n < 0n ? -q : q;
}

/** A 4-decimal value (bigint × 10^4) as Shoprenter writes it: 39901234n -> "3990.1234". */
export function fmt4(x: bigint): string {
  const negative = x < 0n;
  const a = negative ? -x : x;
  return `${negative ? '-' : ''}${a / S4}.${(a % S4).toString().padStart(4, '0')}`;
}

/** Quantity text as the shop sends stocks: "2", "1.5". */
function qtyText(q4: bigint): string {
  return q4 % S4 === 0n ? String(q4 / S4) : fmt4(q4).replace(/0+$/, '');
}

export interface ShopProduct {
  /** Net unit price × 10^4 as stored by the shop. */
  net4: bigint;
  /** VAT percent: 27, 18, 5 or 0. */
  rate: number;
  /** Quantity × 10^4 (e.g. 15000n for 1.5 kg), split over stock1..4 as the shop does for whole quantities. */
  qty4: bigint;
  name?: string;
}

export interface ShopSpec {
  innerId: number;
  products: ShopProduct[];
  addons: { net4: bigint; rate: number; qty: number }[];
  /** Percent of the goods' gross given back as cart discount, coupon and loyalty points. */
  discounts: { cart: number; coupon: number; loyalty: number };
  shipping: { gross: number; rate: number };
  payment: { gross: number; rate: number };
  buyer: 'private' | 'company' | 'soleTrader';
  /** Order currency and its multiplier against HUF; default HUF. */
  currency?: { code: string; decimalPlace: string; value: string };
}

/** The unit gross a shop shows: round(net × (100 + r) / 100) in whole forints. */
export function unitGross(net4: bigint, rate: number): bigint {
  return rhu(net4 * BigInt(100 + rate), S4 * 100n);
}

/** Line gross: unit gross × quantity, to the forint. */
export function lineGross(net4: bigint, rate: number, qty4: bigint): bigint {
  return rhu(unitGross(net4, rate) * qty4, S4);
}

const here = dirname(fileURLToPath(import.meta.url));
const template = JSON.parse(readFileSync(join(here, '..', 'fixtures', 'golden', '01-private-worked-example.json'), 'utf8')) as { wire: Record<string, unknown> };

type Json = Record<string, unknown>;
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
const b64 = (text: string): string => Buffer.from(text).toString('base64');

/** The orderExtend item and the shop's TOTAL (whole forints, HUF). */
export function shopOrder(spec: ShopSpec): { wire: Json; totalHuf: bigint } {
  const wire = clone(template.wire);
  const productTemplate = (wire['orderProducts'] as Json[])[0]!;
  const totalTemplate = (wire['orderTotals'] as Json[])[0]!;
  const id = b64(`order-order_id=${spec.innerId}`);
  Object.assign(wire, { id, innerId: String(spec.innerId), href: `https://demo.api.myshoprenter.hu/orderExtend/${id}` });

  const grossByRate = new Map<number, bigint>();
  const netByRate = new Map<number, bigint>(); // × 10^8: net4 × qty4
  const add = (rate: number, gross: bigint, net8: bigint): void => {
    grossByRate.set(rate, (grossByRate.get(rate) ?? 0n) + gross);
    netByRate.set(rate, (netByRate.get(rate) ?? 0n) + net8);
  };
  wire['orderProducts'] = spec.products.map((p, i) => {
    const gross = lineGross(p.net4, p.rate, p.qty4);
    add(p.rate, gross, p.net4 * p.qty4);
    const whole = p.qty4 % S4 === 0n ? Number(p.qty4 / S4) : null;
    // Whole quantities spread over two warehouses when there are several; fractions stay in stock1.
    const stocks = whole !== null && whole > 1 ? [String(whole - 1), '1'] : [qtyText(p.qty4), '0'];
    return {
      ...clone(productTemplate),
      id: b64(`orderProduct-order_product_id=${spec.innerId}${i}`),
      innerId: `${spec.innerId}${i}`,
      name: p.name ?? `Termék ${i + 1}`,
      sku: `T-${i}`,
      price: fmt4(p.net4),
      originalPrice: fmt4(p.net4),
      grossPrice: String(unitGross(p.net4, p.rate)),
      originalGrossPrice: String(unitGross(p.net4, p.rate)),
      priceCurrency: fmt4(p.net4),
      originalPriceCurrency: fmt4(p.net4),
      grossPriceCurrency: fmt4(unitGross(p.net4, p.rate) * S4),
      originalGrossPriceCurrency: fmt4(unitGross(p.net4, p.rate) * S4),
      total: fmt4(rhu(p.net4 * p.qty4, S4)),
      taxRate: fmt4(BigInt(p.rate) * S4),
      stock1: stocks[0],
      stock2: stocks[1],
      stock3: '0',
      stock4: '0',
    };
  });
  // Without the *Currency prices a foreign-currency order shows the adapter's conversion fallback.
  if (spec.currency) for (const p of wire['orderProducts'] as Json[]) for (const k of ['priceCurrency', 'originalPriceCurrency', 'grossPriceCurrency', 'originalGrossPriceCurrency']) delete p[k];
  wire['orderProductAddons'] = spec.addons.map((a, i) => {
    const gross = unitGross(a.net4, a.rate) * BigInt(a.qty);
    add(a.rate, gross, a.net4 * BigInt(a.qty) * S4);
    return {
      id: b64(`orderProductAddon-order_product_addon_id=${spec.innerId}${i}`),
      innerId: `${spec.innerId}${i}`,
      name: `Betétdíj ${i + 1}`,
      sku: `BETET-${i}`,
      type: 'DEPOSIT_FEE',
      price: fmt4(a.net4),
      quantity: String(a.qty),
      total: fmt4(a.net4 * BigInt(a.qty)),
      taxRate: fmt4(BigInt(a.rate) * S4),
    };
  });

  const goods = [...grossByRate.values()].reduce((s, x) => s + x, 0n);
  const productGoods = spec.products.reduce((s, p) => s + lineGross(p.net4, p.rate, p.qty4), 0n);
  const off = (pct: number): bigint => -((productGoods * BigInt(pct)) / 100n);
  const rows: [type: string, name: string, value: bigint, key: string | null][] = [
    ['SUB_TOTAL', 'Nettó részösszeg:', rhu([...netByRate.values()].reduce((s, x) => s + x, 0n), S4), null],
    ...[...grossByRate.keys()].sort((a, b) => b - a).map((rate) => ['TAX', `ÁFA (${rate}%):`, grossByRate.get(rate)! * S4 - rhu(netByRate.get(rate)!, S4), null] as [string, string, bigint, null]),
    ['SUB_TOTAL_WITH_TAX', 'Bruttó részösszeg:', goods * S4, null],
    ['', 'Mennyiségi kedvezmény:', off(spec.discounts.cart) * S4, 'CART_AMOUNT_DISCOUNT'],
    ['COUPON', 'Kupon (PROBA):', off(spec.discounts.coupon) * S4, null],
    ['LOYALTYPOINTS_TO_USE', 'Hűségpontok:', off(spec.discounts.loyalty) * S4, null],
    ['SHIPPING', 'GLS futárszolgálat:', BigInt(spec.shipping.gross) * S4, null],
    ['PAYMENT', 'Utánvét kezelési költség:', BigInt(spec.payment.gross) * S4, null],
  ];
  const totalHuf = goods + off(spec.discounts.cart) + off(spec.discounts.coupon) + off(spec.discounts.loyalty) + BigInt(spec.shipping.gross + spec.payment.gross);
  rows.push(['TOTAL', 'Összesen bruttó:', totalHuf * S4, null]);
  wire['orderTotals'] = rows
    .filter(([type, , value]) => value !== 0n || type === 'SUB_TOTAL' || type === 'TAX' || type === 'SUB_TOTAL_WITH_TAX' || type === 'SHIPPING' || type === 'TOTAL')
    .map(([type, name, value, key], i) => ({ ...clone(totalTemplate), id: b64(`orderTotal-order_total_id=${spec.innerId}${i}`), type, name, value: fmt4(value), key, valueText: `${fmt4(value)} Ft` }));
  wire['coupon'] = spec.discounts.coupon > 0 ? { code: 'PROBA', discountType: 'PERCENT' } : null;
  Object.assign(wire, {
    total: fmt4(totalHuf * S4),
    paymentMethodCode: 'COD',
    paymentMethodName: 'Utánvét',
    paymentMethodTaxRate: fmt4(BigInt(spec.payment.rate) * S4),
    shippingMethodTaxRate: fmt4(BigInt(spec.shipping.rate) * S4),
    taxNumber: spec.buyer === 'private' ? '' : '68123456-1-33',
    paymentCompany: spec.buyer === 'company' ? 'Példa Kft.' : '',
  });
  if (spec.currency) Object.assign(wire, { value: spec.currency.value, currency: { ...(wire['currency'] as Json), ...spec.currency } });
  return { wire, totalHuf };
}
