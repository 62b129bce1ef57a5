import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main } from '../src/cli.js';
import { demoConfigYaml } from '../src/standins/local-shop.js';
import { buildShoprenterOrder, type OrderSpec } from '../src/standins/shoprenter-fixtures.js';
import { startHarness, type Harness } from './helpers/harness.js';
import { MAIN, startProc } from './helpers/process.js';

function capture(env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, ctx: { env, out: (t: string) => out.push(t), err: (t: string) => err.push(t) } };
}

/** One product of 100 Ft net at 27 %, no fees: 127 Ft gross (100 + 27), by hand. */
const ORDER_127: Omit<OrderSpec, 'innerId' | 'dateUpdated' | 'email'> = {
  status: 1,
  firstname: 'A',
  lastname: 'B',
  billing: { postcode: '1111', city: 'Budapest', address1: 'Fő utca 3.' },
  paymentMethodCode: 'cod',
  shippingExtension: 'gls',
  products: [{ name: 'X', sku: 'X', netPrice: 100, taxRate: 27, stocks: [1] }],
};

describe('CLI manners', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ shoprenter: { rateLimitPerSecond: 0 } });
    writeFileSync(h.env.CONFIG_PATH, demoConfigYaml({ productLookups: false }));
  });
  afterEach(async () => {
    await h.close();
  });

  const add = (innerId: number, dateUpdated: string, status = 1, dateCreated = dateUpdated): void => {
    h.shop.shoprenter.addOrder(buildShoprenterOrder({ ...ORDER_127, status, innerId, dateUpdated, dateCreated, email: `v${innerId}@example.hu` }));
  };

  it('--version, per-command --help, and flags a command does not take are refused in a sentence', async () => {
    const env = { ...h.env, LOG_LEVEL: 'info' };
    const v = capture(env);
    expect(await main(['--version'], v.ctx)).toBe(0);
    expect(v.out).toEqual(['shoprenter-cashman-sync 0.5.3']);

    const help = capture(env);
    expect(await main(['retry', '--help'], help.ctx)).toBe(0);
    expect(help.out[0]).toContain('Usage: shoprenter-cashman-sync retry <order> | --quarantined [options]');
    expect(help.out[0]).toContain('--force');
    expect(help.out[0]).not.toContain('--stdout');

    const wrong = capture(env);
    expect(await main(['status', '--force', '--done'], wrong.ctx)).toBe(2);
    expect(wrong.err).toEqual(['"status" has no option --force; it takes --json (see "status --help").']);
    const alone = capture(env);
    expect(await main(['--nope'], alone.ctx)).toBe(2);
    expect(alone.err[0]).toMatch(/^Unknown option --nope\./);
    const noValue = capture(env);
    expect(await main(['demo', '--database'], noValue.ctx)).toBe(2);
    expect(noValue.err).toEqual(['--database needs a value, e.g. "demo --database <file>".']);
    for (const c of [wrong, alone, noValue]) expect(c.err.join('\n')).not.toMatch(/To specify a positional|ERR_PARSE_ARGS/);
  });

  it('preview says what the daemon would do and why; retry puts a skipped order that qualifies now in line', async () => {
    writeFileSync(h.env.CONFIG_PATH, demoConfigYaml({ productLookups: false, statuses: ['1'] }));
    add(301, '2026-11-24T10:00:00'); // drafted by the cycle below
    add(302, '2026-11-24T10:01:00', 2); // status 2 is not in sync.statuses
    add(303, '2026-10-30T10:00:00'); // before startFrom (2026-11-01T00:00:00)
    expect(await main(['once'], capture(h.env).ctx)).toBe(0);
    add(304, '2026-11-24T10:05:00'); // new
    // Placed before startFrom, completed after it: invoiced by hand before go-live (SPEC §1.1).
    add(305, '2026-11-24T10:06:00', 1, '2026-10-31T23:00:00');

    add(306, '2026-11-24T10:07:00', 7); // "Törölve", a cancel status in the demo config
    const verdict = async (order: string): Promise<string> => {
      const c = capture(h.env);
      expect(await main(['preview', order], c.ctx)).toBe(0);
      expect(c.out[0]).toMatch(/^Status in Shoprenter now: .+ \(\d+\)$/);
      return c.out[1]!;
    };
    expect(await verdict('301')).toMatch(/^What the daemon would do: already drafted on \S+ \(UTC\) as "5001\|1"; never drafted again\.$/);
    // The stand-in names status 2 "Feldolgozás alatt" (shoprenter-fixtures).
    expect(await verdict('302')).toMatch(/^What the daemon would do: skipped: status .+ \(2\) is not in sync\.statuses\.$/);
    expect(await verdict('303')).toBe('What the daemon would do: skipped: placed 2026-10-30T10:00:00, before sync.startFrom 2026-11-01T00:00:00 (shop time).');
    expect(await verdict('304')).toBe('What the daemon would do: would be drafted.');
    // Issue 17: a cancel status is named as the reason, with the status as the shop names it.
    expect(await verdict('306')).toBe('What the daemon would do: never drafted: status Törölve (7) is listed in sync.cancelStatuses (a cancellation).');
    expect(await verdict('305')).toBe('What the daemon would do: skipped: placed 2026-10-31T23:00:00, before sync.startFrom 2026-11-01T00:00:00 (shop time).');

    // Still not qualifying: refused with the reason.
    const refused = capture(h.env);
    expect(await main(['retry', '302'], refused.ctx)).toBe(2);
    expect(refused.err[0]).toContain('Order 302 was not drafted and does not qualify now: skipped: status');
    // After sync.statuses is widened, retry puts it in line and the next cycle drafts it.
    writeFileSync(h.env.CONFIG_PATH, demoConfigYaml({ productLookups: false, statuses: ['1', '2'] }));
    const retried = capture(h.env);
    expect(await main(['retry', '302'], retried.ctx)).toBe(0);
    expect(retried.out[0]).toBe('Order 302 was skipped before and qualifies now; it is in line and the next cycle drafts it.');
    expect(await main(['once'], capture(h.env).ctx)).toBe(0);
    expect(h.shop.cashman.drafts.map((d) => d.rows[0]?.['egyeb'] ?? '')).toHaveLength(3); // 301, 304, 302; not 305, as preview said
  });

  it('LOG_FORMAT=json: every stdout line of once is JSON, amounts are numbers with a currency, startup errors too', async () => {
    add(401, '2026-11-24T10:00:00');
    const env = { ...h.env, LOG_FORMAT: 'json', LOG_LEVEL: 'info' };
    const once = startProc(['once'], env);
    expect(await once.exited).toEqual({ code: 0, signal: null });
    const lines = once.stdout.filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.length).toBeGreaterThan(2);
    const drafted = lines.find((l) => l['message'] === 'draft created in Cashman')!;
    expect(drafted).toMatchObject({ orderNumber: '401', gross: 127, currency: 'HUF' });
    expect(lines.at(-1)).toMatchObject({ message: 'once: cycle completed', done: 1 });
    // Log timestamps are UTC (ISO 8601 with Z).
    expect(String(lines[0]!['timestamp'])).toMatch(/Z$/);

    writeFileSync(h.env.CONFIG_PATH, 'version: 1\nsync:\n  intervalSecs: 3\n');
    const bad = startProc(['once'], env);
    expect((await bad.exited).code).toBe(2);
    expect(JSON.parse(bad.stderr.join('').trim())).toMatchObject({ level: 'error', code: 'CONFIG_INVALID' });
  });

  it('run: a startup line with version, config, ledger and shop; SIGHUP stops it gracefully', async () => {
    const run = startProc(['run'], { ...h.env, LOG_LEVEL: 'info' });
    const line = await run.waitFor(/daemon started/);
    expect(line).toContain('version=0.5.3');
    expect(line).toContain(`config=${resolve(h.env.CONFIG_PATH)}`);
    expect(line).toContain(`ledger=${resolve(h.env.DATABASE_PATH)}`);
    expect(line).toContain(`shop=${h.env.SHOPRENTER_SHOP}`);
    run.child.kill('SIGHUP');
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.stdout.join('\n')).toContain('signal received: stopping after the order in hand (signal=SIGHUP)');
  });

  it('a reader that closes the pipe early gets no EPIPE stack trace', async () => {
    for (let i = 0; i < 40; i += 1) add(500 + i, `2026-11-24T10:${String(i).padStart(2, '0')}:00`);
    const env = { ...h.env, LOG_LEVEL: 'debug' };
    // `once | head -1`: the reader goes away after the first chunk while the cycle is still logging.
    const child = spawn(process.execPath, [MAIN, 'once'], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
    expect(stderr).not.toMatch(/EPIPE|Error:/);
    expect(code).toBe(0);
    // The cycle still finished and recorded every order.
    const status = capture(h.env);
    await main(['status', '--json'], status.ctx);
    expect(JSON.parse(status.out.join('\n')).counts.done).toBe(40);
  });

  it('demo --serve starts the stand-ins on fixed ports for check, preview and init-config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scs-serve-'));
    const port = 20_000 + (process.pid % 20_000);
    const serve = startProc(['demo', '--serve', '--port', String(port)], {}, dir);
    try {
      await serve.waitFor(/^Stop with Ctrl-C/);
      expect(serve.stdout[0]).toBe(`Stand-ins running: Shoprenter http://127.0.0.1:${port}/api, Cashman http://127.0.0.1:${port + 1}/fxapi/jxs.php, 12 sample orders (1001-1012).`);
      const env = Object.fromEntries(serve.stdout.filter((l) => /^[A-Z_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
      const check = capture({ ...env, DATABASE_PATH: join(dir, 'data', 'sync.db') });
      const checked = await main(['check'], check.ctx);
      expect({ checked, out: check.out }).toMatchObject({ checked: 0 });
      const preview = capture({ ...env, DATABASE_PATH: join(dir, 'data', 'sync.db') });
      expect(await main(['preview', '1001'], preview.ctx)).toBe(0);
      expect(preview.out.slice(0, 2)).toEqual(['Status in Shoprenter now: Függőben lévő (1)', 'What the daemon would do: would be drafted.']);
      serve.child.kill('SIGINT');
      expect((await serve.exited).code).toBe(0);
    } finally {
      serve.child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
