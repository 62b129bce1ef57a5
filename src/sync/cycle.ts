import { listLowerBound, shopNow } from '../domain/shop-clock.js';
import type { Order } from '../domain/order.js';
import type { Logger } from '../log/logger.js';
import type { Ledger } from '../store/ledger.js';
import type { Alerter } from './alerts.js';
import { describeError } from './classify.js';
import { CashmanWatch, cashmanFailing, recordCycleHealth, recordCycleCrash } from './cycle-health.js';
import { WriterLostError } from '../errors.js';
import { LOCK_LOST } from '../store/ledger.js';
import { CycleAbort, OrderPipeline, keyOf, type OrderOutcome, type PipelineSettings } from './process-order.js';
import type { InvoiceBackend, OrderSource } from './ports.js';
import type { AfterDraftCycleHooks } from './after-draft-cycle.js';
import type { PilotGate } from './pilot.js';
import { CycleProgress } from './progress.js';

/** Everything one cycle needs; built once by the CLI and reused by every cycle of `run`. */
export interface CycleDeps {
  ledger: Ledger;
  /** Fills product options and units for orders about to be drafted (see PipelineDeps). */
  enrich?: (order: Order) => Promise<Order>;
  source: OrderSource;
  backend: InvoiceBackend;
  logger: Logger;
  alerts: Alerter;
  settings: PipelineSettings;
  pilot?: PilotGate;
  overlapMinutes: number;
  timezone: string;
  /** Set by a signal handler: the cycle finishes the order in hand, then stops. */
  stop?: { requested: boolean };
  now?: () => Date;
  /** Watches drafted orders (SPEC §1.7); absent = not watched. */
  afterDraft?: AfterDraftCycleHooks;
}

export interface CycleSummary {
  ok: boolean;
  /** Why the cycle could not complete (login, network, config); null when ok. */
  error: string | null;
  listed: number;
  outcomes: Record<OrderOutcome, number>;
  partnersCreated: number;
  partnersUpdated: number;
  retried: number;
  cursor: string;
  interrupted: boolean;
  durationMs: number;
}

class StopRequested extends Error {}

/**
 * One poll: list orders changed since (cursor − overlap; earlier across an autumn clock change, see
 * listLowerBound), handle each as its page arrives, then re-fetch due retries. The source reads the
 * whole range whatever order Shoprenter lists in (src/shoprenter/list-windows.ts), so the cursor
 * moves only after the listing completed and every listed order reached a ledger state, and never
 * past the shop's present (a bogus future dateUpdated must not make us skip real orders).
 */
export async function runCycle(deps: CycleDeps): Promise<CycleSummary> {
  const started = Date.now();
  try {
    return await cycle(deps, started);
  } catch (caught) {
    if (caught instanceof WriterLostError || lostLedger(deps.ledger)) throw new WriterLostError(LOCK_LOST, { cause: caught });
    // The cycle could not even record itself (a full disk, a read-only or broken ledger file, a bug
    // outside the order loop): this process's failure, alerted as a sync-failing episode (issue 16 §7).
    const error = describeError(caught);
    await recordCycleCrash({ ...deps, now: deps.now ?? (() => new Date()) }, caught).catch(() => undefined);
    const summary = crashedSummary(error, started, deps.ledger.db.open ? safeCursor(deps.ledger) : '');
    logSummary(deps.logger, summary);
    return summary;
  }
}

/** Probed, not assumed; a ledger too broken to answer is not a lost one. */
function lostLedger(ledger: Ledger): boolean {
  try {
    return ledger.writerLost();
  } catch {
    return false;
  }
}

function safeCursor(ledger: Ledger): string {
  try {
    return ledger.getMeta('cursor') ?? '';
  } catch {
    return '';
  }
}

function crashedSummary(error: string, started: number, cursor: string): CycleSummary {
  const outcomes: Record<OrderOutcome, number> = { skipped: 0, ignored: 0, done: 0, failed: 0, quarantined: 0, uncertain: 0, held: 0 };
  return { ok: false, error, listed: 0, outcomes, partnersCreated: 0, partnersUpdated: 0, retried: 0, cursor, interrupted: false, durationMs: Date.now() - started };
}

async function cycle(deps: CycleDeps, started: number): Promise<CycleSummary> {
  const now = deps.now ?? (() => new Date());
  const { ledger, logger } = deps;
  const cycleId = ledger.startCycle();
  const cashman = new CashmanWatch(deps.backend, cashmanFailing(ledger, now()));
  const progress = new CycleProgress(ledger, logger, cycleId);
  const pipeline = new OrderPipeline({ ...deps, backend: cashman, now });
  const outcomes: Record<OrderOutcome, number> = { skipped: 0, ignored: 0, done: 0, failed: 0, quarantined: 0, uncertain: 0, held: 0 };
  const handled = new Set<string>();
  const cursor = ledger.getMeta('cursor') ?? deps.settings.startFrom;
  let maxSeen = cursor;
  let listed = 0;
  let retried = 0;
  let error: string | null = null;
  let failure: unknown = null;
  let interrupted = false;
  // Any answer from the order list means Shoprenter is reachable and takes our login (episodes).
  let listAnswered = false;

  const handleOne = async (sourced: Parameters<OrderPipeline['handle']>[0]): Promise<void> => {
    if (deps.stop?.requested) throw new StopRequested();
    const key = keyOf(sourced);
    handled.add(key.orderNumber);
    const outcome = await pipeline.handle(sourced);
    outcomes[outcome] += 1;
    progress.step(outcome);
    if (key.dateUpdated !== null && key.dateUpdated > maxSeen) maxSeen = key.dateUpdated;
  };

  const handlePage = async (page: readonly Parameters<OrderPipeline['handle']>[0][]): Promise<void> => {
    for (const sourced of page) await handleOne(sourced);
  };

  try {
    deps.pilot?.noticeApproval();
    await deps.afterDraft?.beforeCycle();
    await pipeline.alertUnreported();
    const updatedAtMin = listLowerBound(cursor, deps.overlapMinutes, deps.timezone, now());
    // Taken before the walk: an order changed during it carries this time or a later one.
    const present = shopNow(now(), deps.timezone);
    // The next page is read while this one is handled (one page ahead, no more): the orders are
    // still handled one at a time in listing order, and a failure of either side ends the walk
    // only after the page in hand has settled, so nothing writes once the cycle has ended.
    let inHand: Promise<void> = Promise.resolve();
    try {
      await deps.source.listChangedOrders(updatedAtMin, async (page) => {
        listAnswered = true;
        await inHand;
        listed += page.length;
        progress.listed(page.length);
        inHand = handlePage(page);
        // Awaited by the next page or after the walk; never left unobserved meanwhile.
        inHand.catch(() => undefined);
      }, present);
    } catch (caught) {
      // An order's failure (it came first) wins over the listing's.
      const failed = await inHand.then(
        () => null,
        (error: unknown) => ({ error }),
      );
      throw failed ? failed.error : caught;
    }
    await inHand;
    listAnswered = true;
    const nextCursor = maxSeen > present ? present : maxSeen;
    if (nextCursor > cursor) ledger.setMeta('cursor', nextCursor);

    for (const row of ledger.dueRetries()) {
      if (handled.has(row.orderNumber) || (row.state === 'pending' && deps.pilot?.holding())) continue;
      if (deps.stop?.requested) throw new StopRequested();
      // By order number: that lookup leaves out cancelled (storno) orders.
      const sourced = await deps.source.getOrder(/^\d+$/.test(row.orderNumber) ? row.orderNumber : row.orderId);
      retried += 1;
      if (sourced === null) {
        ledger.markQuarantined(row, 'NOT_FOUND', `Order ${row.orderNumber} no longer exists in Shoprenter or was cancelled (storno), so no draft was made.`);
        outcomes.quarantined += 1;
        continue;
      }
      await handleOne(sourced);
    }
    await deps.afterDraft?.afterCycle(cycleId);
  } catch (caught) {
    if (caught instanceof StopRequested) {
      interrupted = true;
    } else {
      if (caught instanceof CycleAbort && caught.outcome) outcomes[caught.outcome] += 1;
      error = caught instanceof CycleAbort ? caught.reason : describeError(caught);
      failure = caught instanceof CycleAbort ? caught.cause : caught;
    }
  }
  // A process that lost the ledger writes no health, summary or cycle row: the new holder does.
  if (lostLedger(ledger)) throw new WriterLostError(LOCK_LOST, { cause: failure });
  const shoprenterAnswered = listAnswered || (error === null && !interrupted);
  await recordCycleHealth({ ...deps, now }, cashman, { error: failure, shoprenterAnswered, completed: error === null && !interrupted }).catch((caught: unknown) => {
    logger.warn('could not record the health of the remotes', { error: describeError(caught) });
  });

  const summary: CycleSummary = {
    ok: error === null,
    error,
    listed,
    outcomes,
    partnersCreated: pipeline.partnerStats.created,
    partnersUpdated: pipeline.partnerStats.updated,
    retried,
    cursor: ledger.getMeta('cursor') ?? cursor,
    interrupted,
    durationMs: Date.now() - started,
  };
  ledger.finishCycle(cycleId, summary.ok && !interrupted, summary);
  logSummary(logger, summary);
  return summary;
}


/** Idle cycles log at debug so `docker compose logs -f` stays readable. */
function logSummary(logger: Logger, s: CycleSummary): void {
  const meta = {
    listed: s.listed,
    drafted: s.outcomes.done,
    skipped: s.outcomes.skipped,
    ignored: s.outcomes.ignored,
    failed: s.outcomes.failed,
    quarantined: s.outcomes.quarantined,
    uncertain: s.outcomes.uncertain,
    held: s.outcomes.held,
    partnersCreated: s.partnersCreated,
    partnersUpdated: s.partnersUpdated,
    cursor: s.cursor,
    ms: s.durationMs,
  };
  if (!s.ok) {
    logger.error('cycle failed', { ...meta, error: s.error });
    return;
  }
  const busy = s.outcomes.done + s.outcomes.failed + s.outcomes.quarantined + s.outcomes.uncertain + s.partnersUpdated > 0;
  const message = s.interrupted ? 'cycle interrupted by shutdown' : 'cycle finished';
  if (busy) logger.info(message, meta);
  else logger.debug(message, meta);
}
