import { isIP } from 'node:net';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { loadAlertEmail, type AlertEmailSettings } from './alert-email-env.js';

/**
 * Environment variables (SPEC §3): secrets and paths only. Parsed once at start; the result is
 * passed down, never read from `process.env` elsewhere.
 */

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** Plain http:// is accepted only for loopback hosts (stand-ins, SSH tunnels). */
export function checkUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} is not a valid URL; set it to a full https:// address.`);
  }
  if (url.protocol === 'https:') return value.replace(/\/+$/, '');
  if (url.protocol === 'http:' && LOOPBACK.has(url.hostname)) return value.replace(/\/+$/, '');
  throw new ConfigError(`${name} must use https:// (plain http:// is allowed only for 127.0.0.1 or localhost).`);
}

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const RawEnv = z.object({
  SHOPRENTER_SHOP: optionalText,
  SHOPRENTER_CLIENT_ID: optionalText,
  SHOPRENTER_CLIENT_SECRET: optionalText,
  SHOPRENTER_API_USER: optionalText,
  SHOPRENTER_API_PASSWORD: optionalText,
  SHOPRENTER_API_URL: optionalText,
  SHOPRENTER_TOKEN_URL: optionalText,
  CASHMAN_API_URL: optionalText,
  CASHMAN_GROUP: optionalText,
  CASHMAN_USER: optionalText,
  CASHMAN_PASSWORD: z.string().optional(),
  CONFIG_PATH: optionalText,
  DATABASE_PATH: optionalText,
  LOG_LEVEL: optionalText,
  LOG_FORMAT: optionalText,
  ALERT_WEBHOOK_URL: optionalText,
  SMTP_URL: optionalText,
  ALERT_EMAIL_TO: optionalText,
  ALERT_EMAIL_FROM: optionalText,
  HTTP_PORT: optionalText,
  HTTP_HOST: optionalText,
  WEBHOOK_SECRET: z.string().optional(),
});

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export type LogFormat = 'pretty' | 'json';

export type ShoprenterAuth =
  | { kind: 'oauth'; tokenUrl: string; clientId: string; clientSecret: string }
  | { kind: 'basic'; user: string; password: string };

export interface ShoprenterSettings {
  shop: string;
  apiUrl: string;
  auth: ShoprenterAuth;
}

export interface CashmanSettings {
  apiUrl: string;
  group: string;
  user: string;
  password: string;
}

/** Settings every command needs (paths and logging). */
export interface BaseEnv {
  configPath: string;
  databasePath: string;
  logLevel: LogLevel;
  logFormat: LogFormat;
  alertWebhookUrl: string | null;
  /** E-mail alerts (SMTP_URL, ALERT_EMAIL_TO, ALERT_EMAIL_FROM); null when SMTP_URL is unset. */
  alertEmail: AlertEmailSettings | null;
  /** The optional HTTP listener (SPEC §5); null when HTTP_PORT is unset. */
  http: HttpSettings | null;
  /** WEBHOOK_SECRET, validated; also needed by `webhooks register` on a machine without HTTP_PORT. */
  webhookSecret: string | null;
}

export interface HttpSettings {
  port: number;
  /**
   * The address to listen on: 127.0.0.1 unless HTTP_HOST says otherwise, so /metrics and the
   * webhook route are not exposed on every interface by accident (issue 17). The container sets
   * 0.0.0.0 and docker-compose publishes the port on the host's loopback only.
   */
  host: string;
  /** Turns on the webhook route; null leaves only /healthz and /metrics. */
  webhookSecret: string | null;
}

/** Everything, once the remote credentials are known to be complete. */
export interface RemoteEnv extends BaseEnv {
  shoprenter: ShoprenterSettings;
  cashman: CashmanSettings;
}

/** Reads paths and logging settings; never fails on missing credentials. */
export function loadBaseEnv(env: Record<string, string | undefined>): BaseEnv {
  const raw = RawEnv.parse(env);
  const level = (raw.LOG_LEVEL ?? 'info').toLowerCase();
  if (!['error', 'warn', 'info', 'debug'].includes(level)) {
    throw new ConfigError(`LOG_LEVEL "${raw.LOG_LEVEL}" is not one of error, warn, info, debug.`);
  }
  const format = (raw.LOG_FORMAT ?? 'pretty').toLowerCase();
  if (format !== 'pretty' && format !== 'json') {
    throw new ConfigError(`LOG_FORMAT "${raw.LOG_FORMAT}" is not one of pretty, json.`);
  }
  return {
    configPath: raw.CONFIG_PATH ?? './config/config.yaml',
    databasePath: raw.DATABASE_PATH ?? './data/sync.db',
    logLevel: level as LogLevel,
    logFormat: format,
    alertWebhookUrl: raw.ALERT_WEBHOOK_URL ? checkUrl('ALERT_WEBHOOK_URL', raw.ALERT_WEBHOOK_URL) : null,
    alertEmail: loadAlertEmail(raw),
    http: httpSettings(raw.HTTP_PORT, raw.WEBHOOK_SECRET, raw.HTTP_HOST),
    webhookSecret: raw.WEBHOOK_SECRET ? raw.WEBHOOK_SECRET : null,
  };
}

/** The secret sits in the webhook URL path: it must be long and URL-safe, and is never echoed back. */
export const MIN_WEBHOOK_SECRET = 24;

function httpSettings(port: string | undefined, secret: string | undefined, host = '127.0.0.1'): HttpSettings | null {
  const webhookSecret = secret === undefined || secret === '' ? null : secret;
  if (webhookSecret !== null && (webhookSecret.length < MIN_WEBHOOK_SECRET || !/^[A-Za-z0-9_-]+$/.test(webhookSecret))) {
    throw new ConfigError(
      `WEBHOOK_SECRET must be at least ${MIN_WEBHOOK_SECRET} characters of letters, digits, "-" or "_"; generate one with "openssl rand -hex 16".`,
    );
  }
  if (port === undefined) return null;
  const value = /^\d{1,5}$/.test(port) ? Number(port) : NaN;
  if (!(value >= 0 && value <= 65535)) throw new ConfigError(`HTTP_PORT "${port}" is not a port number (1-65535, or 0 for any free port).`);
  if (isIP(host) === 0 && host !== 'localhost') {
    throw new ConfigError(`HTTP_HOST "${host}" is not an IP address; use 127.0.0.1 (the default), 0.0.0.0 for every interface, or one address of this machine.`);
  }
  return { port: value, webhookSecret, host };
}

function required(name: string, value: string | undefined, hint: string): string {
  if (value === undefined || value === '') throw new ConfigError(`${name} is not set; ${hint}`);
  return value;
}

/** Reads the Shoprenter and Cashman credentials too; every missing or wrong one is named, all at once. */
export function loadRemoteEnv(env: Record<string, string | undefined>): RemoteEnv {
  const { remote, problems } = readRemoteEnv(env);
  if (problems.length === 1) throw new ConfigError(problems[0]!);
  if (problems.length > 1) throw new ConfigError(envProblemsText(problems));
  return remote;
}

export function envProblemsText(problems: readonly string[]): string {
  return problems.length === 1 ? problems[0]! : `The environment (.env) has ${problems.length} problems:\n  ${problems.join('\n  ')}`;
}

export type EnvPart = 'base' | 'shoprenter' | 'cashman';

/** Stands in for a wrong URL so the clients can be built; the part it belongs to is incomplete and never called. */
const UNUSED_URL = 'http://127.0.0.1/unused';

/**
 * Every setting with every problem, and which parts are incomplete: `check` still tests the login
 * whose part is whole when the other lacks a value (issue 17). Only `check` uses a partial result.
 */
export function readRemoteEnv(env: Record<string, string | undefined>): { remote: RemoteEnv; problems: string[]; incomplete: Set<EnvPart> } {
  const problems: string[] = [];
  const incomplete = new Set<EnvPart>();
  // Each check on its own: one run names every variable to fix, not one per run.
  const take = <T>(read: () => T, fallback: T, part: EnvPart = 'shoprenter'): T => {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(error.message);
      incomplete.add(part);
      return fallback;
    }
  };
  const base = take(() => loadBaseEnv(env), { configPath: './config/config.yaml', databasePath: './data/sync.db', logLevel: 'info', logFormat: 'pretty', alertWebhookUrl: null, alertEmail: null, http: null, webhookSecret: null }, 'base');
  const raw = RawEnv.parse(env);
  const shop = take(() => required('SHOPRENTER_SHOP', raw.SHOPRENTER_SHOP, 'put the shop name (the part before .myshoprenter.hu) in .env.'), 'shop');
  take(() => {
    if (!/^[a-z0-9][a-z0-9-]*$/i.test(shop)) throw new ConfigError('SHOPRENTER_SHOP must be the bare shop name, e.g. "myshop" for myshop.myshoprenter.hu.');
  }, undefined);
  let auth: ShoprenterAuth;
  let defaultApiUrl: string;
  if (raw.SHOPRENTER_CLIENT_ID) {
    auth = {
      kind: 'oauth',
      clientId: raw.SHOPRENTER_CLIENT_ID,
      clientSecret: take(() => required('SHOPRENTER_CLIENT_SECRET', raw.SHOPRENTER_CLIENT_SECRET, 'copy it from the Shoprenter API client next to the client id.'), ''),
      tokenUrl: take(() => checkUrl('SHOPRENTER_TOKEN_URL', raw.SHOPRENTER_TOKEN_URL ?? `https://oauth.app.shoprenter.net/${shop}/app/token`), UNUSED_URL),
    };
    defaultApiUrl = `https://${shop}.api2.myshoprenter.hu/api`;
  } else {
    auth = {
      kind: 'basic',
      user: take(() => required('SHOPRENTER_API_USER', raw.SHOPRENTER_API_USER, 'set SHOPRENTER_CLIENT_ID and SHOPRENTER_CLIENT_SECRET (preferred) or the legacy API user and password.'), ''),
      password: take(() => required('SHOPRENTER_API_PASSWORD', raw.SHOPRENTER_API_PASSWORD, 'set it next to SHOPRENTER_API_USER.'), ''),
    };
    defaultApiUrl = `https://${shop}.api.myshoprenter.hu`;
  }
  const result: RemoteEnv = {
    ...base,
    shoprenter: { shop, auth, apiUrl: take(() => checkUrl('SHOPRENTER_API_URL', raw.SHOPRENTER_API_URL ?? defaultApiUrl), UNUSED_URL) },
    cashman: {
      apiUrl: take(() => checkUrl('CASHMAN_API_URL', raw.CASHMAN_API_URL ?? 'https://www.cmfx.hu/fxapi/jxs.php'), UNUSED_URL, 'cashman'),
      group: take(() => required('CASHMAN_GROUP', raw.CASHMAN_GROUP, 'set the Cashman "csoport" you log in with.'), '', 'cashman'),
      user: take(() => required('CASHMAN_USER', raw.CASHMAN_USER, 'set the Cashman user name (a dedicated API user is best).'), '', 'cashman'),
      password: take(() => required('CASHMAN_PASSWORD', raw.CASHMAN_PASSWORD || undefined, 'set the Cashman password in .env.'), '', 'cashman'),
    },
  };
  return { remote: result, problems, incomplete };
}
