import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import got, { RequestError } from 'got';
import type { InvoiceDraft } from '../domain/draft.js';
import { CashmanError, ConfigError } from '../errors.js';
import type { InvoiceBackend, PartnerRequest, RequestRow } from '../sync/ports.js';
import { phpSerializeRows } from './php-serialize.js';
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
 * confirms the `HIBA:` prefix). This matches Hungarian and English login vocabulary; a `HIBA:`
 * that matches stops the cycle (CASHMAN_LOGIN) instead of quarantining one order. Override it
 * through `loginErrorPattern` once the vendor's messages are known.
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
   * Op 4's success answer is undocumented (reference §4). Until the vendor confirms that an empty
   * body means success, an empty answer is treated as "outcome unknown": loud, never a lost draft.
   */
  emptyDraftAnswerIsSuccess?: boolean;
  /** Called after every request, for logs and metrics; never receives the rows. */
  onRequest?: (info: CashmanRequestInfo) => void;
}

const LOOPBACK_HOSTS = new Set(['localhost', '::1', '[::1]']);
const MAX_MESSAGE = 300;
const MAX_REFERENCE = 200;

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

// Error codes that can only happen before a connection exists, so the body cannot have left.
const NOT_CONNECTED_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);
const CERTIFICATE_CODE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/;

/** Cashman's API, one sequential request at a time, with no retries: the sync layer decides those. */
export class CashmanClient implements InvoiceBackend {
  private readonly url: URL;
  private readonly login: CashmanLogin;
  private readonly draftOperation: number;
  private readonly timeoutMs: number;
  private readonly loginPattern: RegExp;
  private readonly emptyDraftAnswerIsSuccess: boolean;
  private readonly onRequest: ((info: CashmanRequestInfo) => void) | undefined;
  // Keep-alive off: a reused socket that the server closed meanwhile fails with ECONNRESET,
  // which we would have to report as "outcome unknown" although nothing was processed.
  private readonly agent = { http: new http.Agent({ keepAlive: false }), https: new https.Agent({ keepAlive: false }) };
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: CashmanClientOptions) {
    this.url = parseCashmanUrl(options.apiUrl);
    this.login = { group: options.group, user: options.user, password: options.password };
    this.draftOperation = options.draftOperation ?? DEFAULT_DRAFT_OPERATION;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    const pattern = options.loginErrorPattern ?? DEFAULT_LOGIN_ERROR_PATTERN;
    // A /g or /y pattern keeps lastIndex between test() calls; strip those flags.
    this.loginPattern = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
    this.emptyDraftAnswerIsSuccess = options.emptyDraftAnswerIsSuccess ?? false;
    this.onRequest = options.onRequest;
  }

  describePartnerRequest(request: PartnerRequest): RequestRow[] {
    return maskRows(partnerRows(request, this.login));
  }

  describeDraftRequest(draft: InvoiceDraft, partnerCode: string): RequestRow[] {
    return maskRows(draftRows(draft, partnerCode, this.login, this.draftOperation));
  }

  async savePartner(request: PartnerRequest): Promise<{ partnerId: string }> {
    const answer = await this.send(PARTNER_OPERATION, partnerRows(request, this.login), 'partner', (text) => {
      // Success is pipe-separated with partner_id first (reference §4, op 9).
      const partnerId = text.split('|')[0]?.trim() ?? '';
      if (!/^\d+$/.test(partnerId)) {
        throw this.unknown('Cashman answered the partner request with something that is not a partner id.', text);
      }
      return partnerId;
    });
    return { partnerId: answer };
  }

  async createDraft(draft: InvoiceDraft, partnerCode: string): Promise<{ reference: string | null }> {
    const rows = draftRows(draft, partnerCode, this.login, this.draftOperation);
    const reference = await this.send(this.draftOperation, rows, 'draft', (text) => {
      const trimmed = text.trim();
      if (trimmed.startsWith('<')) {
        throw this.unknown('Cashman answered the draft request with an HTML page; check in Cashman whether the draft exists.', text);
      }
      if (trimmed === '' && !this.emptyDraftAnswerIsSuccess) {
        throw this.unknown('Cashman answered the draft request with an empty body; check in Cashman whether the draft exists.', text);
      }
      return trimmed === '' ? null : this.clean(trimmed).slice(0, MAX_REFERENCE);
    });
    return { reference };
  }

  async checkLogin(): Promise<void> {
    await this.send(LOGIN_CHECK_OPERATION, loginCheckRows(this.login), 'login check', () => undefined);
  }

  /** Runs one request after the previous one settled (SPEC §2: Cashman requests are sequential). */
  private send<T>(operation: number, rows: RequestRow[], what: string, parse: (text: string) => T): Promise<T> {
    const run = this.queue.then(() => this.sendNow(operation, rows, what, parse));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async sendNow<T>(operation: number, rows: RequestRow[], what: string, parse: (text: string) => T): Promise<T> {
    const started = performance.now();
    let outcome: CashmanRequestInfo['outcome'] = 'ok';
    try {
      const text = await this.post(rows, what);
      this.throwIfHiba(text, what);
      return parse(text);
    } catch (error) {
      outcome = error instanceof CashmanError ? error.code : 'CASHMAN_OUTCOME_UNKNOWN';
      throw error;
    } finally {
      this.onRequest?.({ operation, durationMs: Math.round(performance.now() - started), outcome });
    }
  }

  private async post(rows: RequestRow[], what: string): Promise<string> {
    const { body, contentType } = multipartBody(phpSerializeRows(rows));
    try {
      const response = await got.post(this.url, {
        body,
        headers: { 'content-type': contentType },
        timeout: { request: this.timeoutMs },
        retry: { limit: 0 },
        throwHttpErrors: false,
        // A redirected POST could be sent a second time; a moved endpoint is a config fix instead.
        followRedirect: false,
        agent: this.agent,
        responseType: 'text',
      });
      const text = response.body;
      if (isHiba(text)) return text;
      if (response.statusCode < 200 || response.statusCode > 299) {
        throw this.unknown(
          `Cashman answered the ${what} request with HTTP ${response.statusCode}; it may have been processed, check CASHMAN_API_URL and Cashman itself.`,
          text,
        );
      }
      return text;
    } catch (error) {
      if (error instanceof CashmanError) throw error;
      throw this.transportError(error, what);
    }
  }

  private throwIfHiba(text: string, what: string): void {
    if (!isHiba(text)) return;
    const message = this.oneLine(text.replace(/^\uFEFF?\s*HIBA\s*:/, ''));
    if (this.loginPattern.test(message)) {
      throw new CashmanError('CASHMAN_LOGIN', `Cashman refused the login (check CASHMAN_GROUP, CASHMAN_USER, CASHMAN_PASSWORD): ${message}`);
    }
    throw new CashmanError('CASHMAN_REJECTED', `Cashman refused the ${what}: ${message}`);
  }

  /**
   * NOT_SENT only when the connection (TCP, or the TLS handshake for https) provably never
   * completed: no request byte can have reached Cashman. Everything else may have been processed.
   */
  private transportError(error: unknown, what: string): CashmanError {
    const code = error instanceof RequestError ? error.code : undefined;
    const timings = error instanceof RequestError ? error.timings : undefined;
    const connected = this.url.protocol === 'https:' ? timings?.secureConnect : timings?.connect;
    const summary = this.oneLine(error instanceof Error ? error.message : String(error));
    const cause = Object.assign(new Error(summary), { code });
    // With timings we know whether the connection completed; without them only the code can tell.
    const neverConnected =
      timings !== undefined ? connected === undefined : code !== undefined && (NOT_CONNECTED_CODES.has(code) || CERTIFICATE_CODE.test(code));
    if (neverConnected) {
      return new CashmanError('CASHMAN_NOT_SENT', `Could not reach Cashman for the ${what} request (${summary}); nothing was sent.`, { cause });
    }
    return new CashmanError(
      'CASHMAN_OUTCOME_UNKNOWN',
      `The ${what} request reached Cashman but no answer came back (${summary}); check in Cashman whether it was processed.`,
      { cause },
    );
  }

  private unknown(message: string, answer: string): CashmanError {
    return new CashmanError('CASHMAN_OUTCOME_UNKNOWN', message, { cause: new Error(`answer: ${this.oneLine(answer)}`) });
  }

  /** Cashman's text as one line of at most MAX_MESSAGE characters, with the password removed. */
  private oneLine(text: string): string {
    const line = this.clean(text).replace(/\s+/g, ' ').trim();
    return line.length > MAX_MESSAGE ? `${line.slice(0, MAX_MESSAGE - 1)}…` : line;
  }

  // The password travels in the body, so a server echoing the body could hand it back to us.
  private clean(text: string): string {
    const { password } = this.login;
    if (password === '') return text;
    const forms = new Set([password, encodeURIComponent(password), escapeHtml(password)]);
    let result = text;
    for (const form of forms) result = result.split(form).join(PASSWORD_MASK);
    return result;
  }
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

function isHiba(text: string): boolean {
  return /^\uFEFF?\s*HIBA\s*:/.test(text);
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
