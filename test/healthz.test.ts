import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { healthBody } from '../src/http/listener.js';
import { Ledger } from '../src/store/ledger.js';

/** /healthz uses the `health` command's rule: healthy while the last success is within max(10 intervals, 300 s). */
describe('healthBody', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  const ledgerWith = (meta: Record<string, string>): Ledger => {
    const dir = mkdtempSync(join(tmpdir(), 'scs-healthz-'));
    dirs.push(dir);
    const ledger = Ledger.open(join(dir, 'sync.db'));
    for (const [key, value] of Object.entries(meta)) ledger.setMeta(key, value);
    return ledger;
  };
  const ago = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString();

  it('is healthy 4 minutes after a success at a 30 s interval (the floor is 300 s), with the facts', () => {
    const at = ago(240);
    const ledger = ledgerWith({ last_success_at: at, last_cycle_at: at, last_cycle_ok: '1' });
    const { healthy, body } = healthBody(ledger, 30);
    ledger.close();
    expect(healthy).toBe(true);
    expect(body).toMatchObject({ status: 'ok', lastCycleAt: at, lastCycleOk: true, lastSuccessAt: at });
  });

  it('is unhealthy (503) 6 minutes after the last success at a 30 s interval, even if a cycle just ran and failed', () => {
    const ledger = ledgerWith({ last_success_at: ago(360), last_cycle_at: ago(5), last_cycle_ok: '0' });
    const { healthy, body } = healthBody(ledger, 30);
    ledger.close();
    expect(healthy).toBe(false);
    expect(body).toMatchObject({ status: 'unhealthy', lastCycleOk: false });
  });

  it('stays healthy 6 minutes after a success at a 60 s interval (ten intervals: 600 s), and is unhealthy with no success yet', () => {
    const ledger = ledgerWith({ last_success_at: ago(360) });
    expect(healthBody(ledger, 60).healthy).toBe(true);
    ledger.close();
    const empty = ledgerWith({});
    expect(healthBody(empty, 60)).toMatchObject({ healthy: false, body: { lastSuccessAt: null, lastCycleOk: null } });
    empty.close();
  });
});
