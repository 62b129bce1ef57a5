import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isMap, isScalar, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { FileConfig } from './schema.js';

/**
 * Reads and validates config.yaml. Every error is one sentence naming the key and the line, e.g.
 * `config.yaml line 14: vatRates."27" must be a whole number (Cashman afa_id)`.
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
  const yamlError = doc.errors[0];
  if (yamlError) {
    const line = yamlError.linePos?.[0].line;
    throw new ConfigError(`${source}${line ? ` line ${line}` : ''}: not valid YAML (${yamlError.code.toLowerCase().replace(/_/g, ' ')}).`);
  }
  const parsed = FileConfig.safeParse(doc.toJS() ?? {}, { reportInput: true });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new ConfigError(describeIssue(issue, doc, lineCounter, source));
}

function describeIssue(issue: z.core.$ZodIssue, doc: Document, lines: LineCounter, source: string): string {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    const keyPath = [...path, key];
    const line = lineOf(doc, keyPath, lines, true);
    return `${source}${line}: unknown key "${keyPath.join('.')}"; check its spelling against config/config.example.yaml.`;
  }
  const line = lineOf(doc, path, lines, false);
  const name = path.length ? path.join('.') : 'the file';
  if (issue.code === 'invalid_type') {
    const what = issue.input === undefined ? 'is missing' : `must be ${article(issue.expected)} (found ${JSON.stringify(issue.input)})`;
    return `${source}${line}: ${name} ${what}.`;
  }
  const found = issue.message.replace(/^Invalid input: /, '');
  return `${source}${line}: ${name} ${found.startsWith('must') ? found : `is invalid (${found})`}.`;
}

function article(expected: string): string {
  if (expected === 'number' || expected === 'int') return 'a number';
  if (expected === 'object' || expected === 'record') return 'a section of keys';
  if (expected === 'array') return 'a list';
  return `a ${expected}`;
}

/** " line N" for the node at `path` (or the closest existing parent), "" when unknown. */
function lineOf(doc: Document, path: string[], lines: LineCounter, keyNode: boolean): string {
  for (let depth = path.length; depth >= 0; depth -= 1) {
    const parentPath = path.slice(0, Math.max(0, depth - 1));
    const parent = depth === 0 ? doc.contents : doc.getIn(parentPath, true);
    if (depth === 0) return rangeLine(parent as Node | null, lines);
    if (!isMap(parent)) continue;
    const key = path[depth - 1]!;
    const pair = parent.items.find((item) => isScalar(item.key) && String(item.key.value) === key);
    if (!pair) continue;
    const node = (keyNode || !pair.value ? pair.key : pair.value) as Node | null;
    return rangeLine(node, lines);
  }
  return '';
}

function rangeLine(node: Node | null | undefined, lines: LineCounter): string {
  const offset = node?.range?.[0];
  return offset === undefined ? '' : ` line ${lines.linePos(offset).line}`;
}
