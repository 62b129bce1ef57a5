import { describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProc } from './helpers/process.js';
import { requireBuild, runToEnd } from './helpers/processes.js';

/** Issue 17: what a new user meets first, `demo` and `demo --serve`, as real processes. */
describe('demo', () => {
  it('shows the pilot (three drafts, the rest held, drafted after approve), without the alarming new-ledger warning, writing nothing where it runs', async () => {
    requireBuild();
    const cwd = mkdtempSync(join(tmpdir(), 'scs-demo-cwd-'));
    try {
      const demo = await runToEnd(['demo'], {}, cwd, 90_000);
      expect(demo.code).toBe(0);
      expect(demo.text).not.toContain('NEW ledger');
      expect(demo.text).toMatch(/Cycle 1: the backlog, with the go-live pilot on[\s\S]*12 listed, 3 drafted, .*9 waiting for approve \(pilot\)/);
      expect(demo.text).toMatch(/Cycle 2: after "approve", the orders the pilot held\n[\s\S]*?Cycle completed: \d+ listed, 9 drafted/);
      expect(readdirSync(cwd)).toEqual([]);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  }, 120_000);

  it('--serve writes nothing into the folder it runs in, and its control adds, cancels and changes orders and stops and starts Cashman', async () => {
    requireBuild();
    const cwd = mkdtempSync(join(tmpdir(), 'scs-serve-cwd-'));
    const port = 21_000 + (process.pid % 20_000);
    const serve = startProc(['demo', '--serve', '--port', String(port)], {}, cwd);
    try {
      await serve.waitFor(/^Stop with Ctrl-C/);
      expect(readdirSync(cwd)).toEqual([]);
      const env = Object.fromEntries(serve.stdout.filter((l) => /^[A-Z_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
      expect(env['CONFIG_PATH']!.startsWith(cwd)).toBe(false);
      const control = `http://127.0.0.1:${port + 2}`;
      expect(serve.stdout.join('\n')).toContain(`curl -X POST ${control}/orders/1001/cancel`);
      const post = async (path: string): Promise<string> => {
        const res = await fetch(`${control}${path}`, { method: 'POST' });
        expect(res.status).toBe(200);
        return res.text();
      };
      const cli = (...args: string[]) => runToEnd(args, { ...env, LOG_LEVEL: 'error' }, cwd, 60_000);
      const statusOf = async (order: string): Promise<string> => (await cli('status', order)).text;

      expect((await cli('once')).code).toBe(0); // the pilot: three drafts
      expect((await cli('approve')).code).toBe(0);
      expect((await cli('once')).code).toBe(0); // the other nine
      expect(await statusOf('1001')).toContain('state done');

      expect(await post('/orders/1001/cancel')).toBe('order 1001: status Törölve\n');
      expect(await post('/orders/1002/change')).toBe('order 1002: buyer moved to 9400 Sopron\n');
      expect((await cli('once')).code).toBe(0);
      const attention = JSON.parse((await cli('status', '--json')).text) as { needsAttentionAfterDraft: { orderNumber: string; kind: string }[] };
      expect(attention.needsAttentionAfterDraft.map((a) => [a.orderNumber, a.kind]).sort()).toEqual([
        ['1001', 'cancelled'],
        ['1002', 'changed'],
      ]);

      expect(await post('/cashman/stop')).toBe('Cashman stopped\n');
      expect(await post('/orders')).toBe('order 1013 added\n');
      expect((await cli('once')).code).toBe(1); // Cashman down: the cycle stops, no order is blamed
      expect(await statusOf('1013')).toMatch(/state pending, attempts 0/);
      expect(await post('/cashman/start')).toBe('Cashman answers again\n');
      await post('/orders'); // 1014, so the next cycle has a new order too
      // An outage is nobody's order: 1013 kept its place and goes out with 1014.
      expect((await cli('once')).code).toBe(0);
      expect(await statusOf('1013')).toContain('state done');
      expect(await statusOf('1014')).toContain('state done');

      serve.child.kill('SIGINT');
      expect((await serve.exited).code).toBe(0);
      expect(existsSync(env['CONFIG_PATH']!)).toBe(false); // its temp folder is gone
      expect(readdirSync(cwd)).toEqual([]);
    } finally {
      serve.child.kill('SIGKILL');
      rmSync(cwd, { recursive: true, force: true });
    }
  }, 180_000);
});
