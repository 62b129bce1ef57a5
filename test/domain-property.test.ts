import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { buildDraft } from '../src/domain/build-draft.js';
import { buildPartner } from '../src/domain/build-partner.js';
import type { DraftResult } from '../src/domain/draft.js';
import type { MappingConfig } from '../src/domain/mapping-config.js';
import type { Order } from '../src/domain/order.js';
import { normalizeOrder } from '../src/shoprenter/normalize-order.js';
import { makeOrder } from './fixtures/golden/builders.js';
import { BASE_CONFIG, DRAFT_DAY } from './fixtures/golden/loader.js';
import { draftAsRows, navTally } from './helpers/nav-audit.js';
import { checkDraft, oneUnitMoves, parseDecimal, vatTableFrom } from './helpers/nav-checker.js';
import { rhu, shopOrder, type ShopSpec } from './helpers/shop-order.js';

/**
 * Generated orders whose every amount is computed the way a Shoprenter shop computes it
 * (helpers/shop-order.ts: 4-decimal net prices, whole-forint unit gross, SUB_TOTAL/TAX rows,
 * gross fees and discounts; none of the draft builder's helpers), sent through the daemon's own
 * path (wire -> normalizeOrder -> buildPartner -> buildDraft -> Cashman rows). Every draft must
 * match TOTAL to the unit and pass the independent NAV checker (which also holds net + VAT = gross
 * per line and header = Σ lines); an order may instead be quarantined with one sentence, and the
 * quarantines are counted and must stay rare.
 */
const RUNS = 2500;
const SCALE4 = 10_000n;
const rate = fc.constantFrom(270000n, 180000n, 50000n, 0n);
const shopRate = fc.constantFrom(27, 18, 5, 0);

/** A product the owner priced either gross (whole forints, the shop stores net to 4 decimals) or net. */
const productArb = fc.record({
  rate: shopRate,
  priced: fc.oneof(fc.record({ gross: fc.integer({ min: 1, max: 250_000 }) }), fc.record({ net4: fc.bigInt({ min: 1n, max: 2_000_000_000n }) })),
  whole: fc.integer({ min: 1, max: 12 }),
  half: fc.boolean(), // adds 0.5 to the quantity: products sold by weight
});

const specArb = fc.record({
  products: fc.array(productArb, { minLength: 1, maxLength: 6 }),
  addons: fc.array(fc.record({ net4: fc.bigInt({ min: 1n, max: 5_000_000n }), qty: fc.integer({ min: 1, max: 12 }), rate: fc.constantFrom(0, 27) }), { maxLength: 2 }),
  discounts: fc.record({ cart: fc.nat({ max: 30 }), coupon: fc.nat({ max: 30 }), loyalty: fc.nat({ max: 30 }) }),
  shipping: fc.record({ gross: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5000 })), rate: fc.constantFrom(27, 5, 0) }),
  payment: fc.record({ gross: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1500 })), rate: fc.constantFrom(27, 0) }),
  buyer: fc.constantFrom('private' as const, 'company' as const, 'soleTrader' as const),
});
type Generated = typeof specArb extends fc.Arbitrary<infer T> ? T : never;

function toSpec(g: Generated, innerId: number, minGross = 0): ShopSpec {
  return {
    innerId,
    products: g.products.map((p, i) => {
      const net4 = 'gross' in p.priced ? rhu(BigInt(p.priced.gross + minGross) * SCALE4 * 100n, BigInt(100 + p.rate)) : p.priced.net4 + BigInt(minGross) * SCALE4;
      return { net4, rate: p.rate, qty4: BigInt(p.whole) * SCALE4 + (p.half ? 5000n : 0n), name: `Termék ${i + 1}` };
    }),
    addons: g.addons.map((a) => ({ ...a, net4: a.net4 + BigInt(minGross) * SCALE4 })),
    discounts: g.discounts,
    shipping: g.shipping,
    payment: g.payment,
    buyer: g.buyer,
  };
}

/** BASE_CONFIG with the four 0 % VAT cases of SPEC §1.6 mapped. */
const CONFIG = { ...BASE_CONFIG, vatExemptions: { deposit: 41, domestic: 40, intraEu: 42, export: 43 } } as MappingConfig;
const TABLE = vatTableFrom(CONFIG);

function draftFor(wire: Record<string, unknown>): DraftResult {
  const sourced = normalizeOrder(wire);
  if (!sourced.ok) return { ok: false, reason: sourced.reason };
  const partner = buildPartner(sourced.order);
  if ('reason' in partner) return { ok: false, reason: partner.reason };
  return buildDraft(sourced.order, partner, CONFIG, DRAFT_DAY);
}

/** Quarantine reasons by their first words, to say what the quarantines were. */
function tallyReasons(): { add(reason: string): void; runs: number; count: number; summary(): string } {
  const byKind = new Map<string, number>();
  const state = {
    runs: 0,
    count: 0,
    add(reason: string) {
      state.count += 1;
      const kind = reason.replace(/\d[\d .,]*/g, 'N').slice(0, 90);
      byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
    },
    summary: () => [...byKind].map(([kind, n]) => `${n} × "${kind}…"`).join('; ') || 'none',
  };
  return state;
}

/** A quarantine must be one plain sentence (bad-input.test.ts holds the full list of what that means). */
function expectSentence(reason: string): void {
  expect(reason).toMatch(/^[^\r\n]{10,400}[.!]$/);
  expect(reason).not.toMatch(/unexpected error|undefined|NaN|\[object/);
}

describe('drafts of orders computed the way a shop computes them', () => {
  it(`HUF: every draft adds up to TOTAL to the forint and passes the NAV checker, or is quarantined with a sentence (${RUNS} runs)`, () => {
    const quarantined = tallyReasons();
    let innerId = 100_000;
    fc.assert(
      fc.property(specArb, (g) => {
        quarantined.runs += 1;
        const { wire, totalHuf } = shopOrder(toSpec(g, (innerId += 1)));
        const result = draftFor(wire);
        if (!result.ok) {
          expectSentence(result.reason);
          return void quarantined.add(result.reason);
        }
        const rows = draftAsRows(result.draft);
        expect(checkDraft(rows, TABLE)).toEqual([]);
        expect(rows[0]!['szamla_brutto']).toBe(String(totalHuf));
        // SPEC §1.2: a tax number makes the buyer a business, the partner carries it.
        expect(rows[0]!['adoszam']).toBe(g.buyer === 'private' ? '' : '68123456-1-33');
        navTally.drafts += 1;
        navTally.moves += oneUnitMoves(rows, TABLE);
      }),
      { numRuns: RUNS },
    );
    console.log(`property (HUF): ${quarantined.runs} orders, ${quarantined.count} quarantined: ${quarantined.summary()}`);
    expect(quarantined.count / quarantined.runs).toBeLessThan(0.02);
  });

  it(`EUR: the draft matches the converted TOTAL to the cent and passes the NAV checker (${RUNS} runs)`, () => {
    const quarantined = tallyReasons();
    let innerId = 200_000;
    fc.assert(
      fc.property(specArb, (g) => {
        quarantined.runs += 1;
        // Prices of at least 100 Ft: a 1 Ft item is a quarter of a euro cent, and its order is refused, rightly.
        const spec = { ...toSpec(g, (innerId += 1), 100), currency: { code: 'EUR', decimalPlace: '2', value: '0.00253000' } };
        const { wire, totalHuf } = shopOrder(spec);
        const result = draftFor(wire);
        if (!result.ok) {
          expectSentence(result.reason);
          return void quarantined.add(result.reason);
        }
        const rows = draftAsRows(result.draft);
        expect(checkDraft(rows, TABLE)).toEqual([]);
        // TOTAL is in HUF; in EUR it is TOTAL × 0.00253 rounded half away from zero to the cent.
        const cents = rhu(totalHuf * 253_000n * 100n, 100_000_000n);
        expect(parseDecimal(rows[0]!['szamla_brutto'])).toBe(cents * 10n ** 8n);
        navTally.drafts += 1;
      }),
      { numRuns: RUNS },
    );
    console.log(`property (EUR): ${quarantined.runs} orders, ${quarantined.count} quarantined: ${quarantined.summary()}`);
    expect(quarantined.count / quarantined.runs).toBeLessThan(0.02);
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
        const result = 'reason' in partner ? { ok: false as const, reason: partner.reason } : buildDraft(order, partner, BASE_CONFIG, DRAFT_DAY);
        if (!result.ok) {
          expect(result.reason.length).toBeGreaterThan(0);
          expect(result.reason).not.toMatch(/unexpected error/);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
