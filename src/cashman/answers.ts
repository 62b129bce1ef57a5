import { phpUnserialize } from './php-serialize.js';

/**
 * Recognising Cashman's answers (reference/cashman-fx-api.md §4). Only `HIBA:` is a CONFIRMED
 * error marker; everything else that is not a recognised success shape is "outcome unknown", so a
 * PHP warning, an HTML error page or a lower-case "Hiba:" can never be stored as a draft.
 */

/** Why an answer is not a success; null when nothing speaks against it. */
export type AnswerProblem = 'an empty answer' | 'an error text' | 'an HTML page' | 'a PHP warning or error' | 'an unrecognised answer';

// Checked before any success pattern, so that a loosely configured pattern cannot accept them.
const ERROR_WORD = /hiba|error|exception/i;
const HTML_TAG = /<\s*(?:!doctype|\/?[a-z][a-z0-9]*)[^>]*>/i;
const PHP_MESSAGE = /\b(?:warning|notice|deprecated|strict standards|fatal error|parse error)\s*:/i;

export function answerProblem(text: string): AnswerProblem | null {
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (trimmed === '') return 'an empty answer';
  // PHP prints its messages as plain text or wrapped in <b> tags (display_errors with html_errors).
  if (PHP_MESSAGE.test(trimmed.replace(/<[^>]*>/g, ''))) return 'a PHP warning or error';
  if (HTML_TAG.test(trimmed)) return 'an HTML page';
  if (ERROR_WORD.test(trimmed)) return 'an error text';
  return null;
}

/**
 * Op 4's answer is UNKNOWN (reference §4, §12 #1). INFERRED shape, the one CONFIRMED for op 1 and
 * op 9: one line of `|`-separated fields whose first field is Cashman's numeric id. Configurable as
 * `cashman.draftAnswerPattern` once the vendor confirms the real answer.
 */
export const DEFAULT_DRAFT_ANSWER_PATTERN = /^\d+(?:\|[^|\r\n]*)*$/;

/** Op 9: `partner_id` is the first `|` field (CONFIRMED); the rest of the line is not relied on. */
const PARTNER_ANSWER = /^(\d+)(?:\|[^\r\n]*)?$/;

/** The draft's reference when the answer is a recognised success, else the problem. */
export function recogniseDraftAnswer(text: string, pattern: RegExp): { reference: string } | { problem: AnswerProblem } {
  const problem = answerProblem(text);
  if (problem) return { problem };
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  return pattern.test(trimmed) ? { reference: trimmed } : { problem: 'an unrecognised answer' };
}

export function recognisePartnerAnswer(text: string): { partnerId: string } | { problem: AnswerProblem } {
  const problem = answerProblem(text);
  if (problem) return { problem };
  const match = PARTNER_ANSWER.exec(text.replace(/^\uFEFF/, '').trim());
  return match?.[1] ? { partnerId: match[1] } : { problem: 'an unrecognised answer' };
}

/** Op 19 (keszlet_lista) answers a PHP-serialized array (CONFIRMED: the vendor client unserializes it). */
export function isStockList(text: string): boolean {
  try {
    const value = phpUnserialize(text.trim());
    return value !== null && typeof value === 'object';
  } catch {
    return false;
  }
}
