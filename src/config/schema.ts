import { z } from 'zod';
import { DEFAULT_LINE_NAMES } from '../domain/mapping-config.js';
import { formatAmount4, parseAmount4 } from '../domain/money.js';

/**
 * config.yaml, version 1 (SPEC §3). Strict: an unknown key is a startup error naming the key and
 * its line, so a typo never silently turns a mapping off. VAT keys are normalised here once
 * ("27.0" -> "27"); payment and shipping codes are compared case-insensitively by the domain.
 */

const LOCAL_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;

function isTimeZone(zone: string): boolean {
  // The canonical names first: asking DateTimeFormat loads its whole engine (~5 MB resident), which
  // the daemon otherwise does without (src/domain/shop-clock.ts). Aliases ("UTC") still go through it.
  if (Intl.supportedValuesOf('timeZone').includes(zone)) return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const positiveId = z.number().int().positive();

function isRegExp(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

const regExpText = z.string().min(1).refine(isRegExp, 'not a valid regular expression');

const vatRates = z
  .record(z.string(), positiveId)
  .superRefine((rates, ctx) => {
    for (const key of Object.keys(rates)) {
      const rate = parseAmount4(key);
      if (rate === null || rate < 0n || rate > 1_000_000n) {
        ctx.addIssue({ code: 'custom', path: [key], message: `"${key}" is not a VAT percentage such as "27"` });
      }
    }
  })
  .transform((rates) =>
    Object.fromEntries(Object.entries(rates).map(([key, id]) => [formatAmount4(parseAmount4(key) ?? 0n), id])),
  );

export const FileConfig = z.strictObject({
  $schema: z.string().optional(),
  version: z.literal(1, { message: 'must be 1 (the only config format this version knows)' }),
  sync: z
    .strictObject({
      intervalSeconds: z.number().int().min(5).max(3600).default(30),
      startFrom: z
        .string()
        .regex(LOCAL_DATETIME, 'must look like "2026-11-01T00:00:00" (shop-local, no time zone)')
        .optional(),
      statuses: z.array(z.union([z.string().min(1), z.number().int()]).transform(String)).default([]),
      /** Status ids or names that mean "cancelled": a drafted order moving there is reported (SPEC §1.7); never drafted. */
      cancelStatuses: z.array(z.union([z.string().min(1), z.number().int()]).transform(String)).default([]),
      /** Drafts a fresh ledger makes before it waits for `approve` (SPEC §1.8); 0 = no pilot. */
      pilotOrders: z.number().int().min(0).max(1000).default(3),
      overlapMinutes: z.number().int().min(1).max(1440).default(10),
      /** Hours between storno checks, which find a storno that left dateUpdated alone (src/sync/storno-check.ts); 0 = at every sweep. */
      stornoCheckHours: z.number().min(0).max(168).default(24),
      timezone: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Budapest').default('Europe/Budapest'),
    })
    .prefault({}),
  invoice: z
    .strictObject({
      operation: z.number().int().positive().default(4),
      dueDays: z.number().int().min(0).max(365).default(8),
      /** The fulfilment date (`teljesites`): the order's date, or the day the draft is made. The issue date is always the draft's day. */
      fulfilmentDate: z.enum(['order', 'draft']).default('order'),
      orderNumberText: z.string().min(1).default('Shoprenter rendelés: {orderNumber}'),
      /** Fetch each product line's chosen options (the order listing carries only a link): read per line, in the order's one batch request (src/shoprenter/batch.ts). */
      productOptions: z.boolean().default(true),
      lineNames: z
        .strictObject({
          discount: z.string().min(1).default(DEFAULT_LINE_NAMES.discount),
          coupon: z.string().min(1).default(DEFAULT_LINE_NAMES.coupon),
          loyalty: z.string().min(1).default(DEFAULT_LINE_NAMES.loyalty),
          // Appended with the shop's payment method name: "Kezelési költség (Utánvétel)".
          paymentFee: z.string().min(1).default(DEFAULT_LINE_NAMES.paymentFee),
        })
        .prefault({}),
    })
    .prefault({}),
  partners: z
    .strictObject({
      codePrefix: z.string().regex(/^[A-Za-z0-9_-]{0,10}$/, 'must be up to 10 letters, digits, "-" or "_"').default('SR'),
      codeDigits: z.number().int().min(3).max(12).default(6),
    })
    .prefault({}),
  vatRates: vatRates.default({}),
  /**
   * VAT case of a 0 % line -> Cashman afa_id of its exemption row (SPEC §1.6). `vatRates."0"`
   * still serves domestic and deposit lines when their key is absent; intraEu and export never fall back.
   */
  vatExemptions: z
    .strictObject({
      domestic: positiveId.optional(),
      deposit: positiveId.optional(),
      intraEu: positiveId.optional(),
      export: positiveId.optional(),
    })
    .default({}),
  units: z
    .strictObject({
      default: z.string().min(1).default('db'),
      /** Read each product's measurement unit from Shoprenter (cached per product; needs the product.product:read scope). */
      fromProducts: z.boolean().default(true),
      ids: z.record(z.string(), positiveId).default({}),
    })
    .prefault({}),
  paymentMethods: z.record(z.string(), z.string().min(1)).default({}),
  shippingMethods: z.record(z.string(), z.string().min(1)).default({}),
  cashman: z
    .strictObject({
      timeoutSeconds: z.number().int().min(1).max(300).default(30),
      /**
       * While orders are drafted back to back, open the next request's connection while Cashman
       * answers the current one (a TCP and TLS handshake less between two requests); false = each
       * connection is opened when its request is ready.
       */
      preconnect: z.boolean().default(true),
      /** Regular expression recognising Cashman's login-failure wording (undocumented by the vendor). */
      loginErrorPattern: regExpText.optional(),
      /** Regular expression a created draft's answer must match (op 4's answer is undocumented); anything else is "uncertain". */
      draftAnswerPattern: regExpText.optional(),
    })
    .prefault({}),
  alerts: z
    .strictObject({
      /** Language of alert, e-mail and summary texts; the logs stay English. */
      language: z.enum(['hu', 'en']).default('hu'),
      /** "07:30": one summary e-mail a day about the day before, shop-local; null (~) = off. Needs SMTP_URL. */
      dailySummaryAt: z
        .string()
        .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a shop-local time like "07:30" (HH:MM, 24-hour)')
        .nullable()
        .default(null),
    })
    .prefault({}),
  /** Cashman's stock in the shop (SPEC §6). */
  stock: z
    .strictObject({
      enabled: z.boolean().default(false),
      intervalMinutes: z.number().int().min(5).max(1440).default(10),
      matchBy: z.enum(['sku', 'barcode']).default('sku'),
      field: z.enum(['stock1', 'stock2', 'stock3', 'stock4']).default('stock1'),
      /** Status innerIds or names of orders whose goods are taken but not yet invoiced in Cashman. */
      openStatuses: z.array(z.union([z.string().min(1), z.number().int()]).transform(String)).default([]),
      openOrderDays: z.number().int().min(0).max(365).default(30),
      warehouseId: positiveId.nullable().default(null),
      maxChangeShare: z.number().gt(0).max(1).default(0.2),
    })
    .prefault({}),
});

export type FileConfig = z.infer<typeof FileConfig>;
