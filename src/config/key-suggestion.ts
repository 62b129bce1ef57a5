import { configJsonSchema } from './json-schema.js';

/**
 * "Did you mean": the known key nearest to a mistyped one (`intervalSecond` -> `intervalSeconds`),
 * read from the same schema editors get, so every section suggests from exactly the keys it takes.
 * Near = at most three letters (fewer for short keys) added, removed or changed, or the same word in another case.
 */
export function nearestKey(sectionPath: readonly string[], typed: string): string | null {
  const known = keysAt(sectionPath);
  let best: { key: string; distance: number } | null = null;
  for (const key of known) {
    const distance = key.toLowerCase() === typed.toLowerCase() ? 0 : editDistance(key, typed);
    if (distance <= Math.min(3, Math.floor(key.length / 4)) && (best === null || distance < best.distance)) best = { key, distance };
  }
  return best?.key ?? null;
}

let schema: Record<string, unknown> | null = null;

function keysAt(path: readonly string[]): string[] {
  schema ??= configJsonSchema();
  let node: Record<string, unknown> | undefined = schema;
  for (const key of path) {
    const properties = node?.['properties'] as Record<string, Record<string, unknown>> | undefined;
    node = properties?.[key];
  }
  const properties = node?.['properties'] as Record<string, unknown> | undefined;
  return properties ? Object.keys(properties).filter((key) => key !== '$schema') : [];
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}
