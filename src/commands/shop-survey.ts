import { formatAmount4, parseAmount4 } from '../domain/money.js';
import { listStatusNames } from '../runtime.js';
import type { ShoprenterClient } from '../shoprenter/client.js';
import type { StatusName } from '../sync/statuses.js';

/** What the live shop uses, as `check` and `init-config` need it. */
export interface ShopSurvey {
  paymentModes: { code: string; name: string }[];
  shippingModes: { extension: string; name: string }[];
  /** VAT percentages as config keys ("27", "5", "0"). */
  taxRates: string[];
  statuses: StatusName[];
}

/** Four list calls (more for big lists), paced by the shared rate limiter like every other call. */
export async function surveyShop(shoprenter: ShoprenterClient): Promise<ShopSurvey> {
  const payments = await shoprenter.listPaymentModes();
  const shippings = await shoprenter.listShippingModes();
  const taxClasses = await shoprenter.listTaxClasses();
  const statuses = await listStatusNames(shoprenter);
  const paymentModes = unique(
    payments.flatMap((p) => (p.code ? [{ code: p.code, name: p.paymentDescription?.[0]?.name ?? p.code }] : [])),
    (p) => p.code.toUpperCase(),
  );
  const shippingModes = unique(
    shippings.flatMap((s) => (s.extension ? [{ extension: s.extension, name: s.name ?? s.extension }] : [])),
    (s) => s.extension.toUpperCase(),
  );
  const taxRates = [
    ...new Set(
      taxClasses.flatMap((t) =>
        (t.taxRates ?? []).flatMap((r) => {
          const rate = r.rate === null ? null : parseAmount4(r.rate);
          return rate === null ? [] : [formatAmount4(rate)];
        }),
      ),
    ),
  ].sort((a, b) => Number(b) - Number(a));
  return { paymentModes, shippingModes, taxRates, statuses: unique(statuses, (s) => `${s.id}/${s.name}`) };
}

function unique<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Cashman's fizetesmod texts (reference cashman-fx-api.md §9) for Shoprenter's payment codes. */
export const FIZETESMOD_GUESS: Record<string, string> = {
  COD: 'Utánvét',
  COD2: 'Utánvét',
  COD3: 'Utánvét',
  COD4: 'Utánvét',
  BANK_TRANSFER: 'Átutalás',
  BARION: 'Barion',
  SIMPLE: 'Bankkártya',
  OTPSIMPLE: 'Bankkártya',
  PAYPAL: 'PayPal',
  OTP_SZEP: 'Szép kártya',
  STRIPE: 'Bankkártya',
  CASH: 'Készpénz',
  PERSONAL: 'Készpénz',
};
