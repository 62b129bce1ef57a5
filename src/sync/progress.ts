import type { Logger } from '../log/logger.js';
import type { Ledger } from '../store/ledger.js';
import type { OrderOutcome } from './process-order.js';
import { formatDuration } from './progress-words.js';

/** What `status` and `health` read while a cycle runs (meta `cycle_progress`). */
export interface ProgressRow {
  cycleId: number;
  startedAt: string;
  /** Last time an order was handled: the heartbeat. */
  at: string;
  handled: number;
  /** Orders listed so far (pages still to come are not known yet), plus retries taken up. */
  listed: number;
  drafted: number;
}

export const PROGRESS_KEY = 'cycle_progress';
/** A progress line at most this often, and only once a cycle has run this long. */
const LOG_EVERY_MS = 15_000;
/** The heartbeat row is written at most this often: one small commit, not one per order. */
const BEAT_EVERY_MS = 5_000;

/**
 * Progress of one long cycle (a first backfill of hundreds of orders takes minutes at
 * Shoprenter's 3 requests per second): an info line every 15 s with the rate and the time left, and
 * a heartbeat in the ledger so `health` sees a working daemon and `status` can show the cycle.
 */
export class CycleProgress {
  private readonly started: number;
  private readonly row: ProgressRow;
  private lastLog: number;
  private lastBeat = 0;

  constructor(
    private readonly ledger: Ledger,
    private readonly logger: Logger,
    cycleId: number,
    private readonly clock: () => number = Date.now,
  ) {
    this.started = clock();
    this.lastLog = this.started;
    const at = new Date(this.started).toISOString();
    this.row = { cycleId, startedAt: at, at, handled: 0, listed: 0, drafted: 0 };
    this.beat(true);
  }

  /** A page arrived: worth a heartbeat at once, so `status` shows what lies ahead. */
  listed(count: number): void {
    this.row.listed += count;
    this.beat(true);
  }

  step(outcome: OrderOutcome): void {
    this.row.handled += 1;
    if (outcome === 'done') this.row.drafted += 1;
    if (this.row.handled > this.row.listed) this.row.listed = this.row.handled;
    const now = this.clock();
    this.row.at = new Date(now).toISOString();
    this.beat(false);
    if (now - this.lastLog >= LOG_EVERY_MS) {
      this.lastLog = now;
      this.logLine(now);
    }
  }

  private beat(force: boolean): void {
    const now = this.clock();
    if (!force && now - this.lastBeat < BEAT_EVERY_MS) return;
    this.lastBeat = now;
    this.ledger.setMeta(PROGRESS_KEY, JSON.stringify(this.row));
  }

  private logLine(now: number): void {
    const { handled, listed, drafted } = this.row;
    const seconds = (now - this.started) / 1000;
    const rate = handled / Math.max(seconds, 0.001);
    const left = rate > 0 ? (listed - handled) / rate : 0;
    this.logger.info(
      `cycle in progress: ${handled} of ~${listed} orders handled (${drafted} drafted), ${rate.toFixed(1)} orders/s, about ${formatDuration(left)} left`,
      { handled, listed, drafted, ordersPerSecond: Number(rate.toFixed(2)), secondsLeft: Math.round(left) },
    );
  }
}

export function readProgress(ledger: Ledger): ProgressRow | null {
  const raw = ledger.getMeta(PROGRESS_KEY);
  if (!raw) return null;
  try {
    return JSON.parse(raw) as ProgressRow;
  } catch {
    return null;
  }
}

/** The running cycle's progress, or null when the last cycle that started has finished. */
export function runningCycle(ledger: Ledger): ProgressRow | null {
  const progress = readProgress(ledger);
  if (!progress) return null;
  const row = ledger.db.prepare('SELECT finished_at FROM cycles WHERE id = ?').get(progress.cycleId) as { finished_at: string | null } | undefined;
  return row && row.finished_at === null ? progress : null;
}

/** For `status`: one line about the cycle running now, or null. */
export function progressLine(ledger: Ledger, now = Date.now()): string | null {
  const p = runningCycle(ledger);
  if (!p) return null;
  const ago = Math.max(0, Math.round((now - Date.parse(p.at)) / 1000));
  return `Cycle in progress since ${p.startedAt} (UTC): ${p.handled} of ~${p.listed} orders handled, ${p.drafted} drafted; last progress ${ago} s ago`;
}

