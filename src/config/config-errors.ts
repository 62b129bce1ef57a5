import { isMap, isScalar, type Document, type LineCounter, type Node, type YAMLError } from 'yaml';
import type { z } from 'zod';

/**
 * Turns the YAML parser's and zod's findings into sentences a shop owner can act on: the line
 * (and for syntax errors the column), the key as written in the file (map keys that are not plain
 * words are quoted: `vatRates."0"`, never `vatRates.0`, which reads like a list index), and what
 * to write instead. Every problem is reported, so one edit round fixes them all.
 */

/** One sentence per problem, sorted by line; "" prefix-free (the caller adds the file name). */
export interface Problem {
  line: number | null;
  text: string;
}

const YAML_WORDS: Record<string, string> = {
  TAB_AS_INDENT: 'a tab is used for indentation; YAML needs spaces',
  BAD_INDENT: 'the indentation does not line up (the keys of one section must start in the same column, and a "[" list must end with "]")',
  BLOCK_AS_IMPLICIT_KEY: 'two "key:" on one line; put the second key on its own line, indented, or quote a value that contains ": "',
  MULTILINE_IMPLICIT_KEY: 'a key runs over several lines; a value that contains ": " or "#" needs quotes',
  MISSING_CHAR: 'a quote or bracket opened before this point is never closed',
  DUPLICATE_KEY: 'the same key appears twice in one section',
  BAD_SCALAR_START: 'a value starts with a character YAML reserves (such as @, `, % or *); put the value in quotes',
  BAD_ALIAS: 'a value starts with "*"; put the value in quotes',
  UNEXPECTED_TOKEN: 'this does not fit the structure around it; check the indentation and the ":" after each key',
};

export function yamlProblems(errors: readonly YAMLError[], lines: LineCounter): Problem[] {
  const seen = new Set<number>();
  const problems: Problem[] = [];
  for (const error of errors) {
    const { line, col } = lines.linePos(error.pos[0]);
    if (seen.has(line)) continue;
    seen.add(line);
    const words = YAML_WORDS[error.code] ?? 'this is not valid YAML here; check the indentation, quotes and the ":" after each key';
    problems.push({ line, text: `column ${col}: not valid YAML: ${words}.` });
  }
  return problems;
}

/** `nearest(section, typed)`: the known key a typo most likely meant, or null. */
export function schemaProblems(
  issues: readonly z.core.$ZodIssue[],
  doc: Document,
  lines: LineCounter,
  nearest: (section: readonly string[], typed: string) => string | null = () => null,
): Problem[] {
  const problems: Problem[] = [];
  for (const issue of issues) {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const keyPath = [...path, key];
        const meant = nearest(path, key);
        problems.push({
          line: lineOf(doc, keyPath, lines, true),
          text: meant
            ? `unknown key "${formatKeyPath(keyPath)}"; did you mean "${formatKeyPath([...path, meant])}"?`
            : `unknown key "${formatKeyPath(keyPath)}"; check its spelling against config/config.example.yaml.`,
        });
      }
      continue;
    }
    const line = lineOf(doc, path, lines, false);
    const name = path.length ? formatKeyPath(path) : 'the file';
    if (issue.code === 'invalid_type') {
      const what =
        issue.input === undefined
          ? 'is missing'
          : issue.input === null
            ? `must be ${article(issue.expected)} but is empty (~)`
            : `must be ${article(issue.expected)} (found ${JSON.stringify(issue.input)})`;
      problems.push({ line, text: `${name} ${what}.` });
      continue;
    }
    const found = issue.message.replace(/^Invalid input: /, '');
    problems.push({ line, text: `${name} ${found.startsWith('must') ? found : `is invalid (${found})`}.` });
  }
  return problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

/** One problem: the old single sentence; several: a count and one line each. */
export function formatProblems(source: string, problems: readonly Problem[]): string {
  const at = (p: Problem) => (p.line === null ? '' : ` line ${p.line}`);
  if (problems.length === 1) {
    const p = problems[0]!;
    return `${source}${at(p)}${p.text.startsWith('column') ? ', ' : ': '}${p.text}`;
  }
  const items = problems.map((p) => `  ${at(p).trim() || 'file'}${p.text.startsWith('column') ? ', ' : ': '}${p.text}`);
  return `${source} has ${problems.length} problems:\n${items.join('\n')}`;
}

/** `sync.startFrom`, `vatRates."0"`, `paymentMethods.COD`, `units.ids."m²"`. */
export function formatKeyPath(path: readonly string[]): string {
  return path.map((key) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : JSON.stringify(key))).join('.');
}

function article(expected: string): string {
  if (expected === 'number' || expected === 'int') return 'a number';
  if (expected === 'object' || expected === 'record') return 'a section of keys';
  if (expected === 'array') return 'a list';
  return `a ${expected}`;
}

/** The line of the node at `path` (or the closest existing parent), null when unknown. */
function lineOf(doc: Document, path: string[], lines: LineCounter, keyNode: boolean): number | null {
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
  return null;
}

function rangeLine(node: Node | null | undefined, lines: LineCounter): number | null {
  const offset = node?.range?.[0];
  return offset === undefined ? null : lines.linePos(offset).line;
}
