import { describe, expect, it } from '@jest/globals';
import { addDays } from '../src/domain/draft-dates.js';
import { upperCleaned, upperTrimmed } from '../src/domain/words.js';

/**
 * Answers the mapping remembers between orders (the due date of a run, case-folded total types)
 * must be the same as computed afresh, whatever came before: another due-day setting, another
 * day, more distinct words than are kept.
 */
describe('remembered answers', () => {
  it('addDays answers each (day, days) pair, not the previous one', () => {
    expect(addDays('2026-12-28', 8)).toBe('2027-01-05');
    expect(addDays('2026-12-28', 8)).toBe('2027-01-05');
    expect(addDays('2026-12-28', 3)).toBe('2026-12-31');
    expect(addDays('2028-02-27', 3)).toBe('2028-03-01');
    expect(addDays('2027-02-27', 3)).toBe('2027-03-02');
    expect(addDays('2026-12-28', 0)).toBe('2026-12-28');
  });

  it('folds total types and keys the same on every call, past the number of words kept', () => {
    expect(upperTrimmed(' sub_total ')).toBe('SUB_TOTAL');
    expect(upperTrimmed(' sub_total ')).toBe('SUB_TOTAL');
    expect(upperTrimmed('Tax')).toBe('TAX');
    expect(upperCleaned(' cart_amount_discount ')).toBe('CART_AMOUNT_DISCOUNT');
    expect(upperCleaned('cart\namount')).toBe('CART AMOUNT');
    expect(upperCleaned('  ')).toBeNull();
    expect(upperCleaned(null)).toBeNull();
    for (let i = 0; i < 2000; i++) {
      expect(upperTrimmed(` type${i} `)).toBe(`TYPE${i}`);
      expect(upperCleaned(`key${i}\u0000`)).toBe(`KEY${i}`);
    }
    expect(upperTrimmed(' sub_total ')).toBe('SUB_TOTAL');
  });
});
