import type { RemoteEnv } from '../config/env.js';
import type { FileConfig } from '../config/schema.js';
import type { CashmanClient } from '../cashman/client.js';
import { silentLogger } from '../log/logger.js';
import { Ledger } from '../store/ledger.js';
import { readAndPlan } from '../stock/stock-round.js';
import { createStockDeps } from '../stock/stock-runtime.js';
import { noAlerts } from '../sync/alerts.js';
import { describeError } from '../sync/classify.js';
import { CHECK_TUNING } from './check-steps.js';

/**
 * `check` with stock.enabled (SPEC §6): the product write scope (by a write that cannot change
 * anything), operation 19's answer, and how many keys match. Reads only; nothing is written.
 * `scope` false = a gap in the shop admin (exit 2); `remote` false = Cashman's answer unusable (exit 1).
 */
export async function stockCheck(env: RemoteEnv, cfg: FileConfig, cashman: CashmanClient): Promise<{ lines: string[]; scope: boolean; remote: boolean }> {
  const lines: string[] = [];
  // An empty in-memory ledger: the check must not depend on, or touch, the real one.
  const ledger = Ledger.open(':memory:');
  try {
    const deps = await createStockDeps({
      env,
      config: { ...cfg, stock: { ...cfg.stock, openOrderDays: 0 } },
      logger: silentLogger,
      ledger,
      alerts: noAlerts,
      cashman,
      stop: { requested: false },
      tuning: { timeoutMs: CHECK_TUNING.timeoutMs, retryBaseMs: CHECK_TUNING.retryBaseMs, retryBudgetMs: CHECK_TUNING.retryBudgetMs },
    });
    let scope = true;
    try {
      const probed = (await deps.products.probeWriteScope?.()) ?? null;
      scope = probed !== false;
      lines.push(
        probed === null
          ? 'note  the product write scope was not checked: the shop has no product to check it on (a check never writes to a product that does not exist)'
          : probed
            ? 'ok    Shoprenter product writes are allowed (stock.enabled)'
            : 'GAP   stock.enabled needs the product.product:write scope: grant it to the API client in the shop admin',
      );
    } catch (error) {
      lines.push(`FAIL  could not check the product write scope: ${describeError(error)}`);
      return { lines, scope: true, remote: false };
    }
    const read = await readAndPlan(deps, false);
    if ('failed' in read) {
      lines.push(`FAIL  stock: ${read.failed}`);
      return { lines, scope, remote: false };
    }
    if ('hold' in read) {
      lines.push(`FAIL  Cashman's stock list (operation 19) is not usable: ${read.hold.reason}`);
      return { lines, scope, remote: false };
    }
    const plan = read.plan;
    lines.push(`ok    Cashman's stock list (operation 19) answers (${plan.matched.length + plan.unmatchedCashman.length + plan.duplicateCashman.length + plan.unreadableCashman.length} keys)`);
    const by = cfg.stock.matchBy === 'sku' ? 'SKU' : 'barcode';
    lines.push(
      `info  stock by ${by}: ${plan.matched.length} matched, ${plan.unmatchedShop.length} shop products without a Cashman row, ${plan.unmatchedCashman.length} Cashman products not in the shop, ${plan.duplicateShop.length + plan.duplicateCashman.length} duplicate keys skipped (shop ${plan.duplicateShop.length}, Cashman ${plan.duplicateCashman.length}); a round now would write ${plan.matched.filter((i) => i.write).length}`,
    );
    if (plan.matched.length === 0) lines.push(`warn  no product matched by ${by}: check stock.matchBy, or the products' ${cfg.stock.matchBy === 'sku' ? 'sku' : 'gtin'} in the shop`);
    return { lines, scope, remote: true };
  } finally {
    ledger.close();
  }
}
