import { EOL } from 'node:os';
import type { LogFormat, LogLevel } from '../config/env.js';
import { jsonLine, prettyLine, type LineFields } from './line-format.js';

/**
 * The one logger. It redacts secrets itself: every value registered with `addSecret` (the Cashman
 * password travels inside request bodies, so it could end up in any string) and every field whose
 * name looks secret is replaced before a line is written, at every level.
 */
export interface Logger {
  error(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  debug(message: string, meta?: Record<string, unknown>): void;
  /** Registers a secret value that must never appear in any line. */
  addSecret(secret: string | null | undefined): void;
  /** Flushes pending output (used before exit). */
  close(): Promise<void>;
}

const SECRET_KEY = /pass(word)?|secret|token|authorization|cookie|jelszo/i;
const REDACTED = '[redacted]';

export class SecretRedactor {
  private readonly secrets = new Set<string>();

  add(secret: string | null | undefined): void {
    // Very short values would redact ordinary words; credentials are never that short in practice.
    if (secret && secret.length >= 3) this.secrets.add(secret);
  }

  redactText(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join(REDACTED);
    return out;
  }

  redact(value: unknown, depth = 0, within: object[] = []): unknown {
    if (typeof value === 'string') return this.redactText(value);
    if (typeof value === 'bigint') return value.toString();
    if (value instanceof Error) return this.redactText(value.message);
    if (value === null || typeof value !== 'object') return value;
    if (within.includes(value)) return '[Circular]';
    // Deeper than any line needs: left out rather than printed unredacted.
    if (depth > 6) return '[too deep]';
    within.push(value);
    try {
      if (Array.isArray(value)) return value.map((item) => this.redact(item, depth + 1, within));
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        out[key] = SECRET_KEY.test(key) && typeof item === 'string' && item !== '' ? REDACTED : this.redact(item, depth + 1, within);
      }
      return out;
    } finally {
      within.pop();
    }
  }
}

export interface LoggerOptions {
  level: LogLevel;
  format: LogFormat;
  redactor?: SecretRedactor;
  /** Where lines go; default stdout. Tests pass a collecting stream. */
  stream?: NodeJS.WritableStream;
}

const SEVERITY: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/**
 * Lines are built and written directly: a filtered level costs one comparison, a written line one
 * object and one write (winston's stream pipeline cost several times that per line, and its
 * modules a few megabytes of memory that a small VPS pays for).
 */
export function createLogger(options: LoggerOptions): Logger & { redactor: SecretRedactor } {
  const redactor = options.redactor ?? new SecretRedactor();
  const stream = options.stream ?? process.stdout;
  const threshold = SEVERITY[options.level];
  const format = options.format === 'json' ? jsonLine : prettyLine;
  const write = (level: LogLevel, message: string, meta: Record<string, unknown> | undefined): void => {
    if (SEVERITY[level] > threshold) return;
    // Redacted before anything is made text of it (a secret-named key inside an object is found only while it is an object).
    const cleaned = redactor.redact({ ...meta, level, message }) as LineFields;
    // A message field of the caller's is added to the message, not lost (as the line always read).
    const extra = meta?.['message'] === undefined ? undefined : (redactor.redact({ message: meta['message'] }) as LineFields)['message'];
    if (extra) cleaned['message'] = `${message} ${typeof extra === 'string' ? extra : JSON.stringify(extra)}`;
    cleaned['timestamp'] = new Date().toISOString();
    stream.write(`${format(cleaned)}${EOL}`);
  };
  return {
    redactor,
    addSecret: (secret) => redactor.add(secret),
    error: (message, meta) => write('error', message, meta),
    warn: (message, meta) => write('warn', message, meta),
    info: (message, meta) => write('info', message, meta),
    debug: (message, meta) => write('debug', message, meta),
    close: () =>
      new Promise<void>((resolve) => {
        // Resolves once what was written before has been handed to the stream's target.
        stream.write('', () => resolve());
        setTimeout(resolve, 500).unref();
      }),
  };
}

/** A logger that drops everything (for commands whose output is the result itself). */
export const silentLogger: Logger = {
  addSecret: () => undefined,
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
  close: () => Promise.resolve(),
};
