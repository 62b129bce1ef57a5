import { describe, expect, it } from '@jest/globals';
import { benchMapping, benchShop } from '../bench/shop-data.js';
import { buildDraft } from '../src/domain/build-draft.js';
import { buildPartner } from '../src/domain/build-partner.js';
import { normalizeOrder } from '../src/shoprenter/normalize-order.js';
import { sampleShop } from '../src/standins/shoprenter-fixtures.js';
import { navFailuresOf, vatTableFrom } from './helpers/nav-audit.js';

/**
 * The shops the benchmark (npm run bench) and the demo run on, drafted the daemon's way (wire ->
 * normalizeOrder -> buildPartner -> buildDraft) and every draft put through the independent NAV
 * checker. The benchmark itself times; this only judges what it would send.
 */
function draftAll(orders: Record<string, unknown>[]): { drafted: number; quarantined: string[]; failures: string[] } {
  const mapping = benchMapping();
  const table = vatTableFrom(mapping);
  const quarantined: string[] = [];
  const failures: string[] = [];
  let drafted = 0;
  for (const raw of orders) {
    const sourced = normalizeOrder(raw);
    if (!sourced.ok) {
      quarantined.push(sourced.reason);
      continue;
    }
    const partner = buildPartner(sourced.order);
    const result = 'reason' in partner ? { ok: false as const, reason: partner.reason } : buildDraft(sourced.order, partner, mapping, '2026-12-30');
    if (!result.ok) {
      quarantined.push(result.reason);
      continue;
    }
    failures.push(...navFailuresOf(result.draft, table));
    drafted += 1;
  }
  return { drafted, quarantined, failures };
}

describe('bench and demo shops: every draft passes the NAV checker', () => {
  it.each([
    [1000, 1],
    [1000, 2],
  ])('benchShop(%i orders, seed %i)', (n, seed) => {
    const shop = benchShop(n, seed, new Date('2026-12-01T12:00:00Z'));
    const { drafted, quarantined, failures } = draftAll(shop.orders);
    expect(failures).toEqual([]);
    expect(drafted).toBe(n - shop.counts.unmappable);
    expect(quarantined).toHaveLength(shop.counts.unmappable);
  });

  it('sampleShop with deposit-fee add-ons (the demo and end-to-end shop)', () => {
    const { drafted, quarantined, failures } = draftAll(sampleShop(1000, 7));
    expect(failures).toEqual([]);
    expect(drafted + quarantined.length).toBe(1000);
    expect(drafted).toBeGreaterThan(900);
  });
});
