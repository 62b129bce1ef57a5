import type { MappingConfig } from './mapping-config.js';
import type { Order } from './order.js';
import type { PartnerData } from './partner.js';
import { formatAmount4, SCALE4, type Amount4 } from './money.js';
import { refuse, reasons } from './draft-reasons.js';
import { upperTrimmed } from './words.js';

/**
 * The VAT case of a 0 % line (SPEC §1.6, reference/hungarian-invoicing.md, nav-rules.md §5): NAV
 * refuses a 0 % rate, so each such line must carry an exemption or out-of-scope case, and which one
 * follows from what the line is and who buys.
 *
 * - `deposit`: a deposit fee (orderProductAddons of type DEPOSIT_FEE, betétdíj / DRS);
 * - `intraEu`: a business buyer whose EU VAT number is of another member state (KBAET);
 * - `export`: a buyer whose billing country is outside the EU-27 (EAM);
 * - `domestic`: any other 0 % line (AAM, TAM, ...).
 *
 * Only 0 % lines get a case: when the shop charged 27 % to an EU business buyer (its 0 % tax class
 * for EU B2B is not set up), the invoice says what was charged; the daemon does not re-rate.
 */
export type VatCase = 'deposit' | 'intraEu' | 'export' | 'domestic';

export const VAT_CASES: readonly VatCase[] = ['domestic', 'deposit', 'intraEu', 'export'];

/** The rates a Hungarian invoice may carry besides an exemption (nav-rules.md §2, INVALID_VAT_DATA). */
export const HU_RATES: readonly Amount4[] = [5n * SCALE4, 18n * SCALE4, 27n * SCALE4];

/** EU-27 ISO codes (Greece is GR here; its VAT prefix is EL). */
const EU_COUNTRIES = new Set('AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK'.split(' '));

/** The case of the buyer's 0 % lines (deposit fees aside): intraEu, export or domestic. */
export function buyerVatCase(partner: PartnerData): Exclude<VatCase, 'deposit'> {
  const prefix = partner.euVatNumber?.slice(0, 2) ?? null;
  if (prefix !== null && prefix !== 'HU') return 'intraEu';
  const country = partner.countryCode;
  // No country code: the adapter had none to give, and build-partner already takes such an address as domestic.
  if (country !== null && !EU_COUNTRIES.has(country)) return 'export';
  return 'domestic';
}

/** The case of one addon line: a deposit fee, or whatever the buyer's case is. */
export function addonVatCase(type: string, buyer: Exclude<VatCase, 'deposit'>): VatCase {
  return upperTrimmed(type) === 'DEPOSIT_FEE' ? 'deposit' : buyer;
}

/**
 * Cashman afa_id of a line: its rate through `vatRates`, or for 0 % its case through
 * `vatExemptions`. `vatRates."0"` stands for domestic and deposit only (existing configs); an
 * intra-EU or export line never falls back to it. A rate outside 5/18/27/0 is refused outright:
 * NAV would reject it however config.yaml maps it.
 */
export function vatIdFor(order: Order, what: string, rate: Amount4, vatCase: VatCase, config: MappingConfig): number {
  if (rate < 0n || rate >= 100n * SCALE4) refuse(reasons.vatInvalid(order.orderNumber, what, rate));
  if (rate === 0n) {
    const exempt = config.vatExemptions?.[vatCase];
    const fallback = vatCase === 'domestic' || vatCase === 'deposit' ? config.vatRates['0'] : undefined;
    return exempt ?? fallback ?? refuse(reasons.vatCaseUnmapped(order.orderNumber, vatCase, what));
  }
  if (!HU_RATES.includes(rate)) refuse(reasons.vatNotHungarian(order.orderNumber, what, rate));
  const key = formatAmount4(rate);
  const id = Object.hasOwn(config.vatRates, key) ? config.vatRates[key] : undefined;
  return id ?? refuse(reasons.vatUnmapped(rate));
}
