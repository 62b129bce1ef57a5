import { HttpFailure, type HttpAnswer } from '../net-request.js';
import { spareAgent, type SpareAgent } from '../net-spare.js';

/**
 * A spare connection unused this long is closed: twice the slowest Cashman answer one is opened
 * beside, far below what web servers allow a connection that has not sent its request yet (net-spare.ts).
 */
export const SPARE_MAX_AGE_MS = 1000;

/**
 * Which connection each Cashman request goes out on.
 *
 * A fresh one per request, on purpose. A kept-alive one would save a TCP and TLS handshake per
 * request, but a stale answer left on it (a server or proxy that answers twice, a PHP script that
 * writes past its Content-Length) would be read as the NEXT request's answer: a hostile review made
 * a draft Cashman never created read as created, i.e. an order lost. On a fresh connection no
 * answer can cross requests, and a refusal proves nothing was sent.
 *
 * The handshake is taken off the path between two requests another way: the next request's
 * connection is opened while a request waits for its answer (net-spare.ts), after a partner save
 * (its draft follows) and after a draft written soon after the one before (orders are drafted back
 * to back), while Cashman answers in less than half a spare's life. It carries no request before its
 * own and is used only if the server sent nothing on it; the first time the server closes or answers
 * one that waits, or anything fails on one, none is opened ahead again (net-spare.ts, exchange()).
 */
export class CashmanConnections {
  readonly agent: SpareAgent;
  /** When the last draft request was written (performance.now()). */
  private lastDraftSentAt = Number.NEGATIVE_INFINITY;
  /** How long the last request took; a connection opened ahead of a slower one would expire unused. */
  private lastRequestMs = 0;

  /** `spareMaxAgeMs` 0: nothing is opened ahead (config `cashman.preconnect: false`). */
  constructor(
    secure: boolean,
    private readonly spareMaxAgeMs: number,
  ) {
    this.agent = spareAgent(secure, spareMaxAgeMs);
  }

  /** A partner request was written: its draft follows. */
  partnerSent(): void {
    this.warm();
  }

  /** A draft request was written: another follows when this one came soon after the one before. */
  draftSent(): void {
    const now = performance.now();
    if (now - this.lastDraftSentAt < this.spareMaxAgeMs) this.warm();
    this.lastDraftSentAt = now;
  }

  /** A request ended (answered or not) after `ms`. */
  answered(ms: number): void {
    this.lastRequestMs = ms;
  }

  /** The server closes connections that wait for their request: none is opened ahead any more (net-spare.ts). */
  private spareFailed(): void {
    this.agent.stopSpares();
  }

  /**
   * One exchange; once more on a new connection when the one opened ahead was closed (or answered
   * on) by the server before the request was written: provably nothing left. Any failure on a
   * connection opened ahead, and a "408 Request Timeout" on one, is the server dropping connections
   * that wait, so none is opened ahead any more. The 408 is still the request's answer ("outcome
   * unknown"): HTTP says a server sending it processed nothing (RFC 9110 §15.5.9), but the PHP
   * behind Cashman's web server is not bound to that, and a draft sent twice is worse than one a
   * person checks.
   */
  async exchange(send: () => Promise<HttpAnswer>): Promise<HttpAnswer> {
    let answer: HttpAnswer;
    try {
      answer = await send();
    } catch (error) {
      if (!(error instanceof HttpFailure) || !error.openedAhead) throw error;
      this.spareFailed();
      if (error.sent) throw error;
      return send();
    }
    if (answer.statusCode === 408 && answer.openedAhead) this.spareFailed();
    return answer;
  }

  /** Closes the connection opened ahead, if any (nothing is sent on it). */
  close(): void {
    this.agent.dropSpare();
  }

  private warm(): void {
    if (this.spareMaxAgeMs > 0 && this.lastRequestMs < this.spareMaxAgeMs / 2) this.agent.warm();
  }
}
