import { seededRandom } from './shoprenter-fixtures.js';

/**
 * How the stand-in orders and cuts its order lists. Shoprenter's list order is undocumented
 * (reference §5.2) and it has been seen answering 25 items to a request for more than 200, so the
 * daemon must be right under any of these: by dateUpdated (the stand-in's historical order), newest
 * change first, by id (what the docs' sample suggests), or shuffled afresh on every request; and with a page cap
 * below the `limit` asked for (the envelope then tells the limit it really used, with `next`).
 */
export type ListOrder = 'dateUpdated' | 'newest' | 'id' | 'random';

/**
 * Which ends of a date filter (`updatedAtMin`/`updatedAtMax`, `createdAtMin`/`createdAtMax`) hold
 * the orders exactly on them: `[` / `]` include that second, `(` / `)` leave it out. Shoprenter
 * does not document it (reference §5.3), and nothing says both ends behave alike.
 */
export type BoundShape = '[]' | '()' | '[)' | '(]';
export const BOUND_SHAPES: readonly BoundShape[] = ['[]', '()', '[)', '(]'];

export interface ListingControls {
  order: ListOrder;
  /** Most items on one page whatever `limit` says; null = the documented 200. */
  pageCap: number | null;
  /** Whether the date filters keep the orders exactly on each bound; see BoundShape. */
  bounds: BoundShape;
  /** Called before each orderExtend list request is answered: tests change the shop mid-walk here. */
  onList: ((query: URLSearchParams) => void) | null;
  random: () => number;
}

export function defaultListing(seed = 1): ListingControls {
  return { order: 'dateUpdated', pageCap: null, bounds: '[]', onList: null, random: seededRandom(seed) };
}

const text = (o: Record<string, unknown>, key: string): string => {
  const v = o[key];
  return typeof v === 'string' || typeof v === 'number' ? String(v) : '';
};

/** `orders` in the listing's order (a new array). */
export function listingOrder(orders: Record<string, unknown>[], controls: ListingControls): Record<string, unknown>[] {
  const byId = (a: Record<string, unknown>, b: Record<string, unknown>) => Number(a['innerId']) - Number(b['innerId']);
  if (controls.order === 'id') return [...orders].sort(byId);
  const byDate = (a: Record<string, unknown>, b: Record<string, unknown>) => text(a, 'dateUpdated').localeCompare(text(b, 'dateUpdated')) || byId(a, b);
  if (controls.order === 'dateUpdated') return [...orders].sort(byDate);
  if (controls.order === 'newest') return [...orders].sort((a, b) => byDate(b, a));
  const shuffled = [...orders];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(controls.random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j] as Record<string, unknown>, shuffled[i] as Record<string, unknown>];
  }
  return shuffled;
}

/** Whether `date` passes a `min`/`max` date filter under `shape` (fixed-width, offset-less dates compare as text). */
export function withinBounds(date: string, min: string | null, max: string | null, shape: BoundShape): boolean {
  const aboveMin = min === null || (shape.startsWith('[') ? date >= min : date > min);
  const belowMax = max === null || (shape.endsWith(']') ? date <= max : date < max);
  return aboveMin && belowMax;
}
