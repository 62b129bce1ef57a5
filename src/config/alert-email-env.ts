import { ConfigError } from '../errors.js';

/** SMTP_URL, ALERT_EMAIL_TO and ALERT_EMAIL_FROM, checked; the URL holds the SMTP password (a secret). */
export interface AlertEmailSettings {
  smtpUrl: string;
  /** Parsed parts; `password` never reaches a log line (the logger is told of it). */
  protocol: 'smtps' | 'smtp';
  host: string;
  port: number;
  user: string | null;
  password: string | null;
  /** A loopback relay (a local postfix): plain SMTP is accepted there, nowhere else. */
  loopback: boolean;
  to: string[];
  from: string;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
const ADDRESS = /^[^\s@<>,;]+@[^\s@<>,;]+\.[^\s@<>,;]+$|^[^\s@<>,;]+@localhost$/i;

/**
 * Reads the e-mail alert settings, or null when SMTP_URL is unset. The sentences never repeat
 * the URL (it carries the password); they name the variable and what to write there.
 */
export function loadAlertEmail(raw: { SMTP_URL?: string | undefined; ALERT_EMAIL_TO?: string | undefined; ALERT_EMAIL_FROM?: string | undefined }): AlertEmailSettings | null {
  const value = raw.SMTP_URL?.trim();
  if (!value) {
    if (raw.ALERT_EMAIL_TO?.trim()) throw new ConfigError('ALERT_EMAIL_TO is set but SMTP_URL is not; set SMTP_URL (e.g. smtps://user:password@smtp.example.hu:465) to send alert e-mails.');
    return null;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError('SMTP_URL is not a valid URL; write it as smtps://user:password@host:465 or smtp://user:password@host:587 (percent-encode special characters in the password).');
  }
  if (url.protocol !== 'smtps:' && url.protocol !== 'smtp:') {
    throw new ConfigError('SMTP_URL must start with smtps:// (TLS, usually port 465) or smtp:// (STARTTLS, usually port 587).');
  }
  if (!url.hostname) throw new ConfigError('SMTP_URL names no host; write it as smtps://user:password@host:465.');
  const protocol = url.protocol === 'smtps:' ? 'smtps' : 'smtp';
  const to = (raw.ALERT_EMAIL_TO ?? '')
    .split(/[,;]/)
    .map((a) => a.trim())
    .filter((a) => a !== '');
  if (to.length === 0) throw new ConfigError('SMTP_URL is set but ALERT_EMAIL_TO is not; set it to the address (or comma-separated addresses) that should receive the alerts.');
  const bad = to.find((a) => !ADDRESS.test(a));
  if (bad) throw new ConfigError(`ALERT_EMAIL_TO has "${bad}", which is not an e-mail address.`);
  const user = url.username ? decoded(url.username, 'user name') : null;
  const from = raw.ALERT_EMAIL_FROM?.trim() || (user && ADDRESS.test(user) ? user : '');
  if (!from) throw new ConfigError('ALERT_EMAIL_FROM is not set; set it to the sender address the SMTP server accepts for this login.');
  if (!ADDRESS.test(from.replace(/^.*<([^>]+)>\s*$/, '$1'))) throw new ConfigError(`ALERT_EMAIL_FROM "${from}" is not an e-mail address.`);
  return {
    smtpUrl: value,
    protocol,
    host: url.hostname,
    port: url.port ? Number(url.port) : protocol === 'smtps' ? 465 : 587,
    user,
    password: url.password ? decoded(url.password, 'password') : null,
    loopback: LOOPBACK.has(url.hostname),
    to,
    from,
  };
}

/**
 * A user or password as written in SMTP_URL, percent-decoded. A bare `%` (a password like
 * "50%off") is not valid there: the sentence says how to write it and never repeats the value.
 */
function decoded(part: string, what: 'user name' | 'password'): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new ConfigError(
      `SMTP_URL has a "%" in its ${what} that is not percent-encoding; write "%" as %25 (and "@" as %40, ":" as %3A, "/" as %2F).`,
    );
  }
}
