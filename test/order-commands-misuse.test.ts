import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli.js';
import { Ledger } from '../src/store/ledger.js';

/**
 * `retry` and `resolve` (SPEC §3, issue 9 point 9): `resolve --done` is for uncertain orders only,
 * and every misuse is one sentence with exit code 2. The rows are written with plain SQL.
 */

describe('retry and resolve misuse', () => {
  let dir: string;
  let env: Record<string, string>;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'scs-misuse-'));
    env = { DATABASE_PATH: join(dir, 'sync.db'), CONFIG_PATH: join(dir, 'none.yaml') };
    Ledger.open(env['DATABASE_PATH']!).close();
    const db = new Database(env['DATABASE_PATH']);
    const put = db.prepare(`INSERT INTO orders (order_number, order_id, state, created_at, updated_at) VALUES (?, ?, ?, 'a', 'a')`);
    for (const [n, state] of [['11', 'quarantined'], ['12', 'done'], ['13', 'submitting'], ['14', 'pending'], ['15', 'uncertain'], ['16', 'failed']]) {
      put.run(n, `id-${n}`, state);
    }
    db.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function cli(...args: string[]): Promise<{ code: number; err: string; out: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(args, { env, out: (t) => out.push(t), err: (t) => err.push(t) });
    return { code, err: err.join('\n'), out: out.join('\n') };
  }
  const state = (n: string): string | undefined => {
    const db = new Database(env['DATABASE_PATH'], { readonly: true });
    try {
      return (db.prepare('SELECT state FROM orders WHERE order_number = ?').get(n) as { state: string } | undefined)?.state;
    } finally {
      db.close();
    }
  };
  const oneSentence = /^[^\n]+\.$/;

  it.each([
    ['resolve --done on a quarantined order', ['resolve', '11', '--done'], /^Order 11 is quarantined, not uncertain: "resolve --done" is only for uncertain orders/],
    ['resolve --done on a done order', ['resolve', '12', '--done'], /^Order 12 is done, not uncertain: it is already done\.$/],
    ['resolve --done on a submitting order', ['resolve', '13', '--done'], /^Order 13 is submitting, not uncertain/],
    ['resolve without --done', ['resolve', '15'], /^resolve needs an order number and --done/],
    ['resolve of an unknown order', ['resolve', '999', '--done'], /^Order 999 is not in the ledger; there is nothing to resolve\.$/],
    ['retry of an unknown order', ['retry', '999'], /^Order 999 is not in the ledger; there is nothing to retry\.$/],
    ['retry of a done order', ['retry', '12'], /^Order 12 already has a draft in Cashman/],
    ['retry of an order being sent', ['retry', '13', '--force'], /^Order 13 is being sent to Cashman right now/],
    ['retry of a waiting order', ['retry', '14'], /^Order 14 is already waiting/],
    ['retry of an uncertain order without --force', ['retry', '15'], /^Order 15 is uncertain: its draft may already exist in Cashman/],
  ])('%s: one sentence, exit 2, nothing changed', async (_name, args, sentence) => {
    const before = state(args[1]!);
    const result = await cli(...args);
    expect({ code: result.code, err: result.err }).toEqual({ code: 2, err: expect.stringMatching(sentence) });
    expect(result.err).toMatch(oneSentence);
    expect(state(args[1]!)).toBe(before);
  });

  it('resolve --done on an uncertain order and retry of a failed one still work', async () => {
    expect((await cli('resolve', '15', '--done')).code).toBe(0);
    expect(state('15')).toBe('done');
    expect((await cli('retry', '16')).code).toBe(0);
    expect(state('16')).toBe('pending');
    expect((await cli('retry', '11')).code).toBe(0);
    expect(state('11')).toBe('pending');
  });
});
