import { z } from 'zod';

/**
 * The building blocks of the wire schemas (schema.ts, schema-catalog.ts, schema-products.ts): the
 * API's quirks smoothed over once. Numbers arrive as strings or numbers, empties as `{}`, "" or
 * null (an XML->JSON artifact, gotcha 3).
 */

export function isEmptyObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
}

export function emptyToNull(value: unknown): unknown {
  return value === undefined || value === null || isEmptyObject(value) ? null : value;
}

/** Any scalar field: trimmed text, or null for `{}`, "", null and a missing key. Numbers become their text. */
export const Text = z
  .preprocess((v) => (typeof v === 'number' ? String(v) : emptyToNull(v)), z.string().nullable())
  .transform((s) => (s === null || s.trim() === '' ? null : s.trim()));

/** page / pageCount / limit: "0" or 0. */
export const IntText = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/).transform(Number)]);

/** A related resource `{href}`; `{}` and null mean "none". */
export const Ref = z.preprocess(emptyToNull, z.object({ href: z.string() }).nullable());

/** An embedded child collection; absent, null or `{}` is an empty list. */
export function embeddedList<T extends z.ZodType>(item: T) {
  return z.preprocess((v) => emptyToNull(v) ?? [], z.array(item));
}

/** An embedded object that may also be a bare `{href}`, `{}` or null. */
export function embedded<T extends z.ZodType>(shape: T) {
  return z.preprocess(emptyToNull, shape.nullable());
}

/** Trimmed non-empty text or a number as text; null for anything else. */
export function looseText(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() === '' ? null : value.trim();
  return typeof value === 'number' ? String(value) : null;
}
