import { randomUUID } from 'node:crypto';
import { CashmanError, ConfigError, LedgerSyncError } from '../errors.js';
import { HttpFailure } from '../net-request.js';

/** Cashman's wire details that need no client state: the URL rule, the body, the HIBA marker, what a failed exchange means. */

const LOOPBACK_HOSTS = new Set(['localhost', '::1', '[::1]']);

/** Parses CASHMAN_API_URL: https with certificate checks, or plain http only on loopback (SPEC §3). */
export function parseCashmanUrl(apiUrl: string): URL {
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch {
    throw new ConfigError('CASHMAN_API_URL is not a valid URL; set it to e.g. https://www.cmfx.hu/fxapi/jxs.php.');
  }
  const loopback = LOOPBACK_HOSTS.has(url.hostname) || /^127(?:\.\d{1,3}){3}$/.test(url.hostname);
  if (url.protocol === 'https:' || (url.protocol === 'http:' && loopback)) return url;
  throw new ConfigError(
    `CASHMAN_API_URL must start with https:// (plain http:// is accepted only for localhost), not ${url.protocol}//${url.host}.`,
  );
}

/**
 * The one-field multipart body, built by hand: FormData encoders (got's form-data-encoder, undici)
 * turn every "\n" of a string field into "\r\n" as the HTML spec says, which would break the
 * byte lengths inside the serialized payload and make PHP's unserialize() refuse the request.
 */
export function multipartBody(post: string): { body: Buffer; contentType: string } {
  const payload = Buffer.from(post, 'utf8');
  let boundary = `----CashmanSync${randomUUID().replace(/-/g, '')}`;
  while (payload.includes(boundary)) boundary = `----CashmanSync${randomUUID().replace(/-/g, '')}`;
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="post"\r\n\r\n`;
  const body = Buffer.concat([Buffer.from(head, 'ascii'), payload, Buffer.from(`\r\n--${boundary}--\r\n`, 'ascii')]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

/**
 * Why a request was held back unsent (src/net-request.ts HeldBack): `sendAfter` is its intent's
 * durability (InvoiceBackend), so whatever held it, the disk's refusal or no confirmation by the
 * deadline, is the ledger's failure, never Cashman's.
 */
export function heldBackReason(cause: unknown, what: string): LedgerSyncError {
  if (cause instanceof LedgerSyncError) return cause;
  const detail = (cause instanceof Error ? cause.message : String(cause)).replace(/\s+/g, ' ').trim();
  return new LedgerSyncError(
    `The ledger's disk did not confirm the record of the ${what} request in time (${detail}); nothing was sent. Check the disk or volume that holds DATABASE_PATH.`,
    { cause },
  );
}

export function isHiba(text: string): boolean {
  return /^\uFEFF?\s*HIBA\s*:/.test(text);
}

// A /g or /y pattern keeps lastIndex between test() calls; strip those flags.
export function withoutState(pattern: RegExp): RegExp {
  return new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * A failed exchange as Cashman's error: NOT_SENT only when the connection (TCP, or the TLS
 * handshake for https) provably never completed or the request was never handed to it, so no
 * request byte can have reached Cashman. Everything else may have been processed. `oneLine`
 * cleans the message (the password removed).
 */
export function transportError(error: unknown, what: string, oneLine: (text: string) => string): CashmanError {
  const code = error instanceof HttpFailure ? error.code : undefined;
  const summary = oneLine(error instanceof Error ? error.message : String(error));
  const cause = Object.assign(new Error(summary), { code });
  if (error instanceof HttpFailure && !error.connected) {
    return new CashmanError('CASHMAN_NOT_SENT', `Could not reach Cashman for the ${what} request (${summary}); nothing was sent.`, { cause });
  }
  if (error instanceof HttpFailure && !error.sent) {
    return new CashmanError('CASHMAN_NOT_SENT', `The connection to Cashman failed before the ${what} request was written (${summary}); nothing was sent.`, { cause });
  }
  // No answer at all (timeout, connection dropped): Cashman, or the server in front of it, is failing.
  return new CashmanError(
    'CASHMAN_OUTCOME_UNKNOWN',
    `The ${what} request reached Cashman but no answer came back (${summary}); check in Cashman whether it was processed.`,
    { cause, remoteFailing: true },
  );
}
