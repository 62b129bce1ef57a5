import { performance } from 'node:perf_hooks';
import type { InvoiceDraft } from '../domain/draft.js';
import { CashmanError } from '../errors.js';
import type { InvoiceBackend, PartnerRequest, RequestRow } from '../sync/ports.js';
import { DEFAULT_DRAFT_ANSWER_PATTERN, isStockList, recogniseDraftAnswer, recognisePartnerAnswer, type AnswerProblem } from './answers.js';
import { HeldBack, httpRequest } from '../net-request.js';
import { CashmanConnections, SPARE_MAX_AGE_MS } from './connections.js';
import { phpSerializeRows } from './php-serialize.js';
import { STOCK_LIST_OPERATION, stockListRows } from './stock-list.js';
import { escapeHtml, heldBackReason, isHiba, multipartBody, parseCashmanUrl, transportError, withoutState } from './transport.js';
import {
  DEFAULT_DRAFT_OPERATION,
  LOGIN_CHECK_OPERATION,
  PARTNER_OPERATION,
  PASSWORD_MASK,
  draftRows,
  loginCheckRows,
  maskRows,
  partnerRows,
  type CashmanLogin,
} from './rows.js';

/**
 * The real wording of Cashman's login errors is UNKNOWN (reference/cashman-fx-api.md §4 only
 * confirms the `HIBA:` prefix). This matches Hungarian and English login vocabulary, so it also
 * matches an order's own messages ("termékcsoport"): a match is only a suspicion, which a
 * read-only login check (op 19) confirms before the cycle stops (CASHMAN_LOGIN); otherwise the
 * message is the order's own (CASHMAN_REJECTED). Override it through `loginErrorPattern`.
 */
export const DEFAULT_LOGIN_ERROR_PATTERN = /bejelentkez|jelsz[óo]|felhaszn[áa]l[óo]|csoport|login|auth|password/i;

export interface CashmanRequestInfo {
  operation: number;
  durationMs: number;
  outcome: 'ok' | CashmanError['code'];
}

export interface CashmanClientOptions {
  /** CASHMAN_API_URL, e.g. https://www.cmfx.hu/fxapi/jxs.php. */
  apiUrl: string;
  group: string;
  user: string;
  password: string;
  /** muveletkod of the draft; 4 = invoice without invoice number. */
  draftOperation?: number;
  timeoutMs?: number;
  loginErrorPattern?: RegExp;
  /**
   * Op 4's success answer is undocumented (reference §4): what a created draft's answer looks like
   * (see answers.ts). Anything else, an empty answer included, is "outcome unknown".
   */
  draftAnswerPattern?: RegExp;
  /** Called after every request, for logs and metrics; never receives the rows. */
  onRequest?: (info: CashmanRequestInfo) => void;
  /**
   * How long a connection opened ahead for the next request may wait for it (net-spare.ts);
   * 0 = none is opened ahead (config `cashman.preconnect: false`). Default SPARE_MAX_AGE_MS.
   */
  spareMaxAgeMs?: number;
}

export { multipartBody, parseCashmanUrl } from './transport.js';

const MAX_MESSAGE = 300;
const MAX_REFERENCE = 200;
const MAX_EXCERPT = 120;
export { SPARE_MAX_AGE_MS } from './connections.js';

/** Cashman's API, one sequential request at a time, with no retries: the sync layer decides those. */
export class CashmanClient implements InvoiceBackend {
  private readonly url: URL;
  private readonly login: CashmanLogin;
  private readonly passwordForms: readonly string[];
  private readonly draftOperation: number;
  private readonly timeoutMs: number;
  private readonly loginPattern: RegExp;
  private readonly draftAnswerPattern: RegExp;
  private readonly onRequest: ((info: CashmanRequestInfo) => void) | undefined;
  /** One fresh connection per request, the next one opened ahead in a run of drafts (connections.ts). */
  private readonly connections: CashmanConnections;
  private queue: Promise<unknown> = Promise.resolve();
  /**
   * The rows describeDraftRequest built, per draft: createDraft sends exactly those (the audit row
   * then holds what left, by construction) instead of building them a second time per order.
   */
  private readonly described = new WeakMap<InvoiceDraft, { partnerCode: string; rows: RequestRow[] }>();

  constructor(options: CashmanClientOptions) {
    this.url = parseCashmanUrl(options.apiUrl);
    this.connections = new CashmanConnections(this.url.protocol === 'https:', options.spareMaxAgeMs ?? SPARE_MAX_AGE_MS);
    this.login = { group: options.group, user: options.user, password: options.password };
    const { password } = options;
    // The password as it may come back: as sent, URL-encoded, HTML-escaped (clean()).
    this.passwordForms = password === '' ? [] : [...new Set([password, encodeURIComponent(password), escapeHtml(password)])];
    this.draftOperation = options.draftOperation ?? DEFAULT_DRAFT_OPERATION;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    const pattern = options.loginErrorPattern ?? DEFAULT_LOGIN_ERROR_PATTERN;
    this.loginPattern = withoutState(pattern);
    this.draftAnswerPattern = withoutState(options.draftAnswerPattern ?? DEFAULT_DRAFT_ANSWER_PATTERN);
    this.onRequest = options.onRequest;
  }

  describePartnerRequest(request: PartnerRequest): RequestRow[] {
    return maskRows(partnerRows(request, this.login));
  }

  describeDraftRequest(draft: InvoiceDraft, partnerCode: string): RequestRow[] {
    const rows = draftRows(draft, partnerCode, this.login, this.draftOperation);
    this.described.set(draft, { partnerCode, rows });
    return maskRows(rows);
  }

  async savePartner(request: PartnerRequest, sendAfter: Promise<void>): Promise<{ partnerId: string }> {
    const answer = await this.send(PARTNER_OPERATION, partnerRows(request, this.login), 'partner', sendAfter, () => this.connections.partnerSent(), (text) => {
      // Never stored as a partner_id unless recognised: the partner is then "outcome unknown" and
      // is sent again with the same partner code.
      const recognised = recognisePartnerAnswer(text);
      if ('problem' in recognised) throw this.unrecognised('partner', recognised.problem, text, 'check in Cashman whether the partner exists');
      return recognised.partnerId;
    });
    return { partnerId: answer };
  }

  async createDraft(draft: InvoiceDraft, partnerCode: string, sendAfter: Promise<void>): Promise<{ reference: string | null }> {
    const described = this.described.get(draft);
    this.described.delete(draft);
    const rows = described?.partnerCode === partnerCode ? described.rows : draftRows(draft, partnerCode, this.login, this.draftOperation);
    const reference = await this.send(this.draftOperation, rows, 'draft', sendAfter, () => this.connections.draftSent(), (text) => {
      const recognised = recogniseDraftAnswer(text, this.draftAnswerPattern);
      if ('problem' in recognised) throw this.unrecognised('draft', recognised.problem, text, 'check in Cashman whether the draft exists');
      return this.clean(recognised.reference).slice(0, MAX_REFERENCE);
    });
    return { reference };
  }

  /** Op 19 (keszlet_lista): a read that changes nothing; only a stock list counts as success. */
  async checkLogin(): Promise<void> {
    await this.send(LOGIN_CHECK_OPERATION, loginCheckRows(this.login), 'login check', undefined, undefined, (text) => {
      if (!isStockList(text)) {
        throw this.unrecognised('login check', 'an unrecognised answer', text, 'check CASHMAN_API_URL');
      }
    });
  }

  /**
   * Op 19 (keszlet_lista) for the stock round: the raw answer, read by src/cashman/stock-list.ts.
   * A `HIBA:` throws as for every operation; anything else is returned for the parser to judge.
   */
  stockListText(warehouseId: number | null): Promise<string> {
    return this.send(STOCK_LIST_OPERATION, stockListRows(this.login, warehouseId), 'stock list', undefined, undefined, (text) => text);
  }

  /** Runs one request after the previous one settled (SPEC §2: Cashman requests are sequential). */
  private send<T>(operation: number, rows: RequestRow[], what: string, sendAfter: Promise<void> | undefined, afterSend: (() => void) | undefined, parse: (text: string) => T): Promise<T> {
    const run = this.queue.then(() => this.sendNow(operation, rows, what, sendAfter, afterSend, parse));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async sendNow<T>(
    operation: number,
    rows: RequestRow[],
    what: string,
    sendAfter: Promise<void> | undefined,
    afterSend: (() => void) | undefined,
    parse: (text: string) => T,
  ): Promise<T> {
    const started = performance.now();
    let outcome: CashmanRequestInfo['outcome'] | null = 'ok';
    try {
      const text = await this.post(rows, what, sendAfter, afterSend);
      if (isHiba(text)) throw await this.hibaError(text, what, operation);
      return parse(text);
    } catch (error) {
      if (error instanceof HeldBack) {
        // Nothing left: no request to count, and the ledger's failure, not Cashman's.
        outcome = null;
        throw heldBackReason(error.cause, what);
      }
      outcome = error instanceof CashmanError ? error.code : 'CASHMAN_OUTCOME_UNKNOWN';
      throw error;
    } finally {
      const durationMs = performance.now() - started;
      this.connections.answered(durationMs);
      if (outcome !== null) this.onRequest?.({ operation, durationMs: Math.round(durationMs), outcome });
    }
  }

  /**
   * `sendAfter`: the connection is taken (opened ahead: connections.ts) or opened at once, and the
   * request written once it resolves (the ledger's intent is on the disk: src/store/wal-sync.ts), so
   * the sync overlaps the request's build and any handshake. When it rejects, nothing is sent
   * (HeldBack, carrying its error); `afterSend` runs once the request was written.
   */
  private async post(rows: RequestRow[], what: string, sendAfter?: Promise<void>, afterSend?: () => void): Promise<string> {
    const { body, contentType } = multipartBody(phpSerializeRows(rows));
    try {
      // No retry (but of a request that provably never left a connection opened ahead: connections.ts) and no
      // redirect (a redirected POST could be sent a second time; a moved endpoint is a config fix instead).
      const request = { method: 'POST', headers: { 'content-type': contentType }, body, agent: this.connections.agent } as const;
      // A second exchange (connections.ts) gets what is left of the one deadline, not a new one.
      const deadline = performance.now() + this.timeoutMs;
      const exchange = () =>
        httpRequest(this.url, {
          ...request,
          timeoutMs: Math.max(1, deadline - performance.now()),
          ...(sendAfter ? { sendAfter } : {}),
          ...(afterSend ? { afterSend } : {}),
        });
      const response = await this.connections.exchange(exchange);
      const text = response.text;
      if (isHiba(text)) return text;
      if (response.statusCode < 200 || response.statusCode > 299) {
        // A server error or "too busy" is the web server in front of Cashman failing (PHP, database
        // down): an outage. Any other status (a 404, a 403) points at CASHMAN_API_URL instead.
        const failing = response.statusCode >= 500 || response.statusCode === 429;
        throw this.unknown(
          `Cashman answered the ${what} request with HTTP ${response.statusCode}; it may have been processed, check CASHMAN_API_URL and Cashman itself.`,
          text,
          failing,
        );
      }
      return text;
    } catch (error) {
      if (error instanceof CashmanError || error instanceof HeldBack) throw error;
      throw transportError(error, what, (text) => this.oneLine(text));
    }
  }

  /** Closes the connection opened ahead for a next request, if any (nothing is sent on it). */
  close(): void {
    this.connections.close();
  }

  /**
   * A `HIBA:` is Cashman refusing the request, so nothing was processed. Whose fault it is decides
   * between stopping the cycle and quarantining one order, so text alone never stops the cycle:
   * a login-looking message is confirmed by the read-only login check first.
   */
  private async hibaError(text: string, what: string, operation: number): Promise<CashmanError> {
    const message = this.oneLine(text.replace(/^\uFEFF?\s*HIBA\s*:/, ''));
    const refused = new CashmanError('CASHMAN_REJECTED', `Cashman refused the ${what}: ${message}`);
    if (!this.loginPattern.test(message)) return refused;
    const loginRefused = `Cashman refused the login (check CASHMAN_GROUP, CASHMAN_USER, CASHMAN_PASSWORD): ${message}`;
    if (operation === LOGIN_CHECK_OPERATION) return new CashmanError('CASHMAN_LOGIN', loginRefused);
    const probe = await this.probeLogin();
    if (probe.kind === 'works') return refused;
    if (probe.kind === 'refused') return new CashmanError('CASHMAN_LOGIN', `${loginRefused} (confirmed by a read-only login check)`);
    return new CashmanError(
      'CASHMAN_LOGIN',
      `Cashman's answer to the ${what} looked like a refused login (${message}) and a read-only login check could not settle it (${probe.detail}); no order is sent until it can.`,
    );
  }

  /** The login check (op 19), sent inside the current request's turn of the queue. */
  private async probeLogin(): Promise<{ kind: 'works' } | { kind: 'refused' } | { kind: 'unsettled'; detail: string }> {
    const started = performance.now();
    let outcome: CashmanRequestInfo['outcome'] = 'ok';
    try {
      const text = await this.post(loginCheckRows(this.login), 'login check');
      if (isStockList(text)) return { kind: 'works' };
      outcome = 'CASHMAN_OUTCOME_UNKNOWN';
      if (!isHiba(text)) return { kind: 'unsettled', detail: 'it answered with something that is not a stock list' };
      const message = this.oneLine(text.replace(/^\uFEFF?\s*HIBA\s*:/, ''));
      if (!this.loginPattern.test(message)) return { kind: 'unsettled', detail: `it answered: ${message}` };
      outcome = 'CASHMAN_LOGIN';
      return { kind: 'refused' };
    } catch (error) {
      outcome = error instanceof CashmanError ? error.code : 'CASHMAN_OUTCOME_UNKNOWN';
      return { kind: 'unsettled', detail: error instanceof Error ? error.message : String(error) };
    } finally {
      this.onRequest?.({ operation: LOGIN_CHECK_OPERATION, durationMs: Math.round(performance.now() - started), outcome });
    }
  }

  /** An answer that is not a recognised success: "outcome unknown", with a short, clean excerpt. */
  private unrecognised(what: string, problem: AnswerProblem, answer: string, advice: string): CashmanError {
    const excerpt = this.oneLine(answer.replace(/<[^>]*>/g, ' ')).slice(0, MAX_EXCERPT);
    const shown = excerpt === '' ? '' : ` ("${excerpt}")`;
    return this.unknown(`Cashman answered the ${what} request with ${problem}${shown}, not a recognised success; ${advice}.`, answer);
  }

  private unknown(message: string, answer: string, serverError = false): CashmanError {
    return new CashmanError('CASHMAN_OUTCOME_UNKNOWN', message, { cause: new Error(`answer: ${this.oneLine(answer)}`), serverError });
  }

  /** Cashman's text as one line of at most MAX_MESSAGE characters, with the password removed. */
  private oneLine(text: string): string {
    const line = this.clean(text).replace(/\s+/g, ' ').trim();
    return line.length > MAX_MESSAGE ? `${line.slice(0, MAX_MESSAGE - 1)}…` : line;
  }

  // The password travels in the body, so a server echoing the body could hand it back to us.
  private clean(text: string): string {
    let result = text;
    for (const form of this.passwordForms) if (result.includes(form)) result = result.split(form).join(PASSWORD_MASK);
    return result;
  }
}
