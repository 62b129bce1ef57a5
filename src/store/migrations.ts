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
  // 2: orders keyed by the Shoprenter order number (innerId), which no other integration can change;
  // the API id (it changes when an integration sets an outer id) is kept as a column. An old ledger
  // may hold one order under two API ids (the duplicate this fixes): the row that went furthest
  // survives (done before anything, then the states that say a draft may exist), newest first.
  `
  CREATE TABLE orders_v2 (
    order_number    TEXT PRIMARY KEY,            -- Shoprenter innerId, what people type
    order_id        TEXT NOT NULL,               -- Shoprenter API id when last seen
    state           TEXT NOT NULL CHECK (state IN ('pending','submitting','done','failed','quarantined','uncertain')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_error      TEXT,
    last_error_code TEXT,
    cashman_ref     TEXT,
    date_updated    TEXT,
    partner_email   TEXT,
    alerted_state   TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
  );
  INSERT INTO orders_v2 (order_number, order_id, state, attempts, next_attempt_at, last_error, last_error_code,
      cashman_ref, date_updated, partner_email, alerted_state, created_at, updated_at)
    SELECT order_number, order_id, state, attempts, next_attempt_at, last_error, last_error_code,
      cashman_ref, date_updated, partner_email, alerted_state, created_at, updated_at
    FROM (
      SELECT *, ROW_NUMBER() OVER (
        PARTITION BY order_number
        ORDER BY CASE state WHEN 'done' THEN 0 WHEN 'submitting' THEN 1 WHEN 'uncertain' THEN 2 WHEN 'quarantined' THEN 3
                 WHEN 'failed' THEN 4 ELSE 5 END, updated_at DESC
      ) AS rank
      FROM orders
    )
    WHERE rank = 1;
  DROP TABLE orders;
  ALTER TABLE orders_v2 RENAME TO orders;
  CREATE INDEX orders_by_state ON orders (state, next_attempt_at);
  CREATE INDEX orders_by_api_id ON orders (order_id);
  CREATE INDEX audit_by_number ON audit (order_number);
  `,
  // 3: life after the draft (SPEC §1.7). Keyed by order number (innerId), the ledger's lasting
  // identity of an order. One row per drafted order that has been fingerprinted, and the events.
  `
  CREATE TABLE after_draft (
    order_number  TEXT PRIMARY KEY,
    fingerprint   TEXT NOT NULL,                 -- JSON: what the current draft was built from
    source        TEXT NOT NULL CHECK (source IN ('draft','audit','observed')),
    seen_updated  TEXT,                          -- the order's dateUpdated last compared
    observed      TEXT,                          -- JSON fingerprint of the order as last seen
    condition     TEXT NOT NULL DEFAULT 'ok' CHECK (condition IN ('ok','cancelled','changed')),
    attention     INTEGER NOT NULL DEFAULT 0,    -- 1 = reported and not yet acked
    redraft_pid   INTEGER,                       -- process id of a redraft in flight
    redraft_owner TEXT,                          -- JSON: that process's host, boot id, pid namespace and start
    updated_at    TEXT NOT NULL
  );
  CREATE INDEX after_draft_by_attention ON after_draft (attention);

  CREATE TABLE after_draft_events (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    at           TEXT NOT NULL,
    order_number TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('cancelled','changed','restored','acked','redraft-started','redrafted','redraft-failed')),
    version      TEXT,                           -- the order's dateUpdated the event is about
    reason       TEXT NOT NULL,
    cashman_ref  TEXT,                           -- the draft this event concerns
    alerted      INTEGER NOT NULL DEFAULT 0
  );
  -- Once per version of the order: a second report of the same version is ignored.
  CREATE UNIQUE INDEX after_draft_events_once ON after_draft_events (order_number, kind, version)
    WHERE kind IN ('cancelled','changed','restored');
  CREATE INDEX after_draft_events_by_order ON after_draft_events (order_number, id);
  `,
  // 4: the one-writer lock (src/store/writer-lock.ts): at most one row, the process that may write.
  `
  CREATE TABLE writer_lock (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    token        TEXT NOT NULL,                  -- random, per process: the fence checked by every intent
    pid          INTEGER NOT NULL,
    host         TEXT NOT NULL,
    boot_id      TEXT,                           -- kernel boot id: a different one on this host = holder died in a reboot
    pid_ns       TEXT,                           -- pid namespace: pid liveness is checked only inside our own
    command      TEXT NOT NULL,
    started_at   TEXT NOT NULL,
    heartbeat_at TEXT NOT NULL
  );
  `,
  // 5: product units read from Shoprenter, kept across restarts (src/store/product-units.ts).
  `
  CREATE TABLE product_units (
    product_id TEXT PRIMARY KEY,                 -- Shoprenter product API id
    unit       TEXT,                             -- Hungarian measurementUnit; NULL = none or product gone
    fetched_at TEXT NOT NULL                     -- ISO UTC; refreshed after UNIT_MAX_AGE_MS
  );
  `,
  // 6: the status a drafted order was last seen in, so a changed sync.cancelStatuses judges it again
  // without a Shoprenter read (src/sync/after-draft.ts); NULL for drafts of older versions.
  `
  ALTER TABLE after_draft ADD COLUMN status_id TEXT;
  `,
  // 7: the alert outbox (src/store/alert-outbox.ts): an alert is a row first, delivered per channel later.
  `
  CREATE TABLE alert_outbox (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    at           TEXT NOT NULL,                  -- enqueued, ISO UTC
    kind         TEXT NOT NULL,
    order_number TEXT,
    event        TEXT NOT NULL                   -- the alert as JSON; never an address (channels are named, not their URL)
  );
  CREATE INDEX alert_outbox_by_time ON alert_outbox (at);
  CREATE TABLE alert_deliveries (
    alert_id        INTEGER NOT NULL REFERENCES alert_outbox (id),
    channel         TEXT NOT NULL CHECK (channel IN ('webhook', 'email')),
    sent_at         TEXT,                        -- when the endpoint accepted it; NULL = still to deliver
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,                        -- ISO UTC; NULL = at once
    last_error      TEXT,                        -- what the failure was, without the address
    PRIMARY KEY (alert_id, channel)
  );
  CREATE INDEX alert_deliveries_waiting ON alert_deliveries (channel, alert_id) WHERE sent_at IS NULL;
  `,
  // 8: stock (SPEC §6, src/store/stock-store.ts): open orders seen in listings, rounds, and every stock write.
  `
  CREATE TABLE stock_open_orders (
    order_id     TEXT PRIMARY KEY,               -- Shoprenter order API id
    order_number TEXT NOT NULL,
    status_id    TEXT,                           -- inner id when last seen
    date_created TEXT NOT NULL,                  -- shop-local; orders older than stock.openOrderDays stop counting
    date_updated TEXT NOT NULL,                  -- an older view never overwrites a newer one
    lines        TEXT NOT NULL                   -- JSON [[productId, quantity as Amount4 text], ...]
  );
  CREATE TABLE stock_rounds (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at    TEXT NOT NULL,
    finished_at   TEXT,
    outcome       TEXT NOT NULL,                 -- running, done, held, failed, interrupted
    reason        TEXT,
    matched       INTEGER NOT NULL DEFAULT 0,
    changes       INTEGER NOT NULL DEFAULT 0,
    zeroes        INTEGER NOT NULL DEFAULT 0,
    written       INTEGER NOT NULL DEFAULT 0,
    failed_writes INTEGER NOT NULL DEFAULT 0,
    unmatched     INTEGER NOT NULL DEFAULT 0,
    duplicates    INTEGER NOT NULL DEFAULT 0,
    approved      INTEGER NOT NULL DEFAULT 0     -- 1 = let go by "stock approve"
  );
  CREATE TABLE stock_writes (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id      INTEGER NOT NULL REFERENCES stock_rounds(id),
    product_id    TEXT NOT NULL,
    match_key     TEXT NOT NULL,
    field         TEXT NOT NULL,
    shop_before   TEXT,
    written       INTEGER NOT NULL,
    cashman_stock TEXT NOT NULL,
    open_quantity TEXT NOT NULL,
    state         TEXT NOT NULL,                 -- sending (intent), written, failed
    error         TEXT,
    at            TEXT NOT NULL
  );
  CREATE INDEX stock_writes_round ON stock_writes(round_id);
  `,
  // 9: a person's statement (retry --partner-code-is-theirs) that the partner Cashman holds under
  // this code is this buyer, made when a create's answer was lost and the retry was refused as taken.
  // Its Cashman id stays unknown (no lookup exists), so the partner is never sent again.
  `
  ALTER TABLE partners ADD COLUMN stated TEXT;
  `,
];

export function migrate(db: Database.Database): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(
      `The database was written by a newer version (schema ${current}, this version knows ${MIGRATIONS.length}); upgrade the program or restore a backup.`,
    );
  }
  // Each step re-reads the version inside its IMMEDIATE transaction: two processes starting on one
  // old ledger (the second is then refused by the writer lock) must not both apply the same step.
  const step = db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version >= MIGRATIONS.length) return false;
    db.exec(MIGRATIONS[version]!);
    db.pragma(`user_version = ${version + 1}`);
    return true;
  });
  while (step.immediate()) {
    // next migration
  }
  return MIGRATIONS.length;
}
