import { describe, expect, it } from '@jest/globals';
import { formatAmount4, formatMinor, parseAmount4, roundHalfUp, toMinor } from '../src/domain/money.js';

describe('money', () => {
  it.each([
    ['3990.0000', 39_900_000n],
    ['970.0714', 9_700_714n],
    ['-1200', -12_000_000n],
    ['0.00005', 1n],
    ['12.34567', 123_457n],
    // Around the longest value parsed without BigInt (11 whole digits, 4 decimals) and past it.
    ['99999999999.9999', 999_999_999_999_999n],
    ['-99999999999.9999', -999_999_999_999_999n],
    ['100000000000', 1_000_000_000_000_000n],
    ['99999999999.99995', 1_000_000_000_000_000n],
    ['12345678901234567890.5', 123_456_789_012_345_678_905_000n],
    [' +27 ', 270_000n],
    ['0.1', 1_000n],
    ['007.5', 75_000n],
  ])('parses %s', (text, expected) => {
    expect(parseAmount4(text)).toBe(expected);
  });

  it.each(['', 'abc', '1,5', '1e3', '--1', '.5', '5.', '-', '1.2.3', '1 2', '１', '0.12345x'])('rejects %j', (text) => {
    expect(parseAmount4(text)).toBeNull();
  });

  it.each([
    [5n, 2n, 3n],
    [-5n, 2n, -3n],
    [4n, 2n, 2n],
    [10000n * 27n, 127n, 2126n],
    [2000n * 27n, 127n, 425n],
    [1n, 3n, 0n],
    [7n, -2n, -4n],
  ])('rounds %d/%d half away from zero to %d', (n, d, q) => {
    expect(roundHalfUp(n, d)).toBe(q);
  });

  it('converts to minor units and formats', () => {
    expect(toMinor(parseAmount4('1574.8031')!, 0)).toBe(1575n);
    expect(toMinor(parseAmount4('12.345')!, 2)).toBe(1235n);
    expect(formatMinor(-1234n, 2)).toBe('-12.34');
    expect(formatMinor(5n, 2)).toBe('0.05');
    expect(formatMinor(7874n, 0)).toBe('7874');
    expect(formatAmount4(270000n)).toBe('27');
    expect(formatAmount4(15000n)).toBe('1.5');
    expect(formatAmount4(-5n)).toBe('-0.0005');
  });
});
