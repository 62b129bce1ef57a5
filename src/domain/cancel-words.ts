/**
 * Whether an order status's name means the order will not be invoiced: cancelled, refused or
 * returned (issue 17). Shop staff name statuses themselves, in Hungarian or English, with or
 * without accents ("Törölve", "TOROLVE", "Visszáru"), so names are compared without case and
 * accents, by word stems. `sure` stems go into `cancelStatuses` as they are; `maybe` stems (a
 * failed payment, a parcel not picked up) may or may not mean the sale is off, so `init-config`
 * leaves a TODO for a person instead of guessing.
 */
const SURE = [
  'torol', // Törölve, Törölt
  'visszamond', // Visszamondva
  'lemond', // Lemondva
  'sztorn', // Sztornózva, Sztornó
  'storn',
  'elutasit', // Elutasítva
  'visszautasit', // Visszautasítva
  'visszaru', // Visszáru
  'visszakuld', // Visszaküldve
  'visszaterit', // Visszatérítve
  'visszavon', // Visszavonva
  'visszautal', // Visszautalva (the money sent back)
  'elall', // Elállás, Elállt (withdrawal from the purchase)
  'cancel',
  'refus',
  'reject',
  'refund',
  'return',
];
/** Stems that need a word edge: "Törlés" is a deletion, "Törlesztés" (paying by instalments) is not. */
const SURE_PATTERNS = [/\btorles(?!zt)/, /\btorlendo\b/];
const MAYBE = ['megszakit', 'sikertelen', 'meghiusul', 'nem vette at', 'atvetel megtagad', 'megtagad', 'lejart', 'failed', 'expired', 'undeliver'];

export type CancelGuess = 'sure' | 'maybe' | null;

/** Lower case, accents removed (ő -> o, ű -> u, á -> a), runs of non-letters as one space. */
export function plainName(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

export function cancelGuess(name: string): CancelGuess {
  const plain = plainName(name);
  if (SURE.some((stem) => plain.includes(stem)) || SURE_PATTERNS.some((pattern) => pattern.test(plain))) return 'sure';
  if (MAYBE.some((stem) => plain.includes(stem))) return 'maybe';
  return null;
}

/** Whether a configured status list (ids or names) names this status. */
export function listsStatus(list: readonly string[], status: { id: string; name: string }): boolean {
  const name = status.name.trim().toLocaleLowerCase('hu');
  return list.some((entry) => entry.trim() === status.id || entry.trim().toLocaleLowerCase('hu') === name);
}
