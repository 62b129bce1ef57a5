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
 * directory synced once, as SQLite does for a new WAL, so the file itself survives a power cut.
 */
export class WalSync {
  private fd: number | null = null;
  private inFlight = 0;
  private closing = false;

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
      closeSync(this.fd);
      this.fd = null;
    }
    // fsync works on a read-only descriptor: this one never writes.
    this.fd = openSync(this.walPath, 'r');
    syncDirectory(dirname(this.walPath));
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

function syncDirectory(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
