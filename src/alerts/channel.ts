import type { AlertChannel } from '../store/alert-outbox.js';
import type { AlertEvent } from './alert-event.js';

/** One delivery request's budget (webhook POST, SMTP conversation) unless the caller gives another. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/** A delivery that the channel did not accept; its message never holds the address or a password. */
export class AlertDeliveryError extends Error {
  override readonly name = 'AlertDeliveryError';
}

/** One way out for alerts (the chat webhook, e-mail). */
export interface ChannelSender {
  readonly name: AlertChannel;
  /** Where alerts go, safe to log: the host only, never the path (chat webhooks carry a token there). */
  readonly where: string;
  /** How many waiting alerts one delivery may carry: 1 for the webhook, many for e-mail (a burst is one e-mail). */
  readonly bundle: number;
  /** Kinds that always go on their own (the morning summary), never inside a bundle. */
  alone?(kind: string): boolean;
  /**
   * Resolves only once the endpoint accepted the alerts; rejects with an AlertDeliveryError
   * otherwise. Resolves with a warning (no address in it) when it was accepted only in part.
   */
  deliver(events: readonly AlertEvent[], signal: AbortSignal): Promise<string | void>;
}

/**
 * A request failure in words that hold no address: only the error's code is read, never its
 * message (a client library may put the URL there).
 */
export function failureWords(error: unknown, timeoutMs: number, signal: AbortSignal): string {
  if (signal.aborted) return 'cut off because the process was stopping';
  const code = (error as { code?: unknown }).code;
  switch (code) {
    case 'ETIMEDOUT':
      return `no answer within ${Math.round(timeoutMs / 1000)} s`;
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name not found';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'connection reset';
    case 'CERT_HAS_EXPIRED':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `TLS certificate not accepted (${code})`;
    default:
      return typeof code === 'string' && /^[A-Z_0-9]{2,40}$/.test(code) ? `request failed (${code})` : 'request failed';
  }
}

/** `host[:port]` of a URL: what logs and `check` may name. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the configured host';
  }
}
