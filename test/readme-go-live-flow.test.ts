import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalShop, type LocalShop } from '../src/standins/local-shop.js';
import { buildShoprenterOrder } from '../src/standins/shoprenter-fixtures.js';
import { orderNumberOf, requireBuild, runToEnd } from './helpers/processes.js';
import { SIMPLE_ORDER } from './helpers/order-specs.js';
import { startWebhook, type WebhookServer } from './alerts-webhook.js';

/**
 * Issue 17, point 1, walked the way the README tells a new user, every step a real process:
 * `init-config` on a shop whose statuses include "Törölve", the TODO ids filled in, `check`,
 * the pilot's three drafts, a held order moved to "Törölve" during the hold, `approve`, the next
 * cycle. The cancelled order must never be drafted, and `status <order>` must say why.
 */
describe('the README go-live flow with a cancelled order during the pilot hold', () => {
  let shop: LocalShop;
  let dir: string;
  let env: Record<string, string>;
  let hook: WebhookServer;
  beforeEach(async () => {
    requireBuild();
    shop = await startLocalShop();
    hook = await startWebhook();
    dir = mkdtempSync(join(tmpdir(), 'scs-readme-flow-'));
    env = { ...shop.env, CONFIG_PATH: join(dir, 'config.yaml'), DATABASE_PATH: join(dir, 'data', 'sync.db'), LOG_LEVEL: 'warn', ALERT_WEBHOOK_URL: hook.url };
  });
  afterEach(async () => {
    await hook.close();
    await shop.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = async (...args: string[]) => {
    const result = await runToEnd(args, env, dir, 60_000);
    return { ...result, says: (text: string) => expect({ args, code: result.code, text: result.text }).toEqual({ args, code: result.code, text: expect.stringContaining(text) }) };
  };

  it('init-config lists "Törölve" under cancelStatuses, and the order cancelled during the hold is not drafted after approve', async () => {
    const init = await run('init-config');
    expect(init.code).toBe(0);
    init.says('cancelStatuses: "Törölve"');
    const written = readFileSync(env['CONFIG_PATH']!, 'utf8');
    expect(written).toMatch(/cancelStatuses:\n {4}- "7" {3}# Törölve\n/);
    // What the README asks a person to do: fill in the Cashman ids of the TODO lines (the stand-in's ids).
    const filled = written
      .replace(/"27": ~.*/, '"27": 32')
      .replace(/"18": ~.*/, '"18": 33')
      .replace(/"5": ~.*/, '"5": 34')
      .replace(/(domestic|deposit|intraEu|export): ~.*/g, '$1: 35')
      .replace(/db: ~.*/, 'db: 19');
    writeFileSync(env['CONFIG_PATH']!, filled);
    const check = await run('check');
    expect({ code: check.code, text: check.text }).toEqual({ code: 0, text: expect.not.stringContaining('looks like a cancellation') });

    // Four orders placed after go-live (init-config's startFrom is today 00:00 shop time).
    const day = /startFrom: "(\d{4}-\d{2}-\d{2})T00:00:00"/.exec(filled)![1]!;
    for (let n = 1; n <= 4; n += 1) {
      const at = `${day}T00:00:0${n}`;
      shop.shoprenter.addOrder(buildShoprenterOrder({ ...SIMPLE_ORDER, innerId: 2000 + n, email: `buyer${n}@example.hu`, status: 5, dateCreated: at, dateUpdated: at }));
    }
    const first = await run('once');
    expect(first.code).toBe(0);
    expect(shop.cashman.drafts.map((d) => orderNumberOf(d.rows[0]?.['egyeb'])).sort()).toEqual(['2001', '2002', '2003']);
    (await run('status', '2004')).says('what the daemon does: recorded and waits for "approve"');
    const drafted = await run('status', '2001');
    drafted.says('state done, last change');
    expect(drafted.text).not.toContain('attempts');

    // During the hold the shop cancels order 2004.
    shop.shoprenter.setOrderStatus('2004', 7, `${day}T00:00:09`);
    (await run('preview', '2004')).says('Status in Shoprenter now: Törölve (7)');
    (await run('status', '2004')).says('will not be drafted: its status Törölve (7) is now a cancellation');

    (await run('approve')).says('Pilot approved');
    const after = await run('once');
    expect(after.code).toBe(0);
    expect(shop.cashman.drafts).toHaveLength(3);
    const story = await run('status', '2004');
    story.says('state quarantined');
    story.says('which sync.cancelStatuses lists as a cancellation, so no draft was made');
    // And a repeat of the cycle changes nothing.
    expect((await run('once')).code).toBe(0);
    expect(shop.cashman.drafts).toHaveLength(3);
    // A cancelled order that was never drafted is nobody's task: no alert, not "needs a person",
    // not put back by `retry --quarantined` (review: it used to stay on every list for good).
    expect(hook.calls.map((c) => c.json['kind'])).toEqual(['pilot-ready']);
    const overview = await run('status');
    overview.says('Not drafted, nothing to do');
    overview.says('Nothing needs attention.');
    expect(overview.text).not.toContain('need a person');
    (await run('retry', '--quarantined')).says('No order is quarantined; there is nothing to retry.');
  }, 120_000);
});
