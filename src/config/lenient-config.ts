import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { FileConfig } from './schema.js';

/**
 * The valid parts of a config.yaml that does not validate as a whole, for `check` only: it still
 * compares the live shop with what the file maps (issue 17, "every problem at once"). Each top-level
 * section is taken when it validates alone; a section that does not is taken key by key, so one
 * unfilled `~` or typo drops only its own entry. Null when the YAML itself does not parse. The
 * daemon never runs on this: it refuses a config with any problem.
 */
export function validParts(path: string): FileConfig | null {
  let raw: unknown;
  try {
    const doc = parseDocument(readFileSync(path, 'utf8'), { uniqueKeys: true, prettyErrors: false });
    if (doc.errors.length > 0) return null;
    raw = doc.toJS();
  } catch {
    return null;
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return null;
  const taken: Record<string, unknown> = { version: 1 };
  for (const [section, value] of Object.entries(raw as Record<string, unknown>)) {
    if (section === 'version' || section === '$schema') continue;
    if (valid({ [section]: value })) {
      taken[section] = value;
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) continue;
    const entries = Object.entries(value as Record<string, unknown>).filter(([key, entry]) => valid({ [section]: { [key]: entry } }));
    taken[section] = Object.fromEntries(entries);
  }
  const parsed = FileConfig.safeParse(taken);
  return parsed.success ? parsed.data : null;
}

function valid(part: Record<string, unknown>): boolean {
  return FileConfig.safeParse({ version: 1, ...part }).success;
}
