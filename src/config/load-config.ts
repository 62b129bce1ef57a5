import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError } from '../errors.js';
import { formatProblems, schemaProblems, yamlProblems } from './config-errors.js';
import { nearestKey } from './key-suggestion.js';
import { FileConfig } from './schema.js';

/**
 * Reads and validates config.yaml. Every problem is reported at once, each naming the key and the
 * line, e.g. `config.yaml line 14: vatRates."27" must be a number (found "x").`
 */
export function loadConfig({ path }: { path: string }): FileConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ConfigError(`Cannot read the config file ${path}; create it with "init-config" or copy config/config.example.yaml.`);
  }
  return parseConfig(text, path);
}

/** Parses config text; `source` names the file in error messages. */
export function parseConfig(text: string, source = 'config.yaml'): FileConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) throw new ConfigError(formatProblems(source, yamlProblems(doc.errors, lineCounter)));
  if (doc.contents === null) {
    throw new ConfigError(`${source} is empty (or only comments); write one with "init-config" or copy config/config.example.yaml.`);
  }
  const parsed = FileConfig.safeParse(doc.toJS(), { reportInput: true });
  if (parsed.success) return parsed.data;
  throw new ConfigError(formatProblems(source, schemaProblems(parsed.error.issues, doc, lineCounter, nearestKey)));
}
