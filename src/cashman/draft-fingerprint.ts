import { address, type Fingerprint } from '../domain/fingerprint.js';

/**
 * A fingerprint rebuilt from the draft request rows kept in the audit trail, for orders drafted
 * before fingerprints were stored (SPEC §1.7: existing ledgers get them lazily). The rows carry the
 * buyer block, the shipping block and the totals as sent (src/cashman/rows.ts), but no e-mail, and
 * product lines under names that may include options, so lines and e-mail stay unknown (absent) and
 * are not compared. The gross is known only for a HUF draft; a converted draft's total is in its
 * own currency.
 */
export function fingerprintFromDraftRows(rows: unknown): Fingerprint | null {
  if (!Array.isArray(rows) || rows.length === 0) return null;
  const head = rows[0] as Record<string, unknown>;
  const text = (key: string): string => {
    const value = head[key];
    return typeof value === 'string' ? value : '';
  };
  if (text('nev') === '' || text('deviza') === '') return null;
  const fingerprint: Fingerprint = {
    currency: text('deviza').toUpperCase(),
    buyerName: text('nev'),
    taxNumber: text('adoszam') || text('kozossegi_adoszam'),
    billing: address(text('iranyitoszam'), text('varos'), text('utca'), text('orszag')),
    shipping:
      text('szallitasicim_nev') === ''
        ? ''
        : `${text('szallitasicim_nev')}|${address(text('szallitasicim_iranyitoszam'), text('szallitasicim_varos'), text('szallitasicim_utca'), text('szallitasicim_orszag'))}`,
  };
  if (fingerprint.currency === 'HUF' && /^-?\d+$/.test(text('szamla_brutto'))) fingerprint.grossHuf = text('szamla_brutto');
  return fingerprint;
}
