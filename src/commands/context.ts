import { existsSync } from 'node:fs';
import { loadBaseEnv, loadRemoteEnv, type BaseEnv, type RemoteEnv } from '../config/env.js';
import { loadConfig } from '../config/load-config.js';
import type { FileConfig } from '../config/schema.js';
import { followLocalTimeFor } from '../domain/shop-clock.js';
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
  const loaded = loadConfig({ path: env.configPath });
  followShopZone(loaded.sync.timezone);
  return loaded;
}

/** The zone this module set TZ to, so a later config (tests run many in one process) may set it again. */
let zoneSetHere: string | null = null;

// UTC+14 all year: a local offset no host zone shows by accident, so seeing it proves TZ took effect.
const PROBE_ZONE = 'Etc/GMT-14';

/**
 * Makes this process's local time the shop's (TZ), so the shop clock reads it from Date's local
 * getters instead of loading Intl.DateTimeFormat's engine (~5 MB resident; same ICU tz rules). Only
 * for a canonical zone name, never over a TZ the user set to another zone, and only once a probe
 * shows that setting TZ reaches Date here (a sandbox may give `process.env` as a copy): otherwise
 * every zone simply goes through Intl.
 */
function followShopZone(zone: string): void {
  const own = process.env['TZ'];
  const userSetOther = own !== undefined && own !== '' && own !== zone && own !== zoneSetHere;
  followLocalTimeFor(null);
  if (userSetOther || !Intl.supportedValuesOf('timeZone').includes(zone)) return;
  process.env['TZ'] = PROBE_ZONE;
  const reaches = new Date(0).getTimezoneOffset() === -14 * 60;
  process.env['TZ'] = zone;
  zoneSetHere = zone;
  if (reaches) followLocalTimeFor(zone);
}

export function logger(ctx: CommandContext, env: BaseEnv): Logger {
  return createLogger({ level: env.logLevel, format: env.logFormat, ...(ctx.logStream ? { stream: ctx.logStream } : {}) });
}

/** The ledger for the read-mostly commands; null when the daemon never ran here. */
export function openExistingLedger(env: BaseEnv, mode: 'read' | 'write' = 'write'): Ledger | null {
  if (env.databasePath !== ':memory:' && !existsSync(env.databasePath)) return null;
  return Ledger.open(env.databasePath, { readonly: mode === 'read' });
}
