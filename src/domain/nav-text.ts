/**
 * Texts NAV accepts (reference/nav-rules.md §8). Every text of an invoice is a
 * `SimpleTextNNNotBlankType`: its XSD pattern `.*[^\s].*` does not let `.` match CR or LF, so a
 * line break anywhere makes the finalised invoice a SCHEMA_VIOLATION; XML 1.0 forbids the other
 * C0 control characters outright. Each run of whitespace that holds a control or line-separator
 * character therefore becomes one space (a tab too: it would pass, but a shop owner means a gap).
 */

// eslint-disable-next-line no-control-regex -- these exact characters are what NAV refuses
const BREAKING = /[\s\u0000-\u001f\u007f-\u009f]*[\u0000-\u001f\u007f-\u009f\u2028\u2029][\s\u0000-\u001f\u007f-\u009f]*/gu;

// eslint-disable-next-line no-control-regex -- the same characters, for a yes/no test
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;

/** The text with line breaks and control characters collapsed to one space, trimmed. */
export function navText(text: string): string {
  // BREAKING needs one FORBIDDEN character to match, so text without one only needs trimming.
  return FORBIDDEN.test(text) ? text.replace(BREAKING, ' ').trim() : text.trim();
}

/**
 * For a check "more than `max` characters (code points)?": the character count when the text has
 * more than `max` UTF-16 units, else its unit count, which is then at most `max` and so is its
 * character count. Spreading a string into characters costs an array per text; most are short.
 */
export function lengthBeyond(text: string, max: number): number {
  return text.length <= max ? text.length : [...text].length;
}

/** True when NAV's schema accepts `text`: not blank, no line break or control character. */
export function isNavText(text: string): boolean {
  return text.trim() !== '' && !FORBIDDEN.test(text);
}
