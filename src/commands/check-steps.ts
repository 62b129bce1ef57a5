import { resolve } from 'node:path';
import type { RemoteEnv } from '../config/env.js';
import { loadConfig } from '../config/load-config.js';
import { FileConfig } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import type { ShoprenterClient } from '../shoprenter/client.js';
import { pilotState } from '../store/pilot-store.js';
import { resolveStatusIds, type StatusName } from '../sync/statuses.js';
import { backlogLine, estimateBacklog } from './check-backlog.js';
import { openExistingLedger } from './context.js';

/**
 * A person is waiting for `check`: short timeouts, and two Shoprenter retries (backoff from 700 ms:
 * 0.35-0.7 s, then 0.7-1.4 s, so together they wait out one full rate-limit second) inside a 3 s
 * retry budget. A 429 because the shop's one-second window is full (another integration, or
 * `init-config` run just before) must not fail the check; the daemon's 90 s budget rides out
 * storms nobody waits for. An unreachable host is answered within seconds, a refused connection
 * after about 2 s of retries.
 */
export const CHECK_TIMEOUT_MS = 3_000;
export const CHECK_TUNING = { timeoutMs: CHECK_TIMEOUT_MS, maxRetries: 2, retryBaseMs: 700, retryBudgetMs: 3_000 };

/** The config, or every problem it has plus the defaults, so the logins can still be tested. */
export function configOrProblems(env: { configPath: string }): { config: FileConfig; problem: string | null } {
  try {
    return { config: loadConfig({ path: env.configPath }), problem: null };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { config: FileConfig.parse({ version: 1 }), problem: error.message };
  }
}

export function ledgerPathText(path: string): string {
  return path === ':memory:' ? path : resolve(path);
}

/** How many orders the first cycles would draft, and how long that takes. */
export async function backlogReport(env: RemoteEnv, cfg: FileConfig, shoprenter: ShoprenterClient, statuses: StatusName[]): Promise<string> {
  const ledger = openExistingLedger(env, 'read');
  try {
    const startFrom = cfg.sync.startFrom ?? ledger?.getMeta('first_start');
    if (!startFrom) return 'info  sync.startFrom is not set: the daemon starts from the moment it first runs, so no older order will be drafted';
    const statusIds = await resolveStatusIds(cfg.sync.statuses, () => Promise.resolve(statuses));
    const cancelIds = (await resolveStatusIds(cfg.sync.cancelStatuses, () => Promise.resolve(statuses), 'sync.cancelStatuses')) ?? new Set<string>();
    const backlog = await estimateBacklog(shoprenter, cfg, startFrom, statusIds, ledger, cancelIds);
    const state = ledger ? pilotState(ledger) : null;
    const pilotOn = state === null ? ledger === null || ledger.getMeta('cursor') === undefined : state === 'on' || state === 'ready';
    return backlogLine(backlog, startFrom, cfg.sync.pilotOrders, pilotOn);
  } catch (error) {
    return `info  could not count the orders waiting since sync.startFrom: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    ledger?.close();
  }
}
