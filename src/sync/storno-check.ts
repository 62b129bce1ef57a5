import { addMinutes, shopNow } from '../domain/shop-clock.js';
import type { Logger } from '../log/logger.js';
import type { Ledger } from '../store/ledger.js';
import type { AfterDraftWatch } from './after-draft.js';
import type { SourcedOrder } from './ports.js';
import { lookUpDrafted, sweptFrom, SWEEP_WINDOW_DAYS, type SweepSource } from './storno-sweep.js';

/**
 * Whether a storno moves an order's dateUpdated is not documented (reference §5.5), and the sweep
 * (storno-sweep.ts) only sees orders whose dateUpdated moved. So now and then, on a sweep cycle,
 * the storno check lists every order not in storno created within the sweep's window
 * (SWEEP_WINDOW_DAYS), with the poll's own window walk, and compares it with the ledger's drafted
 * orders of that window: each drafted order missing from the list is looked up once by order
 * number, exactly as the sweep and the first looks do (lookUpDrafted). Right under both answers:
 * with the bump the sweep reports first and the check has nothing left to look at.
 *
 * Once a day by default: the list is the whole window (for a shop of 100 orders a day, 6 000
 * orders, about 70 requests a day), too much for every sweep; a shop that finalizes drafts within
 * hours can ask for it more often (sync.stornoCheckHours). A ledger with no drafted order in the
 * window asks nothing.
 */
export const DEFAULT_STORNO_CHECK_HOURS = 24;

/** Meta key: when the last storno check started (ISO, wall clock). */
const CHECKED_AT = 'storno_check_at';

export interface StornoCheckDeps {
  ledger: Ledger;
  source: SweepSource;
  watch: AfterDraftWatch;
  logger: Logger;
  timezone: string;
  now: () => Date;
  /** Hours between checks; 0 = at every call (every sweep). */
  everyHours: number;
  /** True once the process is stopping: the check, up to a few hundred requests, gives way and runs again at a later sweep. */
  stopping?: () => boolean;
}

class CheckStopped extends Error {}

/** Due when never run, when `everyHours` have passed, or when the last run lies in the future (a clock set back must not postpone it). */
export function stornoCheckDue(lastAt: string | null, now: Date, everyHours: number): boolean {
  if (lastAt === null) return true;
  const last = Date.parse(lastAt);
  if (!Number.isFinite(last) || last > now.getTime()) return true;
  return now.getTime() - last >= everyHours * 3_600_000;
}

/** One check when due (null when not, or stopped); the next is due `everyHours` after this one started, so a storno made meanwhile waits for it. */
export async function checkStorno(deps: StornoCheckDeps): Promise<{ candidates: number; listed: number; probed: number } | null> {
  const { ledger } = deps;
  const started = deps.now();
  if (!stornoCheckDue(ledger.getMeta(CHECKED_AT) ?? null, started, deps.everyHours)) return null;
  const present = shopNow(started, deps.timezone);
  const createdMin = addMinutes(present, -SWEEP_WINDOW_DAYS * 24 * 60);
  const candidates = ledger.afterDraft.stornoCheckCandidates(createdMin);
  let counts = { listed: 0, probed: 0 };
  try {
    if (candidates.length > 0) counts = await compare(deps, createdMin, candidates);
  } catch (error) {
    if (!(error instanceof CheckStopped)) throw error;
    deps.logger.info('storno check stopped with the process; it runs again at a later sweep');
    return null;
  }
  // Every storno of a drafted order in the window before this check began is now known: the check
  // stood in for this cycle's sweep, and the next sweep starts from here. (A crash between the two
  // writes only repeats a check or lists a little more.)
  sweptFrom(ledger, present);
  ledger.setMeta(CHECKED_AT, started.toISOString());
  deps.logger.debug('storno check finished', { candidates: candidates.length, ...counts });
  return { candidates: candidates.length, ...counts };
}

/** Lists the window and looks up each candidate missing from it; throws CheckStopped once the process is stopping. */
async function compare(deps: StornoCheckDeps, createdMin: string, candidates: string[]): Promise<{ listed: number; probed: number }> {
  const { ledger, source, watch } = deps;
  const giveWay = () => {
    if (deps.stopping?.()) throw new CheckStopped();
  };
  let listed = 0;
  let probed = 0;
  const inList = new Set<string>();
  const onPage = (page: SourcedOrder[]) => {
    listed += page.length;
    // An unreadable order still says it is there: only absence is a sign of storno.
    for (const sourced of page) {
      const orderNumber = sourced.ok ? sourced.order.orderNumber : sourced.orderNumber;
      if (orderNumber !== null) inList.add(orderNumber);
    }
    return Promise.resolve();
  };
  await source.listOrdersCreatedSince(createdMin, onPage, giveWay);
  for (const orderNumber of candidates) {
    if (inList.has(orderNumber)) continue;
    const row = ledger.findOrder(orderNumber);
    if (row?.state !== 'done') continue;
    giveWay();
    probed += 1;
    await lookUpDrafted(source, watch, row);
  }
  return { listed, probed };
}
