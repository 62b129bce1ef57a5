import { existsSync } from 'node:fs';
import { loadBaseEnv, loadRemoteEnv, type BaseEnv, type RemoteEnv } from '../config/env.js';
import { loadConfig } from '../config/load-config.js';
import type { FileConfig } from '../config/schema.js';
import { createLogger, type Logger } from '../log/logger.js';
import { Ledger } from '../store/ledger.js';

/** What every command gets: the environment, where to print, and where logs go. */
export interface CommandContext {
  env: Record<string, string | undefined>;
  out: (text: string) => void;
  /** Log stream; stdout by default (Docker collects it). Tests pass their own. */
  logStream?: NodeJS.WritableStream;
  /** Process signals; `run` listens for SIGTERM/SIGINT here. */
  signals?: Pick<NodeJS.Process, 'on' | 'off'>;
}

export function baseEnv(ctx: CommandContext): BaseEnv {
  return loadBaseEnv(ctx.env);
}

export function remoteEnv(ctx: CommandContext): RemoteEnv {
  return loadRemoteEnv(ctx.env);
}

export function config(env: BaseEnv): FileConfig {
  return loadConfig({ path: env.configPath });
}

export function logger(ctx: CommandContext, env: BaseEnv): Logger {
  return createLogger({ level: env.logLevel, format: env.logFormat, ...(ctx.logStream ? { stream: ctx.logStream } : {}) });
}

/** The ledger for the read-mostly commands; null when the daemon never ran here. */
export function openExistingLedger(env: BaseEnv, mode: 'read' | 'write' = 'write'): Ledger | null {
  if (env.databasePath !== ':memory:' && !existsSync(env.databasePath)) return null;
  return Ledger.open(env.databasePath, { readonly: mode === 'read' });
}
