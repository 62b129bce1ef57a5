import type { Order } from '../domain/order.js';
import type { Logger } from '../log/logger.js';
import type { RedraftOwner } from '../store/after-draft-store.js';
import type { Ledger, OrderRow } from '../store/ledger.js';
import { ownIdentity, type Identity } from '../store/process-identity.js';
import { AfterDraftWatch, type AfterDraftDeps } from './after-draft.js';
import type { AfterDraftHooks } from './process-order.js';
import { describeError } from './classify.js';
import { checkStorno, DEFAULT_STORNO_CHECK_HOURS } from './storno-check.js';
import { isSweepCycle, lookUpDrafted, sweepStorno, type SweepSource } from './storno-sweep.js';

/** Ledger meta key: the resolved sync.statuses and sync.cancelStatuses the drafted orders were last judged with. */
const STATUS_LISTS = 'status_lists';

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
  /** Status inner ids that trigger a draft (sync.statuses); null = every completed checkout. */
  statusIds?: ReadonlySet<string> | null;
  /** Hours between storno checks (sync.stornoCheckHours; 0 = at every sweep); storno-check.ts says why. */
  stornoCheckHours?: number;
  /** True once the process is stopping: a storno check in progress gives way. */
  stopping?: () => boolean;
  /** Why a redraft's process is known to be gone (null: it may be alive); injectable for tests. */
  redraftGone?: (owner: RedraftOwner) => string | null;
}

/** Wires the watch into a cycle: repairs interrupted redrafts and unsent alerts first, sweeps (and now and then checks) for storno last. */
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
    recoverRedrafts(this.deps.ledger, this.deps.logger, this.deps.redraftGone ?? redraftGone);
    await this.watch.alertUnreported();
    await firstLooks(this.deps.ledger, this.deps.source, this.watch, this.deps.logger);
    await this.rejudgeWhenListsChanged();
  }

  /**
   * When `sync.statuses` or `sync.cancelStatuses` differ from the last cycle's (or the ledger never
   * recorded them), drafted orders are judged again against the new lists (issue 17). The lists
   * are recorded only after the judgement, so a crash in between judges again, which is harmless:
   * a report is unique per order and version.
   */
  private async rejudgeWhenListsChanged(): Promise<void> {
    const sorted = (ids: ReadonlySet<string> | null | undefined) => (ids ? [...ids].sort() : null);
    const lists = JSON.stringify({ statuses: sorted(this.deps.statusIds), cancelStatuses: sorted(this.deps.cancelStatusIds) });
    const { ledger } = this.deps;
    if (ledger.getMeta(STATUS_LISTS) === lists) return;
    const reported = await this.watch.rejudgeStatuses();
    if (ledger.getMeta(STATUS_LISTS) !== undefined || reported > 0) {
      this.deps.logger.info('status lists changed; drafted orders judged again', { reported });
    }
    ledger.setMeta(STATUS_LISTS, lists);
  }

  async afterCycle(cycleId: number): Promise<void> {
    if (!isSweepCycle(cycleId)) return;
    // A check finds every storno of a drafted order in the window, dateUpdated moved or not: on its
    // cycle it stands in for the sweep (whose next listing starts where its last one did), so
    // watching still costs an idle poll 0.1 requests on average.
    const checked = await checkStorno({ ...this.deps, watch: this.watch, everyHours: this.deps.stornoCheckHours ?? DEFAULT_STORNO_CHECK_HOURS });
    if (checked === null) await sweepStorno({ ...this.deps, watch: this.watch });
  }
}

/**
 * Orders the watch never compared, chiefly uncertain ones a person resolved as done: while
 * uncertain they were neither compared when listed nor seen by the storno sweep, which has moved
 * past them since. Each is looked up once by order number (storno left out, then included): present
 * is compared with its draft, storno only is reported cancelled, absent from both is left alone.
 * Two reads per resolved order, once; none when there is nothing to look at.
 */
export async function firstLooks(ledger: Ledger, source: SweepSource, watch: AfterDraftWatch, logger: Logger): Promise<void> {
  for (const orderNumber of ledger.afterDraft.firstLooksDue()) {
    const row = ledger.findOrder(orderNumber);
    if (row?.state !== 'done') continue;
    try {
      await firstLook(ledger, source, watch, row);
    } catch (error) {
      // A look that fails must not stop the cycle (drafting goes on); it is tried again next cycle,
      // and a Shoprenter outage shows in the listing that follows.
      logger.warn('could not look at an order resolved by hand; trying again next cycle', { orderNumber, error: describeError(error) });
      return;
    }
  }
}

async function firstLook(ledger: Ledger, source: SweepSource, watch: AfterDraftWatch, row: OrderRow): Promise<void> {
  // Absent from both: gone from the shop altogether, nothing to compare and no reason to look again.
  if ((await lookUpDrafted(source, watch, row)) === 'absent') ledger.afterDraft.markLooked(row.orderNumber, row.dateUpdated ?? '');
}

/**
 * A `redraft` runs beside the daemon, in its own process, without the writer lock (src/commands/
 * after-draft-commands.ts says why). When that process died while its draft request was out (the
 * order still `submitting`), the draft may or may not exist: `uncertain`, exactly as for the
 * daemon's own crash (SPEC §2). A redraft that died before sending left the order quarantined with
 * a sentence saying to run it again. A redraft judged gone while in fact alive only makes its own
 * draft `uncertain` (its markDone then finds the row moved): never a second draft.
 */
export function recoverRedrafts(ledger: Ledger, logger: Logger, gone: (owner: RedraftOwner) => string | null): void {
  const store = ledger.afterDraft;
  for (const { orderNumber, owner } of store.redraftsInFlight()) {
    const why = gone(owner);
    if (why === null) continue;
    const row = ledger.getOrder(orderNumber);
    if (row?.state === 'submitting') {
      ledger.markUncertain(
        row,
        'INTERRUPTED',
        `The redraft stopped while its draft was being sent, so a new draft may or may not exist in Cashman; check Cashman, then run "resolve ${orderNumber} --done" or "retry ${orderNumber} --force".`,
      );
      logger.error('redraft interrupted by a crash; marked uncertain', { orderNumber, why });
    }
    store.note(orderNumber, { kind: 'redraft-failed', version: null, reason: `The redraft process (${owner.pid}) stopped before it finished: ${why}.`, cashmanRef: row?.cashmanRef ?? null });
    store.clearRedraft(orderNumber);
  }
}

/**
 * Longer than any redraft takes (one order read with its retries, at most a partner and a draft
 * request, each bounded by its timeout): past it the process is taken as gone even where its pid
 * cannot be checked (another container) or may have been reused.
 */
export const REDRAFT_LIMIT_MS = 15 * 60_000;

/** The writer lock's rules for "that process is gone" (src/store/writer-lock.ts), with an age limit instead of a heartbeat. */
export function redraftGone(owner: RedraftOwner, me: Identity = ownIdentity(), nowMs = Date.now()): string | null {
  if (owner.host === me.host && owner.bootId && me.bootId && owner.bootId !== me.bootId) return 'the machine restarted since';
  const sameNamespace = owner.bootId === me.bootId && owner.pidNs !== null && owner.pidNs === me.pidNs;
  if (sameNamespace && owner.pid !== me.pid && !isAlive(owner.pid)) return `process ${owner.pid} no longer exists`;
  const ageMs = nowMs - Date.parse(owner.startedAt);
  if (!(ageMs <= REDRAFT_LIMIT_MS)) return `it started ${Math.round(ageMs / 60_000)} minutes ago, longer than any redraft takes`;
  return null;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
