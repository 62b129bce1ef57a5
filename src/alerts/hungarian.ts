/**
 * Hungarian grammar for numbers in running text: the article ("a" or "az") and the adjective
 * suffix ("-es", "-as", "-os", "-ös") both follow how the number is read aloud, e.g. "az 1234-es
 * rendelés" (ezerkétszázharmincnégy), "a 3-as", "az 5-ös", "a 20-as", "a 100-as".
 */

/** Suffix by the last spoken word: units, then tens, hundreds, thousands, millions. */
const UNIT_SUFFIX = ['', 'es', 'es', 'as', 'es', 'ös', 'os', 'es', 'as', 'es'];
const TEN_SUFFIX = ['', 'es', 'as', 'as', 'es', 'es', 'as', 'es', 'as', 'es'];

function isCount(text: string): boolean {
  return /^[1-9]\d{0,14}$/.test(text);
}

/** "1234" -> "1234-es"; anything that is not a plain number is left as it is. */
export function numberAdjective(text: string): string {
  if (!isCount(text)) return text;
  const digits = text;
  const unit = Number(digits.at(-1));
  if (unit !== 0) return `${digits}-${UNIT_SUFFIX[unit]}`;
  const ten = digits.length >= 2 ? Number(digits.at(-2)) : 0;
  if (ten !== 0) return `${digits}-${TEN_SUFFIX[ten]}`;
  const hundred = digits.length >= 3 ? Number(digits.at(-3)) : 0;
  if (hundred !== 0) return `${digits}-as`; // száz
  const zeros = digits.length - digits.replace(/0+$/, '').length;
  return zeros >= 6 ? `${digits}-s` : `${digits}-es`; // millió, ezer
}

/** "a" or "az" before the number as read aloud; "a(z)" for anything else. */
export function articleFor(text: string): 'a' | 'az' | 'a(z)' {
  if (!isCount(text)) return 'a(z)';
  const groups = text.length % 3 === 0 ? 3 : text.length % 3;
  const lead = Number(text.slice(0, groups));
  // 1 "egy", 1000-1999 "ezer...", 1 000 000-1 999 999 "egymillió...".
  if (lead === 1) return 'az';
  if (lead >= 100) return Math.floor(lead / 100) === 5 ? 'az' : 'a'; // ötszáz; száz, kétszáz...
  if (lead >= 10) return Math.floor(lead / 10) === 5 ? 'az' : 'a'; // ötven; tíz, húsz...
  return lead === 5 ? 'az' : 'a'; // öt; kettő, három...
}

/** "az 1234-es" / "Az 1234-es" (capitalised at a sentence start). */
export function theNumbered(text: string, capital = false): string {
  const article = articleFor(text);
  const phrase = `${article} ${numberAdjective(text)}`;
  return capital ? phrase[0]!.toUpperCase() + phrase.slice(1) : phrase;
}

/** Whole amounts with a space between thousands: 12990 -> "12 990". */
export function groupThousands(whole: bigint | number): string {
  const text = BigInt(whole).toString();
  const negative = text.startsWith('-');
  const digits = negative ? text.slice(1) : text;
  return (negative ? '-' : '') + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}
