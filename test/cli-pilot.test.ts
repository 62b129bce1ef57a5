import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { main } from '../src/cli.js';
import { demoConfigYaml } from '../src/standins/local-shop.js';
import { buildShoprenterOrder } from '../src/standins/shoprenter-fixtures.js';
import { startHarness, type Harness } from './helpers/harness.js';
import { SIMPLE_ORDER } from './helpers/order-specs.js';
import { startWebhook, type WebhookServer } from './alerts-webhook.js';
import { startProc } from './helpers/process.js';

function capture(env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, ctx: { env, out: (t: string) => out.push(t), err: (t: string) => err.push(t) } };
}

/** SPEC §1.8: a fresh ledger drafts sync.pilotOrders orders, then waits for `approve`. */
describe('pilot through approve', () => {
  let h: Harness;
  let hook: WebhookServer;
  let env: Record<string, string>;
  beforeEach(async () => {
    h = await startHarness({ shoprenter: { rateLimitPerSecond: 0 } });
    hook = await startWebhook();
    writeFileSync(h.env.CONFIG_PATH, demoConfigYaml({ pilotOrders: 3, productLookups: false }));
    env = { ...h.env, ALERT_WEBHOOK_URL: hook.url, LOG_LEVEL: 'error' };
  });
  afterEach(async () => {
    await hook.close();
    await h.close();
  });

  const addOrders = (from: number, count: number, minute = 0): void => {
    for (let i = 0; i < count; i += 1) {
      const n = from + i;
      h.shop.shoprenter.addOrder(
        buildShoprenterOrder({ ...SIMPLE_ORDER, innerId: n, email: `buyer${n}@example.hu`, dateUpdated: `2026-11-24T10:${String(minute + i).padStart(2, '0')}:00` }),
      );
    }
  };

  it('drafts 3 of 5, alerts once, shows the pilot drafts with Cashman\'s answers, and drafts the rest after approve', async () => {
    addOrders(701, 5);
    const first = capture(env);
    expect(await main(['once'], first.ctx)).toBe(0);
    expect(h.shop.cashman.drafts).toHaveLength(3);
    expect(first.out.join('\n')).toContain('3 drafted');
    expect(first.out.join('\n')).toContain('2 waiting for approve (pilot)');
    const pilotAlerts = () => hook.calls.filter((c) => c.json['kind'] === 'pilot-ready');
    expect(pilotAlerts()).toHaveLength(1);
    expect(String(pilotAlerts()[0]!.json['reason'])).toContain('701, 702, 703');

    // Still polling and recording: a new order is recorded as pending, nothing is sent.
    addOrders(706, 1, 30);
    expect(await main(['once'], capture(env).ctx)).toBe(0);
    expect(h.shop.cashman.drafts).toHaveLength(3);
    expect(pilotAlerts()).toHaveLength(1);

    const status = capture(env);
    expect(await main(['status'], status.ctx)).toBe(0);
    const text = status.out.join('\n');
    expect(text).toContain('Pilot: waiting for "approve" (3 drafted)');
    // The stand-in answers op 4 with "<draft id>|1" (reference/cashman-fx-api.md); drafts start at 5001.
    expect(text).toContain('order 701 (done)');
    expect(text).toContain('answered "5001|1"');
    expect(text).toContain('answered "5003|1"');
    // Held orders are listed without an empty reason line under each.
    expect(text).toMatch(/^ {2}\d+ +pending +attempts 0/m);
    expect(text.split('\n').filter((line) => line.trim() === '' && line.length > 0)).toEqual([]);
    const json = capture(env);
    await main(['status', '--json'], json.ctx);
    const parsed = JSON.parse(json.out.join('\n'));
    expect(parsed.counts.pending).toBe(3);
    expect(parsed.pilot.state).toBe('ready');
    expect(parsed.pilot.requests.map((r: { orderNumber: string }) => r.orderNumber)).toEqual(['701', '702', '703']);

    const approve = capture(env);
    expect(await main(['approve'], approve.ctx)).toBe(0);
    expect(approve.out[0]).toContain('Pilot approved');
    expect(await main(['approve'], capture(env).ctx)).toBe(0);
    const after = capture(env);
    expect(await main(['once'], after.ctx)).toBe(0);
    expect(h.shop.cashman.drafts).toHaveLength(6);
    const final = capture(env);
    await main(['status'], final.ctx);
    expect(final.out.join('\n')).toContain('Pilot: approved');
  });

  it('pilotOrders 0 drafts everything; a ledger that already holds drafts is not put in pilot', async () => {
    writeFileSync(h.env.CONFIG_PATH, demoConfigYaml({ pilotOrders: 0, productLookups: false }));
    addOrders(801, 4);
    expect(await main(['once'], capture(env).ctx)).toBe(0);
    expect(h.shop.cashman.drafts).toHaveLength(4);

    // A ledger from before the pilot existed: drafts, and no pilot row.
    const db = new Database(h.env.DATABASE_PATH);
    db.prepare(`DELETE FROM meta WHERE key = 'pilot'`).run();
    db.close();
    writeFileSync(h.env.CONFIG_PATH, demoConfigYaml({ pilotOrders: 3, productLookups: false }));
    addOrders(811, 4, 30);
    expect(await main(['once'], capture(env).ctx)).toBe(0);
    expect(h.shop.cashman.drafts).toHaveLength(8);
    const status = capture(env);
    await main(['status'], status.ctx);
    expect(status.out.join('\n')).toContain('Pilot: not used (this ledger held drafts before the pilot existed)');
    expect(hook.calls.filter((c) => c.json['kind'] === 'pilot-ready')).toHaveLength(0);
  });

  it('approve from another process while the daemon runs: the waiting orders go out on its next cycle', async () => {
    writeFileSync(h.env.CONFIG_PATH, demoConfigYaml({ pilotOrders: 2, productLookups: false, intervalSeconds: 5 }));
    addOrders(751, 4);
    const run = startProc(['run'], { ...env, LOG_LEVEL: 'debug' });
    try {
      await run.waitFor(/pilot: drafts made; waiting for approve/);
      await run.waitFor(/cycle finished/);
      expect(h.shop.cashman.drafts).toHaveLength(2);
      // A second cycle of the running daemon still sends nothing (idle cycles log at debug).
      const seen = run.stdout.length;
      for (let i = 0; i < 200 && !run.stdout.slice(seen).some((l) => /cycle finished/.test(l)); i += 1) await new Promise((r) => setTimeout(r, 100));
      expect(run.stdout.slice(seen).join('\n')).toMatch(/cycle finished \(.*held=2/);
      expect(h.shop.cashman.drafts).toHaveLength(2);
      const approve = capture(env);
      expect(await main(['approve'], approve.ctx)).toBe(0);
      const from = run.stdout.length;
      await run.waitFor(/draft created in Cashman.*order 75[34]|order 75[34]: draft created in Cashman/, 30_000);
      // Issue 17: the daemon's log says why drafting resumed.
      expect(run.stdout.slice(from).join('\n')).toMatch(/pilot approved \("approve"\): drafting resumes with this cycle.*waiting=2/);
      const settled = async (): Promise<void> => {
        for (let i = 0; i < 100 && h.shop.cashman.drafts.length < 4; i += 1) await new Promise((r) => setTimeout(r, 100));
      };
      await settled();
      expect(h.shop.cashman.drafts.map((d) => d.rows[0]?.['egyeb'])).toEqual([
        'Shoprenter rendelés: 751',
        'Shoprenter rendelés: 752',
        'Shoprenter rendelés: 753',
        'Shoprenter rendelés: 754',
      ]);
      expect(run.stdout.slice(from).join('\n')).not.toContain('pilot: drafts made');
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
    }
    expect(hook.calls.filter((c) => c.json['kind'] === 'pilot-ready')).toHaveLength(1);
  });
});
