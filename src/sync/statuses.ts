import { ConfigError } from '../errors.js';

/** A status as the shop admin names it, with its inner id. */
export interface StatusName {
  id: string;
  name: string;
}

/**
 * `sync.statuses` accepts inner ids ("5") or the names shop staff see ("Teljesítve"). Names are
 * per shop and per language (reference §6), so they are looked up once at start; a name the shop
 * does not have is a config error, not a silent "never matches".
 */
export async function resolveStatusIds(
  statuses: readonly string[],
  listStatuses: () => Promise<StatusName[]>,
  key = 'sync.statuses',
): Promise<ReadonlySet<string> | null> {
  if (statuses.length === 0) return null;
  const ids = new Set<string>();
  const names = statuses.filter((status) => !/^\d+$/.test(status.trim()));
  for (const status of statuses) if (/^\d+$/.test(status.trim())) ids.add(status.trim());
  if (names.length === 0) return ids;
  const known = await listStatuses();
  for (const name of names) {
    const wanted = name.trim().toLocaleLowerCase('hu');
    const matches = known.filter((status) => status.name.trim().toLocaleLowerCase('hu') === wanted);
    if (matches.length === 0) {
      const available = [...new Set(known.map((s) => `"${s.name}"`))].join(', ');
      throw new ConfigError(`${key} names "${name}", but the shop has no such order status; the shop has ${available || 'none'}.`);
    }
    for (const match of matches) ids.add(match.id);
  }
  return ids;
}
