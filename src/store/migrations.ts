import type Database from 'better-sqlite3';

/**
 * Numbered schema migrations, applied in order inside one transaction each; the applied number is
 * kept in `PRAGMA user_version`. Never edit a shipped migration: add the next one.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: the ledger.
  `
  CREATE TABLE orders (
    order_id        TEXT PRIMARY KEY,            -- Shoprenter API id
    order_number    TEXT NOT NULL,               -- Shoprenter innerId, what people type
    state           TEXT NOT NULL CHECK (state IN ('pending','submitting','done','failed','quarantined','uncertain')),
    attempts        INTEGER NOT NULL DEFAULT 0,  -- draft attempts that failed temporarily
    next_attempt_at TEXT,                        -- ISO UTC; when a failed order is due again
    last_error      TEXT,                        -- the sentence shown by status
    last_error_code TEXT,
    cashman_ref     TEXT,                        -- Cashman's answer to the draft request
    date_updated    TEXT,                        -- Shoprenter dateUpdated when last seen (shop-local)
    partner_email   TEXT,
    alerted_state   TEXT,                        -- last state an alert was sent for (one alert per state)
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
  );
  CREATE INDEX orders_by_state ON orders (state, next_attempt_at);
  CREATE INDEX orders_by_number ON orders (order_number);

  CREATE TABLE partners (
    email           TEXT PRIMARY KEY,            -- trimmed, lower-cased
    partner_code    TEXT NOT NULL UNIQUE,        -- fixed before the first call, reused on resend
    partner_id      TEXT,                        -- Cashman partner_id once known
    snapshot        TEXT,                        -- JSON of what Cashman confirmed last
    pending         TEXT,                        -- JSON of what is being sent now (intent)
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
  );

  CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );

  CREATE TABLE audit (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    at           TEXT NOT NULL,
    order_id     TEXT,
    order_number TEXT,
    kind         TEXT NOT NULL CHECK (kind IN ('partner','draft')),
    request      TEXT NOT NULL,                  -- JSON rows, password masked
    outcome      TEXT,                           -- 'sent', 'ok', or the error code
    response     TEXT
  );
  CREATE INDEX audit_by_order ON audit (order_id);

  CREATE TABLE cycles (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    ok          INTEGER,
    summary     TEXT
  );
  `,
  // (operator) product units read from Shoprenter, kept across restarts (src/store/product-units.ts).
  `
  CREATE TABLE product_units (
    product_id TEXT PRIMARY KEY,                 -- Shoprenter product API id
    unit       TEXT,                             -- Hungarian measurementUnit; NULL = none or product gone
    fetched_at TEXT NOT NULL                     -- ISO UTC; refreshed after UNIT_MAX_AGE_MS
  );
  `,
];

export function migrate(db: Database.Database): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(
      `The database was written by a newer version (schema ${current}, this version knows ${MIGRATIONS.length}); upgrade the program or restore a backup.`,
    );
  }
  for (let version = current; version < MIGRATIONS.length; version += 1) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
  return MIGRATIONS.length;
}
