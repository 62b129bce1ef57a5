import Database from 'better-sqlite3';
import type { CashmanFault } from '../../src/standins/cashman-standin.js';
import { sampleShop } from '../../src/standins/shoprenter-fixtures.js';
import { waitFor } from '../helpers/processes.js';
import { DONE_STATUS, draftable, shopNow } from './world-shop.js';
import { readLedger, type Tracked } from './world-procs.js';
import { operator } from './world-operator.js';
import { between, draftsOf, pick, sleep, type WorldState } from './world-state.js';

export type { WorldState } from './world-state.js';
export { draftsOf } from './world-state.js';
export { settleUncertain } from './world-operator.js';

function liveRun(state: WorldState): Tracked | undefined {
  return state.procs.live()[0];
}

async function ensureRun(state: WorldState): Promise<Tracked | null> {
  const running = liveRun(state);
  if (running) return running;
  const run = state.procs.start(`run@${state.step}`, ['run']);
  const pid = run.child.process.pid;
  try {
    await waitFor(
      () => run.exit !== null || readLedger(state.shop.dbPath, (db) => (db.prepare('SELECT pid FROM writer_lock').get() as { pid: number } | undefined)?.pid === pid, false),
      15_000,
      'the run to take the ledger',
    );
  } catch {
    state.trail.push(`  run pid ${pid} did not take the ledger within 15 s`);
  }
  return run.exit === null ? run : null;
}

/**
 * A `run` paused (SIGSTOP) past the stale-lock time while a second writer takes the ledger, then
 * resumed (issue 16 §2). With orders waiting it is paused as Cashman answers one of its drafts, so
 * it resumes in the middle of a page.
 */
async function pause(state: WorldState): Promise<void> {
  const run = await ensureRun(state);
  if (!run) return;
  const stopped = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), between(state, 300, 3000));
    state.shop.onDraft = () => {
      clearTimeout(timer);
      state.procs.signal(run, 'SIGSTOP');
      resolve(true);
    };
  });
  const atDraft = await stopped;
  state.shop.onDraft = null;
  if (run.exit) return;
  if (!atDraft) state.procs.signal(run, 'SIGSTOP');
  state.trail.push(`  SIGSTOP to ${run.label}${atDraft ? ' as Cashman answers its draft' : ''}; its heartbeat made 60 s old; a second writer starts`);
  if (!(await backdateHeartbeat(state, run))) {
    state.procs.signal(run, 'SIGCONT');
    state.trail.push('  the paused run holds no lock row, or the file stayed locked: resumed, no second writer');
    return;
  }
  if (state.rnd() < 0.5) await state.procs.run(`once@${state.step} (second writer)`, ['once']);
  else {
    const other = state.procs.start(`run@${state.step} (second writer)`, ['run']);
    await sleep(between(state, 500, 2500));
    run.lostLedger = true;
    state.procs.signal(run, 'SIGCONT');
    await sleep(between(state, 0, 2000));
    await state.procs.stop(other, 'SIGTERM', 30_000);
  }
  run.lostLedger = true;
  state.procs.signal(run, 'SIGCONT');
  if (!run.exit && !(await exitWithin(run, 20_000))) {
    state.violations.push(`step ${state.step}: a run resumed after losing the ledger was still running 20 s later`);
    await state.procs.stop(run, 'SIGKILL', 5_000);
  }
}

/**
 * Waiting out the 30 s staleness limit is what a frozen VM does; the ledger then looks exactly as if
 * the heartbeat had stopped 60 s ago, which this write makes it say without the wait. A run stopped
 * inside a write transaction holds the file: it is let go for a moment and stopped again.
 */
async function backdateHeartbeat(state: WorldState, run: Tracked): Promise<boolean> {
  for (let tries = 0; tries < 5; tries++) {
    try {
      const db = new Database(state.shop.dbPath, { timeout: 1_000 });
      try {
        const at = new Date(Date.now() - 60_000).toISOString();
        // Only a run that holds the ledger can lose it: no row of its own, nothing to take over.
        return db.prepare('UPDATE writer_lock SET heartbeat_at = ? WHERE pid = ?').run(at, run.child.process.pid).changes === 1;
      } finally {
        db.close();
      }
    } catch {
      state.procs.signal(run, 'SIGCONT');
      await sleep(30);
      state.procs.signal(run, 'SIGSTOP');
    }
  }
  return false;
}

async function exitWithin(run: Tracked, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const ended = await Promise.race([run.child.exit.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)))]);
  clearTimeout(timer);
  return ended;
}

/** SIGKILL between Cashman's processing of a draft and the daemon's ledger commit. */
async function killAtDraft(state: WorldState): Promise<void> {
  const run = await ensureRun(state);
  if (!run) return;
  state.shop.onDraft = () => {
    state.trail.push(`  SIGKILL to ${run.label} as Cashman answers a draft`);
    state.procs.signal(run, 'SIGKILL');
    state.shop.onDraft = null;
  };
  await exitWithin(run, 8_000);
  state.shop.onDraft = null;
}

function addUndo(state: WorldState, steps: number, what: string, run: () => Promise<void> | void): void {
  state.undo.push({ afterStep: state.step + steps, what, run });
}

export async function takeStep(state: WorldState): Promise<void> {
  const { shop } = state;
  const kind = pick(state, [
    'run', 'run', 'once', 'once', 'wait', 'kill9', 'killAtDraft', 'term', 'pause', 'pause', 'outage', 'sink', 'sink', 'sink',
    'lostAnswer', 'lostAnswer', 'bulk', 'bulk', 'newOrders', 'storno', 'storno', 'change', 'change',
    'operator', 'operator', 'operator',
  ] as const);
  state.trail.push(`step ${state.step}: ${kind}`);
  switch (kind) {
    case 'run':
      await ensureRun(state);
      await sleep(between(state, 300, 2500));
      return;
    case 'once': {
      const result = await state.procs.run(`once@${state.step}`, ['once']);
      if (result.hung) state.violations.push(`step ${state.step}: a once was still running after 45 s (killed)`);
      return;
    }
    case 'wait':
      await sleep(between(state, 500, 3000));
      return;
    case 'kill9': {
      const run = liveRun(state);
      if (run) await state.procs.stop(run, 'SIGKILL', 5_000);
      return;
    }
    case 'killAtDraft':
      return killAtDraft(state);
    case 'term': {
      const run = liveRun(state);
      if (run && !(await state.procs.stop(run, 'SIGTERM', 30_000))) {
        state.violations.push(`step ${state.step}: a run did not stop within 30 s of SIGTERM`);
      }
      return;
    }
    case 'pause':
      return pause(state);
    case 'outage': {
      const gate = pick(state, [shop.cashmanGate, shop.shoprenterGate]);
      const name = gate === shop.cashmanGate ? 'Cashman' : 'Shoprenter';
      await gate.down();
      // Down for a few seconds of wall time, whatever the steps do meanwhile: a `once` that retries
      // its reads (by design, for up to about 90 s) then meets the remote again.
      const downMs = between(state, 2_000, 10_000);
      state.trail.push(`  ${name} down for ${downMs} ms`);
      const timer = setTimeout(() => void gate.up().then(() => state.trail.push(`  ${name} up`)), downMs);
      addUndo(state, Number.POSITIVE_INFINITY, `${name} up`, () => {
        clearTimeout(timer);
        return gate.up();
      });
      await sleep(between(state, 300, 2000));
      return;
    }
    case 'sink': {
      const mode = pick(state, ['fail', 'hang'] as const);
      shop.sink.mode(mode);
      state.trail.push(`  alert endpoint: ${mode}`);
      addUndo(state, between(state, 2, 4), 'alert endpoint ok', () => shop.sink.mode('ok'));
      return;
    }
    case 'lostAnswer': {
      const operation = pick(state, [4, 4, 9]);
      // Each leaves the outcome unknown to the daemon: the answer cut after processing, a 5xx page,
      // or the real answer with a PHP warning printed around it.
      const faults: CashmanFault[] = [
        { kind: 'dropAfterProcessing' },
        { kind: 'status500' },
        { kind: 'answer', shape: 'php-warning', around: 'after' },
        { kind: 'answer', shape: 'php-notice', around: 'before' },
      ];
      shop.local.cashman.setFault(pick(state, faults), { operations: [operation] });
      state.trail.push(`  next Cashman answer to operation ${operation} lost`);
      return;
    }
    case 'bulk':
      return void bulkComplete(state);
    case 'newOrders': {
      const orders = sampleShop(between(state, 1, 6), state.nextInnerId, { firstInnerId: state.nextInnerId, start: shopNow() }).filter(draftable);
      state.nextInnerId += 6;
      const at = shopNow();
      for (const order of orders) {
        order['dateUpdated'] = at;
        shop.local.shoprenter.addOrder(order);
        shop.local.shoprenter.setOrderStatus(String(order['id']), DONE_STATUS, at);
        state.status.set(String(order['innerId']), DONE_STATUS);
      }
      state.trail.push(`  ${orders.length} new completed orders at ${at}`);
      return;
    }
    case 'storno':
      return void storno(state);
    case 'change': {
      const drafted = [...state.status.keys()].filter((n) => draftsOf(shop, n) > 0 && !state.stornoed.has(n));
      if (drafted.length === 0) return;
      const n = pick(state, drafted);
      shop.local.shoprenter.updateOrder(n, { paymentAddress1: `Új utca ${between(state, 1, 99)}.`, dateUpdated: shopNow() });
      state.changed.add(n);
      state.trail.push(`  order ${n}: billing address changed after its draft`);
      return;
    }
    case 'operator':
      return operator(state);
  }
}

/** An admin marks many pending orders completed in one click: they share one dateUpdated second. */
function bulkComplete(state: WorldState): void {
  const waiting = [...state.status].filter(([n, status]) => status !== DONE_STATUS && !state.stornoed.has(n)).map(([n]) => n);
  if (waiting.length === 0) return;
  const group = waiting.slice(0, between(state, 5, 30));
  const at = shopNow();
  for (const n of group) {
    state.shop.local.shoprenter.setOrderStatus(n, DONE_STATUS, at);
    state.status.set(n, DONE_STATUS);
  }
  state.trail.push(`  ${group.length} orders completed in one second (${at})`);
}

/** A shop admin's storno; whether it moves dateUpdated is one of the world's unknowns. */
function storno(state: WorldState): void {
  const candidates = [...state.status].filter(([n, status]) => status === DONE_STATUS && !state.stornoed.has(n)).map(([n]) => n);
  if (candidates.length === 0) return;
  // Mostly orders already drafted: those are the ones a person must hear about.
  const drafted = candidates.filter((n) => draftsOf(state.shop, n) > 0);
  const n = drafted.length > 0 && state.rnd() < 0.8 ? pick(state, drafted) : pick(state, candidates);
  if (state.stornoBumps) state.shop.local.shoprenter.setStorno(n, true, shopNow());
  else state.shop.local.shoprenter.updateOrder(n, {}, { storno: true });
  state.stornoed.add(n);
  state.trail.push(`  order ${n} cancelled (storno${state.stornoBumps ? '' : ', dateUpdated unchanged'})`);
}

