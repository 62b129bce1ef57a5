import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { buildDraft } from '../src/domain/build-draft.js';
import { buildPartner } from '../src/domain/build-partner.js';
import type { DraftResult, InvoiceDraft } from '../src/domain/draft.js';
import { roundHalfUp, SCALE4, toMinor } from '../src/domain/money.js';
import type { Order, OrderProduct, OrderTotal } from '../src/domain/order.js';
import { convertToMinor, timesQuantity, unitGrossFromNet } from '../src/domain/rounding.js';
import { makeOrder } from './fixtures/golden/builders.js';
import { BASE_CONFIG } from './fixtures/golden/loader.js';

/**
 * Generated orders whose TOTAL is added up the way the shop does it (unit gross × quantity per
 * product and add-on, fees and discounts as gross amounts), then the draft invariants: Σ line
 * gross = TOTAL, net + VAT = gross per line, the header totals are the sums, and every line is
 * rounded by the rule of its buyer kind.
 */
const RUNS = 2500;
const rate = fc.constantFrom(270000n, 180000n, 50000n, 0n);

const productArb = fc.record({
  rate,
  stocks: fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })),
  half: fc.boolean(), // adds 0.5 to the quantity: products sold by weight
  gross: fc.option(fc.integer({ min: 0, max: 250_000 }), { nil: null }),
  net4: fc.bigInt({ min: 0n, max: 2_000_000_000n }), // up to 200 000 Ft net with 4 decimals
});

const orderArb = fc.record({
  products: fc.array(productArb, { minLength: 1, maxLength: 6 }),
  addons: fc.array(fc.record({ net4: fc.bigInt({ min: 0n, max: 5_000_000n }), qty: fc.integer({ min: 1, max: 12 }), rate: fc.constantFrom(0n, 270000n) }), { maxLength: 2 }),
  discounts: fc.tuple(fc.nat({ max: 30 }), fc.nat({ max: 30 }), fc.nat({ max: 30 })), // percent of goods: cart, coupon, loyalty
  shipping: fc.record({ gross: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5000 })), rate: fc.constantFrom(270000n, 50000n, 0n) }),
  payment: fc.record({ gross: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1500 })), rate: fc.constantFrom(270000n, 0n) }),
  company: fc.boolean(),
});

type Generated = typeof orderArb extends fc.Arbitrary<infer T> ? T : never;

/** Prices of at least 100 Ft: a 1 Ft item is a quarter of a euro cent, and its order is refused, rightly. */
const eurOrderArb = orderArb.map((g) => ({
  ...g,
  products: g.products.map((p) => ({ ...p, gross: p.gross === null ? null : p.gross + 100, net4: p.net4 + 1_000_000n })),
  addons: g.addons.map((a) => ({ ...a, net4: a.net4 + 1_000_000n })),
}));

/** The order, and the gross of each amount the shop added up (to tell one-line orders apart). */
function shopOrder(g: Generated, currency?: Order['currency']): { order: Order; grosses: bigint[] } {
  const products: OrderProduct[] = g.products.map((p, i) => {
    const [s1, s2, s3, s4] = p.stocks;
    const quantity = BigInt(s1 + s2 + s3 + s4 + 1) * SCALE4 + (p.half ? 5000n : 0n);
    const net = p.gross === null ? p.net4 : roundHalfUp(BigInt(p.gross) * SCALE4 * 100n * SCALE4, 100n * SCALE4 + p.rate);
    return {
      name: `Termék ${i + 1}`, sku: `T-${i}`, gtin: null, quantity, netUnitPrice: net,
      grossUnitPrice: p.gross === null ? null : BigInt(p.gross) * SCALE4,
      netUnitPriceCurrency: null, grossUnitPriceCurrency: null, taxRate: p.rate, unit: null, options: [],
    };
  });
  const addons = g.addons.map((a, i) => ({ name: `Betétdíj ${i}`, sku: null, type: 'DEPOSIT_FEE', netUnitPrice: a.net4, quantity: BigInt(a.qty) * SCALE4, taxRate: a.rate }));
  const productGross = products.map((p) => timesQuantity(p.grossUnitPrice !== null ? toMinor(p.grossUnitPrice, 0) : unitGrossFromNet(p.netUnitPrice, p.taxRate, 0), p.quantity));
  const addonGross = addons.map((a) => timesQuantity(unitGrossFromNet(a.netUnitPrice, a.taxRate, 0), a.quantity));
  const goods = productGross.reduce((s, x) => s + x, 0n);
  const deposits = addonGross.reduce((s, x) => s + x, 0n);
  const [cart, coupon, loyalty] = g.discounts.map((pct) => -((goods * BigInt(pct)) / 100n));
  const rows: OrderTotal[] = [
    { type: '', key: 'CART_AMOUNT_DISCOUNT', name: 'Mennyiségi kedvezmény:', value: (cart ?? 0n) * SCALE4 },
    { type: 'COUPON', key: null, name: 'Kupon:', value: (coupon ?? 0n) * SCALE4 },
    { type: 'LOYALTYPOINTS_TO_USE', key: null, name: 'Hűségpont:', value: (loyalty ?? 0n) * SCALE4 },
    { type: 'SHIPPING', key: null, name: 'Szállítás:', value: BigInt(g.shipping.gross) * SCALE4 },
    { type: 'PAYMENT', key: null, name: 'Utánvét:', value: BigInt(g.payment.gross) * SCALE4 },
  ];
  const total = goods + deposits + rows.reduce((s, r) => s + r.value / SCALE4, 0n);
  const base = makeOrder({ paymentMethodCode: 'COD', taxNumber: g.company ? '12345678-2-41' : null });
  const order: Order = {
    ...base,
    billing: { ...base.billing, company: g.company ? 'Példa Kft.' : null },
    currency: currency ?? base.currency,
    paymentMethodTaxRate: g.payment.rate,
    shippingMethodTaxRate: g.shipping.rate,
    products,
    addons,
    totals: [...rows, { type: 'TOTAL', key: null, name: 'Összesen:', value: total * SCALE4 }],
    total: total * SCALE4,
  };
  return { order, grosses: [...productGross, ...addonGross, ...rows.map((r) => r.value)].filter((x) => x !== 0n) };
}

function draftFor(order: Order): DraftResult {
  const partner = buildPartner(order);
  if ('reason' in partner) throw new Error(partner.reason);
  return buildDraft(order, partner, BASE_CONFIG);
}

/** Broken invariants of one draft, as readable texts (plain checks: jest's expect per line is slow over thousands of runs). */
function problems(draft: InvoiceDraft, shopTotal: bigint, corrections: number): string[] {
  const found: string[] = [];
  let moved = 0;
  for (const line of draft.lines) {
    if (line.net + line.vat !== line.gross) found.push(`${line.name}: ${line.net} + ${line.vat} != ${line.gross}`);
    const r = BigInt(Math.round(Number(line.vatRate) * 10000));
    const vat = draft.buyerKind === 'private' ? roundHalfUp(line.gross * r, 100n * SCALE4 + r) : roundHalfUp(line.net * r, 100n * SCALE4);
    // nav-rules.md §10 L6: exactly one forint may have moved between net and VAT (NAV check 890).
    if (line.vat === vat + 1n || line.vat === vat - 1n) moved += 1;
    else if (line.vat !== vat) found.push(`${line.name}: VAT ${line.vat}, the ${draft.buyerKind} rule gives ${vat}`);
  }
  if (moved !== corrections) found.push(`${moved} lines moved by one forint, ${corrections} corrections reported`);
  const sum = (pick: (l: InvoiceDraft['lines'][number]) => bigint): bigint => draft.lines.reduce((s, l) => s + pick(l), 0n);
  const { net, vat, gross } = draft.totals;
  if (net !== sum((l) => l.net) || vat !== sum((l) => l.vat) || gross !== sum((l) => l.gross)) found.push('header totals are not the line sums');
  if (gross !== shopTotal) found.push(`draft gross ${gross} != shop total ${shopTotal}`);
  return found;
}

describe('drafts of generated orders', () => {
  it(`HUF: every draft adds up to TOTAL to the forint, line by line consistent (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(orderArb, (g) => {
        const { order, grosses } = shopOrder(g);
        const result = draftFor(order);
        if (!result.ok) {
          // The only refusal a well-formed shop order can get: a company order with a single
          // non-zero line whose gross no net-rounded line reaches.
          expect(g.company).toBe(true);
          expect(result.reason).toMatch(/is for a company and its total of .* cannot be written as net-rounded invoice lines/);
          expect(grosses).toHaveLength(1);
          return;
        }
        expect(problems(result.draft, toMinor(order.total, 0), result.corrections)).toEqual([]);
        expect(result.draft.buyerKind).toBe(g.company ? 'company' : 'private');
      }),
      { numRuns: RUNS },
    );
  });

  it(`EUR: the draft matches the converted TOTAL exactly (${RUNS} runs)`, () => {
    const eur = { code: 'EUR', decimals: 2, value: '0.00253000' };
    fc.assert(
      fc.property(eurOrderArb, (g) => {
        const { order } = shopOrder(g, eur);
        const result = draftFor(order);
        if (!result.ok) {
          expect(g.company).toBe(true);
          expect(result.reason).toMatch(/is for a company and its total of .* cannot be written as net-rounded invoice lines/);
          return;
        }
        expect(problems(result.draft, convertToMinor(order.total, 253000n, 2), result.corrections)).toEqual([]);
        expect(result.draft.note).toBe('Árfolyam: 1 EUR = 395.2569 HUF');
      }),
      { numRuns: RUNS },
    );
  });

  it(`never throws, and never reaches the "unexpected error" branch, on hostile orders (${RUNS} runs)`, () => {
    // Mostly plausible values with a tenth of garbage in each field, so that every check is reached.
    const mostly = <T,>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<T>): fc.Arbitrary<T> => fc.oneof({ weight: 9, arbitrary: good }, { weight: 1, arbitrary: bad });
    const amount = mostly(fc.bigInt({ min: -100_0000n, max: 1_000_000_0000n }), fc.bigInt({ min: -(10n ** 24n), max: 10n ** 24n }));
    const text = fc.oneof(fc.string(), fc.constantFrom('', ' ', 'default', 'constructor', '__proto__', 'toString'));
    const hostile = fc.record({
      email: mostly(fc.constant('a@b.hu'), fc.option(text, { nil: null })),
      dateCreated: mostly(fc.constantFrom('2026-11-03T14:22:05', '2026-11-03T14:22:05Z', '2026-11-03 14:22'), text),
      currency: mostly(
        fc.constantFrom({ code: 'HUF', decimals: 0, value: '1.00000000' }, { code: 'EUR', decimals: 2, value: '0.00250000' }),
        fc.record({ code: text, decimals: fc.oneof(fc.integer({ min: -2, max: 9 }), fc.constant(Number.NaN)), value: fc.oneof(text, fc.constantFrom('1.00000000', '0')) }),
      ),
      paymentMethodCode: mostly(fc.constantFrom('COD', 'cod', 'BANK_TRANSFER'), fc.option(text, { nil: null })),
      rates: fc.tuple(fc.option(mostly(rate, amount), { nil: null }), fc.option(mostly(rate, amount), { nil: null })),
      products: fc.array(
        fc.record({ name: text, quantity: amount, net: amount, gross: fc.option(amount, { nil: null }), rate: mostly(rate, amount), unit: fc.option(mostly(fc.constantFrom('db', 'kg'), text), { nil: null }) }),
        { maxLength: 4 },
      ),
      totals: fc.array(
        fc.record({ type: mostly(fc.constantFrom('SHIPPING', 'PAYMENT', 'COUPON', 'TOTAL', 'LOYALTYPOINTS_TO_USE', 'TAX'), text), key: fc.option(mostly(fc.constant('CART_AMOUNT_DISCOUNT'), text), { nil: null }), value: amount }),
        { maxLength: 5 },
      ),
      total: amount,
    });
    fc.assert(
      fc.property(hostile, (h) => {
        const base = makeOrder();
        const order: Order = {
          ...base,
          email: h.email,
          dateCreated: h.dateCreated,
          currency: h.currency,
          paymentMethodCode: h.paymentMethodCode,
          paymentMethodTaxRate: h.rates[0],
          shippingMethodTaxRate: h.rates[1],
          products: h.products.map((p) => ({ ...base.products[0]!, name: p.name, quantity: p.quantity, netUnitPrice: p.net, grossUnitPrice: p.gross, taxRate: p.rate, unit: p.unit })),
          totals: h.totals.map((t) => ({ ...t, name: 'x' })),
          total: h.total,
        };
        const partner = buildPartner(order);
        const result = 'reason' in partner ? { ok: false as const, reason: partner.reason } : buildDraft(order, partner, BASE_CONFIG);
        if (!result.ok) {
          expect(result.reason.length).toBeGreaterThan(0);
          expect(result.reason).not.toMatch(/unexpected error/);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
