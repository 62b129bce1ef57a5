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

interface LazyStatements {
  normal: Database.Statement;
  full: Database.Statement;
  begin: Database.Statement;
  commit: Database.Statement;
  rollback: Database.Statement;
}

const lazyStatements = new WeakMap<Database.Database, LazyStatements>();

/**
 * One transaction committed without waiting for the disk, for rows that no request depends on:
 * the next ordinary (synchronous=FULL) commit carries them to the disk (see Ledger.lazily).
 * Written out with prepared statements rather than `db.transaction(write)()`, which builds a new
 * wrapper function (four of them) for every call: a cost paid several times per order.
 */
export function lazyTransaction<T>(db: Database.Database, write: () => T): T {
  // Inside an enclosing transaction: a savepoint of it, committed (and synced) as that one is.
  if (db.inTransaction) return db.transaction(write)();
  let statements = lazyStatements.get(db);
  if (!statements) {
    statements = {
      normal: db.prepare('PRAGMA synchronous = NORMAL'),
      full: db.prepare('PRAGMA synchronous = FULL'),
      begin: db.prepare('BEGIN'),
      commit: db.prepare('COMMIT'),
      rollback: db.prepare('ROLLBACK'),
    };
    lazyStatements.set(db, statements);
  }
  statements.normal.run();
  try {
    // As better-sqlite3's own transaction function does: a failed write or commit rolls back.
    try {
      statements.begin.run();
      const result = write();
      if (result instanceof Promise) throw new TypeError('A ledger transaction cannot wait for a promise');
      statements.commit.run();
      return result;
    } catch (error) {
      if (db.inTransaction) statements.rollback.run();
      throw error;
    }
  } finally {
    statements.full.run();
  }
}
