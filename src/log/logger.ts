import winston from 'winston';
import type { LogFormat, LogLevel } from '../config/env.js';

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

  redact(value: unknown, depth = 0): unknown {
    if (typeof value === 'string') return this.redactText(value);
    if (typeof value === 'bigint') return value.toString();
    if (value instanceof Error) return this.redactText(value.message);
    if (depth > 6 || value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((item) => this.redact(item, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = SECRET_KEY.test(key) && typeof item === 'string' && item !== '' ? REDACTED : this.redact(item, depth + 1);
    }
    return out;
  }
}

export interface LoggerOptions {
  level: LogLevel;
  format: LogFormat;
  redactor?: SecretRedactor;
  /** Where lines go; default stdout. Tests pass a collecting stream. */
  stream?: NodeJS.WritableStream;
}

const RESERVED = new Set(['level', 'message', 'timestamp', 'orderNumber']);

function text(value: unknown): string {
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

function prettyLine(info: winston.Logform.TransformableInfo): string {
  const order = info['orderNumber'] ? `order ${text(info['orderNumber'])}: ` : '';
  const extras = Object.entries(info)
    .filter(([key]) => !RESERVED.has(key))
    .map(([key, value]) => `${key}=${text(value)}`);
  const tail = extras.length ? ` (${extras.join(', ')})` : '';
  return `${text(info['timestamp'])} ${info.level.padEnd(5)} ${order}${text(info.message)}${tail}`;
}

export function createLogger(options: LoggerOptions): Logger & { redactor: SecretRedactor } {
  const redactor = options.redactor ?? new SecretRedactor();
  const redactFormat = winston.format((info) => {
    const cleaned = redactor.redact({ ...info }) as Record<string, unknown>;
    for (const key of Object.keys(info)) if (typeof key === 'string') delete (info as Record<string, unknown>)[key];
    Object.assign(info, cleaned);
    return info;
  });
  const format =
    options.format === 'json'
      ? winston.format.combine(redactFormat(), winston.format.timestamp(), winston.format.json())
      : winston.format.combine(redactFormat(), winston.format.timestamp(), winston.format.printf(prettyLine));
  const transport = options.stream
    ? new winston.transports.Stream({ stream: options.stream })
    : new winston.transports.Console({ stderrLevels: [] });
  const logger = winston.createLogger({ level: options.level, format, transports: [transport] });
  return {
    redactor,
    addSecret: (secret) => redactor.add(secret),
    error: (message, meta) => logger.error(message, meta),
    warn: (message, meta) => logger.warn(message, meta),
    info: (message, meta) => logger.info(message, meta),
    // winston builds and pipes the line before its level filter drops it; the pipeline calls this per request.
    debug: (message, meta) => {
      if (logger.isDebugEnabled()) logger.debug(message, meta);
    },
    close: () =>
      new Promise<void>((resolve) => {
        logger.on('finish', () => resolve());
        logger.end();
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
