import { buildDraft } from '../src/domain/build-draft.js';
import { buildPartner } from '../src/domain/build-partner.js';
import { shopToday } from '../src/domain/shop-clock.js';
import { normalizeOrder } from '../src/shoprenter/normalize-order.js';
import { sampleShop } from '../src/standins/shoprenter-fixtures.js';
import { round } from './figures.js';
import { benchMapping } from './shop-data.js';

export interface MappingCpu {
  orders: number;
  passes: number;
  /** CPU time (user + system) per order for normalizeOrder + buildPartner + buildDraft, microseconds. */
  cpuUsPerOrder: number;
}

/** The pure mapping in a loop, on wire orders as JSON.parse hands them over (deposit fees included). */
export function mappingCpu(seed: number, orders = 2000, passes = 3): MappingCpu {
  const wire = JSON.parse(JSON.stringify(sampleShop(orders, seed))) as unknown[];
  const mapping = benchMapping();
  const today = shopToday(new Date(), mapping.timezone);
  let sink = 0;
  const pass = (): void => {
    for (const raw of wire) {
      const sourced = normalizeOrder(raw);
      if (!sourced.ok) continue;
      const partner = buildPartner(sourced.order);
      if ('reason' in partner) continue;
      if (buildDraft(sourced.order, partner, mapping, today).ok) sink += 1;
    }
  };
  pass(); // warm-up: JIT and lazy initialisation are not per-order costs
  const before = process.cpuUsage();
  for (let i = 0; i < passes; i++) pass();
  const used = process.cpuUsage(before);
  if (sink === 0) throw new Error('the mapping drafted nothing');
  return { orders, passes, cpuUsPerOrder: round((used.user + used.system) / (orders * passes), 1) };
}
