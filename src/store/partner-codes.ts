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
