import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { demoConfigYaml } from '../src/standins/local-shop.js';
import { buildShoprenterOrder } from '../src/standins/shoprenter-fixtures.js';
import type { Runtime } from '../src/runtime.js';
import { runCycle } from '../src/sync/cycle.js';
import { SerialLane } from '../src/sync/serial-lane.js';
import { TokenBucket, TriggerQueue } from '../src/sync/trigger-queue.js';
import { WebhookWorker, type HandleOutcome } from '../src/sync/webhook-worker.js';
import { healthBody } from '../src/http/listener.js';
import { startWebhook, type WebhookServer } from './alerts-webhook.js';
import { startHarness, type Harness } from './helpers/harness.js';
import { SIMPLE_ORDER } from './helpers/order-specs.js';
import { orderNumberOf } from './helpers/processes.js';

/**
 * Issue 16 §10 (from the review): "Cashman down" as it usually looks from outside when Cashman sits
 * behind a web server: the server answers 503 with an HTML page (PHP-FPM or the database is down),
 * or accepts the connection and never answers. Expected from the rule: nothing is quarantined for
 * an outage, the `cashman` episode alerts once and recovers once, `/healthz` turns red past its
 * grace, a draft whose answer was lost is the only order in doubt (it may exist), and the waiting
 * orders go out by themselves, in the shop's order, once Cashman answers again.
 */

const MINUTE = 60_000;

type Mode = 'up' | '503' | 'hang';

/** A reverse proxy in front of the Cashman stand-in, as a web server would be. */
async function startProxy(target: string): Promise<{ url: string; mode: Mode; poison: string | null; close(): Promise<void> }> {
  const state = { mode: 'up' as Mode, poison: null as string | null };
  const hung: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      // PHP failing on one request's data: a 500 page for the requests that carry `poison`.
      if (state.poison !== null && Buffer.concat(chunks).includes(state.poison)) {
        res.writeHead(500, { 'content-type': 'text/html' }).end('<html><body><h1>500 Internal Server Error</h1></body></html>');
        return;
      }
      if (state.mode === '503') {
        res.writeHead(503, { 'content-type': 'text/html' }).end('<html><body><h1>503 Service Unavailable</h1></body></html>');
        return;
      }
      if (state.mode === 'hang') {
        hung.push(res);
        return;
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
      void fetch(target, { method: req.method, headers, body: Buffer.concat(chunks) }).then(async (answer) => {
        res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' }).end(Buffer.from(await answer.arrayBuffer()));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    get mode() {
      return state.mode;
    },
    set mode(m: Mode) {
      state.mode = m;
    },
    get poison() {
      return state.poison;
    },
    set poison(p: string | null) {
      state.poison = p;
    },
    close: async () => {
      for (const r of hung) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function order(innerId: number): Record<string, unknown> {
  const dateUpdated = `2026-11-20T10:${String(innerId % 60).padStart(2, '0')}:00`;
  return buildShoprenterOrder({ ...SIMPLE_ORDER, email: `buyer${innerId}@example.hu`, innerId, dateUpdated });
}

interface OutageWorld {
  h: Harness;
  hook: WebhookServer;
  proxy: Awaited<ReturnType<typeof startProxy>>;
  runtime: Runtime;
}

/**
 * Both stand-ins, Cashman behind a proxy that fails on cue, alerts to a local webhook, and a runtime
 * on the test's clock; `prepare` stocks the shop before the runtime starts.
 */
async function outageWorld(now: () => Date, prepare: (shop: Harness['shop']) => void = () => undefined): Promise<OutageWorld> {
  const hook = await startWebhook();
  const h = await startHarness({ shoprenter: { rateLimitPerSecond: 0 }, config: demoConfigYaml({ productLookups: false }) + 'alerts:\n  language: en\n', logLevel: 'error' });
  const proxy = await startProxy(h.shop.env['CASHMAN_API_URL']!);
  h.env['ALERT_WEBHOOK_URL'] = hook.url;
  prepare(h.shop);
  const runtime = await h.runtime({ now, env: { CASHMAN_API_URL: proxy.url }, shoprenterTuning: { limitPerSecond: 50, retryBudgetMs: 500 }, cashmanTimeoutMs: 500 });
  return { h, hook, proxy, runtime };
}

async function closeWorld({ h, hook, proxy, runtime }: OutageWorld): Promise<void> {
  runtime.close();
  await proxy.close();
  await Promise.all([h.close(), hook.close()]);
}

describe.each(['503', 'hang'] as const)('Cashman down as %s for ten minutes, new buyers', (mode) => {
  let h: Harness;
  let hook: WebhookServer;
  let runtime: Runtime;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let t: number;
  const now = () => new Date(t);

  beforeEach(async () => {
    t = Date.parse('2026-11-26T12:00:00Z');
    ({ h, hook, proxy, runtime } = await outageWorld(now, (shop) => {
      for (const n of [1001, 1002, 1003, 1004]) shop.shoprenter.addOrder(order(n));
    }));
  });
  afterEach(() => closeWorld({ h, hook, proxy, runtime }));

  it('quarantines nothing and leaves nothing uncertain; every order goes out once after', async () => {
    proxy.mode = mode;
    for (let i = 0; i < 10; i++) {
      const summary = await runCycle(runtime.deps);
      expect(summary.ok).toBe(false);
      await runtime.delivery.flush();
      t += MINUTE;
    }
    const during = ['1001', '1002', '1003', '1004'].map((n) => `${n}:${runtime.ledger.findOrder(n)?.state ?? 'unseen'}`);
    // No attempt was used on any order, and the daemon says which remote fails.
    expect(runtime.ledger.listNotDone().filter((row) => row.attempts !== 0)).toEqual([]);
    const healthz = healthBody(runtime.ledger, 60);
    expect(healthz.healthy).toBe(false);
    expect(healthz.body['failing']).toEqual([expect.objectContaining({ part: 'cashman', failedCycles: 10, pastGrace: true })]);
    proxy.mode = 'up';
    for (let i = 0; i < 3; i++) {
      await runCycle(runtime.deps);
      await runtime.delivery.flush();
      t += MINUTE;
    }
    const after = ['1001', '1002', '1003', '1004'].map((n) => `${n}:${runtime.ledger.findOrder(n)?.state}`);
    expect(h.shop.cashman.drafts.map((d) => orderNumberOf(d.rows[0]?.['egyeb']))).toEqual(['1001', '1002', '1003', '1004']);
    expect(healthBody(runtime.ledger, 60).body['failing']).toEqual([]);
    const kinds = hook.calls.map((c) => `${String(c.json['kind'])}${typeof c.json['orderNumber'] === 'string' ? ` ${c.json['orderNumber']}` : ''}`);
    expect({ during, after, kinds }).toEqual({
      // The cycle stops at the first order Cashman fails on: the others wait in the shop's list.
      during: ['1001:pending', '1002:unseen', '1003:unseen', '1004:unseen'],
      after: ['1001:done', '1002:done', '1003:done', '1004:done'],
      kinds: ['cashman-failing', 'cashman-recovered'],
    });
  }, 120_000);
});

describe.each(['503', 'hang'] as const)('Cashman down as %s while known buyers\' orders wait', (mode) => {
  let h: Harness;
  let hook: WebhookServer;
  let runtime: Runtime;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let t: number;
  const now = () => new Date(t);
  const sameBuyer = (innerId: number) =>
    buildShoprenterOrder({ ...SIMPLE_ORDER, email: 'regular@example.hu', innerId, dateUpdated: `2026-11-20T10:${String(innerId % 60).padStart(2, '0')}:00` });

  beforeEach(async () => {
    t = Date.parse('2026-11-26T12:00:00Z');
    ({ h, hook, proxy, runtime } = await outageWorld(now));
  });
  afterEach(() => closeWorld({ h, hook, proxy, runtime }));

  it('one outage puts only its first draft in doubt; the others wait and go out in order after', async () => {
    h.shop.shoprenter.addOrder(sameBuyer(1001));
    await runCycle(runtime.deps);
    t += MINUTE;
    expect(runtime.ledger.findOrder('1001')?.state).toBe('done');
    for (const n of [1002, 1003, 1004, 1005]) h.shop.shoprenter.addOrder(sameBuyer(n));
    proxy.mode = mode;
    const first = await runCycle(runtime.deps);
    // The draft of 1002 left and got no usable answer: it may exist, so it waits for a person; the
    // cycle stops right after it, nothing more is sent into the outage.
    expect(first).toMatchObject({ ok: false, outcomes: expect.objectContaining({ uncertain: 1, done: 0 }) });
    const states = () => ['1002', '1003', '1004', '1005'].map((n) => `${n}:${runtime.ledger.findOrder(n)?.state ?? 'unseen'}`);
    expect(states()).toEqual(['1002:uncertain', '1003:unseen', '1004:unseen', '1005:unseen']);
    for (let i = 0; i < 5; i++) {
      t += MINUTE;
      expect((await runCycle(runtime.deps)).ok).toBe(false);
      await runtime.delivery.flush();
    }
    // Later cycles check Cashman with a read before any draft: still one order in doubt.
    expect(states()).toEqual(['1002:uncertain', '1003:pending', '1004:unseen', '1005:unseen']);
    expect(runtime.ledger.listNotDone().filter((row) => row.attempts !== 0)).toEqual([]);
    expect(healthBody(runtime.ledger, 60).body['failing']).toEqual([expect.objectContaining({ part: 'cashman', pastGrace: true })]);

    proxy.mode = 'up';
    t += MINUTE;
    const back = await runCycle(runtime.deps);
    await runtime.delivery.flush();
    expect(back).toMatchObject({ ok: true, outcomes: expect.objectContaining({ done: 3 }) });
    expect(states()).toEqual(['1002:uncertain', '1003:done', '1004:done', '1005:done']);
    // 1002's draft never reached the stand-in behind the proxy: one draft for every other order, in order.
    expect(h.shop.cashman.drafts.map((d) => orderNumberOf(d.rows[0]?.['egyeb']))).toEqual(['1001', '1003', '1004', '1005']);
    const kinds = hook.calls.map((c) => `${String(c.json['kind'])}${typeof c.json['orderNumber'] === 'string' ? ` ${c.json['orderNumber']}` : ''}`);
    expect(kinds).toEqual(['uncertain 1002', 'cashman-failing', 'cashman-recovered']);
  }, 120_000);

  it('webhooks during the outage put only the first draft in doubt; the others wait for the poll', async () => {
    h.shop.shoprenter.addOrder(sameBuyer(1001));
    await runCycle(runtime.deps);
    t += MINUTE;
    for (const n of [1002, 1003, 1004]) h.shop.shoprenter.addOrder(sameBuyer(n));
    proxy.mode = mode;
    const handled: string[] = [];
    const queue = new TriggerQueue();
    const worker = new WebhookWorker({
      cycle: runtime.deps,
      queue,
      bucket: new TokenBucket(1000, 1000),
      lane: new SerialLane(),
      onHandled: (trigger, outcome: HandleOutcome) => void handled.push(`${trigger.ref}:${outcome}`),
    });
    worker.start();
    // No cycle has seen the outage yet: the first webhook's draft meets it, the next ones check first.
    for (const n of ['1002', '1003', '1004']) queue.add(n, Date.now());
    while (handled.length < 3) await new Promise((resolve) => setTimeout(resolve, 20));
    await worker.stop();
    expect(handled).toEqual(['1002:error', '1003:error', '1004:error']);
    const states = () => ['1002', '1003', '1004'].map((n) => `${n}:${runtime.ledger.findOrder(n)?.state ?? 'unseen'}`);
    expect(states()).toEqual(['1002:uncertain', '1003:pending', '1004:pending']);

    proxy.mode = 'up';
    const back = await runCycle(runtime.deps);
    await runtime.delivery.flush();
    expect(back).toMatchObject({ ok: true, outcomes: expect.objectContaining({ done: 2 }) });
    expect(h.shop.cashman.drafts.map((d) => orderNumberOf(d.rows[0]?.['egyeb']))).toEqual(['1001', '1003', '1004']);
  }, 120_000);
});

describe('a partner request Cashman fails on while it answers everything else', () => {
  let h: Harness;
  let hook: WebhookServer;
  let runtime: Runtime;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let t: number;
  const now = () => new Date(t);

  beforeEach(async () => {
    t = Date.parse('2026-11-26T12:00:00Z');
    ({ h, hook, proxy, runtime } = await outageWorld(now));
  });
  afterEach(() => closeWorld({ h, hook, proxy, runtime }));

  it('is that order\'s own: its attempts run out and it is quarantined; the others go out; no outage alerted', async () => {
    // Cashman's PHP fails on one buyer's data with a 500, and only there.
    proxy.poison = 'poison@example.hu';
    h.shop.shoprenter.addOrder(buildShoprenterOrder({ ...SIMPLE_ORDER, email: 'poison@example.hu', innerId: 1001, dateUpdated: '2026-11-20T10:01:00' }));
    h.shop.shoprenter.addOrder(order(1002));
    for (let i = 0; i < 14; i++) {
      await runCycle(runtime.deps);
      await runtime.delivery.flush();
      t += 16 * MINUTE; // past the longest backoff before the fifth attempt
    }
    const row = runtime.ledger.findOrder('1001');
    expect(row).toMatchObject({ state: 'quarantined', attempts: 5 });
    expect(row?.lastError).toContain('Gave up after 5 attempts');
    expect(row?.lastError).toContain('HTTP 500');
    expect(runtime.ledger.findOrder('1002')?.state).toBe('done');
    const kinds = hook.calls.map((c) => `${String(c.json['kind'])}${typeof c.json['orderNumber'] === 'string' ? ` ${c.json['orderNumber']}` : ''}`);
    expect(kinds).toEqual(['quarantined 1001']);
  }, 120_000);
});
