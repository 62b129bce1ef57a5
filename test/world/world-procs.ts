import Database from 'better-sqlite3';
import { spawnCli, type Child } from '../helpers/processes.js';

/** A daemon or command process of the world, with what the harness did to it. */
export interface Tracked {
  label: string;
  args: string[];
  child: Child;
  /** Signals the harness sent (a SIGKILLed process owes no alert for its stop). */
  signals: NodeJS.Signals[];
  /** Paused past the stale-lock time while a second writer took the ledger. */
  lostLedger: boolean;
  exit: { code: number | null; signal: NodeJS.Signals | null } | null;
}

/** Every process a world started, kept for the output checks. */
export class Procs {
  readonly all: Tracked[] = [];
  constructor(
    private readonly env: Record<string, string>,
    private readonly dir: string,
    /** Where each exit is noted, for the replay trail. */
    private readonly note: (line: string) => void = () => undefined,
  ) {}

  start(label: string, args: string[]): Tracked {
    const child = spawnCli(args, this.env, this.dir);
    const tracked: Tracked = { label, args, child, signals: [], lostLedger: false, exit: null };
    void child.exit.then((exit) => {
      tracked.exit = exit;
      // The last line that is not a stack frame (LOG_LEVEL=debug prints stacks).
      const last = child.text().trim().split('\n').filter((line) => !/^\s+at /.test(line)).pop() ?? '';
      this.note(`  ${label} (pid ${child.process.pid}) exited ${exit.code ?? exit.signal ?? '?'}${exit.code ? `: ${last.slice(0, 200)}` : ''}`);
    });
    this.all.push(tracked);
    return tracked;
  }

  /** Runs a command to its end; a process still alive after `timeoutMs` is killed and marked. */
  async run(label: string, args: string[], timeoutMs = 45_000): Promise<Tracked & { hung: boolean }> {
    const tracked = this.start(label, args);
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      this.signal(tracked, 'SIGKILL');
    }, timeoutMs);
    await tracked.child.exit;
    clearTimeout(timer);
    tracked.exit = await tracked.child.exit;
    return Object.assign(tracked, { hung });
  }

  signal(tracked: Tracked, signal: NodeJS.Signals): void {
    if (tracked.exit) return;
    tracked.signals.push(signal);
    tracked.child.process.kill(signal);
  }

  live(): Tracked[] {
    return this.all.filter((t) => t.exit === null && t.args[0] === 'run');
  }

  /** Waits for an exit; SIGKILLs (and reports false) past `timeoutMs`. */
  async stop(tracked: Tracked, signal: NodeJS.Signals, timeoutMs: number): Promise<boolean> {
    this.signal(tracked, signal);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const ended = await Promise.race([tracked.child.exit.then(() => true as const), late]);
    clearTimeout(timer);
    if (!ended) {
      this.signal(tracked, 'SIGCONT');
      this.signal(tracked, 'SIGKILL');
      await tracked.child.exit;
    }
    return ended;
  }
}

/** The ledger read with plain SQL, never through src/store: what an operator's sqlite3 shows. */
export function readLedger<T>(dbPath: string, read: (db: Database.Database) => T, fallback: T): T {
  let db: Database.Database | null = null;
  try {
    db = new Database(dbPath, { readonly: true, fileMustExist: true, timeout: 5_000 });
    return read(db);
  } catch {
    return fallback;
  } finally {
    db?.close();
  }
}

export interface LedgerOrder {
  order_number: string;
  state: string;
  last_error: string | null;
  last_error_code: string | null;
  attempts: number;
}

export function ledgerOrders(dbPath: string): LedgerOrder[] {
  return readLedger(dbPath, (db) => db.prepare('SELECT order_number, state, last_error, last_error_code, attempts FROM orders').all() as LedgerOrder[], []);
}

/** Open after-draft reports: order number, condition, and the newest report's event id. */
export function openReports(dbPath: string): Array<{ order_number: string; condition: string; event: number }> {
  return readLedger(
    dbPath,
    (db) =>
      db
        .prepare(
          `SELECT a.order_number, a.condition,
             (SELECT MAX(id) FROM after_draft_events e WHERE e.order_number = a.order_number AND e.kind IN ('cancelled','changed')) AS event
           FROM after_draft a WHERE a.attention = 1`,
        )
        .all() as Array<{ order_number: string; condition: string; event: number }>,
    [],
  );
}

export function maxCycleId(dbPath: string): number {
  return readLedger(dbPath, (db) => (db.prepare('SELECT MAX(id) AS id FROM cycles').get() as { id: number | null }).id ?? 0, 0);
}
