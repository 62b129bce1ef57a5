import type http from 'node:http';
import { phpUnserialize } from '../cashman/php-serialize.js';
import { multipartBoundary, readPostField } from './cashman-standin-multipart.js';
import type { RequestRow } from '../sync/ports.js';

/** A row as a request carries it: a record (not a list) whose every value is text. */
function isTextRecord(row: unknown): boolean {
  if (row === null || typeof row !== 'object' || Array.isArray(row)) return false;
  // A plain key loop: Object.values + every on null-prototype records showed in the profile.
  for (const key of Object.keys(row)) if (typeof (row as Record<string, unknown>)[key] !== 'string') return false;
  return true;
}

/** Decodes the multipart `post` field into rows, or returns the HIBA answer for a bad request. */
export function decodeRequest(req: http.IncomingMessage, body: Buffer): { operation: number; rows: RequestRow[] } | string {
  const type = req.headers['content-type'] ?? '';
  if (req.method !== 'POST' || !type.startsWith('multipart/form-data')) return 'HIBA: Hiányzó adatok (post).';
  const boundary = multipartBoundary(type);
  const post = boundary === null ? null : readPostField(body, boundary);
  if (post === null) return 'HIBA: Hibás kérés.';
  if (post === undefined) return 'HIBA: Hiányzó adatok (post).';
  let value: unknown;
  try {
    value = phpUnserialize(post);
  } catch {
    return 'HIBA: Hibás adatformátum.';
  }
  const rows: unknown[] = Array.isArray(value) ? value : [];
  const valid = rows.length > 0 && rows.every(isTextRecord);
  if (!valid) return 'HIBA: Hibás adatformátum.';
  const typed = rows as RequestRow[];
  const operation = Number(typed[0]?.muveletkod ?? '');
  if (!Number.isInteger(operation)) return 'HIBA: Hiányzó műveletkód.';
  return { operation, rows: typed };
}

/**
 * Answers a PHP web application gives besides its own protocol: they are neither Cashman's
 * `HIBA:` (reference/cashman-fx-api.md §4) nor a success, so the client must treat them as
 * "outcome unknown". The stand-in serves them on demand (fault kind `answer`).
 */
export const ODD_ANSWERS = {
  empty: '',
  'lowercase-hiba': 'Hiba: a számla nem rögzíthető',
  'english-error': 'error: could not save the invoice',
  'php-warning': "PHP Warning:  mysqli_connect(): (HY000/2002): Connection refused in /var/www/fxapi/db.php on line 12",
  'php-warning-html': "<br />\n<b>Warning</b>:  mysqli_connect(): (HY000/2002): Connection refused in <b>/var/www/fxapi/db.php</b> on line <b>12</b><br />\n",
  'php-notice': 'Notice: Undefined index: szamla_netto in /var/www/fxapi/jxs.php on line 211',
  'php-fatal': 'PHP Fatal error:  Uncaught Error: Call to a member function fetch() on bool in /var/www/fxapi/jxs.php:88',
  'php-deprecated': 'Deprecated: Function create_function() is deprecated in /var/www/fxapi/jxs.php on line 40',
  'html-page': '<!DOCTYPE html><html><head><title>Hiba</title></head><body><h1>A szolgáltatás átmenetileg nem elérhető</h1></body></html>',
  'no-permission': 'Nincs jogosultsága a művelethez.',
} as const;
export type OddAnswer = keyof typeof ODD_ANSWERS;

/** Cashman's refusal of a draft line whose SKU belongs to another product group (termékcsoport). */
export const productGroupHiba = (sku: string): string => `HIBA: A(z) ${sku} cikkszám egy másik termékcsoportban van.`;
