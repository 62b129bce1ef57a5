import { describe, expect, it } from '@jest/globals';
import { planRound, stockTarget, decimalToScaled, type CashmanStockRow, type ShopProduct } from '../src/stock/stock-core.js';
import { approvalCovers, judgeRound, type Approval } from '../src/stock/stock-safety.js';

/**
 * SPEC §6's target, matching and safety rules against a table computed by hand:
 * target = floor(Cashman stock) − open quantity, negative → 0; match by trimmed key.
 */

const row = (sku: string, stock: string, barcode = ''): CashmanStockRow => ({ sku, barcode, stock });
const product = (id: string, sku: string, current: string | null, gtin = ''): ShopProduct => ({ id, sku, gtin, current });
const q = (n: number) => BigInt(Math.round(n * 10_000));

describe('stock target (hand table)', () => {
  // [Cashman stock, open quantity, expected target]
  const table: Array<[string, number, number]> = [
    ['10', 2, 8],
    ['3.9', 0, 3],
    ['1', 3, 0],
    ['-2', 0, 0],
    ['2.5', 1, 1],
    ['-0.5', 0, 0],
    ['0.9999', 0, 0],
    ['7.00000', 7, 0],
    ['12.0000', 0, 12],
  ];
  it.each(table)('Cashman %s with %d on open orders -> %d', (stock, open, expected) => {
    expect(stockTarget(decimalToScaled(stock)!, q(open))).toBe(expected);
  });

  it('refuses stock that is not a decimal number', () => {
    for (const text of ['', 'abc', '1,5', '1e3', '--1', '12 db']) expect(decimalToScaled(text)).toBeNull();
  });
});

describe('matching and what a round writes', () => {
  const cashman = [
    row('A1', '10'),
    row('A2', '3.9'),
    row('A3', '1'),
    row('A4', '-2'),
    row('A5 ', '5'),
    row('D1', '4'),
    row('D1', '6'),
    row('S1', '9'),
    row('C9', '1'),
    row('X1', 'abc'),
    row('', '3'),
  ];
  const products = [
    product('p1', 'A1', '7'),
    product('p2', 'A2', '3'),
    product('p3', 'A3', '1'),
    product('p4', 'A4', '0'),
    product('p5', ' A5', '5.0000'),
    product('p6', 'D1', '4'),
    product('p7', 'S1', '1'),
    product('p8', 'S1', '2'),
    product('p9', 'U1', '3'),
    product('p10', '', '8'),
    product('p11', 'X1', '2'),
  ];
  const open = new Map([
    ['p1', q(2)],
    ['p3', q(3)],
  ]);
  const plan = planRound({ cashman, products, open, matchBy: 'sku' });

  it('computes every matched product by hand', () => {
    expect(plan.matched.map((i) => [i.key, i.target, i.write])).toEqual([
      ['A1', 8, true],
      ['A2', 3, false],
      ['A3', 0, true],
      ['A4', 0, false],
      ['A5', 5, false],
    ]);
    expect(plan.matched.find((i) => i.key === 'A1')).toMatchObject({ productId: 'p1', cashmanStock: '10', open: '2', current: '7' });
  });

  it('skips and reports duplicate keys on either side, never touches the unmatched', () => {
    expect(plan.duplicateCashman).toEqual(['D1']);
    expect(plan.duplicateShop).toEqual(['S1']);
    expect(plan.unmatchedShop).toEqual(['U1']);
    expect(plan.unmatchedCashman).toEqual(['C9']);
    expect(plan.unreadableCashman).toEqual(['X1']);
    expect(plan.keyless).toBe(1);
    const touched = plan.matched.map((i) => i.productId);
    for (const id of ['p6', 'p7', 'p8', 'p9', 'p10', 'p11']) expect(touched).not.toContain(id);
  });

  it('matches vonalkod = gtin with matchBy barcode; empty barcodes match nothing', () => {
    const byBarcode = planRound({
      cashman: [row('A1', '4', '5990001'), row('A2', '9', ''), row('A3', '2', '5990003')],
      products: [product('p1', 'other', '0', '5990001'), product('p2', 'A2', '1', ''), product('p3', 'A3', '2', ' 5990003 ')],
      open: new Map(),
      matchBy: 'barcode',
    });
    expect(byBarcode.matched.map((i) => [i.productId, i.target, i.write])).toEqual([
      ['p1', 4, true],
      ['p3', 2, false],
    ]);
    expect(byBarcode.keyless).toBe(1);
  });

  it('an unreadable current value is written (absolute), an equal one is not', () => {
    const p = planRound({ cashman: [row('A', '3'), row('B', '3')], products: [product('a', 'A', null), product('b', 'B', '3.0')], open: new Map(), matchBy: 'sku' });
    expect(p.matched.map((i) => i.write)).toEqual([true, false]);
  });
});

describe('safety rules', () => {
  const planWith = (matched: number, changes: number, zeroes: number) =>
    planRound({
      cashman: Array.from({ length: matched }, (_, i) => row(`K${i}`, i < zeroes ? '0' : '5')),
      products: Array.from({ length: matched }, (_, i) => product(`p${i}`, `K${i}`, i < changes ? '9' : i < zeroes ? '0' : '5')),
      open: new Map(),
      matchBy: 'sku',
    });
  const judge = (matched: number, changes: number, zeroes: number, lastGoodMatched: number | null = null, approval: Approval | null = null) =>
    judgeRound({ plan: planWith(matched, changes, zeroes), lastGoodMatched, maxChangeShare: 0.2, approval });

  it('holds a round that changes more than the share, not one at the share', () => {
    expect(judge(10, 2, 0)).toBeNull();
    expect(judge(10, 3, 0)?.kind).toBe('changes');
  });

  it('holds a round that sets more than the share to 0', () => {
    // 3 of 10 go from 9 to 0: the zero rule speaks first.
    expect(judge(10, 3, 3)?.kind).toBe('zeroes');
  });

  it('holds a list that matched fewer than half of the last good round', () => {
    expect(judge(4, 0, 0, 10)?.kind).toBe('shrunk');
    expect(judge(5, 0, 0, 10)).toBeNull();
  });

  it('an approval lets go a round no bigger than the one approved', () => {
    const changes = (n: number): Approval => ({ kind: 'changes', changes: n, zeroes: 0 });
    expect(judge(10, 5, 0, null, changes(5))).toBeNull();
    expect(judge(10, 7, 0, null, changes(5))).toBeNull();
    expect(judge(10, 8, 0, null, changes(5))?.kind).toBe('changes');
    expect(approvalCovers(changes(100), { kind: 'changes', changes: 110, zeroes: 2 })).toBe(true);
    expect(approvalCovers(changes(100), { kind: 'changes', changes: 111, zeroes: 0 })).toBe(false);
  });

  it('an approval covers only the reason it was given for: one for many changes does not let a cut list or a wave of zeroes go', () => {
    // Last good round matched 1000; Cashman's next list is cut to 400 rows, 100 of them changed (by hand: 400 * 2 < 1000).
    const cut = planRound({
      cashman: Array.from({ length: 400 }, (_, i) => row(`K${i}`, i < 100 ? '1' : '5')),
      products: Array.from({ length: 1000 }, (_, i) => product(`p${i}`, `K${i}`, '5')),
      open: new Map(),
      matchBy: 'sku',
    });
    const approvedDelivery: Approval = { kind: 'changes', changes: 300, zeroes: 0 };
    expect(judgeRound({ plan: cut, lastGoodMatched: 1000, maxChangeShare: 0.2, approval: null })?.kind).toBe('shrunk');
    expect(judgeRound({ plan: cut, lastGoodMatched: 1000, maxChangeShare: 0.2, approval: approvedDelivery })?.kind).toBe('shrunk');
    // Approved for that very reason (the person checked the cut list), it goes.
    expect(judgeRound({ plan: cut, lastGoodMatched: 1000, maxChangeShare: 0.2, approval: { kind: 'shrunk', changes: 100, zeroes: 0 } })).toBeNull();
    // 3 of 10 to 0 is a "zeroes" hold; a "changes" approval of the same size does not cover it, a "zeroes" one does.
    expect(judge(10, 3, 3, null, { kind: 'changes', changes: 3, zeroes: 3 })?.kind).toBe('zeroes');
    expect(judge(10, 3, 3, null, { kind: 'zeroes', changes: 3, zeroes: 3 })).toBeNull();
  });
});
