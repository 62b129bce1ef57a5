import { formatPartnerCode } from '../domain/partner.js';
import type { Ledger } from './ledger.js';

/**
 * Moves a buyer whose partner was never created (no partner_id) from a code Cashman already holds
 * to the next code free in this ledger, and advances the sequence past it so no later buyer is
 * offered the taken code again. One durable transaction, committed before the next create leaves.
 */
export function moveToNextPartnerCode(ledger: Ledger, email: string, prefix: string, digits: number): string {
  return ledger.db.transaction(() => {
    let sequence = Number(ledger.getMeta('partner_sequence') ?? '0');
    let code: string;
    do {
      sequence += 1;
      code = formatPartnerCode(prefix, digits, sequence);
    } while (ledger.db.prepare('SELECT 1 FROM partners WHERE partner_code = ?').get(code));
    ledger.setMeta('partner_sequence', String(sequence));
    const changed = ledger.db
      .prepare('UPDATE partners SET partner_code = ?, pending = NULL, updated_at = ? WHERE email = ? AND partner_id IS NULL')
      .run(code, new Date().toISOString(), email).changes;
    if (changed !== 1) throw new Error(`partner ${email} already has a Cashman partner id; refusing to change its code`);
    return code;
  })();
}

/** The order code of an order held because its partner code is in doubt (see src/sync/partner-code-skip.ts). */
export const PARTNER_CODE_IN_DOUBT = 'PARTNER_CODE_IN_DOUBT';

/**
 * A waiting order whose buyer's partner create lost its answer and was then refused as "code taken":
 * `uncertain`, never drafted until a person says whose partner the code is. From pending or failed only.
 */
export function markPartnerCodeInDoubt(ledger: Ledger, orderNumber: string, dateUpdated: string | null, reason: string): boolean {
  return (
    ledger.db
      .prepare(
        `UPDATE orders SET state = 'uncertain', last_error = ?, last_error_code = '${PARTNER_CODE_IN_DOUBT}', next_attempt_at = NULL,
           date_updated = COALESCE(?, date_updated), updated_at = ?
         WHERE order_number = ? AND state IN ('pending', 'failed')`,
      )
      .run(reason, dateUpdated, new Date().toISOString(), orderNumber).changes === 1
  );
}

/** What a person stated about the partner code of an order held as PARTNER_CODE_IN_DOUBT. */
export type PartnerStatement = 'theirs' | 'new-code';

export type StatementResult = { ok: true; partnerCode: string; partnerTouched: boolean } | { ok: false; reason: 'order' | 'partner' | 'contradicts'; partnerCode?: string };

/**
 * One transaction, conditional on what the person saw: the order still held for its partner code,
 * and the buyer's partner row still in doubt (or already settled the same way by an earlier
 * statement, for another order of the same buyer). Records the statement in the audit trail, puts
 * the order back in line, and either marks the code as the buyer's (no partner call ever again:
 * its Cashman id is unknown) or moves the buyer to the next free code.
 */
export function applyPartnerStatement(
  ledger: Ledger,
  orderNumber: string,
  statement: PartnerStatement,
  at: string,
  prefix: string,
  digits: number,
): StatementResult {
  const run = ledger.db.transaction((): StatementResult => {
    const order = ledger.db
      .prepare(`SELECT order_id, partner_email FROM orders WHERE order_number = ? AND state = 'uncertain' AND last_error_code = '${PARTNER_CODE_IN_DOUBT}'`)
      .get(orderNumber) as { order_id: string; partner_email: string | null } | undefined;
    if (!order?.partner_email) return { ok: false, reason: 'order' };
    const partner = ledger.getPartner(order.partner_email);
    if (!partner || partner.partnerId !== null) return { ok: false, reason: 'partner' };
    const inDoubt = partner.pending !== null && partner.stated === null;
    let code = partner.partnerCode;
    let touched = false;
    if (statement === 'theirs') {
      if (inDoubt) {
        const text = `${at} by "retry ${orderNumber} --partner-code-is-theirs"`;
        ledger.db
          .prepare('UPDATE partners SET stated = ?, snapshot = pending, pending = NULL, updated_at = ? WHERE email = ? AND partner_id IS NULL AND stated IS NULL')
          .run(text, at, partner.email);
        touched = true;
      } else if (partner.stated === null) return { ok: false, reason: 'partner', partnerCode: code };
    } else {
      if (partner.stated !== null) return { ok: false, reason: 'contradicts', partnerCode: code };
      if (inDoubt) {
        code = moveToNextPartnerCode(ledger, partner.email, prefix, digits);
        touched = true;
      }
    }
    const said =
      statement === 'theirs'
        ? `a person stated that Cashman's partner ${partner.partnerCode} is this buyer (${partner.email})`
        : `a person stated that Cashman's partner ${partner.partnerCode} is not this buyer (${partner.email}); next code ${code}`;
    if (touched) {
      ledger.db
        .prepare(`INSERT INTO audit (at, order_id, order_number, kind, request, outcome) VALUES (?, ?, ?, 'partner', ?, ?)`)
        .run(
          at,
          order.order_id,
          orderNumber,
          JSON.stringify({ statement: said, command: `retry ${orderNumber} --${statement === 'theirs' ? 'partner-code-is-theirs' : 'new-partner-code'}` }),
          // `status <order>` shows the outcome: the statement itself, marked as a person's.
          statement === 'theirs' ? `stated by a person: ${partner.partnerCode} is this buyer` : `stated by a person: ${partner.partnerCode} is someone else, now ${code}`,
        );
    }
    const requeued = ledger.db
      .prepare(
        `UPDATE orders SET state = 'pending', attempts = 0, next_attempt_at = NULL, alerted_state = NULL, last_error = NULL, last_error_code = NULL, updated_at = ?
         WHERE order_number = ? AND state = 'uncertain' AND last_error_code = '${PARTNER_CODE_IN_DOUBT}'`,
      )
      .run(at, orderNumber).changes;
    if (requeued !== 1) throw new Error(`order ${orderNumber} changed during its own transaction`);
    return { ok: true, partnerCode: code, partnerTouched: touched };
  });
  return run.immediate();
}
