import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { demoConfigYaml, startLocalShop, type LocalShop } from '../src/standins/local-shop.js';
import { expectStandinNavClean } from './helpers/nav-audit.js';
import { sampleShop, seededRandom } from '../src/standins/shoprenter-fixtures.js';
import { Ledger, type OrderState } from '../src/store/ledger.js';
import { orderNumberOf, requireBuild, runToEnd, spawnCli, type Child } from './helpers/processes.js';

/**
 * The crash proof (SPEC §2: "a crash, kill -9 or power loss at any instant loses no order and
 * creates no duplicate draft"), with real processes: the built daemon (`node dist/main.js run`)
 * against both stand-ins in this process, SIGKILLed again and again at seeded random moments and
 * at the exact instant between Cashman recording a draft (or partner) and the daemon hearing
 * about it, restarted each time on the same database until every order is settled. During the kills a second
 * process (`once` or `run`, alternately) tries to start on the same ledger (SPEC §2, one writer):
 * while the daemon lives it must be refused naming the daemon's pid; once the daemon is dead it may
 * take over (and is then killed too, see settleSecond).
 */

const KILL_SEED = 20261126;
/** sampleShop seed whose 80 orders come from 55 buyers: 25 orders (31%) by returning buyers. */
const ORDER_SEED = 2;
const ORDERS = 80;
const KILLS = 32;
const CASHMAN_LATENCY_MS = 20;
/** Seed of the second starts' timing, apart from the kill schedule so that stays as it was. */
const SECOND_SEED = 20261204;

const prng = seededRandom;

/**
 * The demo config with the shortest interval, and without the per-line product lookups (options,
 * units): those are Shoprenter reads before anything is sent, so killing the daemon among them is
 * no different from killing it while it lists orders, and at 3 reads per second they would only
 * stretch every run.
 */
function crashConfigYaml(): string {
  const config = parseYaml(demoConfigYaml({ intervalSeconds: 5 })) as { invoice?: Record<string, unknown>; units?: Record<string, unknown> };
  config.invoice = { ...config.invoice, productOptions: false };
  config.units = { ...config.units, fromProducts: false };
  return stringifyYaml(config);
}

function ledgerStates(path: string): Map<string, OrderState> {
  const states = new Map<string, OrderState>();
  if (!existsSync(path)) return states;
  const ledger = Ledger.open(path);
  try {
    for (const row of ledger.db.prepare('SELECT order_number, state FROM orders').all() as { order_number: string; state: OrderState }[]) {
      states.set(row.order_number, row.state);
    }
  } finally {
    ledger.close();
  }
  return states;
}

/**
 * Settles a second start once the daemon is dead: refused (exit 1 naming the live daemon's pid),
 * or it took the ledger over after the daemon's kill. One that is still running a moment later is
 * killed too, so that it cannot take the backlog away from the kill schedule; one killed before it
 * got as far as the lock is only counted.
 */
async function settleSecond(
  second: Child,
  daemonPid: number,
  seconds: { refused: number; tookOver: number; cutShort: number; unexpected: string[] },
): Promise<void> {
  const quick = await Promise.race([second.exit, new Promise<null>((resolve) => setTimeout(() => resolve(null), 1500))]);
  if (quick === null) {
    second.process.kill('SIGKILL');
    await second.exit;
  }
  // LOG_FORMAT=json: the refusal is a JSON line, its quotes escaped.
  const text = second.output.join('').replace(/\\"/g, '"');
  if (quick?.code === 1 && text.includes(`in use by another "run" (pid ${daemonPid} `)) seconds.refused += 1;
  else if (text.includes('taking over the ledger lock')) seconds.tookOver += 1;
  else if (quick === null) seconds.cutShort += 1;
  else seconds.unexpected.push(`exited ${String(quick.code)}: ${text.slice(-500)}`);
}

type KillPlan =
  | { kind: 'draft-answer'; nth: number } // after Cashman recorded the nth draft of this run, before the daemon hears of it
  | { kind: 'partner-answer'; nth: number } // the same for a partner create/update
  | { kind: 'after-answer'; nth: number; delayMs: number } // a few ms after the nth answer: mid-commit or mid-next-request
  | { kind: 'timer'; delayMs: number }; // any moment, startup included

function planKill(rnd: () => number): KillPlan {
  const r = rnd();
  const nth = 1 + Math.floor(rnd() * 3);
  if (r < 0.4) return { kind: 'draft-answer', nth };
  if (r < 0.6) return { kind: 'partner-answer', nth: 1 + Math.floor(rnd() * 2) };
  if (r < 0.8) return { kind: 'after-answer', nth, delayMs: Math.floor(rnd() * 2 * CASHMAN_LATENCY_MS) };
  return { kind: 'timer', delayMs: 200 + Math.floor(rnd() * 1200) };
}

describe('crash safety with real processes', () => {
  let shop: LocalShop;
  let dir: string;
  let env: Record<string, string>;
  let onProcessed: ((event: { operation: number; answer: string }) => Promise<void>) | null = null;
  // ALERT_WEBHOOK_URL receiver: every alert the daemons send.
  let webhook: Server;
  const alerts: { kind: string; orderNumber: string | null }[] = [];

  beforeAll(async () => {
    requireBuild();
    shop = await startLocalShop({
      // Each restarted process has its own pacer and cannot know what the killed one sent within
      // the last second; a little headroom keeps restart-induced 429 backoffs from eating the time.
      shoprenter: { rateLimitPerSecond: 6 },
      cashman: {
        latencyMs: CASHMAN_LATENCY_MS,
        onProcessed: async (event) => {
          if (onProcessed) await onProcessed(event);
        },
      },
    });
    webhook = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        alerts.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as { kind: string; orderNumber: string | null });
        res.writeHead(204).end();
      });
    });
    webhook.listen(0, '127.0.0.1');
    await once(webhook, 'listening');
    dir = mkdtempSync(join(tmpdir(), 'scs-crash-'));
    writeFileSync(join(dir, 'config.yaml'), crashConfigYaml());
    env = {
      ...shop.env,
      CONFIG_PATH: join(dir, 'config.yaml'),
      DATABASE_PATH: join(dir, 'data', 'sync.db'),
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      ALERT_WEBHOOK_URL: `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hook`,
    };
  });

  afterAll(async () => {
    onProcessed = null;
    await shop?.close();
    if (shop) expectStandinNavClean(shop.cashman.received, crashConfigYaml());
    if (webhook) {
      webhook.closeAllConnections();
      await new Promise((resolve) => webhook.close(resolve));
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(`survives ${KILLS} SIGKILLs at random moments and between Cashman's answer and the ledger commit`, async () => {
    const rnd = prng(KILL_SEED);
    const orders = sampleShop(ORDERS, ORDER_SEED);
    shop.shoprenter.addOrders(orders);
    const numbers = orders.map((o) => String(o['innerId']));
    const buyers = new Set(orders.map((o) => String(o['email']).trim().toLowerCase()));
    const figures = { kills: 0, byPlan: {} as Record<string, number>, runs: 0 };
    const secondRnd = prng(SECOND_SEED);
    const seconds = { tried: 0, refused: 0, tookOver: 0, cutShort: 0, unexpected: [] as string[] };

    for (let run = 0; figures.kills < KILLS && run < KILLS * 2; run++) {
      const plan = planKill(rnd);
      const child = spawnCli(['run'], env, dir);
      figures.runs += 1;
      let killed = false;
      // The second start: a random moment after the daemon has taken the ledger.
      const secondCommand = run % 2 === 0 ? 'once' : 'run';
      const secondDelayMs = Math.floor(secondRnd() * 400);
      let second: Child | null = null;
      let secondTimer: NodeJS.Timeout | null = null;
      const watchStart = (chunk: Buffer): void => {
        if (secondTimer || !chunk.toString().includes('daemon started')) return;
        secondTimer = setTimeout(() => {
          if (killed) return;
          const started = spawnCli([secondCommand], env, dir);
          second = started;
          seconds.tried += 1;
          // One writer in every interleaving: a takeover is only ever seen once the daemon was killed.
          const watchTakeover = (out: Buffer): void => {
            if (out.toString().includes('taking over the ledger lock') && !killed) seconds.unexpected.push('took the ledger over while the daemon was alive');
          };
          started.process.stdout?.on('data', watchTakeover);
          started.process.stderr?.on('data', watchTakeover);
        }, secondDelayMs);
      };
      child.process.stdout?.on('data', watchStart);
      const kill = async (label: string): Promise<void> => {
        if (killed) return;
        killed = true;
        child.process.kill('SIGKILL');
        figures.kills += 1;
        figures.byPlan[label] = (figures.byPlan[label] ?? 0) + 1;
        await child.exit;
      };
      const seen = { drafts: 0, partners: 0, answers: 0 };
      onProcessed = async ({ operation }) => {
        if (operation === 4) seen.drafts += 1;
        if (operation === 9) seen.partners += 1;
        seen.answers += 1;
        if (plan.kind === 'draft-answer' && operation === 4 && seen.drafts === plan.nth) await kill(plan.kind);
        if (plan.kind === 'partner-answer' && operation === 9 && seen.partners === plan.nth) await kill(plan.kind);
        if (plan.kind === 'after-answer' && seen.answers === plan.nth) {
          setTimeout(() => void kill(plan.kind), plan.delayMs);
        }
      };
      // Plans whose event never comes (little work left) fall back to a kill at a random moment.
      const fallbackMs = plan.kind === 'timer' ? plan.delayMs : 1500 + Math.floor(rnd() * 300);
      const timer = setTimeout(() => void kill(plan.kind === 'timer' ? 'timer' : 'fallback-timer'), fallbackMs);
      const result = await child.exit;
      if (process.env['CRASH_DEBUG']) console.log(run, plan, seen, child.output.join('').slice(-3000)); // opt-in: each run's log
      clearTimeout(timer);
      if (secondTimer) clearTimeout(secondTimer);
      if (second) await settleSecond(second, child.process.pid!, seconds);
      onProcessed = null;
      if (!killed) {
        throw new Error(`the daemon exited by itself (code ${String(result.code)}):\n${child.output.join('')}`);
      }
    }

    // Settle: clean `once` runs (at least one: a restart after the last kill) until every order is
    // done or uncertain; uncertain orders are never resent.
    let settleRuns = 0;
    for (; settleRuns < 4; settleRuns++) {
      const states = ledgerStates(env['DATABASE_PATH']!);
      if (settleRuns > 0 && numbers.every((n) => states.get(n) === 'done' || states.get(n) === 'uncertain')) break;
      const once = await runToEnd(['once'], env, dir);
      expect({ code: once.code, text: once.text.slice(-2000) }).toMatchObject({ code: 0 });
    }

    const status = await runToEnd(['status', '--json'], env, dir);
    expect(status.code).toBe(0);
    const report = JSON.parse(status.text) as {
      counts: Record<string, number>;
      orders: { orderNumber: string; state: string; reason: string | null }[];
    };
    const states = ledgerStates(env['DATABASE_PATH']!);

    const draftsPerOrder = new Map<string, number>();
    for (const draft of shop.cashman.drafts) {
      const n = orderNumberOf(draft.rows[0]?.['egyeb']);
      draftsPerOrder.set(n, (draftsPerOrder.get(n) ?? 0) + 1);
    }
    const duplicates = [...draftsPerOrder].filter(([, n]) => n > 1).map(([order]) => order);
    const lost = numbers.filter((n) => states.get(n) !== 'done' && states.get(n) !== 'uncertain');
    const doneWithoutOneDraft = numbers.filter((n) => states.get(n) === 'done' && draftsPerOrder.get(n) !== 1);
    const uncertain = numbers.filter((n) => states.get(n) === 'uncertain');
    const uncertainWithDraft = uncertain.filter((n) => draftsPerOrder.get(n) === 1).length;
    const strangers = [...draftsPerOrder.keys()].filter((n) => !numbers.includes(n));

    // Partners: one per e-mail, never two codes for the same buyer.
    const codesByEmail = new Map<string, Set<string>>();
    const partnersByEmail = new Map<string, number>();
    for (const partner of shop.cashman.partners.values()) {
      const email = (partner.fields['email'] ?? '').trim().toLowerCase();
      codesByEmail.set(email, (codesByEmail.get(email) ?? new Set()).add(partner.partnerCode));
      partnersByEmail.set(email, (partnersByEmail.get(email) ?? 0) + 1);
    }
    const twoCodes = [...codesByEmail].filter(([, codes]) => codes.size > 1).map(([email]) => email);
    const twoPartners = [...partnersByEmail].filter(([, n]) => n > 1).map(([email]) => email);
    // Uncertain orders are reported loudly: each one reached the webhook (a kill between the POST
    // and its bookkeeping may repeat one; none may be missing).
    const alerted = new Set(alerts.filter((a) => a.kind === 'uncertain').map((a) => a.orderNumber));
    const unalerted = uncertain.filter((n) => !alerted.has(n));

    console.log(
      [
        `crash test: ${figures.kills} SIGKILLs survived over ${figures.runs} daemon runs (${Object.entries(figures.byPlan)
          .map(([k, n]) => `${k} ${n}`)
          .join(', ')}), then ${settleRuns} clean "once" run(s)`,
        `  orders ${numbers.length} (${buyers.size} buyers, ${numbers.length - buyers.size} orders by returning ones), drafts ${shop.cashman.drafts.length}, done ${numbers.length - uncertain.length - lost.length}, ` +
          `uncertain ${uncertain.length} (with a draft ${uncertainWithDraft}, without ${uncertain.length - uncertainWithDraft})`,
        `  duplicates=${duplicates.length} lost=${lost.length} partners ${shop.cashman.partners.size} for ${buyers.size} buyers, ` +
          `e-mails with two codes=${twoCodes.length}, status counts ${JSON.stringify(report.counts)}, shoprenter 429s ${shop.shoprenter.stats.status429}`,
        `  second starts during the kills: ${seconds.tried} tried, ${seconds.refused} refused naming the live daemon, ${seconds.tookOver} took over after its kill (then killed or finished), ${seconds.cutShort} killed while starting, unexpected=${seconds.unexpected.length}`,
        `  alerts: ${alerts.filter((a) => a.kind === 'uncertain').length} uncertain alerts for ${uncertain.length} uncertain orders, unalerted=${unalerted.length}`,
      ].join('\n'),
    );

    if (lost.length > 0) console.log(report.orders.filter((o) => lost.includes(o.orderNumber)));
    expect(duplicates).toEqual([]);
    expect(lost).toEqual([]);
    expect(doneWithoutOneDraft).toEqual([]);
    expect(strangers).toEqual([]);
    expect(twoCodes).toEqual([]);
    expect(twoPartners).toEqual([]);
    expect(unalerted).toEqual([]);
    // Issue 17: how many second starts were refused rather than taking over after the kill depends
    // on timing (on a busy machine all may come after the kill), so that is a figure above. What
    // holds in every interleaving: each second start was refused naming the live daemon, took over
    // after its kill, or was cut short; none did anything else, none took over while it lived.
    expect(seconds.unexpected).toEqual([]);
    expect(seconds.refused + seconds.tookOver + seconds.cutShort).toBe(seconds.tried);
    expect(figures.kills).toBeGreaterThanOrEqual(KILLS);
    // status --json agrees with the ledger: every uncertain order is listed, nothing is left in submitting.
    expect(report.counts['submitting'] ?? 0).toBe(0);
    expect(report.counts['done']).toBe(numbers.length - uncertain.length);
    expect(report.orders.filter((o) => o.state === 'uncertain').map((o) => o.orderNumber).sort()).toEqual([...uncertain].sort());
    for (const o of report.orders) expect(o.reason).toBeTruthy();
  }, 240_000);

  it('SIGTERM during a cycle finishes the order in hand and exits 0 with nothing left in submitting', async () => {
    const local = await startLocalShop({
      cashman: {
        latencyMs: 150,
        onProcessed: async (event) => {
          if (onProcessed) await onProcessed(event);
        },
      },
    });
    const termDir = mkdtempSync(join(tmpdir(), 'scs-term-'));
    try {
      writeFileSync(join(termDir, 'config.yaml'), crashConfigYaml());
      const termEnv = { ...local.env, CONFIG_PATH: join(termDir, 'config.yaml'), DATABASE_PATH: join(termDir, 'sync.db'), LOG_LEVEL: 'info' };
      const orders = sampleShop(20, ORDER_SEED + 1);
      local.shoprenter.addOrders(orders);
      const child = spawnCli(['run'], termEnv, termDir);
      let signalledAt = 0;
      onProcessed = ({ operation }) => {
        if (operation === 4 && signalledAt === 0) {
          signalledAt = performance.now();
          child.process.kill('SIGTERM');
          local.cashman.setLatency(0);
        }
        return Promise.resolve();
      };
      const guard = setTimeout(() => child.process.kill('SIGKILL'), 20_000);
      const result = await child.exit;
      clearTimeout(guard);
      onProcessed = null;
      const exitMs = Math.round(performance.now() - signalledAt);
      const output = child.output.join('');
      expect({ signalled: signalledAt > 0, code: result.code, signal: result.signal }).toEqual({ signalled: true, code: 0, signal: null });
      expect(exitMs).toBeLessThan(5000);
      expect(output).toContain('daemon stopped');

      const status = JSON.parse((await runToEnd(['status', '--json'], termEnv, termDir)).text) as { counts: Record<string, number> };
      expect(status.counts).toMatchObject({ submitting: 0, uncertain: 0, failed: 0, quarantined: 0 });
      const draftedBeforeStop = local.cashman.drafts.length;
      expect(status.counts['done']).toBe(draftedBeforeStop);
      expect(draftedBeforeStop).toBeLessThan(orders.length);

      // Nothing was lost by stopping: the next run drafts the rest, each exactly once.
      const once = await runToEnd(['once'], termEnv, termDir);
      expect(once.code).toBe(0);
      const numbers = local.cashman.drafts.map((d) => orderNumberOf(d.rows[0]?.['egyeb'])).sort();
      expect(numbers).toEqual(orders.map((o) => String(o['innerId'])).sort());
      console.log(`SIGTERM test: exit code 0 after ${exitMs} ms, ${draftedBeforeStop} drafted before the stop, none in submitting; the next run drafted the other ${orders.length - draftedBeforeStop}`);
      expectStandinNavClean(local.cashman.received, crashConfigYaml());
    } finally {
      await local.close();
      rmSync(termDir, { recursive: true, force: true });
    }
  }, 60_000);
});
