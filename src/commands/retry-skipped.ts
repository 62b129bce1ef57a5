import { ConfigError, UsageError } from '../errors.js';
import type { RemoteEnv } from '../config/env.js';
import { silentLogger } from '../log/logger.js';
import { createClients } from '../runtime.js';
import { config, openExistingLedger, remoteEnv, type CommandContext } from './context.js';
import { orderVerdict } from './order-verdict.js';
import { configChangedNote } from './config-fingerprint.js';

/**
 * `retry` for an order the ledger does not hold: the daemon skipped it (its status, or startFrom)
 * and it may qualify now, e.g. after a change of sync.statuses. When it does, it is put in line
 * as pending, and the next cycle fetches it by number and drafts it like any other.
 */
export async function retrySkipped(ctx: CommandContext, ref: string): Promise<number> {
  let env: RemoteEnv;
  try {
    env = remoteEnv(ctx);
  } catch (error) {
    // Without Shoprenter's credentials (retry run with only the ledger's settings) nobody can ask
    // whether a skipped order qualifies now: what is certain is that the ledger does not hold it.
    if (error instanceof ConfigError) throw new UsageError(`Order ${ref} is not in the ledger; there is nothing to retry.`, { cause: error });
    throw error;
  }
  const cfg = config(env);
  const { shoprenter } = createClients(env, cfg, silentLogger);
  const sourced = await shoprenter.getOrder(ref);
  // A mistyped order is a usage error (exit 2), as for an order the ledger holds in the wrong state.
  if (!sourced) throw new UsageError(`Order ${ref} is not in the ledger, and Shoprenter has no such order (or it was cancelled); check the order number.`);
  const ledger = openExistingLedger(env);
  if (!ledger) {
    ctx.out(`The daemon has not run with this DATABASE_PATH yet; its first cycle considers order ${ref} by itself.`);
    return 0;
  }
  try {
    if (!sourced.ok) throw new UsageError(`Order ${ref} cannot be read (${sourced.reason}); nothing to retry until it is fixed in the shop.`);
    const order = sourced.order;
    const verdict = await orderVerdict(order, cfg, shoprenter, ledger);
    if (verdict.kind !== 'draft' && verdict.kind !== 'pilot-wait') {
      throw new UsageError(`Order ${order.orderNumber} was not drafted and does not qualify now: ${verdict.text}; nothing to retry.`);
    }
    ledger.markPending({ orderId: order.id, orderNumber: order.orderNumber, dateUpdated: order.dateUpdated });
    ctx.out(
      verdict.kind === 'draft'
        ? `Order ${order.orderNumber} was skipped before and qualifies now; it is in line and the next cycle drafts it.`
        : `Order ${order.orderNumber} qualifies now and is in line; it is drafted after "approve" ends the pilot.`,
    );
    const note = configChangedNote(ledger, env.configPath);
    if (note) ctx.out(note);
    return 0;
  } finally {
    ledger.close();
  }
}
