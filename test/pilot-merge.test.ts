import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoConfigYaml } from '../src/standins/local-shop.js';
import { buildShoprenterOrder, type OrderSpec } from '../src/standins/shoprenter-fixtures.js';
import { Ledger, type OrderRow } from '../src/store/ledger.js';
import { startHarness, type Harness } from './helpers/harness.js';
import { SIMPLE_ORDER } from './helpers/order-specs.js';

/**
 * The pilot (SPEC §1.8) where it meets the other ways a draft leaves, with real processes
 * (`node dist/main.js`): an order a webhook names waits like a polled one, and `redraft` (a
 * person's explicit action on an order already drafted and counted) is not held.
 */

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'main.js');
const SECRET = 'Pilot-merge-secret-0123456789abcdef';
const [glass, book] = SIMPLE_ORDER.products;
const order = (innerId: number, dateUpdated: string, patch: Partial<OrderSpec> = {}) =>
  buildShoprenterOrder({ ...SIMPLE_ORDER, email: `buyer${innerId}@example.hu`, innerId, dateUpdated, dateCreated: '2026-11-20T09:00:00', ...patch });
/** One glass instead of two: 16 779 - 5 000 = 11 779 Ft gross (after-draft.test.ts derives it). */
const fewerGlasses = (innerId: number) => order(innerId, '2026-11-20T11:30:00', { products: [{ ...glass!, stocks: [1] }, book!] });
const config = (intervalSeconds: number) => demoConfigYaml({ productLookups: false, intervalSeconds, pilotOrders: 1 });

interface Run {
  child: ChildProcess;
  exit: Promise<number | null>;
  output: string[];
}

function start(args: string[], env: Record<string, string>): Run {
  const child = spawn(process.execPath, [MAIN, ...args], { env: { PATH: process.env['PATH'] ?? '', ...env, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  return { child, output, exit: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
}

async function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; text: string }> {
  const run = start(args, env);
  const code = await run.exit;
  return { code, text: run.output.join('') };
}

function orderRow(h: Harness, ref: string): OrderRow | undefined {
  const ledger = Ledger.open(h.env.DATABASE_PATH, { readonly: true });
  try {
    return ledger.findOrder(ref);
  } finally {
    ledger.close();
  }
}

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const draftsOf = (h: Harness, n: number) => h.shop.cashman.drafts.filter((d) => JSON.stringify(d.rows).includes(`Shoprenter rendelés: ${n}"`)).length;

describe('the pilot with webhooks and redraft', () => {
  let h: Harness;
  beforeAll(() => {
    if (!existsSync(MAIN)) throw new Error('dist/main.js is missing: run npm run build first');
  });
  afterEach(async () => {
    await h.close();
  });

  it('holds an order a webhook names while the pilot waits, and drafts it on the next webhook after approve', async () => {
    h = await startHarness({ config: config(600) });
    h.shop.shoprenter.addOrder(order(3001, '2026-11-20T10:00:00'));
    const daemon = start(['run'], { ...h.env, HTTP_PORT: '0', WEBHOOK_SECRET: SECRET });
    try {
      const port = await waitFor('the listener', () => /http listener started.*port=(\d+)/.exec(daemon.output.join(''))?.[1]);
      // The first cycle drafts the one pilot order; the poll interval (10 min) leaves the rest to webhooks.
      await waitFor('the pilot draft', () => /cycle finished/.test(daemon.output.join('')));
      expect(h.shop.cashman.drafts).toHaveLength(1);
      h.shop.shoprenter.addOrder(order(3002, '2026-11-20T10:05:00'));
      const hook = async (): Promise<number> => {
        const body = new URLSearchParams({ data: JSON.stringify({ orders: { order: [{ innerId: '3002' }] } }) }).toString();
        const response = await fetch(`http://127.0.0.1:${port}/webhooks/shoprenter/${SECRET}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body,
        });
        await response.arrayBuffer();
        return response.status;
      };
      expect(await hook()).toBe(200);
      await waitFor('3002 to be recorded as waiting', () => orderRow(h, '3002')?.state === 'pending');
      expect(draftsOf(h, 3002)).toBe(0);

      expect((await cli(['approve'], h.env)).code).toBe(0);
      expect(await hook()).toBe(200);
      await waitFor('3002 to be drafted', () => orderRow(h, '3002')?.state === 'done');
      expect(draftsOf(h, 3002)).toBe(1);
      expect(h.shop.cashman.drafts).toHaveLength(2);
    } finally {
      daemon.child.kill('SIGTERM');
      await daemon.exit;
    }
  }, 60_000);

  it('lets redraft through while the pilot waits: it replaces a draft, other orders stay held', async () => {
    h = await startHarness({ config: config(5) });
    h.shop.shoprenter.addOrder(order(2001, '2026-11-20T10:00:00'));
    expect((await cli(['once'], h.env)).code).toBe(0); // the one pilot draft
    h.shop.shoprenter.addOrder(order(2002, '2026-11-20T10:10:00'));
    h.shop.shoprenter.updateOrder('2001', fewerGlasses(2001));
    expect((await cli(['once'], h.env)).code).toBe(0); // 2001 reported as changed; 2002 held
    expect(h.shop.cashman.drafts).toHaveLength(1);
    expect(orderRow(h, '2002')?.state).toBe('pending');

    const redraft = await cli(['redraft', '2001', '--old-draft-deleted'], h.env);
    expect(redraft).toMatchObject({ code: 0, text: expect.stringContaining('a new draft was sent') });
    expect(h.shop.cashman.drafts).toHaveLength(2);
    expect(h.shop.cashman.drafts[1]!.rows[0]).toMatchObject({ szamla_brutto: '11779', egyeb: 'Shoprenter rendelés: 2001' });

    expect((await cli(['once'], h.env)).code).toBe(0);
    expect(h.shop.cashman.drafts).toHaveLength(2); // 2002 still waits for approve
    expect(orderRow(h, '2002')?.state).toBe('pending');
  }, 60_000);
});
