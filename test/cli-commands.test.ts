import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../src/cli.js';
import { runCycle } from '../src/sync/cycle.js';
import { buildShoprenterOrder } from '../src/standins/shoprenter-fixtures.js';
import { startHarness, type Harness } from './helpers/harness.js';

function capture(env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, ctx: { env, out: (t: string) => out.push(t), err: (t: string) => err.push(t) } };
}

describe('CLI commands against the stand-ins', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ shoprenter: { rateLimitPerSecond: 0 } });
  });
  afterEach(async () => {
    await h.close();
  });

  it('usage errors exit 2 with one sentence', async () => {
    const c = capture(h.env);
    expect(await main(['frobnicate'], c.ctx)).toBe(2);
    expect(c.err[0]).toMatch(/^Unknown command "frobnicate"\./);
    expect(await main(['constructor'], c.ctx)).toBe(2);
    expect(await main(['retry'], c.ctx)).toBe(2);
    expect(await main(['--nope'], c.ctx)).toBe(2);
  });

  it('a bad config exits 2 naming the key and line, without a stack trace', async () => {
    writeFileSync(h.env.CONFIG_PATH, 'version: 1\nsync:\n  intervalSecs: 30\n');
    const c = capture({ ...h.env, LOG_LEVEL: 'info' });
    expect(await main(['once'], c.ctx)).toBe(2);
    expect(c.err.join('\n')).toBe(`${h.env.CONFIG_PATH} line 3: unknown key "sync.intervalSecs"; did you mean "sync.intervalSeconds"?`);
  });

  it('once drafts, status reports, health turns healthy', async () => {
    const c = capture(h.env);
    expect(await main(['health'], c.ctx)).toBe(1);
    h.shop.shoprenter.addOrder(
      buildShoprenterOrder({
        innerId: 501,
        dateUpdated: '2026-11-24T10:00:00',
        status: 1,
        email: 'vevo@example.hu',
        firstname: 'Vevő',
        lastname: 'Béla',
        billing: { postcode: '1111', city: 'Budapest', address1: 'Fő utca 2.' },
        paymentMethodCode: 'paypal',
        shippingExtension: 'gls',
        shippingFee: { gross: 1690, taxRate: 27 },
        products: [{ name: 'Könyv', sku: 'K-1', netPrice: 3332.381, taxRate: 5, stocks: [1] }],
      }),
    );
    expect(await main(['once'], c.ctx)).toBe(0);
    expect(c.out.join('\n')).toContain('1 quarantined');
    expect(await main(['health'], c.ctx)).toBe(0);
    const s = capture(h.env);
    expect(await main(['status', '--json'], s.ctx)).toBe(0);
    const status = JSON.parse(s.out.join('\n'));
    expect(status.counts.quarantined).toBe(1);
    expect(status.orders[0]).toMatchObject({ orderNumber: '501', state: 'quarantined', attempts: 0 });
    expect(status.orders[0].reason).toContain('paymentMethods');
    expect(status.lastCycle.ok).toBe(true);
    const text = capture(h.env);
    await main(['status'], text.ctx);
    expect(text.out.join('\n')).toContain('501');
  });

  it('check reports the gaps of an incomplete config by name, and passes on the full one', async () => {
    const full = capture(h.env);
    expect(await main(['check'], full.ctx)).toBe(0);
    writeFileSync(h.env.CONFIG_PATH, 'version: 1\nvatRates:\n  "27": 32\npaymentMethods:\n  COD: Utánvét\nunits:\n  ids: { db: 19 }\n');
    const c = capture(h.env);
    expect(await main(['check'], c.ctx)).toBe(2);
    const text = c.out.join('\n');
    expect(text).toContain('ok    Shoprenter login works');
    expect(text).toContain('ok    Cashman login works');
    expect(text).toContain('GAP   payment method "bank_transfer"');
    expect(text).toContain('GAP   VAT rate 18% has no entry under vatRates');
    // The shop has a 0% tax class: its domestic and deposit lines need a row (vatRates."0" would cover both).
    expect(text).toContain('GAP   vatExemptions.domestic has no entry (domestic 0% lines, e.g. AAM or TAM)');
    expect(text).toContain('GAP   vatExemptions.deposit has no entry (deposit fees (betétdíj))');
    expect(text).toContain('warn  vatExemptions.intraEu has no entry (0% lines sold to a business in another EU member state, KBAET)');
    expect(text).toContain('warn  vatExemptions.export has no entry');
    expect(text).toContain('has no entry under shippingMethods and there is no "default"');
  });

  it('check fails with exit 1 when a login is refused', async () => {
    const c = capture({ ...h.env, CASHMAN_PASSWORD: 'wrong-password' });
    expect(await main(['check'], c.ctx)).toBe(1);
    expect(c.out.join('\n')).toContain('FAIL  Cashman: Cashman refused the login');
    expect(c.out.join('\n')).not.toContain('wrong-password');
  });

  it('init-config writes a config from the live shop that check accepts once the ids are filled', async () => {
    const path = join(h.dir, 'generated.yaml');
    const env = { ...h.env, CONFIG_PATH: path };
    const c = capture(env);
    expect(await main(['init-config'], c.ctx)).toBe(0);
    expect(await main(['init-config'], capture(env).ctx)).toBe(2); // never overwrites silently
    const written = readFileSync(path, 'utf8');
    expect(written).toContain('TODO');
    const unfilled = capture(env);
    expect(await main(['check'], unfilled.ctx)).toBe(2);
    expect(unfilled.out.join('\n')).toMatch(/line \d+: vatRates\."\d+" must be a number but is empty \(~\)\./);
    const filled = written
      .replace(/"27": ~.*/, '"27": 32')
      .replace(/"18": ~.*/, '"18": 33')
      .replace(/"5": ~.*/, '"5": 34')
      .replace(/domestic: ~.*/, 'domestic: 35')
      .replace(/deposit: ~.*/, 'deposit: 36')
      .replace(/intraEu: ~.*/, 'intraEu: 37')
      .replace(/export: ~.*/, 'export: 38')
      .replace(/db: ~.*/, 'db: 19');
    expect(filled).not.toMatch(/"0":/); // 0% is mapped by case, under vatExemptions
    writeFileSync(path, filled);
    const ok = capture(env);
    expect(await main(['check'], ok.ctx)).toBe(0);
    expect(ok.out.join('\n')).toContain('is mapped');
  });

  it('retry and resolve move orders as a person asks', async () => {
    const runtime = await h.runtime();
    h.shop.shoprenter.addOrder(
      buildShoprenterOrder({
        innerId: 601,
        dateUpdated: '2026-11-24T11:00:00',
        status: 1,
        email: 'a@example.hu',
        firstname: 'A',
        lastname: 'B',
        billing: { postcode: '1111', city: 'Budapest', address1: 'Fő utca 3.' },
        paymentMethodCode: 'cod',
        shippingExtension: 'gls',
        products: [{ name: 'X', sku: 'X', netPrice: 100, taxRate: 27, stocks: [1] }],
      }),
    );
    h.shop.cashman.setFault({ kind: 'dropAfterProcessing' }, { operations: [4] });
    await runCycle(runtime.deps);
    expect(runtime.ledger.findOrder('601')?.state).toBe('uncertain');
    const refused = capture(h.env);
    expect(await main(['retry', '601'], refused.ctx)).toBe(2);
    expect(refused.err[0]).toContain('--force');
    const resolved = capture(h.env);
    expect(await main(['resolve', '601', '--done'], resolved.ctx)).toBe(0);
    expect(runtime.ledger.findOrder('601')?.state).toBe('done');
    expect(await main(['retry', 'nope'], capture(h.env).ctx)).toBe(2); // an unknown order is a usage error (issue 9)
    expect(existsSync(h.env.DATABASE_PATH)).toBe(true);
  });
});
