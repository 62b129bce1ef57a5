import { addMinutes } from '../domain/shop-clock.js';

/** Date ranges of the window walk (list-windows.ts): how a window is asked, cut and named. */

/** Seconds from `min` to `max`, both included; null = open on that side. */
export interface Range {
  min: string | null;
  max: string | null;
}

/** A window of dateUpdated, and within it of dateCreated (null = any). */
export interface Window {
  updated: Range;
  created: Range | null;
}

export const addSeconds = (local: string, seconds: number) => addMinutes(local, seconds / 60);

export function when(range: Range): string {
  if (range.min !== null && range.min === range.max) return `at ${range.min}`;
  return `between ${range.min ?? 'the start'} and ${range.max ?? 'now'}`;
}

/** Two ranges split at the middle distinct date of `sorted` (within `range`); null when it holds fewer than two. */
export function halve(range: Range, sorted: readonly string[]): [Range, Range] | null {
  const distinct = [...new Set(sorted)].filter((d) => inRange(range, d));
  if (distinct.length < 2) return null;
  const middle = distinct[Math.floor(distinct.length / 2)] as string;
  return [
    { min: range.min, max: addSeconds(middle, -1) },
    { min: middle, max: range.max },
  ];
}

export function widen(range: Range): Range {
  return { min: range.min === null ? null : addSeconds(range.min, -1), max: range.max === null ? null : addSeconds(range.max, 1) };
}

/** An unreadable date cannot be placed: such an order belongs to every window (and is handed over once). */
export function inRange(range: Range, date: string | null): boolean {
  if (date === null) return true;
  return (range.min === null || date >= range.min) && (range.max === null || date <= range.max);
}

/**
 * Consecutive ranges covering `range`, cut between distinct seconds so each holds at most `target`
 * of `sorted`. A second that alone holds more than `target` gets a range of its own (then cut by
 * the other date) padded by one quiet second on each side, overlapping paddings merged: the
 * neighbours' questions, one second wider than their ranges, then stop short of the crowd.
 */
export function cutAt(range: Range, sorted: readonly string[], target: number): Range[] {
  const groups: { date: string; count: number }[] = [];
  for (const date of sorted) {
    const last = groups.at(-1);
    if (last?.date === date) last.count += 1;
    else groups.push({ date, count: 1 });
  }
  const clampMin = (d: string) => (range.min !== null && d < range.min ? range.min : d);
  const clampMax = (d: string) => (range.max !== null && d > range.max ? range.max : d);
  const crowds: { min: string; max: string }[] = [];
  for (const { date, count } of groups) {
    if (count <= target) continue;
    const padded = { min: clampMin(addSeconds(date, -1)), max: clampMax(addSeconds(date, 1)) };
    const last = crowds.at(-1);
    if (last && padded.min <= last.max) last.max = padded.max;
    else crowds.push(padded);
  }
  const parts: Range[] = [];
  let from: string | null = range.min;
  /** The quiet stretch from `from` to `upTo`, cut greedily at about `target` orders a part. */
  const quiet = (upTo: string | null) => {
    const inside = groups.filter((g) => (from === null || g.date >= from) && (upTo === null || g.date <= upTo));
    let start = from;
    let inPart = 0;
    for (const { date, count } of inside) {
      if (inPart > 0 && inPart + count > target && (start === null || date > start)) {
        parts.push({ min: start, max: addSeconds(date, -1) });
        start = date;
        inPart = 0;
      }
      inPart += count;
    }
    parts.push({ min: start, max: upTo });
  };
  for (const crowd of crowds) {
    if (from === null || crowd.min > from) quiet(addSeconds(crowd.min, -1));
    parts.push(crowd);
    from = addSeconds(crowd.max, 1);
  }
  if (range.max === null || from === null || from <= range.max) quiet(range.max);
  return parts;
}
