import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { HIDDEN, readOrderWire } from '../src/shoprenter/order-wire.js';
import { OrderExtendWire, OrderProductAddonWire, OrderProductWire, OrderTotalWire } from '../src/shoprenter/schema.js';
import { sampleShop } from '../src/standins/shoprenter-fixtures.js';

/**
 * The hand-written orderExtend reader against the zod schema it stands in for: on every input,
 * the same value (keys in the same order, since the first field with hidden characters is named
 * by walking them) or the same first issue (path, and the value found there: missing or not).
 * Inputs: the documentation samples and generated orders, each field in turn replaced by the odd
 * values Shoprenter's XML-to-JSON layer and a broken shop can produce.
 */

const SAMPLES = new URL('./fixtures/shoprenter-samples/', import.meta.url);
const sample = (name: string) => JSON.parse(readFileSync(new URL(name, SAMPLES), 'utf8')) as Record<string, unknown>;

type Json = Record<string, unknown>;
const DELETE = Symbol('delete');

const ODD: unknown[] = [
  DELETE,
  undefined,
  null,
  {},
  [],
  '',
  '   ',
  ' padded ',
  'x\u0000y',
  '\u202eevil',
  '\u000bx\u000c',
  'ok\ud800',
  'pair \ud83d\ude00',
  { href: 'https://x/\u2066' },
  [{ name: 'Méret', valueName: 'X\u0007L' }],
  0,
  12.5,
  -3,
  true,
  false,
  { a: 1 },
  ['x'],
  [{}],
  [null],
  { href: 5 },
  { href: ' https://x/orderStatuses/b3JkZXJTdGF0dXMtb3JkZXJfc3RhdHVzX2lkPTE= ' },
  { href: 'h', id: 3 },
  { id: '' },
  { code: 'EUR', decimalPlace: 2, value: 1 },
  { name: [], isoCode2: 'HU' },
  [{ name: 'Méret', valueName: 'XL' }],
  [{ name: 5 }, { name: {} }],
  [{ name: true }],
];

function compare(input: unknown): void {
  const zod = OrderExtendWire.safeParse(input, { reportInput: true });
  const mine = readOrderWire(input);
  expect(mine.ok).toBe(zod.success);
  if (zod.success && mine.ok) {
    expect(JSON.stringify(mine.data)).toBe(JSON.stringify(zod.data));
    expect(mine.data).toEqual(zod.data);
    // The flag may be set needlessly (the walk it triggers is exact), never missed.
    if (hasHidden(zod.data)) expect(mine.hidden).toBe(true);
  } else if (!zod.success && !mine.ok) {
    const first = zod.error.issues[0];
    expect(mine.issue.path).toEqual(first?.path);
    const zodInput = first !== undefined && 'input' in first ? first.input : undefined;
    expect(Object.is(mine.issue.input, zodInput)).toBe(true);
  }
}

function hasHidden(value: unknown): boolean {
  if (typeof value === 'string') return HIDDEN.test(value);
  if (value === null || typeof value !== 'object') return false;
  return Object.values(value).some(hasHidden);
}

const clone = (v: Json): Json => JSON.parse(JSON.stringify(v)) as Json;

function setField(target: Json, key: string, value: unknown): void {
  if (value === DELETE) delete target[key];
  else target[key] = value;
}

/** Every field of `shape`, on `holder()` of a fresh copy of `base`, replaced by every odd value. */
function eachField(base: Json, keys: string[], holder: (copy: Json) => Json | undefined): number {
  let checked = 0;
  for (const key of keys) {
    for (const value of ODD) {
      const copy = clone(base);
      const target = holder(copy);
      if (target === undefined) continue;
      setField(target, key, value);
      compare(copy);
      checked += 1;
    }
  }
  return checked;
}

const firstOf = (list: string) => (copy: Json) => {
  const items = copy[list];
  return Array.isArray(items) && typeof items[0] === 'object' && items[0] !== null ? (items[0] as Json) : undefined;
};

const nestedKeys = ['orderStatus', 'currency', 'paymentCountry', 'shippingCountry', 'coupon'];

const bases: [string, Json][] = [
  ['get_id sample', sample('orderExtend.get_id.json')],
  ['HU-2023 sample', sample('orderExtend.get_id.HU-2023.json')],
  ['page item', (sample('orderExtend.get_page.json')['items'] as Json[])[0] as Json],
  ...sampleShop(3, 11).map((o, i): [string, Json] => [`generated order ${i}`, clone(o)]),
];

describe('readOrderWire reads an orderExtend item exactly as the zod schema does', () => {
  it.each(bases)('%s, as sent', (_, base) => {
    compare(base);
    expect(readOrderWire(base).ok).toBe(true);
  });

  it.each(bases)('%s, every order field replaced by odd values', (_, base) => {
    expect(eachField(base, Object.keys(OrderExtendWire.shape), (copy) => copy)).toBeGreaterThan(1000);
  });

  it.each(bases)('%s, odd values inside the embedded objects and the first row of each list', (_, base) => {
    for (const key of nestedKeys) {
      eachField(base, ['href', 'code', 'decimalPlace', 'value', 'name', 'isoCode2', 'id'], (copy) => {
        const inner = copy[key];
        if (typeof inner === 'object' && inner !== null && !Array.isArray(inner)) return inner as Json;
        copy[key] = {};
        return copy[key] as Json;
      });
    }
    const product = [...Object.keys(OrderProductWire.shape), 'orderProductOptions'];
    eachField(base, product, firstOf('orderProducts'));
    eachField(base, Object.keys(OrderTotalWire.shape), firstOf('orderTotals'));
    eachField(base, Object.keys(OrderProductAddonWire.shape), (copy) => {
      copy['orderProductAddons'] = [{ name: 'Betétdíj', sku: 'DRS', type: 'DRS', price: '50.0000', quantity: '2', taxRate: '0.0000' }];
      return (copy['orderProductAddons'] as Json[])[0];
    });
    eachField(base, ['href', 'id', 'name'], (copy) => {
      const p = firstOf('orderProducts')(copy);
      if (p === undefined) return undefined;
      p['product'] = { href: 'https://x/products/cHJvZHVjdC1wcm9kdWN0X2lkPTE=' };
      return p['product'] as Json;
    });
  });

  it('an order that is not an object, and lists that are not lists', () => {
    for (const value of ODD) compare(value === DELETE ? undefined : value);
    for (const value of ['x', 5, null, [], 'items']) compare(value);
    const base = bases[0]?.[1] ?? {};
    for (const list of ['orderProducts', 'orderTotals', 'orderProductAddons']) {
      for (const value of ODD) {
        const copy = clone(base);
        setField(copy, list, [firstOf(list)(clone(base)) ?? {}, value]);
        compare(copy);
      }
      // A bad field in a later row, and in two rows at once: the first one is named.
      const row = firstOf(list)(clone(base)) ?? { name: 'x' };
      for (const key of Object.keys(row)) {
        const copy = clone(base);
        copy[list] = [row, { ...row, [key]: true }, { ...row, [key]: ['x'] }];
        compare(copy);
      }
    }
  });
});
