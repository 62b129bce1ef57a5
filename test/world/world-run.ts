import { rmSync } from 'node:fs';
import { seededRandom } from '../../src/standins/shoprenter-fixtures.js';
import type { ListOrder } from '../../src/standins/shoprenter-standin-listing.js';
import { worldViolations } from './world-invariants.js';
import { Procs, ledgerOrders, maxCycleId } from './world-procs.js';
import { draftsOf, settleUncertain, takeStep, type WorldState } from './world-steps.js';
import { startWorldShop, type ListBounds, type WorldDims } from './world-shop.js';

export interface WorldResult {
  seed: number;
  dims: WorldDims;
  violations: string[];
  /** What happened, step by step: printed with a failure so the seed's run can be read. */
  trail: string[];
}

/** Storno sweeps run on every 10th cycle (src/sync/storno-sweep.ts): the settling needs one. */
const SWEEP_EVERY = 10;

export function drawDims(seed: number): WorldDims {
  const rnd = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
  return {
    listOrder: pick<ListOrder>(['dateUpdated', 'id', 'random']),
    pageCap: pick([null, 25, 7]),
    listBounds: pick<ListBounds>(['[]', '()', '[)', '(]']),
    boundsServed: false,
    stornoBumps: rnd() < 0.6,
    logFormat: pick(['pretty', 'json'] as const),
  };
}

/**
 * One world: a seeded shop, a seeded sequence of steps (daemon processes started, paused, killed,
 * remotes down, answers lost, bulk changes, cancellations, operator commands), then a calm end in
 * which the remotes answer and `once` runs until the ledger has settled; then the invariants.
 */
export async function runWorld(seed: number, steps = 12): Promise<WorldResult> {
  const dims = drawDims(seed);
  const rnd = seededRandom(seed ^ 0x9e3779b9);
  const shop = await startWorldShop(dims, 16 + Math.floor(rnd() * 20), seed);
  const trail: string[] = [];
  const procs = new Procs(shop.env, shop.dir, (line) => trail.push(line));
  const state: WorldState = {
    shop,
    procs,
    rnd,
    stornoBumps: dims.stornoBumps,
    trail,
    violations: [],
    status: new Map(shop.initialStatus),
    nextInnerId: 5001,
    stornoed: new Set(),
    changed: new Set(),
    redraftAllowance: new Map(),
    redraftedEvent: new Map(),
    undo: [],
    step: 0,
  };
  try {
    for (state.step = 1; state.step <= steps; state.step++) {
      await takeStep(state);
      for (const due of state.undo.filter((u) => u.afterStep <= state.step)) {
        state.undo.splice(state.undo.indexOf(due), 1);
        state.trail.push(`  ${due.what}`);
        await due.run();
      }
    }
    await settle(state);
    return { seed, dims, violations: worldViolations(state), trail: state.trail };
  } finally {
    for (const p of procs.all) procs.signal(p, 'SIGKILL');
    await Promise.all(procs.all.map((p) => p.child.exit));
    await shop.close();
    rmSync(shop.dir, { recursive: true, force: true });
  }
}

/** The calm after: every remote answers, the person settles what is in doubt, `once` until nothing moves. */
async function settle(state: WorldState): Promise<void> {
  const { shop, procs } = state;
  state.trail.push('settle: remotes up, alert endpoint ok');
  for (const run of procs.live()) {
    if (!(await procs.stop(run, 'SIGTERM', 30_000))) state.violations.push('settle: a run did not stop within 30 s of SIGTERM');
  }
  for (const undo of state.undo.splice(0)) await undo.run();
  await Promise.all([shop.cashmanGate.up(), shop.shoprenterGate.up()]);
  shop.local.cashman.clearFaults();
  shop.sink.mode('ok');
  if (state.rnd() < 0.5) await settleUncertain(state);
  const firstCycle = maxCycleId(shop.dbPath);
  let before = '';
  for (let i = 0; i < SWEEP_EVERY + 3; i++) {
    const result = await procs.run(`once@settle${i}`, ['once'], 60_000);
    if (result.hung) state.violations.push(`settle: a once was still running after 60 s (killed)`);
    else if (result.exit?.code !== 0) {
      state.violations.push(`settle: once exited ${result.exit?.code ?? '?'} with every remote up: ${lastLine(result.child.text())}`);
    }
    const swept = Math.floor(maxCycleId(shop.dbPath) / SWEEP_EVERY) > Math.floor(firstCycle / SWEEP_EVERY);
    const now = JSON.stringify([shop.local.cashman.drafts.length, shop.sink.delivered.length, ledgerOrders(shop.dbPath)]);
    if (swept && now === before) {
      state.trail.push(`settle: quiet after ${i + 1} onces`);
      // What the operator reads last: its output joins the secret check.
      await procs.run('status@settle', ['status']);
      return;
    }
    before = now;
  }
  const unsettled = [...state.status.keys()].filter((n) => draftsOf(shop, n) > 1).length;
  state.trail.push(`settle: still moving after ${SWEEP_EVERY + 3} onces (${unsettled} orders with several drafts)`);
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return (lines[lines.length - 1] ?? '').slice(0, 300);
}
