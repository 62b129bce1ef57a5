import type Database from 'better-sqlite3';

/** Statements compiled once per connection: preparing is a large share of a small statement's cost. */
export function statementCache(db: Database.Database): (text: string) => Database.Statement {
  const statements = new Map<string, Database.Statement>();
  return (text) => {
    let statement = statements.get(text);
    if (!statement) {
      statement = db.prepare(text);
      statements.set(text, statement);
    }
    return statement;
  };
}

const syncModes = new WeakMap<Database.Database, { normal: Database.Statement; full: Database.Statement }>();

/**
 * One transaction committed without waiting for the disk, for rows that no request depends on:
 * the next ordinary (synchronous=FULL) commit carries them to the disk (see Ledger.lazily).
 */
export function lazyTransaction<T>(db: Database.Database, write: () => T): T {
  let modes = syncModes.get(db);
  if (!modes) {
    modes = { normal: db.prepare('PRAGMA synchronous = NORMAL'), full: db.prepare('PRAGMA synchronous = FULL') };
    syncModes.set(db, modes);
  }
  modes.normal.run();
  try {
    return db.transaction(write)();
  } finally {
    modes.full.run();
  }
}
