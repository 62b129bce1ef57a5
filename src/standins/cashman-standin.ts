import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { stockListAnswer, type StandinStockRow } from './cashman-standin-stock.js';
import type { CashmanFault, CashmanStandin, CashmanStandinOptions } from './cashman-standin-types.js';
import { maskRows } from '../cashman/rows.js';
import type { RequestRow } from '../sync/ports.js';
import { Hiba, checkDraft, hiba } from './cashman-draft-checks.js';
import { ODD_ANSWERS, decodeRequest, productGroupHiba } from './cashman-standin-wire.js';

export { ODD_ANSWERS, productGroupHiba, type OddAnswer } from './cashman-standin-wire.js';
export type { CashmanFault, CashmanStandin, CashmanStandinOptions, StandinDraft, StandinPartner } from './cashman-standin-types.js';

/** Cashman's answer to a wrong group, user or password. */
export const STANDIN_LOGIN_ERROR = 'HIBA: Hibás bejelentkezési adatok (csoport, felhasználó vagy jelszó)!';

/**
 * A local, real-HTTP stand-in for the CashMan-Fx API (reference/cashman-fx-api.md) for tests,
 * `demo` and benchmarks. It speaks the vendor's wire format (multipart field `post` = PHP
 * serialize of rows, `HIBA:` text answers) and validates drafts like a careful vendor would,
 * including the "4.7" totals rules (§6.4). Faults simulate what makes a draft's outcome unknown.
 * Starts the stand-in on 127.0.0.1, port 0.
 */
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
    stats: { requests: 0, hiba: 0, faultsApplied: 0, byOperation: {}, connections: 0 },
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

  /** `masked` = the same rows, password masked, as recorded in `received`. */
  function saveDraft(operation: number, rows: RequestRow[], masked: RequestRow[]): string {
    const head = rows[0] ?? {};
    const conflict = rows.find((row) => row.cikkszam !== undefined && rejectedSkus.has(row.cikkszam));
    if (conflict?.cikkszam !== undefined) hiba(productGroupHiba(conflict.cikkszam).slice("HIBA: ".length));
    checkDraft(head, rows, codes, options);
    const id = nextDraftId++;
    const answer = operation === 4 ? `${id}|1` : `${id}|1|SZ-${id}|0|hu||${id}|0|1|`;
    state.drafts.push({ operation, rows: masked, partnerCode: head.partner_kod ?? '', reference: answer });
    return answer;
  }

  function processRequest(operation: number, rows: RequestRow[], masked: RequestRow[]): string {
    const head = rows[0] ?? {};
    if (head.Csoport !== login.group || head.User !== login.user || head.Password !== login.password) return STANDIN_LOGIN_ERROR;
    for (const row of rows) if (row.email_cim !== undefined) state.emailCimSeen.push(row.email_cim);
    try {
      switch (operation) {
        case 9:
          return savePartner(head);
        case 1:
        case 4:
          return saveDraft(operation, rows, masked);
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

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, started: number, body: Buffer): Promise<void> {
    state.stats.requests += 1;
    const decoded = decodeRequest(req, body);
    const operation = typeof decoded === 'string' ? null : decoded.operation;
    const masked = typeof decoded === 'string' ? [] : maskRows(decoded.rows);
    const { id: connection, at: connectedAt } = connections.get(req.socket) ?? { id: 0, at: 0 };
    const entry =
      typeof decoded === 'string' ? null : { operation, rows: masked, at: new Date(), durationMs: undefined as number | undefined, connection, connectedAt, answeredAt: undefined as number | undefined };
    if (entry) state.received.push(entry);
    if (operation !== null) state.stats.byOperation[operation] = (state.stats.byOperation[operation] ?? 0) + 1;

    const fault = takeFault(operation);
    if (fault?.kind === 'echo') {
      const echoed = body.toString('utf8');
      if (fault.status === undefined) return void answerEcho(res, `HIBA: Hibás adat a kérésben: ${echoed}`, 200, 'text/plain');
      return void answerEcho(res, `<html><body><h1>Error</h1><pre>${echoed}</pre></body></html>`, fault.status, 'text/html');
    }
    const answer = (text: string, status = 200, type = 'text/plain; charset=utf-8'): void => {
      if (res.destroyed || res.writableEnded) return;
      if (text.startsWith('HIBA:')) state.stats.hiba += 1;
      res.writeHead(status, { 'content-type': type }).end(text);
      if (entry) {
        entry.answeredAt = performance.now();
        entry.durationMs = entry.answeredAt - started;
      }
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
      const real = processRequest(decoded.operation, decoded.rows, masked);
      return answer(fault.around === 'before' ? `${odd}\n${real}` : `${real}\n${odd}`);
    }
    const text = typeof decoded === 'string' ? decoded : processRequest(decoded.operation, decoded.rows, masked);
    if (typeof decoded !== 'string') await options.onProcessed?.({ operation: decoded.operation, answer: text });
    if (fault?.kind === 'dropAfterProcessing') return void req.socket.destroy();
    if (fault?.kind === 'truncate') return answer(text.slice(0, Math.floor(text.length / 2)));
    if (fault?.kind === 'slow') await sleep(fault.delayMs);
    answer(text);
  }

  const server = http.createServer((req, res) => {
    const started = performance.now();
    // Events rather than `for await`: the async iterator's machinery cost more than the rest of a request.
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A client gone mid-body: nothing was received, nothing to answer (the iterator swallowed it too).
    req.on('error', () => undefined);
    req.on('end', () => {
      handle(req, res, started, chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
  });
  // Which connection carried each request: the client opens one per request (src/cashman/client.ts).
  const connections = new WeakMap<object, { id: number; at: number }>();
  server.on('connection', (socket) => connections.set(socket, { id: (state.stats.connections += 1), at: performance.now() }));
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
