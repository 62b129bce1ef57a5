import { parseDocument } from 'yaml';
import { parseConfig } from '../src/config/load-config.js';
import { buildDraft } from '../src/domain/build-draft.js';
import { buildPartner } from '../src/domain/build-partner.js';
import type { MappingConfig } from '../src/domain/mapping-config.js';
import { changedPartnerFields, type PartnerData } from '../src/domain/partner.js';
import { addMinutes, shopNow, shopToday } from '../src/domain/shop-clock.js';
import { normalizeOrder } from '../src/shoprenter/normalize-order.js';
import { demoConfigYaml } from '../src/standins/local-shop.js';
import { sampleShop } from '../src/standins/shoprenter-fixtures.js';

export type BuyerClass = 'new' | 'returningUnchanged' | 'returningChanged';
export const BUYER_CLASSES: readonly BuyerClass[] = ['new', 'returningUnchanged', 'returningChanged'];

export const TIMEZONE = 'Europe/Budapest';

/** A generated shop whose every order lies in the past, with what each buyer should cost in Cashman. */
export interface BenchShop {
  orders: Record<string, unknown>[];
  startFrom: string;
  /** innerId -> buyer class, for orders that can be drafted (the rest end in quarantine). */
  classes: Map<string, BuyerClass>;
  counts: Record<BuyerClass, number> & { unmappable: number };
}

/**
 * The demo config.yaml. `enrich: false` turns off the per-line option reads and per-product unit
 * reads (invoice.productOptions, units.fromProducts), leaving the order listing as the only
 * Shoprenter read; `true` keeps the shipped defaults.
 */
export function benchConfigYaml(startFrom: string, intervalSeconds: number, enrich: boolean): string {
  const doc = parseDocument(demoConfigYaml({ startFrom, intervalSeconds }));
  doc.setIn(['invoice', 'productOptions'], enrich);
  doc.setIn(['units', 'fromProducts'], enrich);
  const text = doc.toString();
  const parsed = parseConfig(text, 'bench config');
  if (parsed.invoice.productOptions !== enrich || parsed.units.fromProducts !== enrich) throw new Error('bench config: enrichment switch not applied');
  return text;
}

export function benchMapping(): MappingConfig {
  const config = parseConfig(benchConfigYaml('2026-01-01T00:00:00', 30, false), 'bench config');
  return { ...config, timezone: TIMEZONE };
}

/**
 * `sampleShop` orders (about 30% returning buyers, some with a changed phone), dated so that the
 * last one is an hour before now. Deposit-fee add-ons are left out because the one-by-one
 * baseline reads only products and totals; both integrations get the same shop.
 */
export function benchShop(n: number, seed: number, now = new Date()): BenchShop {
  // sampleShop spaces orders 3..120 minutes apart.
  const start = addMinutes(shopNow(now, TIMEZONE), -(n * 120 + 60));
  const orders = sampleShop(n, seed, { start, addons: false });
  return { orders, startFrom: addMinutes(start, -60), ...classify(orders) };
}

/** Whether the daemon can draft this wire order (the rest are quarantined with a reason). */
export function isDraftable(raw: unknown, mapping: MappingConfig = benchMapping()): boolean {
  const sourced = normalizeOrder(raw);
  if (!sourced.ok) return false;
  const partner = buildPartner(sourced.order);
  return !('reason' in partner) && buildDraft(sourced.order, partner, mapping, shopToday(new Date(), mapping.timezone)).ok;
}

/** Replays the daemon's partner decision: a partner is sent only for an order whose draft can be built. */
function classify(orders: Record<string, unknown>[]): Pick<BenchShop, 'classes' | 'counts'> {
  const mapping = benchMapping();
  const sent = new Map<string, PartnerData>();
  const classes = new Map<string, BuyerClass>();
  const counts = { new: 0, returningUnchanged: 0, returningChanged: 0, unmappable: 0 };
  for (const raw of orders) {
    const sourced = normalizeOrder(raw);
    const partner = sourced.ok ? buildPartner(sourced.order) : null;
    if (!sourced.ok || partner === null || 'reason' in partner || !buildDraft(sourced.order, partner, mapping, shopToday(new Date(), mapping.timezone)).ok) {
      counts.unmappable += 1;
      continue;
    }
    const previous = sent.get(partner.email);
    const kind: BuyerClass = !previous ? 'new' : changedPartnerFields(previous, partner).length > 0 ? 'returningChanged' : 'returningUnchanged';
    sent.set(partner.email, partner);
    classes.set(sourced.order.orderNumber, kind);
    counts[kind] += 1;
  }
  return { classes, counts };
}
