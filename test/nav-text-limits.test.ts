import { describe, expect, it } from '@jest/globals';
import { buildDraft } from '../src/domain/build-draft.js';
import { buildPartner } from '../src/domain/build-partner.js';
import type { DraftResult } from '../src/domain/draft.js';
import type { MappingConfig } from '../src/domain/mapping-config.js';
import { makeOrder, product } from './fixtures/golden/builders.js';
import { configFor, type FixtureOrder } from './fixtures/golden/loader.js';

/**
 * Issue 16 §9: NAV's schema limits (reference/nav-rules.md §8: customerName 512, productCodeOwnValue
 * 255, unitOfMeasureOwn 50) are checked like the line name's 512: a text one character over
 * quarantines with a sentence, a text exactly at the limit goes through. The lengths are counted by
 * hand from the strings built here ('x'.repeat(n) is n characters; 'ő' is one character, two bytes).
 */

function run(overrides: Partial<FixtureOrder>, config?: Partial<MappingConfig>): DraftResult {
  const partner = buildPartner(makeOrder(overrides));
  if ('reason' in partner) return { ok: false, reason: partner.reason };
  return buildDraft(makeOrder(overrides), partner, configFor(config), '2026-12-07');
}

const reasonOf = (overrides: Partial<FixtureOrder>, config?: Partial<MappingConfig>): string => {
  const r = run(overrides, config);
  return r.ok ? 'drafted' : r.reason;
};

const billing = (name: string, company: string | null = null) => ({
  name,
  company,
  postcode: '1111',
  city: 'Budapest',
  street: 'Fő utca 1.',
  countryName: 'Magyarország',
  countryCode: 'HU',
});

describe('NAV text limits beyond the line name (issue 16 §9)', () => {
  it('buyer name: 512 characters go through, 513 quarantine with a sentence', () => {
    const at = 'ő'.repeat(512);
    expect(reasonOf({ billing: billing(at), shipping: billing(at) })).toBe('drafted');
    const over = `${at}z`;
    expect(reasonOf({ billing: billing(over), shipping: billing(over) })).toBe(
      `Order 701 has a buyer name of 513 characters ("${'ő'.repeat(40)}…"), more than the 512 an invoice can carry; shorten it in Shoprenter.`,
    );
  });

  it('a company buyer is named by the company: its 513 characters quarantine too', () => {
    const company = 'k'.repeat(513);
    expect(reasonOf({ taxNumber: '12345678-2-41', billing: billing('Kiss Anna', company), shipping: billing('Kiss Anna') })).toBe(
      `Order 701 has a buyer name of 513 characters ("${'k'.repeat(40)}…"), more than the 512 an invoice can carry; shorten it in Shoprenter.`,
    );
  });

  it('product code (SKU): 255 characters go through, 256 quarantine with a sentence', () => {
    expect(reasonOf({ products: [product({ sku: 's'.repeat(255), stock1: '2' })] })).toBe('drafted');
    expect(reasonOf({ products: [product({ sku: 's'.repeat(256), stock1: '2' })] })).toBe(
      'Order 701 has a line ("Termék A") whose product code (SKU) is 256 characters long, more than the 255 an invoice can carry; shorten it in Shoprenter.',
    );
  });

  it('unit text: 50 characters go through, 51 quarantine with a sentence (even when the unit is mapped)', () => {
    const at = 'u'.repeat(50);
    const over = 'u'.repeat(51);
    const units = { default: 'db', ids: { db: 19, [at]: 30, [over]: 31 } };
    expect(reasonOf({ products: [product({ unit: at, stock1: '2' })] }, { units })).toBe('drafted');
    expect(reasonOf({ products: [product({ unit: over, stock1: '2' })] }, { units })).toBe(
      `Order 701 has a line ("Termék A") whose unit "${'u'.repeat(20)}…" is 51 characters long, more than the 50 an invoice can carry; shorten the product's unit in Shoprenter.`,
    );
  });
});
