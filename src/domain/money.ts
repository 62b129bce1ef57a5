/**
 * Exact money arithmetic. Shoprenter sends amounts as decimal strings with 4 decimals
 * ("3990.0000"); we keep them as bigint counts of 1/10 000 ("Amount4") and only ever turn them
 * into whole minor units (forint, cent) through `roundHalfUp`. No floating point anywhere.
 */

/** A decimal value scaled by 10^4: "27.0000" -> 270000n. Used for amounts, rates and quantities. */
export type Amount4 = bigint;

export const SCALE4 = 10_000n;

const DECIMAL = /^([+-])?(\d+)(?:\.(\d+))?$/;

/** Parses "1234.5678", "-12", "970.0714" into Amount4; digits beyond the 4th are rounded half up. Returns null when not a plain decimal. */
export function parseAmount4(text: string): Amount4 | null {
  return parseSmallAmount4(text) ?? parseAnyAmount4(text);
}

/**
 * The common case of parseAmount4 without a regex or a BigInt parse: at most 11 whole digits and
 * 4 decimals, so the scaled value stays below 2^53 and Number arithmetic on it is exact. Returns
 * undefined for anything else (longer, or not a plain decimal), which parseAnyAmount4 then reads.
 */
function parseSmallAmount4(text: string): Amount4 | null | undefined {
  const s = text.trim();
  let i = 0;
  const first = s.charCodeAt(0);
  if (first === 43 /* + */ || first === 45 /* - */) i = 1;
  const start = i;
  let whole = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    whole = whole * 10 + c;
  }
  if (i === start || i - start > 11) return undefined;
  let frac = 0;
  if (i < s.length) {
    if (s.charCodeAt(i) !== 46 /* . */ || i + 1 === s.length || s.length - i - 1 > 4) return undefined;
    let scale = 1000;
    for (i += 1; i < s.length; i++, scale /= 10) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return undefined;
      frac += c * scale;
    }
  }
  const value = BigInt(whole * 10_000 + frac);
  return first === 45 ? -value : value;
}

function parseAnyAmount4(text: string): Amount4 | null {
  const m = DECIMAL.exec(text.trim());
  if (!m) return null;
  const [, sign, whole = '0', frac = ''] = m;
  // One BigInt of the digits with the fraction cut or padded to 4 ("3990" + "0000"), not two and a product.
  let value = BigInt(whole + (frac.length >= 4 ? frac.slice(0, 4) : frac.padEnd(4, '0')));
  if (frac.length > 4 && frac.charCodeAt(4) >= 53 /* '5' */) value += 1n;
  return sign === '-' ? -value : value;
}

const POWERS = Array.from({ length: 13 }, (_, n) => 10n ** BigInt(n));

/** 10^n as a bigint; the small powers every amount conversion needs are made once. */
export function pow10(n: number): bigint {
  return POWERS[n] ?? 10n ** BigInt(n);
}

/** Integer division rounding half away from zero (the Hungarian "kerekítés" convention). */
export function roundHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw new RangeError('division by zero');
  if (denominator < 0n) return roundHalfUp(-numerator, -denominator);
  const negative = numerator < 0n;
  const abs = negative ? -numerator : numerator;
  const q = (abs * 2n + denominator) / (denominator * 2n);
  return negative ? -q : q;
}

/** Amount4 -> whole minor units of a currency with `decimals` digits (HUF 0, EUR 2). */
export function toMinor(value: Amount4, decimals: number): bigint {
  return roundHalfUp(value * pow10(decimals), SCALE4);
}

/** Minor units -> decimal text as Cashman expects it: 7874n,0 -> "7874"; -1234n,2 -> "-12.34". */
export function formatMinor(minor: bigint, decimals: number): string {
  const negative = minor < 0n;
  const abs = negative ? -minor : minor;
  if (decimals === 0) return (negative ? '-' : '') + abs.toString();
  const s = abs.toString().padStart(decimals + 1, '0');
  return `${negative ? '-' : ''}${s.slice(0, -decimals)}.${s.slice(-decimals)}`;
}

/** Amount4 -> shortest decimal text: 270000n -> "27", 15000n -> "1.5". */
export function formatAmount4(value: Amount4): string {
  // Quantities and rates are mostly whole: "2", "27".
  if (value % SCALE4 === 0n) return (value / SCALE4).toString();
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const whole = abs / SCALE4;
  const frac = (abs % SCALE4).toString().padStart(4, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${frac ? '.' + frac : ''}`;
}
