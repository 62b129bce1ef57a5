import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { stockListAnswer, type StandinStockRow } from './cashman-standin-stock.js';
import { maskRows } from '../cashman/rows.js';
import type { RequestRow } from '../sync/ports.js';
import { Hiba, checkDraft, hiba } from './cashman-draft-checks.js';
import { ODD_ANSWERS, decodeRequest, productGroupHiba, type OddAnswer } from './cashman-standin-wire.js';

export { ODD_ANSWERS, productGroupHiba, type OddAnswer } from './cashman-standin-wire.js';

/**
 * A local, real-HTTP stand-in for the CashMan-Fx API (reference/cashman-fx-api.md) for tests,
 * `demo` and benchmarks. It speaks the vendor's wire format (multipart field `post` = PHP
 * serialize of rows, `HIBA:` text answers) and validates drafts like a careful vendor would,
 * including the "4.7" totals rules (§6.4). Faults simulate what makes a draft's outcome unknown.
 */

export interface CashmanStandinOptions {
  /** Fixed port for manual experiments (`demo --serve`); 0 (default) = any free port. */
  port?: number;
  group?: string;
  user?: string;
  password?: string;
  /** Delay before every answer. */
  latencyMs?: number;
  /** When given, afa_id / mennyisegiegyseg_id must be one of these (the tenant's ids). */
  vatIds?: readonly number[];
  unitIds?: readonly number[];
  firstPartnerId?: number;
  firstDraftId?: number;
  /** Partner codes the tenant already holds (a lost ledger's partners), e.g. SR000001. */
  existingPartnerCodes?: readonly string[];
  /**
   * Test hook: called after a request was processed (a draft or partner is recorded) and before
   * the answer is written; the answer waits for the returned promise. Lets a crash test kill the
   * client exactly between Cashman's processing and the client's ledger commit.
   */
  onProcessed?: (event: { operation: number; answer: string }) => void | Promise<void>;
  /** Op 19's stock list (cashman-standin-stock.ts); default none. */
  stock?: StandinStockRow[];
}

/** One injected misbehaviour; `slow` still processes the request, then answers after `delayMs`. */
export type CashmanFault =
  | { kind: 'hiba'; message: string }
  | { kind: 'login' }
  | { kind: 'status500' }
  | { kind: 'drop' }
  | { kind: 'dropAfterProcessing' }
  | { kind: 'slow'; delayMs: number }
  /** Answers with the raw request body echoed back, as a PHP error page dumping its input would:
   * a `HIBA:` text (status 200) or, with `status`, an HTML error page. Nothing is processed. */
  | { kind: 'echo'; status?: number }
  /** Answers one of the shapes that are not a success (ODD_ANSWERS), status 200, and records
   * nothing. With `around` the request is processed (the draft or partner exists) and the odd
   * text is printed before or after the real answer, as PHP prints a warning mid-script. */
  | { kind: 'answer'; shape: OddAnswer; around?: 'before' | 'after' }
  /** The real answer cut in half, as a dropped connection mid-body or a PHP memory limit leaves it. */
  | { kind: 'truncate' };


export interface StandinPartner {
  partnerId: string;
  partnerCode: string;
  /** Everything op 9 sent, login fields removed. */
  fields: RequestRow;
  updates: number;
}

export interface StandinDraft {
  operation: number;
  /** The rows as received, password masked. */
  rows: RequestRow[];
  partnerCode: string;
  reference: string;
}

export interface CashmanStandin {
  /** The API URL to give the client (http://127.0.0.1:PORT/fxapi/jxs.php). */
  url: string;
  /** Every request that could be decoded, password masked; `durationMs` from arrival to answer (the benchmark's floor). */
  received: Array<{ operation: number | null; rows: RequestRow[]; at: Date; durationMs?: number }>;
  partners: Map<string, StandinPartner>;
  drafts: StandinDraft[];
  /** Every `email_cim` value seen: the daemon must never send one (SPEC §1.3). */
  emailCimSeen: string[];
  stats: { requests: number; hiba: number; faultsApplied: number; byOperation: Record<string, number> };
  /** Applies `fault` to the next `times` requests (default 1), optionally only to some operations. */
  setFault(fault: CashmanFault, options?: { times?: number; operations?: readonly number[] }): void;
  clearFaults(): void;
  setLatency(ms: number): void;
  /** Changes the login Cashman accepts from now on (e.g. a password changed in Cashman). */
  setLogin(login: { group?: string; user?: string; password?: string }): void;
  /** Refuses every draft with a line of this SKU as Cashman does for a product-group conflict;
   * the message contains "csoport", which the login pattern also matches. Until clearFaults(). */
  rejectSku(sku: string): void;
  /** Stops listening, keeping every partner and draft: the daemon sees Cashman unreachable (connection refused). */
  pause(): Promise<void>;
  /** Listens again on the same port after `pause`. */
  resume(): Promise<void>;
  /** Op 19's rows; tests change them in place (goods received, invoices finalized). */
  stock: StandinStockRow[];
  close(): Promise<void>;
}



export const STANDIN_LOGIN_ERROR = 'HIBA: Hibás bejelentkezési adatok (csoport, felhasználó vagy jelszó)!';

/** Starts the stand-in on 127.0.0.1, port 0. */
export async function startCashmanStandin(options: CashmanStandinOptions = {}): Promise<CashmanStandin> {
  const login = { group: options.group ?? 'demo', user: options.user ?? 'api', password: options.password ?? 'secret' };
  let latencyMs = options.latencyMs ?? 0;
  let nextPartnerId = options.firstPartnerId ?? 1001;
  let nextDraftId = options.firstDraftId ?? 5001;
  const faults: Array<{ fault: CashmanFault; remaining: number; operations: readonly number[] | null }> = [];
  const timers = new Set<NodeJS.Timeout>();
  const codes = new Map<string, string>();
  const rejectedSkus = new Set<string>();
  const stock: StandinStockRow[] = options.stock ?? [];

  const state: Omit<CashmanStandin, 'url' | 'setFault' | 'clearFaults' | 'setLatency' | 'setLogin' | 'rejectSku' | 'pause' | 'resume' | 'close' | 'stock'> = {
    received: [],
    partners: new Map(),
    drafts: [],
    emailCimSeen: [],
    stats: { requests: 0, hiba: 0, faultsApplied: 0, byOperation: {} },
  };
  for (const code of options.existingPartnerCodes ?? []) {
    const partnerId = String(nextPartnerId++);
    state.partners.set(partnerId, { partnerId, partnerCode: code, fields: { partner_kod: code }, updates: 0 });
    codes.set(code, partnerId);
  }

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      if (ms <= 0) return resolve();
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  function takeFault(operation: number | null): CashmanFault | null {
    const entry = faults.find((f) => f.operations === null || (operation !== null && f.operations.includes(operation)));
    if (!entry) return null;
    entry.remaining -= 1;
    if (entry.remaining <= 0) faults.splice(faults.indexOf(entry), 1);
    state.stats.faultsApplied += 1;
    return entry.fault;
  }

  function savePartner(row: RequestRow): string {
    const code = row.partner_kod ?? '';
    const id = row.partner_id ?? '';
    if (!row.nev) hiba('A partner neve (nev) kötelező.');
    if (!code) hiba('A partnerkód (partner_kod) kötelező.');
    const fields = Object.fromEntries(Object.entries(row).filter(([key]) => !['Csoport', 'User', 'Password'].includes(key)));
    const owner = codes.get(code);
    if (id === '') {
      if (owner !== undefined) hiba(`A partnerkód már létezik: ${code}`);
      const partnerId = String(nextPartnerId++);
      state.partners.set(partnerId, { partnerId, partnerCode: code, fields, updates: 0 });
      codes.set(code, partnerId);
      return `${partnerId}|${code}`;
    }
    const existing = state.partners.get(id);
    if (!existing) return hiba(`Nem létező partner (partner_id: ${id}).`);
    if (owner !== undefined && owner !== id) hiba(`A partnerkód már egy másik partneré: ${code}`);
    codes.delete(existing.partnerCode);
    codes.set(code, id);
    Object.assign(existing, { partnerCode: code, fields, updates: existing.updates + 1 });
    return `${id}|${code}`;
  }

  function saveDraft(operation: number, rows: RequestRow[]): string {
    const head = rows[0] ?? {};
    const conflict = rows.find((row) => row.cikkszam !== undefined && rejectedSkus.has(row.cikkszam));
    if (conflict?.cikkszam !== undefined) hiba(productGroupHiba(conflict.cikkszam).slice("HIBA: ".length));
    checkDraft(head, rows, codes, options);
    const id = nextDraftId++;
    const answer = operation === 4 ? `${id}|1` : `${id}|1|SZ-${id}|0|hu||${id}|0|1|`;
    state.drafts.push({ operation, rows: maskRows(rows), partnerCode: head.partner_kod ?? '', reference: answer });
    return answer;
  }

  function processRequest(operation: number, rows: RequestRow[]): string {
    const head = rows[0] ?? {};
    if (head.Csoport !== login.group || head.User !== login.user || head.Password !== login.password) return STANDIN_LOGIN_ERROR;
    for (const row of rows) if (row.email_cim !== undefined) state.emailCimSeen.push(row.email_cim);
    try {
      switch (operation) {
        case 9:
          return savePartner(head);
        case 1:
        case 4:
          return saveDraft(operation, rows);
        case 19:
          return stockListAnswer(stock, head);
        default:
          return hiba(`Nem támogatott műveletkód: ${operation}`);
      }
    } catch (error) {
      if (error instanceof Hiba) return error.message;
      throw error;
    }
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = performance.now();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    state.stats.requests += 1;
    const decoded = await decodeRequest(req, Buffer.concat(chunks));
    const operation = typeof decoded === 'string' ? null : decoded.operation;
    const entry = typeof decoded === 'string' ? null : { operation, rows: maskRows(decoded.rows), at: new Date(), durationMs: undefined as number | undefined };
    if (entry) state.received.push(entry);
    if (operation !== null) state.stats.byOperation[operation] = (state.stats.byOperation[operation] ?? 0) + 1;

    const fault = takeFault(operation);
    if (fault?.kind === 'echo') {
      const echoed = Buffer.concat(chunks).toString('utf8');
      if (fault.status === undefined) return void answerEcho(res, `HIBA: Hibás adat a kérésben: ${echoed}`, 200, 'text/plain');
      return void answerEcho(res, `<html><body><h1>Error</h1><pre>${echoed}</pre></body></html>`, fault.status, 'text/html');
    }
    const answer = (text: string, status = 200, type = 'text/plain; charset=utf-8'): void => {
      if (res.destroyed || res.writableEnded) return;
      if (text.startsWith('HIBA:')) state.stats.hiba += 1;
      res.writeHead(status, { 'content-type': type }).end(text);
      if (entry) entry.durationMs = performance.now() - started;
    };
    if (fault?.kind === 'drop') return void req.socket.destroy();
    await sleep(latencyMs);
    if (fault?.kind === 'status500') {
      return answer('<html><body><h1>500 Internal Server Error</h1></body></html>', 500, 'text/html');
    }
    if (fault?.kind === 'hiba') return answer(`HIBA: ${fault.message}`);
    if (fault?.kind === 'login') return answer(STANDIN_LOGIN_ERROR);
    if (fault?.kind === 'answer') {
      const odd = ODD_ANSWERS[fault.shape];
      if (fault.around === undefined || typeof decoded === 'string') return answer(odd);
      const real = processRequest(decoded.operation, decoded.rows);
      return answer(fault.around === 'before' ? `${odd}\n${real}` : `${real}\n${odd}`);
    }
    const text = typeof decoded === 'string' ? decoded : processRequest(decoded.operation, decoded.rows);
    if (typeof decoded !== 'string') await options.onProcessed?.({ operation: decoded.operation, answer: text });
    if (fault?.kind === 'dropAfterProcessing') return void req.socket.destroy();
    if (fault?.kind === 'truncate') return answer(text.slice(0, Math.floor(text.length / 2)));
    if (fault?.kind === 'slow') await sleep(fault.delayMs);
    answer(text);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  server.listen(options.port ?? 0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  let listening = true;
  const stopListening = async (): Promise<void> => {
    if (!listening) return;
    listening = false;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };

  return {
    ...state,
    url: `http://127.0.0.1:${port}/fxapi/jxs.php`,
    pause: stopListening,
    async resume() {
      if (listening) return;
      server.listen(port, '127.0.0.1');
      await once(server, 'listening');
      listening = true;
    },
    stock,
    setFault(fault, faultOptions = {}) {
      faults.push({ fault, remaining: faultOptions.times ?? 1, operations: faultOptions.operations ?? null });
    },
    clearFaults() {
      faults.length = 0;
      rejectedSkus.clear();
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    setLogin(changed) {
      Object.assign(login, changed);
    },
    rejectSku(sku) {
      rejectedSkus.add(sku);
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await stopListening();
    },
  };
}

function answerEcho(res: http.ServerResponse, text: string, status: number, type: string): void {
  if (!res.destroyed && !res.writableEnded) res.writeHead(status, { 'content-type': `${type}; charset=utf-8` }).end(text);
}

/** A URL on which nothing listens (connection refused), for CASHMAN_NOT_SENT tests. */
export async function closedPortUrl(): Promise<string> {
  const server = http.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/fxapi/jxs.php`;
}
