import Database from 'better-sqlite3';
import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { Ledger } from './ledger.js';

export interface OpenedLedger {
  ledger: Ledger;
  /** Absolute path, for the start line. */
  path: string;
  /** True when this start created the file: worth a loud line, a wrong DATABASE_PATH looks exactly like this. */
  created: boolean;
}

/**
 * Opens the ledger for the daemon. A new file is created with mode 0600 before SQLite touches it
 * (it holds buyers' names and addresses; SQLite gives its -wal and -shm files the same mode), and
 * SQLite's own wording for a path it cannot use becomes a sentence naming the path.
 */
export function openLedgerFile(path: string, now?: () => Date): OpenedLedger {
  if (path === ':memory:') return { ledger: Ledger.open(path, now ? { now } : {}), path, created: true };
  const absolute = resolve(path);
  const created = !existsSync(absolute);
  try {
    if (created) {
      mkdirSync(dirname(absolute), { recursive: true });
      closeSync(openSync(absolute, 'wx', 0o600));
    }
    return { ledger: Ledger.open(absolute, now ? { now } : {}), path: absolute, created };
  } catch (error) {
    throw ledgerOpenError(absolute, error);
  }
}

/** The operator's sentence for a ledger that cannot be opened for writing. */
export function ledgerOpenError(path: string, error: unknown): Error {
  const code = (error as { code?: string }).code ?? '';
  if (code === 'SQLITE_READONLY' || code.startsWith('SQLITE_READONLY_') || code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new ConfigError(
      `The ledger ${path} (DATABASE_PATH) cannot be written by this user: make the file and its folder writable (the daemon needs to create ${path}-wal beside it), or point DATABASE_PATH elsewhere.`,
      { cause: error },
    );
  }
  if (code === 'SQLITE_CANTOPEN' || code === 'ENOENT' || code === 'ENOTDIR' || code === 'EEXIST') {
    return new ConfigError(`The ledger ${path} (DATABASE_PATH) cannot be opened: its folder is missing or not a folder, or not writable.`, { cause: error });
  }
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return new ConfigError(`${path} (DATABASE_PATH) is not a ledger database (or it is damaged); point DATABASE_PATH at the right file or restore a backup.`, { cause: error });
  }
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * For `check`: can the daemon create or write the ledger? Probes without creating anything that
 * stays: the folder must be writable (SQLite writes -wal and -shm beside the file), and an existing
 * file must be writable and a SQLite database.
 */
export function ledgerWritableProblem(path: string): string | null {
  if (path === ':memory:') return null;
  const absolute = resolve(path);
  let folder = dirname(absolute);
  // A missing folder is created by the daemon: what matters is the nearest folder that exists.
  while (!existsSync(folder) && dirname(folder) !== folder) folder = dirname(folder);
  if (!statSync(folder).isDirectory()) return `${folder} is a file, not a folder, so the ledger ${absolute} (DATABASE_PATH) cannot be created there`;
  try {
    accessSync(folder, constants.W_OK | constants.X_OK);
  } catch {
    return `the folder ${folder} is not writable by this user, so the ledger ${absolute} (DATABASE_PATH) cannot be ${existsSync(absolute) ? 'written' : 'created'}`;
  }
  if (!existsSync(absolute)) return null;
  try {
    accessSync(absolute, constants.R_OK | constants.W_OK);
  } catch {
    return `the ledger ${absolute} (DATABASE_PATH) is read-only for this user; make it writable`;
  }
  try {
    const db = new Database(absolute, { readonly: true, fileMustExist: true });
    try {
      db.pragma('user_version');
    } finally {
      db.close();
    }
  } catch {
    return `${absolute} (DATABASE_PATH) is not a ledger database`;
  }
  return null;
}
