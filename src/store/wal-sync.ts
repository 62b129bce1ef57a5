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
 * connection opened; the request's first byte waits for it (src/net-request.ts `sendAfter`).
 *
 * The sync must hit the file SQLite writes: the descriptor is checked against the path before each
 * sync and reopened when the WAL was replaced. A WAL created since it was last seen also has its
 * directory synced once, as SQLite does for a new WAL (and, as SQLite, without failing on it).
 */
export class WalSync {
  private fd: number | null = null;
  private inFlight = 0;
  private closing = false;
  /** Descriptors of a replaced WAL, closed once no sync runs (closing one under a sync would fail it). */
  private retired: number[] = [];

  constructor(
    private readonly walPath: string,
    private readonly sync: WalSyncCall = fsync,
  ) {}

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
        if (this.inFlight === 0) this.closeRetired();
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
    const onDisk = statSync(this.walPath);
    if (this.fd !== null) {
      const held = fstatSync(this.fd);
      if (held.ino === onDisk.ino && held.dev === onDisk.dev) return this.fd;
      this.retired.push(this.fd);
      if (this.inFlight === 0) this.closeRetired();
      this.fd = null;
    }
    // fsync works on a read-only descriptor: this one never writes.
    this.fd = openSync(this.walPath, 'r');
    syncDirectory(dirname(this.walPath));
    return this.fd;
  }

  private closeRetired(): void {
    for (const fd of this.retired.splice(0)) closeSync(fd);
  }

  private release(): void {
    this.closeRetired();
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
