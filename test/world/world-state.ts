import { orderNumberOf } from '../helpers/processes.js';
import type { WorldShop } from './world-shop.js';
import type { Procs } from './world-procs.js';

/** What a world remembers beside the stand-ins: for the invariants and the replay trail. */
export interface WorldState {
  shop: WorldShop;
  procs: Procs;
  rnd: () => number;
  stornoBumps: boolean;
  trail: string[];
  /** Problems seen while the world ran (a hung command, a run that did not stop). */
  violations: string[];
  /** Order number -> Shoprenter status inner id, as the harness set it. */
  status: Map<string, number>;
  nextInnerId: number;
  stornoed: Set<string>;
  /** Orders whose billing address changed after their draft. */
  changed: Set<string>;
  /** Second drafts a person asked for: one per report redrafted (issue 16 §3). */
  redraftAllowance: Map<string, number>;
  redraftedEvent: Map<string, number>;
  /** Outages and alert-endpoint trouble, undone after a number of steps. */
  undo: Array<{ afterStep: number; what: string; run: () => Promise<void> | void }>;
  step: number;
}

export const pick = <T>(state: WorldState, list: readonly T[]): T => list[Math.floor(state.rnd() * list.length)] as T;
export const between = (state: WorldState, min: number, max: number) => min + Math.floor(state.rnd() * (max - min + 1));
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function draftsOf(shop: WorldShop, orderNumber: string): number {
  return shop.local.cashman.drafts.filter((d) => orderNumberOf(d.rows[0]?.['egyeb']) === orderNumber).length;
}

