import { afterEach, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { main } from '../src/cli.js';
import { demoConfigYaml } from '../src/standins/local-shop.js';
import { buildShoprenterOrder } from '../src/standins/shoprenter-fixtures.js';
import { startHarness, type Harness } from './helpers/harness.js';
import { SIMPLE_ORDER } from './helpers/order-specs.js';

function ctx(env: Record<string, string>) {
  const sink = new Writable({ write: (_c, _e, done) => done() });
  return { env, logStream: sink, out: () => undefined, err: () => undefined };
}

/**
 * Review (issue 16 §4): a lost ledger, so Cashman already holds SR000001 — another buyer's partner,
 * made before the loss. A new buyer's first create with SR000001 loses its answer (the connection
 * drops; Cashman never processed it). On retry Cashman refuses the code as taken. Per the reference
 * a draft naming a partner code takes the partner from Cashman's master data ("Ha a partnerkód van
 * megadva, az Fx törzsadatokból veszi a partnert"), so a draft naming SR000001 is invoiced to the
 * other buyer. Expected from the rule: no draft names a partner that belongs to someone else.
 */
describe('a partner create whose answer is lost on a code another buyer already holds (review)', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it('never drafts with the other buyer\'s partner code', async () => {
    h = await startHarness({ shoprenter: { rateLimitPerSecond: 0 }, cashman: { existingPartnerCodes: ['SR000001'] } });
    writeFileSync(h.env.CONFIG_PATH, demoConfigYaml({ pilotOrders: 0, productLookups: false }));
    h.shop.shoprenter.addOrder(buildShoprenterOrder({ ...SIMPLE_ORDER, innerId: 931, email: 'uj.vevo.931@example.hu', dateUpdated: '2026-11-24T10:01:00' }));
    h.shop.cashman.setFault({ kind: 'drop' }, { times: 1, operations: [9] });
    // The lost answer is Cashman failing (issue 16 §10): that cycle stops; then runs and retries.
    await main(['once'], ctx({ ...h.env, LOG_LEVEL: 'error' }));
    expect(h.shop.cashman.drafts).toHaveLength(0);
    for (let attempt = 0; attempt < 3 && h.shop.cashman.drafts.length === 0; attempt += 1) {
      await main(['retry', '931'], ctx(h.env));
      await main(['once'], ctx({ ...h.env, LOG_LEVEL: 'error' }));
    }
    const heldBefore = [...h.shop.cashman.partners.values()].find((p) => p.partnerCode === 'SR000001');
    expect(heldBefore?.fields['partner_kod']).toBe('SR000001'); // still the other buyer's partner
    expect(h.shop.cashman.drafts.map((d) => d.partnerCode)).not.toContain('SR000001');
  });
});
