/**
 * How one log line is written, in both LOG_FORMATs. The line keeps the shape the daemon has always
 * printed: `json` is one object with sorted keys (a value seen again inside itself is
 * "[Circular]", a bigint is its decimal text), `pretty` is "time level order N: message (k=v, ...)".
 */

/** The fields of one line: the caller's fields, then level, message and timestamp. */
export type LineFields = Record<string, unknown>;

const RESERVED = new Set(['level', 'message', 'timestamp', 'orderNumber']);

export function jsonLine(fields: LineFields): string {
  return stableJson(fields, []) ?? '{}';
}

export function prettyLine(fields: LineFields): string {
  const order = fields['orderNumber'] ? `order ${text(fields['orderNumber'])}: ` : '';
  const extras = Object.entries(fields)
    .filter(([key]) => !RESERVED.has(key))
    .map(([key, value]) => `${key}=${text(value)}`);
  const tail = extras.length ? ` (${extras.join(', ')})` : '';
  return `${text(fields['timestamp'])} ${String(fields['level']).padEnd(5)} ${order}${text(fields['message'])}${tail}`;
}

/** One line stays one line: a value with a line break (a buyer's name, a remote's error text) cannot forge another. */
function text(value: unknown): string {
  const raw = typeof value === 'object' && value !== null ? (stableJson(value, [], false) ?? '') : String(value);
  return raw.replace(/\r/g, '\\r').replace(/\n/g, '\\n');
}

/** JSON.stringify's rules, with keys sorted (optional), bigints as text and cycles cut. */
function stableJson(input: unknown, seen: unknown[], sorted = true): string | undefined {
  let value = input;
  if (typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON: () => unknown }).toJSON();
  }
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return String(value);
    case 'bigint':
      return JSON.stringify(value.toString());
    case 'object': {
      if (value === null) return 'null';
      if (seen.includes(value)) return '"[Circular]"';
      seen.push(value);
      try {
        if (Array.isArray(value)) return `[${value.map((item) => stableJson(item, seen, sorted) ?? 'null').join(',')}]`;
        const keys = Object.keys(value);
        if (sorted) keys.sort();
        const parts: string[] = [];
        for (const key of keys) {
          const item = stableJson((value as Record<string, unknown>)[key], seen, sorted);
          if (item !== undefined) parts.push(`${JSON.stringify(key)}:${item}`);
        }
        return `{${parts.join(',')}}`;
      } finally {
        seen.pop();
      }
    }
    default:
      // undefined, functions and symbols: left out, as JSON.stringify does.
      return undefined;
  }
}
