import { startCashmanStandin, type CashmanStandin, type CashmanStandinOptions } from './cashman-standin.js';
import { startShoprenterStandin, type ShoprenterStandin, type ShoprenterStandinOptions } from './shoprenter-standin.js';

/**
 * Both stand-ins started together, plus the environment and config.yaml text that point the real
 * daemon at them. Used by `demo`, the end-to-end and crash tests, and the benchmark, so all of them
 * exercise exactly the production wiring.
 */
export interface LocalShop {
  shoprenter: ShoprenterStandin;
  cashman: CashmanStandin;
  /** Environment for the daemon (add DATABASE_PATH and CONFIG_PATH). */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** Cashman ids the stand-in tenant knows; DEMO_CONFIG maps to them. */
export const DEMO_VAT_IDS = { '27': 32, '18': 33, '5': 34, '0': 35 } as const;
export const DEMO_UNIT_IDS = { db: 19, kg: 20 } as const;

export async function startLocalShop(
  options: { shoprenter?: ShoprenterStandinOptions; cashman?: CashmanStandinOptions } = {},
): Promise<LocalShop> {
  const shoprenter = await startShoprenterStandin({ shop: 'demo', ...options.shoprenter });
  const cashman = await startCashmanStandin({
    group: 'demo',
    user: 'api',
    password: 'standin-cashman-password',
    vatIds: Object.values(DEMO_VAT_IDS),
    unitIds: Object.values(DEMO_UNIT_IDS),
    ...options.cashman,
  }).catch(async (error: unknown) => {
    await shoprenter.close();
    throw error;
  });
  const env = {
    SHOPRENTER_SHOP: shoprenter.shop,
    SHOPRENTER_CLIENT_ID: shoprenter.clientId,
    SHOPRENTER_CLIENT_SECRET: shoprenter.clientSecret,
    SHOPRENTER_API_URL: shoprenter.url,
    SHOPRENTER_TOKEN_URL: shoprenter.tokenUrl,
    CASHMAN_API_URL: cashman.url,
    CASHMAN_GROUP: 'demo',
    CASHMAN_USER: 'api',
    CASHMAN_PASSWORD: options.cashman?.password ?? 'standin-cashman-password',
  };
  return {
    shoprenter,
    cashman,
    env,
    close: async () => {
      await Promise.all([shoprenter.close(), cashman.close()]);
    },
  };
}

/** config.yaml for the stand-in shop: every payment, shipping and VAT value of the sample data mapped. */
/** The pilot is off unless asked for: the stand-in's sample orders are checked by the tests, not by a person. */
export function demoConfigYaml(
  overrides: { startFrom?: string; intervalSeconds?: number; statuses?: string[]; cancelStatuses?: string[]; productLookups?: boolean; pilotOrders?: number } = {},
): string {
  const lookups = overrides.productLookups ?? true;
  return `version: 1
sync:
  intervalSeconds: ${overrides.intervalSeconds ?? 30}
  startFrom: "${overrides.startFrom ?? '2026-11-01T00:00:00'}"
  statuses: [${(overrides.statuses ?? []).map((s) => JSON.stringify(s)).join(', ')}]
  cancelStatuses: [${(overrides.cancelStatuses ?? ['7']).map((s) => JSON.stringify(s)).join(', ')}]
  pilotOrders: ${overrides.pilotOrders ?? 0}
  overlapMinutes: 10
  timezone: Europe/Budapest
invoice:
  operation: 4
  dueDays: 8
  orderNumberText: "Shoprenter rendelés: {orderNumber}"
  productOptions: ${lookups}
partners:
  codePrefix: SR
  codeDigits: 6
vatRates:
${Object.entries(DEMO_VAT_IDS).map(([rate, id]) => `  "${rate}": ${id}`).join('\n')}
units:
  default: db
  fromProducts: ${lookups}
  ids:
${Object.entries(DEMO_UNIT_IDS).map(([unit, id]) => `    ${unit}: ${id}`).join('\n')}
paymentMethods:
  COD: Utánvét
  BANK_TRANSFER: Átutalás
  BARION: Barion
  SIMPLE: Bankkártya
shippingMethods:
  default: Szállítási díj
  GLS: GLS házhozszállítás
  FOXPOST: Foxpost csomagautomata
  MPLPARCELMACHINE: MPL csomagautomata
cashman:
  timeoutSeconds: 5
`;
}
