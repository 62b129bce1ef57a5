import { navText } from './nav-text.js';

/**
 * Case-folded words of an order that come from a short list (orderTotals types and keys, addon
 * types): the same few strings on every order, so each is folded once and remembered. Pure: the
 * answer depends on the text alone; at most a few hundred distinct texts are kept.
 */

const KEEP = 500;
const trimmed = new Map<string, string>();
const cleaned = new Map<string, string | null>();

/** `text.trim().toUpperCase()`. */
export function upperTrimmed(text: string): string {
  let found = trimmed.get(text);
  if (found === undefined) {
    found = text.trim().toUpperCase();
    if (trimmed.size < KEEP) trimmed.set(text, found);
  }
  return found;
}

/** The text as NAV takes it (navText), upper-cased; null when that leaves nothing (build-partner's `clean`). */
export function upperCleaned(text: string | null): string | null {
  if (text === null) return null;
  let found = cleaned.get(text);
  if (found === undefined) {
    const clean = navText(text);
    found = clean === '' ? null : clean.toUpperCase();
    if (cleaned.size < KEEP) cleaned.set(text, found);
  }
  return found;
}
