import { once } from 'node:events';
import { closeSync, fstatSync, fsync, mkdirSync, mkdtempSync, openSync, realpathSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { CashmanClient } from '../src/cashman/client.js';
import { CashmanError, LedgerSyncError } from '../src/errors.js';
import { HeldBack, HttpFailure, httpRequest } from '../src/net-request.js';
import { startCashmanStandin, type CashmanStandin } from '../src/standins/cashman-standin.js';
import { demoConfigYaml } from '../src/standins/local-shop.js';
import { buildShoprenterOrder } from '../src/standins/shoprenter-fixtures.js';
import { Ledger } from '../src/store/ledger.js';
import { WalSync } from '../src/store/wal-sync.js';
import type { AlertEvent } from '../src/sync/alerts.js';
import { runCycle } from '../src/sync/cycle.js';
import { startHarness } from './helpers/harness.js';
import { SIMPLE_ORDER } from './helpers/order-specs.js';
import { LOGIN, partnerRequest, sampleDraft } from './cashman-fixtures.js';

/**
 * An intent is committed, then synced to the disk off the event loop while its request is built
 * and connected (src/store/wal-sync.ts); the request's first byte waits for the sync. Proven here
 * against a raw TCP server that counts every byte it gets, the Cashman stand-in, and real SQLite
 * files; test/intent-sync-order.test.ts proves the order of the syscalls of a real daemon.
 */

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A TCP server that records, per connection, every byte received; answers only when told. */
async function countingServer(): Promise<{ url: URL; connections: Array<{ socket: Socket; bytes: Buffer[]; closed: Promise<void> }> }> {
  const connections: Array<{ socket: Socket; bytes: Buffer[]; closed: Promise<void> }> = [];
  const server: Server = createServer((socket) => {
    const bytes: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => bytes.push(chunk));
    socket.on('error', () => undefined);
    connections.push({ socket, bytes, closed: once(socket, 'close').then(() => undefined) });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  cleanups.push(() => connections.forEach((c) => c.socket.destroy()));
  return { url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/fxapi/jxs.php`), connections };
}

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void } {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

const total = (bytes: Buffer[]) => bytes.reduce((sum, b) => sum + b.length, 0);

/** A POST of `post=1` that waits for `sendAfter`: what it ended with (null for an answer), never a rejection. */
function settledPost(url: URL, sendAfter: Promise<unknown>, timeoutMs = 5000): Promise<unknown> {
  return httpRequest(url, { method: 'POST', body: 'post=1', timeoutMs, sendAfter }).then(
    () => null,
    (e: unknown) => e,
  );
}

/** A partner request to `url` whose intent is still syncing: resolve `gate` to let it go. */
function partnerWhileSyncing(url: URL): { gate: ReturnType<typeof deferred>; sent: Promise<unknown> } {
  const cashman = new CashmanClient({ apiUrl: url.href, ...LOGIN, timeoutMs: 2000 });
  const gate = deferred();
  const sent = cashman.savePartner(partnerRequest(), gate.promise).then(
    () => null,
    (e: unknown) => e,
  );
  return { gate, sent };
}

describe('httpRequest with sendAfter', () => {
  it('connects at once but writes no byte, headers included, until sendAfter resolves', async () => {
    const { url, connections } = await countingServer();
    const gate = deferred();
    const answer = httpRequest(url, { method: 'POST', body: 'post=1', timeoutMs: 5000, sendAfter: gate.promise });
    await until(() => connections.length === 1);
    // Some event-loop turns with the connection open: still nothing on the wire.
    for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(total(connections[0]!.bytes)).toBe(0);
    gate.resolve();
    await until(() => Buffer.concat(connections[0]!.bytes).includes('post=1'));
    connections[0]!.socket.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok');
    expect((await answer).text).toBe('ok');
  });

  it('drops the request unsent when sendAfter rejects: the server gets a connection and zero bytes', async () => {
    const { url, connections } = await countingServer();
    const gate = deferred();
    const answer = settledPost(url, gate.promise);
    await until(() => connections.length === 1);
    const disk = new Error('EIO: i/o error, fsync');
    gate.reject(disk);
    const error = await answer;
    expect(error).toBeInstanceOf(HeldBack);
    expect((error as HeldBack).cause).toBe(disk);
    await connections[0]!.closed;
    expect(total(connections[0]!.bytes)).toBe(0);
  });

  it('sendAfter settling after the deadline, while the event loop was blocked, holds the request back unsent', async () => {
    const { url, connections } = await countingServer();
    const root = mkdtempSync(join(tmpdir(), 'scs-intent-'));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    writeFileSync(join(root, 'file'), 'x');
    const fd = openSync(join(root, 'file'), 'r');
    cleanups.push(() => closeSync(fd));
    // Settled by an I/O callback (the poll phase), as the ledger's fsync is.
    const gate = new Promise<void>((resolve) => fsync(fd, () => resolve()));
    const answer = settledPost(url, gate, 50);
    // The loop blocked past the deadline (SQLite waiting on a locked file does this): after it, the
    // deadline's timer and the sync's callback come due in the same turn.
    const blockedUntil = Date.now() + 300;
    while (Date.now() < blockedUntil);
    const error = await answer;
    expect(error).toBeInstanceOf(HeldBack);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(total(connections[0]?.bytes ?? [])).toBe(0);
  });

  it('an answer whose first bytes came before the request was written is no answer, even if it completes after', async () => {
    const connections: Socket[] = [];
    let received = 0;
    const server = createServer((socket) => {
      connections.push(socket);
      socket.on('error', () => undefined);
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n');
      socket.on('data', (chunk: Buffer) => {
        received += chunk.length;
        socket.end('content-length: 4\r\n\r\n4711');
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    cleanups.push(() => connections.forEach((c) => c.destroy()));
    const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/fxapi/jxs.php`);
    const { gate, sent } = partnerWhileSyncing(url);
    await until(() => connections.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    gate.resolve();
    const error = await sent;
    expect(error).toBeInstanceOf(CashmanError);
    expect((error as CashmanError).code).toBe('CASHMAN_NOT_SENT');
    expect(received).toBe(0);
  });

  it('a connection the server closes before sendAfter resolves fails as not sent', async () => {
    const { url, connections } = await countingServer();
    const gate = deferred();
    const answer = settledPost(url, gate.promise);
    await until(() => connections.length === 1);
    connections[0]!.socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    gate.resolve();
    const error = await answer;
    expect(error).toBeInstanceOf(HttpFailure);
    expect((error as HttpFailure).sent).toBe(false);
    expect(total(connections[0]!.bytes)).toBe(0);
  });

  it('the deadline counts the wait: a sendAfter that never settles holds the request back unsent', async () => {
    const { url, connections } = await countingServer();
    const error = await settledPost(url, new Promise(() => undefined), 150);
    expect(error).toBeInstanceOf(HeldBack);
    expect(((error as HeldBack).cause as { code?: string }).code).toBe('ETIMEDOUT');
    await connections[0]?.closed;
    expect(total(connections[0]?.bytes ?? [])).toBe(0);
  });
});

describe('CashmanClient with an intent that did not reach the disk', () => {
  let standin: CashmanStandin;

  async function client(): Promise<CashmanClient> {
    standin = await startCashmanStandin({ ...LOGIN, vatIds: [32], unitIds: [19] });
    cleanups.push(() => standin.close());
    return new CashmanClient({ apiUrl: standin.url, ...LOGIN, timeoutMs: 2000 });
  }

  it('sends neither the partner nor the draft and throws the disk\'s own error', async () => {
    const cashman = await client();
    const disk = new LedgerSyncError('The ledger could not be made durable on disk (EIO); nothing was sent.');
    await expect(cashman.savePartner(partnerRequest(), Promise.reject(disk))).rejects.toBe(disk);
    cashman.describeDraftRequest(sampleDraft(), 'SR000001');
    await expect(cashman.createDraft(sampleDraft(), 'SR000001', Promise.reject(disk))).rejects.toBe(disk);
    expect(standin.received).toHaveLength(0);
    // The queue goes on: the next request is sent as usual.
    await cashman.savePartner(partnerRequest(), Promise.resolve());
    expect(standin.received.map((r) => r.operation)).toEqual([9]);
  });

  it('an intent the disk does not confirm by the deadline is the ledger\'s failure, not Cashman\'s, and nothing is sent', async () => {
    const cashman = await client();
    const slow = new CashmanClient({ apiUrl: standin.url, ...LOGIN, timeoutMs: 150 });
    const error = await slow.createDraft(sampleDraft(), 'SR000001', new Promise(() => undefined)).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LedgerSyncError);
    expect((error as Error).message).toMatch(/did not confirm .* draft request in time .*nothing was sent.*DATABASE_PATH/);
    expect(standin.received).toHaveLength(0);
    await cashman.checkLogin();
  });

  it.each([
    ['a 200 that looks like a created draft', 'HTTP/1.1 200 OK\r\ncontent-length: 6\r\n\r\n5001|X'],
    ['a 503', 'HTTP/1.1 503 Service Unavailable\r\ncontent-length: 4\r\n\r\nbusy'],
  ])('an answer that comes before the request was written (%s) is nobody\'s answer: CASHMAN_NOT_SENT, zero bytes sent', async (_label, answer) => {
    const { url, connections } = await countingServer();
    const cashman = new CashmanClient({ apiUrl: url.href, ...LOGIN, timeoutMs: 2000 });
    const gate = deferred();
    cashman.describeDraftRequest(sampleDraft(), 'SR000001');
    const sent = cashman.createDraft(sampleDraft(), 'SR000001', gate.promise).then(
      () => null,
      (e: unknown) => e,
    );
    await until(() => connections.length === 1);
    connections[0]!.socket.write(answer);
    const error = await sent;
    gate.resolve();
    expect(error).toBeInstanceOf(CashmanError);
    expect((error as CashmanError).code).toBe('CASHMAN_NOT_SENT');
    await connections[0]!.closed;
    expect(total(connections[0]!.bytes)).toBe(0);
  });

  it('a connection cut while the intent syncs is CASHMAN_NOT_SENT, not "outcome unknown"', async () => {
    const { url, connections } = await countingServer();
    const { gate, sent } = partnerWhileSyncing(url);
    await until(() => connections.length === 1);
    connections[0]!.socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    gate.resolve();
    const error = await sent;
    expect(error).toBeInstanceOf(CashmanError);
    expect((error as CashmanError).code).toBe('CASHMAN_NOT_SENT');
  });
});

describe('the ledger intent', () => {
  it('syncs the WAL file SQLite writes, also when DATABASE_PATH goes through a symbolic link', async () => {
    const root = mkdtempSync(join(tmpdir(), 'scs-intent-'));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    mkdirSync(join(root, 'real'));
    symlinkSync(join(root, 'real'), join(root, 'link'));
    const synced: number[] = [];
    const ledger = Ledger.open(join(root, 'link', 'sync.db'), {
      syncWal: (fd, done) => {
        synced.push(fstatSync(fd).ino);
        done(null);
      },
    });
    cleanups.push(() => ledger.close());
    const key = { orderId: 'b3JkZXItMQ==', orderNumber: '1', dateUpdated: '2026-11-20T10:00:00' };
    ledger.markPending(key, 'a@example.hu');
    const intent = ledger.markSubmitting(key, 'a@example.hu', []);
    await intent!.durable;
    const partner = ledger.markPartnerSending('a@example.hu', partnerRequest().partner, key, []);
    await partner.durable;
    const wal = statSync(join(root, 'real', 'sync.db-wal')).ino;
    expect(synced).toEqual([wal, wal]);
  });

  it('rejects with LedgerSyncError, a sentence naming DATABASE_PATH, when the disk refuses', async () => {
    const root = mkdtempSync(join(tmpdir(), 'scs-intent-'));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    const ledger = Ledger.open(join(root, 'sync.db'), {
      syncWal: (_fd, done) => done(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' })),
    });
    cleanups.push(() => ledger.close());
    const key = { orderId: 'b3JkZXItMQ==', orderNumber: '1', dateUpdated: '2026-11-20T10:00:00' };
    ledger.markPending(key, 'a@example.hu');
    const error = await ledger.markSubmitting(key, 'a@example.hu', [])!.durable.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LedgerSyncError);
    expect((error as Error).message).toMatch(/EIO.*nothing was sent.*DATABASE_PATH/);
  });

  it('a WAL replaced under the open ledger (a restore over a live ledger): the running sync finishes, every later one refuses with a sentence', async () => {
    const root = mkdtempSync(join(tmpdir(), 'scs-intent-'));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    const wal = join(root, 'sync.db-wal');
    writeFileSync(wal, 'old');
    const running: Array<() => void> = [];
    const synced: number[] = [];
    const walSync = new WalSync(wal, (fd, done) => {
      running.push(() => {
        synced.push(fstatSync(fd).ino); // EBADF here if the descriptor was closed under the sync
        done(null);
      });
    });
    cleanups.push(() => walSync.close());
    const oldInode = statSync(wal).ino;
    const first = walSync.durable();
    writeFileSync(join(root, 'replacement'), 'new');
    renameSync(join(root, 'replacement'), wal);
    const second = walSync.durable().then(
      () => null,
      (e: unknown) => e,
    );
    for (const finish of running) finish();
    await first;
    expect(synced).toEqual([oldInode]);
    const error = await second;
    expect(error).toBeInstanceOf(LedgerSyncError);
    expect((error as Error).message).toMatch(/sync\.db-wal was replaced while the ledger was open.*nothing was sent/);
  });

  it('an in-memory ledger has nothing to sync: the intent is durable at once', async () => {
    const ledger = Ledger.open(':memory:');
    cleanups.push(() => ledger.close());
    const key = { orderId: 'b3JkZXItMQ==', orderNumber: '1', dateUpdated: '2026-11-20T10:00:00' };
    ledger.markPending(key, 'a@example.hu');
    await expect(ledger.markSubmitting(key, 'a@example.hu', [])!.durable).resolves.toBeUndefined();
  });
});

describe('a cycle whose ledger disk refuses the intent\'s sync', () => {
  it('sends nothing, keeps the orders in line with no attempt counted, and drafts each once when the disk is back', async () => {
    const h = await startHarness({ config: demoConfigYaml({ productLookups: false }) });
    cleanups.push(() => h.close());
    for (const innerId of [501, 502]) {
      h.shop.shoprenter.addOrder(buildShoprenterOrder({ ...SIMPLE_ORDER, email: `buyer${innerId}@example.hu`, innerId, dateUpdated: '2026-11-20T10:00:00' }));
    }
    const alerts: AlertEvent[] = [];
    const rt = await h.runtime({ alerts: { send: (event) => Promise.resolve(void alerts.push(event)) } });
    const ledger = rt.ledger;
    const walPath = `${realpathSync(h.env.DATABASE_PATH)}-wal`;
    let refuse = true;
    // The disk, as far as the ledger's own sync sees it: fsync refuses while `refuse` holds.
    Object.assign(ledger, {
      walSync: new WalSync(walPath, (fd, done) => (refuse ? done(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' })) : fsync(fd, done))),
    });

    const failed = await runCycle(rt.deps);
    expect(failed.ok).toBe(false);
    expect(failed.error).toMatch(/could not be made durable on disk \(EIO.*nothing was sent.*DATABASE_PATH/);
    expect(h.shop.cashman.received).toHaveLength(0);
    // Not "uncertain": nothing left, and the ledger says so; no attempt is counted against the order.
    for (const row of ledger.listNotDone()) expect(row).toMatchObject({ state: 'pending', attempts: 0 });
    const partnerRow = ledger.getPartner('buyer501@example.hu');
    expect(partnerRow?.pending ?? null).toBeNull();
    expect(alerts.map((a) => a.kind)).toEqual(['sync-failing']);

    refuse = false;
    const next = await runCycle(rt.deps);
    expect(next).toMatchObject({ ok: true });
    expect(h.shop.cashman.drafts.map((d) => d.rows[0]?.['egyeb']).sort()).toEqual([expect.stringContaining('501'), expect.stringContaining('502')]);
    expect(ledger.getOrder('501')?.state).toBe('done');
    expect(ledger.getOrder('502')?.state).toBe('done');
    expect(alerts.map((a) => a.kind)).toEqual(['sync-failing', 'sync-recovered']);
  });
});
