import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main } from '../src/cli.js';
import { closedPortUrl } from '../src/standins/cashman-standin.js';
import { buildShoprenterOrder } from '../src/standins/shoprenter-fixtures.js';
import { startHarness, type Harness } from './helpers/harness.js';
import { requireBuild, runToEnd } from './helpers/processes.js';
import { demoConfigYaml, startLocalShop } from '../src/standins/local-shop.js';
import { SIMPLE_ORDER } from './helpers/order-specs.js';

function capture(env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, ctx: { env, out: (t: string) => out.push(t), err: (t: string) => err.push(t) } };
}

describe('check and the config loader report every problem in plain words', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ shoprenter: { rateLimitPerSecond: 0 } });
  });
  afterEach(async () => {
    await h.close();
  });

  it('reports six different problems of one config in one run, map keys quoted', async () => {
    writeFileSync(
      h.env.CONFIG_PATH,
      [
        'version: 1', // 1
        'sync:', // 2
        '  intervalSecs: 30', // 3  unknown key
        '  intervalSeconds: 2', // 4  below the minimum of 5
        '  timezone: Europe/Budapset', // 5  not a time zone
        'vatRates:', // 6
        '  "27": 32', // 7
        '  "0": ~', // 8  not filled in
        'units:', // 9
        '  ids:', // 10
        '    db: ~', // 11 not filled in
        'paymentMethods:', // 12
        '  COD: 17', // 13 must be text
        '',
      ].join('\n'),
    );
    const c = capture(h.env);
    expect(await main(['check'], c.ctx)).toBe(2);
    const text = c.out.join('\n');
    expect(text).toContain(`FAIL  ${h.env.CONFIG_PATH} has 6 problems:`);
    expect(text).toContain('  line 3: unknown key "sync.intervalSecs"');
    expect(text).toContain('  line 4: sync.intervalSeconds');
    expect(text).toContain('  line 5: sync.timezone must be an IANA time zone');
    expect(text).toContain('  line 8: vatRates."0" must be a number but is empty (~).');
    expect(text).toContain('  line 11: units.ids.db must be a number but is empty (~).');
    expect(text).toContain('  line 13: paymentMethods.COD must be a string (found 17).');
    // The logins are still tested in the same run.
    expect(text).toContain('ok    Shoprenter login works');
    expect(text).toContain('ok    Cashman login works');
  });

  it('a .env with three problems and a config with two: all five in one check run, and the Shoprenter login and the shop gaps still checked', async () => {
    writeFileSync(h.env.CONFIG_PATH, 'version: 1\nsync:\n  intervalSecs: 30\nvatRates:\n  "0": ~\n');
    const env = { ...h.env, LOG_LEVEL: 'info', CASHMAN_PASSWORD: '', CASHMAN_USER: '', CASHMAN_API_URL: 'http://cashman.example.com/jxs.php' };
    const c = capture(env);
    expect(await main(['check'], c.ctx)).toBe(2);
    expect(c.out).toEqual([
      'FAIL  The environment (.env) has 3 problems:\n' +
        '  CASHMAN_API_URL must use https:// (plain http:// is allowed only for 127.0.0.1 or localhost).\n' +
        '  CASHMAN_USER is not set; set the Cashman user name (a dedicated API user is best).\n' +
        '  CASHMAN_PASSWORD is not set; set the Cashman password in .env.',
      `FAIL  ${h.env.CONFIG_PATH} has 2 problems:\n` +
        '  line 3: unknown key "sync.intervalSecs"; did you mean "sync.intervalSeconds"?\n' +
        '  line 5: vatRates."0" must be a number but is empty (~).',
      `ok    the ledger ${h.env.DATABASE_PATH} can be written`,
      // Issue 17: the Shoprenter part of .env is whole, so that login is still tested, and the
      // live shop is still compared with the valid parts of config.yaml.
      expect.stringMatching(/^ok {4}Shoprenter login works/),
      'skip  Cashman login not tested: its .env values above are missing or wrong',
      'info  no alert channel: set ALERT_WEBHOOK_URL and/or SMTP_URL, ALERT_EMAIL_TO, ALERT_EMAIL_FROM to be told about orders that need you',
      'ok    Shoprenter product reads work (units.fromProducts)',
      'info  the live shop compared with the valid parts of config.yaml (entries with problems above count as missing):',
      ...c.out.slice(8),
    ]);
    const tail = c.out.slice(8).join('\n');
    expect(tail).toContain('GAP   VAT rate 27% has no entry under vatRates in config.yaml');
    expect(tail).toContain('GAP   payment method "cod" (Utánvétel) has no entry under paymentMethods');
    expect(tail).toContain('warn  shop status 7 "Törölve" looks like a cancellation but is in neither sync.statuses nor sync.cancelStatuses');
  });

  it.each([
    ['version: 1\nsync:\n\tintervalSeconds: 30\n', 'line 3, column 1: not valid YAML: a tab is used for indentation; YAML needs spaces.'],
    ['version: 1\norderText: "Rendelés: {x}\n', 'line 3, column 1: not valid YAML: a quote or bracket opened before this point is never closed.'],
    ['version: 1\ninvoice: operation: 4\n', 'line 2, column 10: not valid YAML: two "key:" on one line'],
  ])('YAML syntax errors name line and column in plain words: %j', async (yaml, expected) => {
    writeFileSync(h.env.CONFIG_PATH, yaml);
    const c = capture({ ...h.env, LOG_LEVEL: 'info' });
    expect(await main(['once'], c.ctx)).toBe(2);
    expect(c.err.join('\n')).toContain(`${h.env.CONFIG_PATH} ${expected}`);
    expect(c.err.join('\n')).not.toMatch(/missing char|implicit key|tab as indent/i);
  });

  it('a config whose YAML does not parse: check still says what the live shop uses (review)', async () => {
    writeFileSync(h.env.CONFIG_PATH, 'version: 1\nsync:\n\tintervalSeconds: 30\n');
    const c = capture(h.env);
    expect(await main(['check'], c.ctx)).toBe(2);
    const text = c.out.join('\n');
    expect(text).toContain('info  the live shop cannot be compared with config.yaml until its YAML parses (see above); what it uses:');
    expect(text).toContain('info    payment methods (paymentMethods): "cod" (Utánvétel)');
    expect(text).toContain('info    VAT rates (vatRates): 27%, 18%, 5%, 0%');
    expect(text).toContain('7 "Törölve"');
  });

  it('an empty config file says it is empty', async () => {
    writeFileSync(h.env.CONFIG_PATH, '# nothing yet\n');
    const c = capture({ ...h.env, LOG_LEVEL: 'info' });
    expect(await main(['once'], c.ctx)).toBe(2);
    expect(c.err[0]).toBe(`${h.env.CONFIG_PATH} is empty (or only comments); write one with "init-config" or copy config/config.example.yaml.`);
  });

  it('check refuses a ledger path that cannot be created, naming it', async () => {
    const blocker = join(h.dir, 'not-a-folder');
    writeFileSync(blocker, 'x');
    const env = { ...h.env, DATABASE_PATH: join(blocker, 'sync.db') };
    const c = capture(env);
    expect(await main(['check'], c.ctx)).toBe(2);
    expect(c.out.join('\n')).toContain(`FAIL  ${blocker} is a file, not a folder, so the ledger ${join(blocker, 'sync.db')} (DATABASE_PATH) cannot be created there`);
    const run = capture(env);
    expect(await main(['once'], run.ctx)).toBe(2);
    expect(run.err[0]).toContain(`The ledger ${join(blocker, 'sync.db')} (DATABASE_PATH) cannot be opened`);
  });

  it('a read-only ledger gets a sentence (run as an unprivileged user)', async () => {
    expect(await main(['once'], capture(h.env).ctx)).toBe(0);
    const readOnly = join(h.dir, 'readonly.db');
    copyFileSync(h.env.DATABASE_PATH, readOnly);
    chmodSync(readOnly, 0o444);
    chmodSync(h.dir, 0o755);
    chmodSync(h.env.CONFIG_PATH, 0o644);
    // Root ignores file modes, so as root the program runs as nobody; that needs the checkout to be
    // readable by nobody, which a clone into a private folder (mktemp -d, mode 0700) is not.
    const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const reachable = spawnSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(resolve('dist/main.js'))})`], asNobody);
    if (reachable.status !== 0) {
      console.log('read-only ledger test not run: the checkout is not readable by the unprivileged user');
      return;
    }
    const result = spawnSync(process.execPath, ['dist/main.js', 'once'], {
      env: { ...process.env, ...h.env, DATABASE_PATH: readOnly, LOG_LEVEL: 'error' },
      encoding: 'utf8',
      ...asNobody,
    });
    expect(result.stderr.trim()).toBe(
      `The ledger ${readOnly} (DATABASE_PATH) cannot be written by this user: make the file and its folder writable (the daemon needs to create ${readOnly}-wal beside it), or point DATABASE_PATH elsewhere.`,
    );
    expect(result.status).toBe(2);
  });

  it('unreachable hosts: both named with the cause, Shoprenter tried three times, Cashman once', async () => {
    const shop = await closedPortUrl();
    const cash = await closedPortUrl();
    const c = capture({ ...h.env, SHOPRENTER_API_URL: shop, SHOPRENTER_TOKEN_URL: `${shop}/token`, CASHMAN_API_URL: cash });
    expect(await main(['check'], c.ctx)).toBe(1);
    const text = c.out.join('\n');
    const shopHost = new URL(shop).host;
    expect(text).toContain(`FAIL  Shoprenter: Shoprenter could not be reached (token endpoint: connection refused, ${shopHost}, ECONNREFUSED) three times for the paymentModes list.`);
    expect(text).toMatch(new RegExp(`FAIL  Cashman: Could not reach Cashman .*ECONNREFUSED.*${new URL(cash).port}`));
    expect(text).not.toContain('next cycle');
  });

  it('says how many orders since startFrom would be drafted and how long that takes', async () => {
    for (let i = 0; i < 4; i += 1) {
      h.shop.shoprenter.addOrder(buildShoprenterOrder({ ...SIMPLE_ORDER, innerId: 1001 + i, email: `b${i}@example.hu`, dateUpdated: `2026-11-24T10:0${i}:00` }));
    }
    // Before startFrom (2026-11-01): never drafted, not counted.
    h.shop.shoprenter.addOrder(buildShoprenterOrder({ ...SIMPLE_ORDER, innerId: 999, email: 'old@example.hu', dateUpdated: '2026-10-30T10:00:00' }));
    // In a cancel status ("Törölve", 7): never drafted with statuses: [], not counted (issue 17).
    h.shop.shoprenter.addOrder(buildShoprenterOrder({ ...SIMPLE_ORDER, innerId: 1099, email: 'gone@example.hu', status: 7, dateUpdated: '2026-11-24T10:09:00' }));
    const c = capture(h.env);
    expect(await main(['check'], c.ctx)).toBe(0);
    // SIMPLE_ORDER has two product lines of two products: 4 orders × 2 option reads, the 2 products'
    // units once each, and 1 list page = 11 reads; at 3 per second, 4 s.
    expect(c.out.join('\n')).toContain(
      'info  4 order(s) placed since 2026-11-01T00:00:00 would be drafted: about 11 Shoprenter reads, 4 s at 3 requests per second',
    );
  });

  it('warns about every shop status that looks like a cancellation and is in neither list, and one in both (issue 17)', async () => {
    const warnings = async (yaml: string): Promise<string[]> => {
      writeFileSync(h.env.CONFIG_PATH, yaml);
      const c = capture(h.env);
      await main(['check'], c.ctx);
      return c.out.filter((line) => line.startsWith('warn  ') && line.includes('status'));
    };
    expect(await warnings(demoConfigYaml({ cancelStatuses: [] }))).toEqual([
      'warn  shop status 7 "Törölve" looks like a cancellation but is in neither sync.statuses nor sync.cancelStatuses (with statuses: [] an order in it would be drafted); add "7" to sync.cancelStatuses in config.yaml',
    ]);
    expect(await warnings(demoConfigYaml({ cancelStatuses: ['törölve'] }))).toEqual([]);
    expect(await warnings(demoConfigYaml({ statuses: ['5', 'Törölve'], cancelStatuses: ['7'] }))).toEqual([
      'warn  status 7 "Törölve" is in both sync.statuses and sync.cancelStatuses; it counts as cancelled (never drafted) in config.yaml',
    ]);
  });

  it('a status name the shop does not have is a config problem with the nearest name, not a quarantine gap (review)', async () => {
    writeFileSync(h.env.CONFIG_PATH, demoConfigYaml({ cancelStatuses: ['Torolve'] }));
    const c = capture(h.env);
    expect(await main(['check'], c.ctx)).toBe(2);
    const lines = c.out.filter((line) => line.startsWith('FAIL') || line.startsWith('GAP'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^FAIL {2}sync\.cancelStatuses names "Torolve", but the shop has no such order status; .*; did you mean "Törölve" \(id 7\)\?$/);
    expect(c.out.join('\n')).not.toContain('gap(s): orders that need these would be quarantined');
  });

  it('init-config counts the places to fill in, not the word in its header', async () => {
    const env = { ...h.env, CONFIG_PATH: join(h.dir, 'generated.yaml') };
    const c = capture(env);
    expect(await main(['init-config'], c.ctx)).toBe(0);
    // The stand-in shop has VAT rates 27, 18, 5 (3 vatRates), the four 0% cases of vatExemptions
    // (domestic, deposit, intraEu, export) and the unit "db" to map: 8; every payment code has a guess.
    expect(c.out[1]).toContain('Fill in the 8 places marked TODO');
  });
});

describe('check right after init-config (two real processes)', () => {
  it('waits out the 429 of a rate-limit second that init-config filled, instead of failing the Shoprenter login', async () => {
    requireBuild();
    const shop = await startLocalShop();
    const dir = mkdtempSync(join(tmpdir(), 'scs-check-after-init-'));
    try {
      writeFileSync(join(dir, 'demo.yaml'), demoConfigYaml({ productLookups: false }));
      const env = { ...shop.env, CONFIG_PATH: join(dir, 'demo.yaml'), DATABASE_PATH: join(dir, 'sync.db') };
      const init = await runToEnd(['init-config', '--stdout'], env, dir);
      expect(init.code).toBe(0);
      writeFileSync(join(dir, 'fresh.yaml'), init.text);
      // The fresh file still has its TODOs (exit 2), but the logins must be judged on their own.
      const check = await runToEnd(['check'], { ...env, CONFIG_PATH: join(dir, 'fresh.yaml') }, dir);
      expect(check.text).toContain('ok    Shoprenter login works');
      expect(check.code).toBe(2);
    } finally {
      await shop.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
