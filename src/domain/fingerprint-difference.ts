import type { Fingerprint, FingerprintLine } from './fingerprint.js';

/**
 * What changed between the fingerprint a draft was built from and the order now, in words a shop
 * owner reads in an alert: `gross 12 990 -> 10 990 Ft; line "Bögre" qty 2 -> 1; shipping address
 * changed`. Empty when nothing the invoice shows changed. Only fields present on both sides are
 * compared (see Fingerprint).
 */
export function describeDifferences(before: Fingerprint, after: Fingerprint): string[] {
  const words: string[] = [];
  if (both(before.currency, after.currency) && before.currency !== after.currency) words.push(`currency ${before.currency} -> ${after.currency}`);
  if (both(before.grossHuf, after.grossHuf) && before.grossHuf !== after.grossHuf) {
    words.push(`gross ${groupThousands(before.grossHuf!)} -> ${groupThousands(after.grossHuf!)} Ft`);
  }
  if (before.lines && after.lines) words.push(...lineDifferences(before.lines, after.lines));
  // Old and new value side by side (issue 17): "buyer name changed" alone sends a person hunting.
  if (changed(before.buyerName, after.buyerName)) words.push(`buyer name ${quoted(before.buyerName!)} -> ${quoted(after.buyerName!)}`);
  if (changed(before.email, after.email)) words.push(`buyer e-mail ${quoted(before.email!)} -> ${quoted(after.email!)}`);
  if (changed(before.taxNumber, after.taxNumber)) {
    words.push(
      leftOutByEarlierVersion(before, after)
        ? earlierVersionWords(after.taxNumber!)
        : `buyer tax number ${quoted(before.taxNumber!)} -> ${quoted(after.taxNumber!)}`,
    );
  }
  if (changed(before.billing, after.billing)) words.push(`billing address ${addressText(before.billing!)} -> ${addressText(after.billing!)}`);
  if (changed(before.shipping, after.shipping)) words.push(`shipping address ${addressText(before.shipping!)} -> ${addressText(after.shipping!)}`);
  return words;
}

/** How every difference that comes from an earlier version's draft, not from the order, begins. */
export const EARLIER_VERSION = 'the draft made by an earlier version';

export function fromEarlierVersion(words: string): boolean {
  return words.startsWith(EARLIER_VERSION);
}

/**
 * Versions before FINGERPRINT_RULES 2 gave a buyer's tax number to the draft only together with a
 * company name, so a sole trader's draft (named by the person) went out without it. A draft made by
 * such a version, without a tax number, for a buyer still named the same who has one now, is that
 * version's doing: the order need not have changed at all.
 */
function leftOutByEarlierVersion(before: Fingerprint, after: Fingerprint): boolean {
  return before.rules === undefined && before.taxNumber === '' && after.taxNumber !== '' && !changed(before.buyerName, after.buyerName);
}

function earlierVersionWords(taxNumber: string): string {
  return `${EARLIER_VERSION} has no tax number (the order has ${taxNumber}; that version left out a sole trader's tax number)`;
}

function quoted(text: string): string {
  return text === '' ? '(none)' : `"${text}"`;
}

/**
 * A fingerprint address in words: billing "1111|Budapest|Fő utca 3.|Magyarország" ->
 * "1111 Budapest, Fő utca 3., Magyarország"; shipping carries the recipient first
 * ("Kiss Anna|1111|..."); "" (no shipping block) -> (none).
 */
function addressText(joined: string): string {
  if (joined === '') return '(none)';
  const parts = joined.split('|');
  const [name, postcode = '', city = '', street = '', country = ''] = parts.length >= 5 ? parts : ['', ...parts];
  const text = [name, [postcode, city].filter(Boolean).join(' '), street, country].filter(Boolean).join(', ');
  return `"${text}"`;
}

function both(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined;
}

function changed(a: string | undefined, b: string | undefined): boolean {
  return both(a, b) && a !== b;
}

function lineDifferences(before: FingerprintLine[], after: FingerprintLine[]): string[] {
  const words: string[] = [];
  const remaining = [...after];
  for (const old of before) {
    const index = remaining.findIndex((l) => l.key === old.key);
    if (index < 0) {
      words.push(`line "${old.name}" removed`);
      continue;
    }
    const now = remaining.splice(index, 1)[0]!;
    if (old.quantity !== now.quantity) words.push(`line "${old.name}" qty ${old.quantity} -> ${now.quantity}`);
    if (old.netUnitPrice !== now.netUnitPrice) {
      words.push(`line "${old.name}" net unit price ${groupDecimal(old.netUnitPrice)} -> ${groupDecimal(now.netUnitPrice)} Ft`);
    }
    if (old.taxRate !== now.taxRate) words.push(`line "${old.name}" VAT ${old.taxRate}% -> ${now.taxRate}%`);
    if (old.name !== now.name) words.push(`line "${old.name}" renamed "${now.name}"`);
  }
  for (const added of remaining) words.push(`line "${added.name}" qty ${added.quantity} added`);
  return words;
}

/** "12990" -> "12 990", "-1500" -> "-1 500": the way Hungarian invoices group digits. */
export function groupThousands(whole: string): string {
  const negative = whole.startsWith('-');
  const digits = negative ? whole.slice(1) : whole;
  return (negative ? '-' : '') + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}

function groupDecimal(text: string): string {
  const [whole = '', fraction] = text.split('.');
  return fraction === undefined ? groupThousands(whole) : `${groupThousands(whole)}.${fraction}`;
}
