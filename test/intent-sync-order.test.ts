import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { demoConfigYaml, startLocalShop, type LocalShop } from '../src/standins/local-shop.js';
import { buildShoprenterOrder } from '../src/standins/shoprenter-fixtures.js';
import { MAIN, requireBuild } from './helpers/processes.js';
import { showOnFailure } from './helpers/failure-output.js';
import { SIMPLE_ORDER } from './helpers/order-specs.js';

/**
 * "Intent first" at the level where it matters, the system calls of the real daemon: every
 * partner and draft request is written to its socket only after an fsync of the ledger's WAL file
 * that began after the intent's last WAL write and returned before the socket write. Read from
 * strace (-f: the sync runs on a libuv thread, src/store/wal-sync.ts); .ci/run installs strace.
 * Power loss itself cannot be staged here; this is the order of events that makes it harmless.
 */

interface Sync {
  fd: number;
  begun: number;
  returned: number;
}

/** The events of one strace -f file, in its order (a call split by another thread is "unfinished" then "resumed"). */
function readTrace(text: string, cashmanPort: number) {
  const lines = text.split('\n');
  const pathOf = new Map<number, string>();
  const cashmanSockets = new Set<number>();
  const walWrites: number[] = [];
  const syncs: Sync[] = [];
  const open = new Map<string, Sync>(); // "tid:fsync" -> a sync begun on that thread, not yet returned
  const requests: Array<{ operation: string; writtenAt: number; lastWalWriteBefore: number }> = [];
  const isWal = (fd: number) => pathOf.get(fd)?.endsWith('-wal') ?? false;
  lines.forEach((line, at) => {
    const resumed = /^(\d+)\s+<\.\.\. (fsync|fdatasync) resumed>.*=\s(-?\d+)/.exec(line);
    if (resumed) {
      const sync = open.get(`${resumed[1]}:${resumed[2]}`);
      open.delete(`${resumed[1]}:${resumed[2]}`);
      if (sync && resumed[3] === '0') {
        sync.returned = at;
        syncs.push(sync);
      }
      return;
    }
    const call = /^(\d+)\s+(\w+)\((\d+|AT_FDCWD)?(.*)$/.exec(line);
    if (!call) return;
    const [, tid, name, first, rest] = call as unknown as [string, string, string, string | undefined, string];
    const fd = Number(first);
    const result = /\)\s+= (-?\d+)/.exec(rest)?.[1];
    switch (name) {
      case 'openat': {
        const path = /"([^"]+)"/.exec(rest)?.[1];
        if (path && result !== undefined && Number(result) >= 0) pathOf.set(Number(result), path);
        break;
      }
      case 'close':
        pathOf.delete(fd);
        cashmanSockets.delete(fd);
        break;
      case 'connect':
        if (rest.includes(`htons(${cashmanPort})`)) cashmanSockets.add(fd);
        break;
      case 'pwrite64':
      case 'write':
      case 'writev':
      case 'sendto':
      case 'sendmsg':
        if (isWal(fd)) walWrites.push(at);
        else if (cashmanSockets.has(fd)) {
          const operation = /muveletkod\\";s:\d+:\\"(\d+)/.exec(rest)?.[1] ?? '?';
          // The last WAL write before the request's first byte, not before its connect: the
          // connection may have been opened ahead, before the intent was written (src/net-spare.ts).
          requests.push({ operation, writtenAt: at, lastWalWriteBefore: walWrites.at(-1) ?? -1 });
          cashmanSockets.delete(fd); // its first write is the one that counts
        }
        break;
      case 'fsync':
      case 'fdatasync':
        if (!isWal(fd)) break;
        if (rest.includes('<unfinished ...>')) open.set(`${tid}:${name}`, { fd, begun: at, returned: -1 });
        else if (result === '0') syncs.push({ fd, begun: at, returned: at });
        break;
    }
  });
  return { requests, syncs };
}

describe('the real daemon syncs each intent before its request leaves (strace)', () => {
  let shop: LocalShop;
  let dir: string;

  beforeAll(async () => {
    requireBuild();
    const probe = spawnSync('strace', ['-f', '-qq', '-o', '/dev/null', 'true']);
    if (probe.status !== 0) throw new Error(`strace cannot trace here (${probe.stderr?.toString() ?? 'no output'}); .ci/run installs it (.ci/test-tools.sh)`);
    shop = await startLocalShop({ shoprenter: { rateLimitPerSecond: 3 }, cashman: {} });
    dir = mkdtempSync(join(tmpdir(), 'scs-strace-'));
    writeFileSync(join(dir, 'config.yaml'), demoConfigYaml({ productLookups: false }));
    for (let n = 0; n < 6; n += 1) {
      shop.shoprenter.addOrder(
        buildShoprenterOrder({ ...SIMPLE_ORDER, email: `buyer${n}@example.hu`, innerId: 700 + n, dateUpdated: `2026-11-20T10:00:0${n}` }),
      );
    }
  });
  afterAll(async () => {
    await shop.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('every partner and draft request: an fsync of the WAL begun after the intent and returned before the first byte', async () => {
    const trace = join(dir, 'trace.txt');
    const env = { PATH: process.env['PATH'] ?? '', HOME: dir, ...shop.env, CONFIG_PATH: join(dir, 'config.yaml'), DATABASE_PATH: join(dir, 'sync.db') };
    const output: string[] = [];
    showOnFailure('strace node dist/main.js once', output);
    const child = spawn(
      'strace',
      ['-f', '-qq', '-s', '65536', '-o', trace, '-e', 'trace=openat,close,connect,write,writev,sendto,sendmsg,pwrite64,fsync,fdatasync', process.execPath, MAIN, 'once'],
      { env, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(shop.cashman.drafts).toHaveLength(6);

    const { requests, syncs } = readTrace(readFileSync(trace, 'utf8'), Number(new URL(shop.env['CASHMAN_API_URL'] ?? '').port));
    const guarded = requests.filter((r) => r.operation === '9' || r.operation === '4');
    // 6 partners and 6 drafts, as the stand-in received them: the trace was read right.
    expect(guarded.map((r) => r.operation)).toEqual(shop.cashman.received.filter((r) => r.operation === 9 || r.operation === 4).map((r) => String(r.operation)));
    expect(guarded).toHaveLength(12);
    for (const request of guarded) {
      const covering = syncs.find((s) => s.begun > request.lastWalWriteBefore && s.returned < request.writtenAt);
      expect({ request, covered: covering !== undefined }).toEqual({ request, covered: true });
    }
  });
});
