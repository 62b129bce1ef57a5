import type { Ledger } from './ledger.js';

/**
 * The pilot's state (SPEC §1.8), kept in the ledger's meta table so `approve` (another process) and
 * the daemon agree without talking: `approve` is one conditional UPDATE, the daemon reads the row
 * before every draft it would send.
 *
 *   on        fresh ledger, drafting its first `sync.pilotOrders` orders
 *   ready     the pilot drafts are made; no further draft until `approve`
 *   approved  a person ran `approve`
 *   off       the ledger started with `sync.pilotOrders: 0`
 *   existing  the ledger already held drafts when the pilot was introduced: never in pilot
 */
export type PilotState = 'on' | 'ready' | 'approved' | 'off' | 'existing';

const KEY = 'pilot';

export function pilotState(ledger: Ledger): PilotState | null {
  return (ledger.getMeta(KEY) as PilotState | undefined) ?? null;
}

/** Decided once per ledger, at its first start with this version; returns the state in force. */
export function initPilot(ledger: Ledger, pilotOrders: number): PilotState {
  return ledger.db.transaction(() => {
    const current = pilotState(ledger);
    if (current) return current;
    const drafted = ledger.db.prepare(`SELECT 1 FROM audit WHERE kind = 'draft' LIMIT 1`).get() !== undefined;
    const state: PilotState = drafted ? 'existing' : pilotOrders === 0 ? 'off' : 'on';
    ledger.setMeta(KEY, state);
    return state;
  })();
}

/** Orders whose draft request left (or may have): what the pilot counts. */
export function pilotDraftCount(ledger: Ledger): number {
  const row = ledger.db
    .prepare(`SELECT COUNT(*) AS n FROM orders WHERE state IN ('done', 'uncertain', 'submitting')`)
    .get() as { n: number };
  return row.n;
}

/** on -> ready, once; true when this call made the change (so exactly one alert goes out). */
export function markPilotReady(ledger: Ledger, at: string): boolean {
  return ledger.db.transaction(() => {
    const changed = ledger.db.prepare(`UPDATE meta SET value = 'ready' WHERE key = ? AND value = 'on'`).run(KEY).changes === 1;
    if (changed) ledger.setMeta('pilot_ready_at', at);
    return changed;
  })();
}

/** `approve`: one conditional write, safe while the daemon runs; the previous state, or null when there was no pilot to end. */
export function approvePilot(ledger: Ledger, at: string): PilotState | null {
  return ledger.db.transaction(() => {
    const before = pilotState(ledger);
    const changed = ledger.db.prepare(`UPDATE meta SET value = 'approved' WHERE key = ? AND value IN ('on', 'ready')`).run(KEY).changes === 1;
    if (!changed) return null;
    ledger.setMeta('pilot_approved_at', at);
    return before;
  })();
}

export interface PilotRequest {
  orderNumber: string;
  state: string;
  at: string;
  /** 'ok', 'sent' (no answer yet) or the error code. */
  outcome: string | null;
  /** Cashman's raw answer to a successful draft request. */
  response: string | null;
  /** The order's last error: Cashman's own refusal text when it refused. */
  error: string | null;
}

/** Every draft request sent while the pilot was on, oldest first, with what Cashman answered. */
export function pilotRequests(ledger: Ledger, limit = 50): PilotRequest[] {
  return ledger.db
    .prepare(
      `SELECT a.order_number AS orderNumber, o.state AS state, a.at AS at, a.outcome AS outcome, a.response AS response, o.last_error AS error
       FROM audit a LEFT JOIN orders o ON o.order_number = a.order_number
       WHERE a.kind = 'draft' ORDER BY a.id LIMIT ?`,
    )
    .all(limit) as PilotRequest[];
}
