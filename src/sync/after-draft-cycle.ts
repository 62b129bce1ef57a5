import type { Order } from '../domain/order.js';
import type { Logger } from '../log/logger.js';
import type { Ledger, OrderRow } from '../store/ledger.js';
import { AfterDraftWatch, type AfterDraftDeps } from './after-draft.js';
import type { AfterDraftHooks } from './process-order.js';
import { isSweepCycle, sweepStorno, type SweepSource } from './storno-sweep.js';

/** What a cycle calls: the pipeline's hooks plus one call before and one after the cycle's work. */
export interface AfterDraftCycleHooks extends AfterDraftHooks {
  beforeCycle(): Promise<void>;
  afterCycle(cycleId: number): Promise<void>;
}

export interface AfterDraftSyncDeps extends AfterDraftDeps {
  source: SweepSource;
  overlapMinutes: number;
  timezone: string;
  now: () => Date;
  /** Whether a process id is running; injectable so tests need no real processes for it. */
  isAlive?: (pid: number) => boolean;
}

/** Wires the watch into a cycle: repairs interrupted redrafts and unsent alerts first, sweeps for storno last. */
export class AfterDraftSync implements AfterDraftCycleHooks {
  readonly watch: AfterDraftWatch;

  constructor(private readonly deps: AfterDraftSyncDeps) {
    this.watch = new AfterDraftWatch(deps);
  }

  drafted(order: Order): void {
    this.watch.drafted(order);
  }

  observe(order: Order, row: OrderRow): Promise<void> {
    return this.watch.observe(order, row);
  }

  async beforeCycle(): Promise<void> {
    recoverRedrafts(this.deps.ledger, this.deps.logger, this.deps.isAlive ?? isAlive);
    await this.watch.alertUnreported();
  }

  async afterCycle(cycleId: number): Promise<void> {
    if (!isSweepCycle(cycleId)) return;
    await sweepStorno({ ...this.deps, watch: this.watch });
  }
}

/**
 * A `redraft` runs beside the daemon, in its own process. When that process died while its draft
 * request was out (the order still `submitting`), the draft may or may not exist: `uncertain`,
 * exactly as for the daemon's own crash (SPEC §2). A redraft that died before sending left the
 * order quarantined with a sentence saying to run it again.
 */
export function recoverRedrafts(ledger: Ledger, logger: Logger, alive: (pid: number) => boolean): void {
  const store = ledger.afterDraft;
  for (const { orderNumber, pid } of store.redraftsInFlight()) {
    if (alive(pid)) continue;
    const row = ledger.findOrder(orderNumber);
    if (row?.state === 'submitting') {
      ledger.markUncertain(
        row,
        'INTERRUPTED',
        `The redraft stopped while its draft was being sent, so a new draft may or may not exist in Cashman; check Cashman, then run "resolve ${orderNumber} --done" or "retry ${orderNumber} --force".`,
      );
      logger.error('redraft interrupted by a crash; marked uncertain', { orderNumber });
    }
    store.note(orderNumber, { kind: 'redraft-failed', version: null, reason: `The redraft process (${pid}) stopped before it finished.`, cashmanRef: row?.cashmanRef ?? null });
    store.setRedraftPid(orderNumber, null);
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
