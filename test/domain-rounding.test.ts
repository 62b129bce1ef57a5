import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { parseAmount4 } from '../src/domain/money.js';
import {
  apportion,
  convertToMinor,
  fromNet,
  netFirstAtMost,
  splitGross,
  timesQuantity,
  unitGrossFromNet,
  unitPriceText,
} from '../src/domain/rounding.js';

const a4 = (text: string): bigint => parseAmount4(text) ?? 0n;
const rate = (percent: string): bigint => a4(percent);

describe('splitGross (gross-first, private buyers and shop-fixed fees)', () => {
  it.each([
    // gross, rate, net, vat — the worked examples of reference/hungarian-invoicing.md §1 first
    [10000n, '27', 7874n, 2126n],
    [2000n, '27', 1575n, 425n],
    [12000n, '27', 9449n, 2551n],
    [1270n, '27', 1000n, 270n],
    [1n, '27', 1n, 0n],
    [127n, '27', 100n, 27n],
    [1180n, '18', 1000n, 180n],
    [1050n, '5', 1000n, 50n],
    [21n, '5', 20n, 1n], // 21 × 5 / 105 = 1.0
    [31n, '5', 30n, 1n], // 1.476 -> 1
    [-1200n, '27', -945n, -255n], // the negative coupon of §7.2, rounded half away from zero
    [-1n, '27', -1n, 0n],
    [999n, '0', 999n, 0n],
    [0n, '27', 0n, 0n],
    [1234n, '5.5', 1170n, 64n], // 64.33
  ])('%d at %s%% -> net %d, VAT %d', (gross, r, net, vat) => {
    expect(splitGross(gross, rate(r))).toEqual({ net, vat, gross });
  });

  it('rounds an exact half away from zero', () => {
    expect(splitGross(10n, rate('25')).vat).toBe(2n); // 10 × 25 / 125 = 2.0
    expect(splitGross(5n, rate('25')).vat).toBe(1n); // 1.0
    expect(splitGross(45n, rate('12.5')).vat).toBe(5n); // 45 × 12.5 / 112.5 = 5.0
    expect(splitGross(9n, rate('20')).vat).toBe(2n); // 1.5 -> 2
    expect(splitGross(-9n, rate('20')).vat).toBe(-2n); // -1.5 -> -2
  });
});

describe('fromNet (net-first, company buyers)', () => {
  it.each([
    [7874n, '27', 2126n, 10000n], // 2125.98
    [787n, '27', 212n, 999n], // 212.49
    [788n, '27', 213n, 1001n], // 212.76
    [1000n, '18', 180n, 1180n],
    [10n, '5', 1n, 11n], // 0.5 -> 1
    [-10n, '5', -1n, -11n],
    [500n, '0', 0n, 500n],
  ])('%d at %s%% -> VAT %d, gross %d', (net, r, vat, gross) => {
    expect(fromNet(net, rate(r))).toEqual({ net, vat, gross });
  });
});

describe('netFirstAtMost', () => {
  it.each([
    [1000n, '27', 787n, 999n], // 1000 Ft at 27% has no whole net: 787 -> 999, 788 -> 1001
    [1001n, '27', 788n, 1001n],
    [10000n, '27', 7874n, 10000n],
    [-1000n, '27', -788n, -1001n], // largest gross not above -1000
    [1180n, '18', 1000n, 1180n],
    [0n, '27', 0n, 0n],
    [77n, '0', 77n, 77n],
  ])('%d at %s%% -> net %d, gross %d', (target, r, net, gross) => {
    const line = netFirstAtMost(target, rate(r));
    expect(line.net).toBe(net);
    expect(line.gross).toBe(gross);
  });

  it('is net-first, never above the target, and at most 1 below it (2500 runs)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -10_000_000n, max: 10_000_000n }), fc.constantFrom('0', '5', '18', '27', '5.5'), (g, r) => {
        const line = netFirstAtMost(g, rate(r));
        expect(line).toEqual(fromNet(line.net, rate(r)));
        expect(line.gross <= g && line.gross >= g - 1n).toBe(true);
        expect(fromNet(line.net + 1n, rate(r)).gross > g).toBe(true);
      }),
      { numRuns: 2500 },
    );
  });
});

describe('unit and quantity helpers', () => {
  it.each([
    ['2400', '27', 0, 3048n],
    ['787.4016', '27', 0, 1000n],
    ['3937.0079', '27', 0, 5000n],
    ['39.3701', '27', 0, 50n],
    ['0.3937', '27', 0, 0n], // 0.499999 stays below the half
    ['10', '5', 2, 1050n], // 10.50 in cents
    ['12.3456', '18', 2, 1457n], // 14.567808 -> 14.57
  ])('unitGrossFromNet(%s, %s%%, %d) = %d', (net, r, decimals, expected) => {
    expect(unitGrossFromNet(a4(net), rate(r), decimals)).toBe(expected);
  });

  it.each([
    [1270n, '3', 3810n],
    [1000n, '1.5', 1500n],
    [999n, '0.5', 500n], // 499.5 -> 500
    [333n, '0.333', 111n], // 110.889
  ])('timesQuantity(%d, %s) = %d', (unit, quantity, expected) => {
    expect(timesQuantity(unit, a4(quantity))).toBe(expected);
  });

  it.each([
    ['100', '0.00250000', 2, 25n],
    ['1006', '0.00250000', 2, 252n], // 2.515 EUR -> 2.52
    ['-1200', '0.00250000', 2, -300n],
    ['3990', '1.00000000', 0, 3990n],
    ['970.0714', '1.00000000', 0, 970n],
  ])('convertToMinor(%s × %s, %d decimals) = %d', (amount, multiplier, decimals, expected) => {
    const m8 = BigInt(multiplier.replace('.', ''));
    expect(convertToMinor(a4(amount), m8, decimals)).toBe(expected);
  });

  it.each([
    [7874n, '2', 0, '3937.00'],
    [1575n, '1', 0, '1575.00'],
    [2362n, '3', 0, '787.33'],
    [-945n, '1', 0, '-945.00'],
    [1000n, '1.5', 0, '666.67'],
    [1234n, '1', 2, '12.3400'],
  ])('unitPriceText(%d / %s, %d decimals) = %s', (net, quantity, decimals, expected) => {
    expect(unitPriceText(net, a4(quantity), decimals)).toBe(expected);
  });
});

describe('apportion (largest remainder)', () => {
  it.each([
    [-1000n, [3810n, 1050n], [-784n, -216n]], // 783.95 / 216.05
    [-1000n, [1n, 1n], [-500n, -500n]],
    [-1001n, [1n, 1n], [-501n, -500n]], // tie: the earlier weight takes the unit
    [-1000n, [1n, 1n, 1n], [-334n, -333n, -333n]],
    [100n, [0n, 5n], [0n, 100n]],
    [7n, [2n, 3n, 5n], [1n, 2n, 4n]], // 1.4, 2.1, 3.5
    [0n, [4n, 6n], [0n, 0n]],
  ])('%d over %j -> %j', (total, weights, expected) => {
    expect(apportion(total, weights)).toEqual(expected);
  });

  it('refuses weights that cannot carry a share', () => {
    expect(() => apportion(10n, [0n, 0n])).toThrow(RangeError);
    expect(() => apportion(10n, [5n, -1n])).toThrow(RangeError);
  });

  it('always adds up exactly and stays within one unit of the exact share (3000 runs)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -10_000_000n, max: 10_000_000n }),
        fc.array(fc.bigInt({ min: 0n, max: 5_000_000n }), { minLength: 1, maxLength: 5 }).filter((w) => w.some((x) => x > 0n)),
        (total, weights) => {
          const parts = apportion(total, weights);
          const sum = weights.reduce((a, b) => a + b, 0n);
          expect(parts.reduce((a, b) => a + b, 0n)).toBe(total);
          parts.forEach((part, i) => {
            const exactTimesSum = total * (weights[i] ?? 0n);
            const diff = part * sum - exactTimesSum;
            expect(diff < sum && diff > -sum).toBe(true);
            if (weights[i] === 0n) expect(part).toBe(0n);
          });
        },
      ),
      { numRuns: 3000 },
    );
  });
});
