import { randomUUID } from 'node:crypto';
import { LedgerBusyError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { Ledger } from './ledger.js';
import { ownIdentity, pidAlive, type Identity } from './process-identity.js';

/**
 * One writer per ledger (SPEC §2): `run` and `once` hold this lock; `retry`, `resolve` and the other
 * single-order commands do not need it (each is one conditional UPDATE).
 *
 * Why a row in the ledger with a heartbeat, not an OS file lock: the row lives in the same SQLite
 * file, so it works wherever the ledger itself works (a Docker named volume shared by two
 * containers included), it names its holder (pid, host, since when) for the refusal sentence, and
 * every intent commit checks it in the same transaction (Ledger.fence), so even a holder that lost
 * the lock can never send again. A process killed with -9 cannot remove its row; the row is then
 * stale when any of these holds:
 * - its heartbeat (refreshed every HEARTBEAT_MS) is older than STALE_AFTER_MS: works across
 *   containers, where the holder's pid means nothing to us;
 * - it was written on this host under another kernel boot (the machine restarted since);
 * - it was written in our own pid namespace of this boot and that pid is gone: a restart right
 *   after kill -9 on the same host does not have to wait out the heartbeat. Pid liveness is never
 *   trusted across namespaces (two containers may even share a hostname).
 * A pid reused by an unrelated process only makes us wait for the heartbeat rule: never unsafe.
 */
export const HEARTBEAT_MS = 5_000;
export const STALE_AFTER_MS = 30_000;

export interface LockHolder {
  token: string;
  pid: number;
  host: string;
  bootId: string | null;
  pidNs: string | null;
  command: string;
  startedAt: string;
  heartbeatAt: string;
}

interface RawHolder {
  token: string;
  pid: number;
  host: string;
  boot_id: string | null;
  pid_ns: string | null;
  command: string;
  started_at: string;
  heartbeat_at: string;
}

/** Why the holder is known to be gone, or null while it may still be alive. */
export function staleReason(holder: LockHolder, me: Identity, nowMs: number): string | null {
  const silentMs = nowMs - Date.parse(holder.heartbeatAt);
  if (!(silentMs <= STALE_AFTER_MS)) return `its heartbeat stopped ${Math.round(silentMs / 1000)} s ago`;
  if (holder.host === me.host && holder.bootId && me.bootId && holder.bootId !== me.bootId) return 'the machine restarted since';
  if (holder.bootId === me.bootId && holder.pidNs !== null && holder.pidNs === me.pidNs && holder.pid !== me.pid && !pidAlive(holder.pid)) {
    return `process ${holder.pid} no longer exists`;
  }
  return null;
}

export function describeHolder(holder: LockHolder, nowMs: number): string {
  const silent = Math.max(0, Math.round((nowMs - Date.parse(holder.heartbeatAt)) / 1000));
  return `The ledger is in use by another "${holder.command}" (pid ${holder.pid} on host ${holder.host}, since ${holder.startedAt}, last heartbeat ${silent} s ago); stop that one first, or run this command after it has finished.`;
}

function toHolder(raw: RawHolder): LockHolder {
  return {
    token: raw.token,
    pid: raw.pid,
    host: raw.host,
    bootId: raw.boot_id,
    pidNs: raw.pid_ns,
    command: raw.command,
    startedAt: raw.started_at,
    heartbeatAt: raw.heartbeat_at,
  };
}

export function currentHolder(ledger: Ledger): LockHolder | undefined {
  const raw = ledger.db.prepare('SELECT * FROM writer_lock WHERE id = 1').get() as RawHolder | undefined;
  return raw && toHolder(raw);
}

export class WriterLock {
  private timer: NodeJS.Timeout | null = null;
  private readonly lostHandlers: (() => void)[] = [];
  private lost = false;

  private constructor(
    private readonly ledger: Ledger,
    readonly token: string,
    private readonly logger: Logger,
  ) {}

  /**
   * Takes the lock (in one IMMEDIATE transaction, so two starting processes cannot both win) or
   * throws LedgerBusyError naming the holder. A stale holder is taken over, and that is logged.
   */
  static acquire(ledger: Ledger, command: string, logger: Logger, me: Identity = ownIdentity()): WriterLock {
    const token = randomUUID();
    const take = ledger.db.transaction(() => {
      const nowMs = Date.now();
      const holder = currentHolder(ledger);
      if (holder) {
        const reason = staleReason(holder, me, nowMs);
        if (reason === null) throw new LedgerBusyError(describeHolder(holder, nowMs));
        logger.warn('taking over the ledger lock of a process that stopped without releasing it', {
          pid: holder.pid,
          host: holder.host,
          command: holder.command,
          since: holder.startedAt,
          why: reason,
        });
      }
      const at = new Date(nowMs).toISOString();
      ledger.db
        .prepare(
          `INSERT INTO writer_lock (id, token, pid, host, boot_id, pid_ns, command, started_at, heartbeat_at)
           VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET token = excluded.token, pid = excluded.pid, host = excluded.host, boot_id = excluded.boot_id,
             pid_ns = excluded.pid_ns, command = excluded.command, started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at`,
        )
        .run(token, me.pid, me.host, me.bootId, me.pidNs, command, at, at);
    });
    take.immediate();
    const lock = new WriterLock(ledger, token, logger);
    ledger.fence(token);
    lock.timer = setInterval(() => lock.beat(), HEARTBEAT_MS);
    lock.timer.unref();
    return lock;
  }

  /** Called once if another process takes the lock over (this one stalled past STALE_AFTER_MS). */
  onLost(handler: () => void): void {
    this.lostHandlers.push(handler);
  }

  private beat(): void {
    try {
      const changed = this.ledger.db
        .prepare('UPDATE writer_lock SET heartbeat_at = ? WHERE id = 1 AND token = ?')
        .run(new Date().toISOString(), this.token).changes;
      if (changed === 1 || this.lost) return;
      this.lost = true;
      this.logger.error('another process took over the ledger lock; stopping (no further request is sent)');
      for (const handler of this.lostHandlers) handler();
    } catch (error) {
      // A busy database delays one heartbeat; the staleness limit is six of them.
      this.logger.warn('could not refresh the ledger lock heartbeat', { error: (error as Error).message });
    }
  }

  /** Stops the heartbeat and removes the row if it is still ours. */
  release(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (!this.ledger.db.open) return;
    this.ledger.db.prepare('DELETE FROM writer_lock WHERE id = 1 AND token = ?').run(this.token);
  }
}
