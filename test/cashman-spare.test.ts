import { afterEach, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { CashmanClient, type CashmanClientOptions } from '../src/cashman/client.js';
import { CashmanError } from '../src/errors.js';
import { SEND_NOW } from '../src/sync/ports.js';
import { LOGIN, SELF_SIGNED_LOCALHOST, partnerRequest, sampleDraft } from './cashman-fixtures.js';
import { rawCashman, rawReply, type RawCashman, type RawConnection } from './helpers/raw-cashman.js';

/**
 * The next request's connection is opened while Cashman answers the current one (src/net-spare.ts),
 * so a backfill pays no handshake between two requests. What must hold, against a raw server that
 * sees every connection and every byte: each connection still carries at most one request; a
 * connection opened ahead is used only while the server has said nothing on it; one never used is
 * closed by the client without a byte; and a failure on it means what it means on any fresh
 * connection ("not sent" before the request was written, "outcome unknown" after).
 */

const PARTNER_ANSWER = '4711|SR000042';
const DRAFT_ANSWER = '815|1|SZ-815';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let raw: RawCashman | undefined;
afterEach(async () => {
  await raw?.close();
  raw = undefined;
});

async function server(
  answer: (n: number, socket: Socket, connection: RawConnection) => void,
  onConnection?: (connection: RawConnection) => void,
): Promise<RawCashman> {
  raw = await rawCashman(answer, onConnection ? { onConnection } : {});
  return raw;
}

const client = (url: string, options: Partial<CashmanClientOptions> = {}) =>
  new CashmanClient({ apiUrl: url, group: LOGIN.group, user: LOGIN.user, password: LOGIN.password, timeoutMs: 5000, ...options });

/** Resolves once `check` holds (polled); rejects after `ms` so a missing connection fails the test instead of hanging it. */
async function until(check: () => boolean, ms = 3000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!check()) {
    if (performance.now() > deadline) throw new Error('the condition never held');
    await sleep(5);
  }
}

async function failure(promise: Promise<unknown>): Promise<CashmanError> {
  const error = await promise.then(() => new Error('expected a CashmanError'), (e: unknown) => e);
  expect(error).toBeInstanceOf(CashmanError);
  return error as CashmanError;
}

/** Answers the partner save only once a second connection has arrived, so the test proves it was opened while the save waited. */
function partnerThenDraft(s: () => RawCashman, seenAtAnswer: number[]) {
  return (n: number, socket: Socket) => {
    if (n === 1) {
      void until(() => s().connections() >= 2, 1000)
        .catch(() => undefined)
        .then(() => {
          seenAtAnswer.push(s().connections());
          socket.write(rawReply(PARTNER_ANSWER));
        });
      return;
    }
    seenAtAnswer.push(s().connections());
    socket.write(rawReply(DRAFT_ANSWER));
  };
}

describe('the connection opened ahead for the next Cashman request', () => {
  it('a partner save\'s draft goes out on a connection opened while the save waited for its answer', async () => {
    const seen: number[] = [];
    const s = await server(partnerThenDraft(() => s, seen));
    const c = client(s.url);
    await expect(c.savePartner(partnerRequest(), SEND_NOW)).resolves.toEqual({ partnerId: '4711' });
    await expect(c.createDraft(sampleDraft(), 'SR000042', SEND_NOW)).resolves.toEqual({ reference: DRAFT_ANSWER });
    // The second connection was there before the partner answer left.
    expect(seen[0]).toBe(2);
    expect(s.connectionLog().map((c) => c.requests)).toEqual([1, 1]);
  });

  it('with cashman.preconnect off nothing is opened ahead', async () => {
    const seen: number[] = [];
    const s = await server(partnerThenDraft(() => s, seen));
    const c = client(s.url, { spareMaxAgeMs: 0 });
    await c.savePartner(partnerRequest(), SEND_NOW);
    await c.createDraft(sampleDraft(), 'SR000042', SEND_NOW);
    expect(seen).toEqual([1, 2]);
    await sleep(100);
    expect(s.connections()).toBe(2);
  });

  it('drafts back to back: one request per connection, and the one left unused is closed by its age without a byte', async () => {
    const s = await server((_n, socket) => socket.write(rawReply(DRAFT_ANSWER)));
    const c = client(s.url, { spareMaxAgeMs: 300 });
    for (let i = 0; i < 5; i += 1) await c.createDraft(sampleDraft(), 'SR000042', SEND_NOW);
    await until(() => s.connectionLog().every((connection) => connection.closedAt !== null));
    const log = s.connectionLog();
    expect(s.requests()).toBe(5);
    expect(log.every((connection) => connection.requests <= 1)).toBe(true);
    // The first draft had no draft before it; each later one opened the next connection.
    expect(log).toHaveLength(6);
    const unused = log.filter((connection) => connection.requests === 0);
    expect(unused).toHaveLength(1);
    expect(unused[0]?.bytes).toBe(0);
  });

  it('a lone draft opens nothing ahead', async () => {
    const s = await server((_n, socket) => socket.write(rawReply(DRAFT_ANSWER)));
    const c = client(s.url, { spareMaxAgeMs: 100 });
    await c.createDraft(sampleDraft(), 'SR000042', SEND_NOW);
    await sleep(150);
    await c.createDraft(sampleDraft(), 'SR000042', SEND_NOW);
    await sleep(150);
    expect(s.connections()).toBe(2);
  });

  // What the server does to the connection opened ahead, before the draft's request reaches it.
  it.each([
    ['a connection the server spoke on first (a proxy\'s 408, say)', (socket: Socket) => socket.write('HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n\r\n')],
    ['a connection the server closed', (socket: Socket) => socket.end()],
  ] as const)('%s is not used: the draft goes out on a new one', async (_what, spoil) => {
    const s = await server(
      (n, socket) => socket.write(rawReply(n === 1 ? PARTNER_ANSWER : DRAFT_ANSWER)),
      (connection) => {
        if (connection.id === 2) spoil(connection.socket);
      },
    );
    const c = client(s.url);
    await c.savePartner(partnerRequest(), SEND_NOW);
    await until(() => (s.connectionLog()[1]?.closedAt ?? null) !== null);
    await expect(c.createDraft(sampleDraft(), 'SR000042', SEND_NOW)).resolves.toEqual({ reference: DRAFT_ANSWER });
    expect(s.connectionLog().map((connection) => connection.requests)).toEqual([1, 0, 1]);
  });

  it('closed by the server after it was handed over, before the request was written: sent on a new connection, and none opened ahead again', async () => {
    const seen: number[] = [];
    const s = await server(partnerThenDraft(() => s, seen));
    const c = client(s.url);
    await c.savePartner(partnerRequest(), SEND_NOW);
    // The draft's intent is still being made durable when the server drops the connection.
    let release!: () => void;
    const durable = new Promise<void>((resolve) => (release = resolve));
    const draft = c.createDraft(sampleDraft(), 'SR000042', durable);
    await sleep(20);
    s.connectionLog()[1]?.socket.end();
    await until(() => (s.connectionLog()[1]?.closedAt ?? null) !== null);
    await sleep(20);
    release();
    await expect(draft).resolves.toEqual({ reference: DRAFT_ANSWER });
    expect(s.connectionLog().map((connection) => [connection.requests, connection.bytes > 0])).toEqual([
      [1, true],
      [0, false],
      [1, true],
    ]);
    // The server drops connections that wait: a partner save now opens nothing ahead.
    await c.savePartner(partnerRequest(), SEND_NOW);
    await sleep(100);
    expect(s.connections()).toBe(4);
  });

  it('a stray answer (408) on it after it was handed over, before the request was written: sent on a new connection', async () => {
    const s = await server((n, socket) => socket.write(rawReply(n === 1 ? PARTNER_ANSWER : DRAFT_ANSWER)));
    const c = client(s.url);
    await c.savePartner(partnerRequest(), SEND_NOW);
    await until(() => s.connections() === 2);
    let release!: () => void;
    const durable = new Promise<void>((resolve) => (release = resolve));
    const draft = c.createDraft(sampleDraft(), 'SR000042', durable);
    await sleep(20);
    s.connectionLog()[1]?.socket.end('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    await sleep(50);
    release();
    await expect(draft).resolves.toEqual({ reference: DRAFT_ANSWER });
    expect(s.connectionLog().map((connection) => connection.requests)).toEqual([1, 0, 1]);
  });

  it('a request with nothing to wait for (the login check) on one the server has just closed: sent on a new connection', async () => {
    const s = await server((n, socket) => {
      // The partner's answer and the close of the connection opened meanwhile leave together.
      socket.write(rawReply(n === 1 ? PARTNER_ANSWER : 'a:0:{}'));
      if (n === 1) s.connectionLog()[1]?.socket.end();
    });
    const c = client(s.url);
    const partner = c.savePartner(partnerRequest(), SEND_NOW);
    await until(() => s.connections() === 2);
    await partner;
    await expect(c.checkLogin()).resolves.toBeUndefined();
    expect(s.requests()).toBe(2);
    expect(s.connectionLog()[1]?.bytes).toBe(0);
  });

  it('closed by the server just before a draft whose intent is already durable takes it: the close is read first, then the draft is sent on a new connection', async () => {
    const s = await server((n, socket) => socket.write(rawReply(n === 1 ? PARTNER_ANSWER : DRAFT_ANSWER)));
    const c = client(s.url);
    await c.savePartner(partnerRequest(), SEND_NOW);
    await until(() => s.connections() === 2);
    await sleep(50);
    // In one turn: the server closes the waiting connection (its FIN is in the client's kernel,
    // not yet read), and a draft with nothing left to wait for takes it.
    s.connectionLog()[1]?.socket.destroy();
    await expect(c.createDraft(sampleDraft(), 'SR000042', SEND_NOW)).resolves.toEqual({ reference: DRAFT_ANSWER });
    expect(s.connectionLog().map((connection) => connection.requests)).toEqual([1, 0, 1]);
  });

  it('a request written at once (the login check) never takes a connection opened ahead', async () => {
    const carriedBy: number[] = [];
    const s = await server((n, socket, connection) => {
      carriedBy[n] = connection.id;
      socket.write(rawReply(n === 1 ? PARTNER_ANSWER : n === 2 ? 'a:0:{}' : DRAFT_ANSWER));
    });
    const c = client(s.url);
    await c.savePartner(partnerRequest(), SEND_NOW);
    await until(() => s.connections() === 2);
    await c.checkLogin();
    await c.createDraft(sampleDraft(), 'SR000042', SEND_NOW);
    // The check (request 2) went out on a connection of its own (3); the one opened ahead (2) waited for the draft.
    expect(carriedBy.slice(1)).toEqual([1, 3, 2]);
  });

  it('with Cashman slower than half a connection\'s life nothing is opened ahead', async () => {
    let slow = true;
    const answers: number[] = [];
    const s = await server((n, socket) => {
      const answer = () => {
        answers.push(performance.now());
        socket.write(rawReply(n % 2 === 1 ? PARTNER_ANSWER : DRAFT_ANSWER));
      };
      if (slow) setTimeout(answer, 300);
      else answer();
    });
    const c = client(s.url, { spareMaxAgeMs: 400 });
    await c.savePartner(partnerRequest(), SEND_NOW);
    slow = false;
    // The save before took 300 ms of a 400 ms life: the draft after this save gets no connection ahead.
    await c.savePartner(partnerRequest(), SEND_NOW);
    await c.createDraft(sampleDraft(), 'SR000042', SEND_NOW);
    // The second save went out on the connection opened during the first (its life was not over).
    const log = s.connectionLog();
    expect(log.map((connection) => connection.requests)).toEqual([1, 1, 1]);
    expect(log[2]?.openedAt).toBeGreaterThan(answers[1] ?? Number.POSITIVE_INFINITY);
  });

  it('a request written on it and then cut without an answer is "outcome unknown", never "not sent"', async () => {
    const s = await server((n, socket) => {
      if (n === 1) {
        // Answer the partner only once the next connection was accepted and had time to complete on the client's side.
        void until(() => s.connections() >= 2).then(() => setTimeout(() => socket.write(rawReply(PARTNER_ANSWER)), 50));
        return;
      }
      socket.resetAndDestroy();
    });
    const c = client(s.url);
    await c.savePartner(partnerRequest(), SEND_NOW);
    const error = await failure(c.createDraft(sampleDraft(), 'SR000042', SEND_NOW));
    expect(error.code).toBe('CASHMAN_OUTCOME_UNKNOWN');
    expect(s.requests()).toBe(2);
    expect(s.connectionLog()[1]?.requests).toBe(1);
  });

  it('sent once more after its connection opened ahead was closed: still within the one deadline', async () => {
    const s = await server((n, socket) => {
      if (n === 1) return void socket.write(rawReply(PARTNER_ANSWER));
      setTimeout(() => socket.write(rawReply(DRAFT_ANSWER)), 600);
    });
    const c = client(s.url, { timeoutMs: 1000 });
    await c.savePartner(partnerRequest(), SEND_NOW);
    await until(() => s.connections() === 2);
    // The intent is durable after 600 ms; the server drops the waiting connection at 300 ms; the
    // draft, sent again at 600 ms and answered 600 ms later, is past the one 1 s deadline.
    const durable = sleep(600).then(() => undefined);
    const draft = failure(c.createDraft(sampleDraft(), 'SR000042', durable));
    await sleep(300);
    s.connectionLog()[1]?.socket.end();
    const error = await draft;
    expect(error.code).toBe('CASHMAN_OUTCOME_UNKNOWN');
    expect(error.message).toMatch(/Timeout/);
  });

  // What the server does on the connection opened ahead when the draft arrives on it.
  const crossings: Array<[string, (socket: Socket) => void]> = [
    // It had given up on the connection as the draft arrived (never resent: the PHP behind the
    // server is not bound by HTTP's promise that a 408 processed nothing).
    ['"408 Request Timeout" on it', (socket) => void socket.end('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')],
    ['cut without an answer', (socket) => void socket.resetAndDestroy()],
  ];
  it.each(crossings)('%s after the draft was written on it: "outcome unknown" (never resent), and none is opened ahead again', async (_what, misbehave) => {
    const s = await server((_n, socket, connection) => {
      if (connection.id === 2) return misbehave(socket);
      socket.write(rawReply(PARTNER_ANSWER));
    });
    const c = client(s.url);
    await c.savePartner(partnerRequest(), SEND_NOW);
    await until(() => s.connections() === 2);
    const error = await failure(c.createDraft(sampleDraft(), 'SR000042', SEND_NOW));
    expect(error.code).toBe('CASHMAN_OUTCOME_UNKNOWN');
    expect(s.requests()).toBe(2);
    await c.savePartner(partnerRequest(), SEND_NOW);
    await sleep(100);
    expect(s.connections()).toBe(3);
  });

  it('a draft that is refused by the disk leaves nothing on the connection opened for it', async () => {
    const seen: number[] = [];
    const s = await server(partnerThenDraft(() => s, seen));
    const c = client(s.url);
    await c.savePartner(partnerRequest(), SEND_NOW);
    const refused = Promise.reject(Object.assign(new Error('fsync: EIO'), { code: 'EIO' }));
    await expect(c.createDraft(sampleDraft(), 'SR000042', refused)).rejects.toThrow();
    await sleep(50);
    expect(s.requests()).toBe(1);
    expect(s.connectionLog()[1]?.bytes).toBe(0);
  });
});

describe('in a process of its own', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  /** Runs `body` (an ES module's code, with CashmanClient, SEND_NOW and the fixtures' values in scope) in a child node; resolves with its exit code and what it printed. */
  function child(body: string, env: Record<string, string> = {}): Promise<{ code: number | null; out: string; ms: number }> {
    dir = mkdtempSync(join(tmpdir(), 'scs-spare-'));
    const script = join(dir, 'child.mjs');
    const dist = new URL('../dist/', import.meta.url).href;
    writeFileSync(
      script,
      `import { CashmanClient } from '${dist}cashman/client.js';\nimport { SEND_NOW } from '${dist}sync/ports.js';\n` +
        `const login = ${JSON.stringify(LOGIN)};\nconst partner = ${JSON.stringify(partnerRequest())};\n${body}\n`,
    );
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const proc = spawn(process.execPath, [script], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      proc.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
      proc.on('error', reject);
      proc.on('exit', (code) => resolve({ code, out, ms: performance.now() - started }));
    });
  }

  it('a connection opened ahead does not keep the process alive', async () => {
    const s = await server((_n, socket) => socket.write(rawReply(PARTNER_ANSWER)));
    // A spare allowed to wait a minute: the process must still end as soon as its work is done.
    const result = await child(
      `const c = new CashmanClient({ apiUrl: ${JSON.stringify(s.url)}, ...login, timeoutMs: 5000, spareMaxAgeMs: 60000 });\n` +
        `console.log(JSON.stringify(await c.savePartner(partner, SEND_NOW)));`,
    );
    expect(result.out).toContain('"partnerId":"4711"');
    expect(result.code).toBe(0);
    expect(result.ms).toBeLessThan(30_000);
    await until(() => s.connections() === 2 && s.connectionLog().every((connection) => connection.closedAt !== null));
    expect(s.connectionLog()[1]?.bytes).toBe(0);
  });

  it('a connection opened ahead to a host name whose first address fails does not keep the process alive either', async () => {
    // Node gives the socket a new handle for the second address; that one must not hold the process.
    const connections: number[] = [];
    const plain = http.createServer((_req, res) => res.end('ok'));
    plain.on('connection', () => connections.push(performance.now()));
    plain.listen(0, '127.0.0.1');
    await once(plain, 'listening');
    const { port } = plain.address() as AddressInfo;
    try {
      const spareModule = new URL('../dist/net-spare.js', import.meta.url).href;
      const result = await child(
        `import http from 'node:http';\nimport { spareAgent } from '${spareModule}';\n` +
          `const agent = spareAgent(false, 20000);\n` +
          `const lookup = (_host, options, done) => options.all ? done(null, [{ address: '::1', family: 6 }, { address: '127.0.0.1', family: 4 }]) : done(null, '127.0.0.1', 4);\n` +
          `await new Promise((resolve, reject) => http.request({ host: 'two-addresses.test', port: ${port}, path: '/', agent, lookup, autoSelectFamily: true }, (res) => { res.resume(); res.on('end', resolve); }).on('error', reject).end());\n` +
          `agent.warm();\nconsole.log('answered');`,
      );
      expect(result.out).toContain('answered');
      expect(result.code).toBe(0);
      // Held by the spare, it would live until the spare's 20 s age.
      expect(result.ms).toBeLessThan(10_000);
      expect(connections).toHaveLength(2);
    } finally {
      plain.close();
    }
  });

  it('over HTTPS: the draft goes out on the connection opened ahead, its TLS handshake done', async () => {
    const tls = SELF_SIGNED_LOCALHOST;
    let seenAtPartnerAnswer = 0;
    raw = await rawCashman(
      (n, socket) => {
        if (n === 1) {
          void until(() => raw!.connections() >= 2, 1000)
            .catch(() => undefined)
            .then(() => {
              seenAtPartnerAnswer = raw!.connections();
              socket.write(rawReply(PARTNER_ANSWER));
            });
          return;
        }
        socket.write(rawReply(DRAFT_ANSWER));
      },
      { tls, host: 'localhost' },
    );
    const s = raw;
    dir = mkdtempSync(join(tmpdir(), 'scs-spare-ca-'));
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, tls.cert);
    const caDir = dir;
    dir = undefined;
    try {
      const result = await child(
        `const c = new CashmanClient({ apiUrl: ${JSON.stringify(s.url)}, ...login, timeoutMs: 5000 });\n` +
          `await c.savePartner(partner, SEND_NOW);\n` +
          `const { reference } = await c.createDraft(${draftSource()}, 'SR000042', SEND_NOW);\n` +
          `console.log('reference=' + reference);`,
        { NODE_EXTRA_CA_CERTS: ca },
      );
      expect(result.out).toContain(`reference=${DRAFT_ANSWER}`);
      expect(result.code).toBe(0);
    } finally {
      rmSync(caDir, { recursive: true, force: true });
    }
    expect(seenAtPartnerAnswer).toBe(2);
    expect(s.connectionLog().map((connection) => connection.requests)).toEqual([1, 1]);
  });
});

/** The fixture draft as source text for the child (bigints as literals). */
function draftSource(): string {
  return JSON.stringify(sampleDraft(), (_key, value: unknown) => (typeof value === 'bigint' ? `__BIG__${value}` : value)).replace(/"__BIG__(-?\d+)"/g, '$1n');
}
