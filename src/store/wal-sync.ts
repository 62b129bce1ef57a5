import { closeSync, fstatSync, fsync, fsyncSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { LedgerSyncError } from '../errors.js';

/** fsync's shape: the tests give a disk that refuses. */
export type WalSyncCall = (fd: number, done: (error: Error | null) => void) => void;

/**
 * Makes the ledger's write-ahead log durable off the event loop. SQLite's synchronous=FULL in WAL
 * mode is synchronous=NORMAL plus one sync of the WAL file after each commit (sqlite.org/pragma,
 * "synchronous"); SQLite runs that sync on the event loop, where it stands between every intent and
 * its request (0.5-1 ms here, a third of the daemon's own time per Cashman request). An intent is
 * instead committed with NORMAL and the same sync of the same file runs in libuv's thread pool
 * (`fsync`, the call better-sqlite3's SQLite makes for it), while the request is built and its
 * connection opened (or taken, opened ahead: src/cashman/connections.ts); the request's first byte
 * waits for it (src/net-request.ts `sendAfter`).
 *
 * The sync must hit the file SQLite writes. SQLite keeps its WAL open for as long as the connection
 * is, so the file at the path is that one until the ledger closes; if it is not (the WAL was copied or
 * restored over a live ledger), SQLite is writing to a file no one will read again, and every sync
 * refuses with a sentence instead of syncing the wrong file. When first opened, the WAL's directory is
 * synced once, as SQLite does for a new WAL (and, as SQLite, without failing on it).
 */
export class WalSync {
  private fd: number | null = null;
  /** The WAL SQLite opened, as first seen at the path. */
  private held = { dev: 0, ino: 0 };
  private inFlight = 0;
  private closing = false;

  /** Made when the ledger opens, while the WAL at the path is surely the one SQLite just opened. */
  constructor(
    private readonly walPath: string,
    private readonly sync: WalSyncCall = fsync,
  ) {
    try {
      this.current();
    } catch {
      // Tried again, and reported as a sentence, by the first durable().
    }
  }

  /** Resolves once every WAL frame written before the call is on the disk; rejects with LedgerSyncError. */
  durable(): Promise<void> {
    let fd: number;
    try {
      fd = this.current();
    } catch (error) {
      return Promise.reject(this.failure(error));
    }
    this.inFlight += 1;
    return new Promise<void>((resolve, reject) => {
      this.sync(fd, (error) => {
        this.inFlight -= 1;
        if (this.closing && this.inFlight === 0) this.release();
        if (error) reject(this.failure(error));
        else resolve();
      });
    });
  }

  /** Closes the descriptor, after the syncs still running (closing it under one would fail that sync). */
  close(): void {
    this.closing = true;
    if (this.inFlight === 0) this.release();
  }

  private current(): number {
    if (this.closing) throw new Error('the ledger was closed');
    if (this.fd === null) {
      // fsync works on a read-only descriptor: this one never writes.
      this.fd = openSync(this.walPath, 'r');
      const held = fstatSync(this.fd);
      this.held = { dev: held.dev, ino: held.ino };
      syncDirectory(dirname(this.walPath));
      return this.fd;
    }
    const onDisk = statSync(this.walPath);
    if (onDisk.ino !== this.held.ino || onDisk.dev !== this.held.dev) {
      throw new Error(`${this.walPath} was replaced while the ledger was open (a copy or restore over a live ledger?); stop the daemon before restoring a ledger`);
    }
    return this.fd;
  }

  private release(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private failure(error: unknown): LedgerSyncError {
    const detail = error instanceof Error ? error.message : String(error);
    return new LedgerSyncError(
      `The ledger could not be made durable on disk (${detail}); nothing was sent. Check the disk or volume that holds DATABASE_PATH.`,
      { cause: error },
    );
  }
}

/**
 * Best effort, exactly as SQLite's unix VFS (unixSync): a folder that cannot be opened counts as
 * synced and the folder's fsync result is not checked, since some file systems refuse to fsync a
 * folder (EINVAL) and a ledger that worked under SQLite's own sync must keep working.
 */
function syncDirectory(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch {
    // Not checked, as above.
  } finally {
    closeSync(fd);
  }
}
