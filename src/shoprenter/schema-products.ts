import { z } from 'zod';
import { embeddedList, looseText, Text } from './schema-primitives.js';

/** Wire schemas of `/productExtend` (the measurement unit, reference §8.1). */

/** A description's `language`: `{href}` in the productExtend sample, possibly embedded with id/innerId/code. */
const LanguageRef = z.preprocess(
  (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
    const record = value as Record<string, unknown>;
    return { href: looseText(record['href']), id: looseText(record['id']), innerId: looseText(record['innerId']), code: looseText(record['code']) };
  },
  z
    .object({ href: z.string().nullable(), id: z.string().nullable(), innerId: z.string().nullable(), code: z.string().nullable() })
    .nullable(),
);

/** One `productDescriptions[]` entry: per language, with the quantity unit (`measurementUnit`, reference §8.1). */
export const ProductDescriptionWire = z.object({ name: Text, measurementUnit: Text, language: LanguageRef });
export type ProductDescriptionWire = z.infer<typeof ProductDescriptionWire>;

/**
 * `/productExtend/{id}`: only what the invoice needs. `productDescriptions` must be the embedded
 * array; a bare href there fails, so the order waits rather than silently losing its unit.
 */
export const ProductExtendWire = z.object({
  id: Text,
  productDescriptions: embeddedList(ProductDescriptionWire),
});
export type ProductExtendWire = z.infer<typeof ProductExtendWire>;
