import type { RemoteEnv } from '../config/env.js';
import type { FileConfig } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import type { Runtime } from '../runtime.js';
import type { LocalShop } from '../standins/local-shop.js';
import { createStockDeps } from '../stock/stock-runtime.js';
import { runStockRound } from '../stock/stock-round.js';
import { roundLine } from './stock-words.js';

/** The stock section `demo` runs with: orders in status 1 (new) are open, so their goods are held back. */
export const DEMO_STOCK_YAML = `stock:
  enabled: true
  matchBy: sku
  field: stock1
  openStatuses: [1]
  openOrderDays: 365
  maxChangeShare: 0.5
`;

/**
 * `demo`'s stock round (SPEC §6) against the stand-ins: Cashman's op 19 list, the shop's products
 * (two of them sold in the demo's open orders), one SKU twice in Cashman and one product Cashman
 * does not know. Prints what the round wrote and why.
 */
export async function demoStockRound(runtime: Runtime, shop: LocalShop, env: RemoteEnv, config: FileConfig, logger: Logger, out: (text: string) => void): Promise<void> {
  shop.shoprenter.addProducts([
    { sku: 'TOK-5P', stocks: [4] },
    { sku: 'SZAP-1', stocks: [3] },
    { sku: 'MEZ-500', stocks: [12] },
    { sku: 'PAL-07', stocks: [0] },
    { sku: 'ALMA-KG', stocks: [30] },
    { sku: 'CSAK-BOLT', stocks: [7] },
    { sku: 'KAVE-1', stocks: [9] },
  ]);
  shop.cashman.stock.push(
    { sku: 'TOK-5P', stock: '6', barcode: '5990000000011' },
    { sku: 'SZAP-1', stock: '10', barcode: '' },
    { sku: 'MEZ-500', stock: '12', barcode: '5990000000028' },
    { sku: 'PAL-07', stock: '-1', barcode: '' },
    { sku: 'ALMA-KG', stock: '27.6', barcode: '' },
    { sku: 'KAVE-1', stock: '9', barcode: '' },
    { sku: 'KAVE-1', stock: '2', barcode: '' },
  );
  const deps = await createStockDeps({ env, config, logger, ledger: runtime.ledger, alerts: runtime.deps.alerts, cashman: runtime.cashman, stop: runtime.deps.stop });
  const before = { writes: shop.shoprenter.productWrites.length, cashman: shop.cashman.stats.requests };
  const result = await runStockRound(deps);
  out('Stock round: Shoprenter stock := Cashman stock − open orders (status 1), written only where it differs');
  for (const item of result.plan?.matched ?? []) {
    out(`  ${item.key.padEnd(8)} Cashman ${item.cashmanStock.padStart(5)}, open orders ${item.open.padStart(2)}, shop had ${String(item.current).padStart(3)} -> ${item.write ? `wrote ${item.target}` : 'unchanged'}`);
  }
  if (result.plan) {
    out(`  skipped: ${result.plan.duplicateCashman.join(', ')} (twice in Cashman); not touched: ${result.plan.unmatchedShop.join(', ')} (not in Cashman)`);
  }
  out(`  ${roundLine(result)}`);
  out(`  cost: ${shop.cashman.stats.requests - before.cashman} Cashman request, ${shop.shoprenter.productWrites.length - before.writes} Shoprenter writes (each sends stock1 alone)\n`);
}
