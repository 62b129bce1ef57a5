import type { CashmanStandin } from '../src/standins/cashman-standin.js';
import type { ShoprenterStandin } from '../src/standins/shoprenter-standin.js';
import { BUYER_CLASSES, type BuyerClass } from './shop-data.js';

/** How the stand-ins answer: what the floor of a run is computed from. */
export interface RemoteProfile {
  shoprenterLatencyMs: number;
  cashmanLatencyMs: number;
  rateLimitPerSecond: number;
}

export interface RemoteCall {
  kind: 'shoprenter' | 'cashman';
  at: number;
  /** How long the stand-in took to answer (its latency plus its own processing); unset if unanswered. */
  ms?: number;
}

/** Every remote call both stand-ins saw since `since` (epoch ms), in arrival order. */
export function remoteCalls(shoprenter: ShoprenterStandin, cashman: CashmanStandin, since = 0): RemoteCall[] {
  const calls: RemoteCall[] = [
    ...shoprenter.requestLog.filter((r) => r.time >= since).map((r) => ({ kind: 'shoprenter' as const, at: r.time, ms: r.durationMs })),
    ...cashman.received
      .filter((r) => r.at.getTime() >= since)
      .map((r) => ({ kind: 'cashman' as const, at: r.at.getTime(), ms: r.durationMs })),
  ];
  return calls.sort((a, b) => a.at - b.at);
}

/**
 * The time the same calls take with zero work of our own: one after another (the pipeline is
 * sequential), Shoprenter's starts paced so that no more than `rateLimitPerSecond` fall into any
 * second (the stand-in's sliding window). Each call costs what the stand-in took to answer it
 * (`measured`: its configured latency as the timers delivered it, plus its own processing, none
 * of which is the daemon's work) or, with `measured` false, exactly the configured latency.
 */
export function floorMs(calls: readonly RemoteCall[], profile: RemoteProfile, measured = true): number {
  let t = 0;
  const starts: number[] = [];
  const cost = (call: RemoteCall, nominal: number) => (measured && call.ms !== undefined ? Math.max(call.ms, nominal) : nominal);
  for (const call of calls) {
    if (call.kind === 'cashman') {
      t += cost(call, profile.cashmanLatencyMs);
      continue;
    }
    const paced = starts.length >= profile.rateLimitPerSecond ? (starts[starts.length - profile.rateLimitPerSecond] ?? 0) + 1000 : 0;
    const start = Math.max(t, paced);
    starts.push(start);
    t = start + cost(call, profile.shoprenterLatencyMs);
  }
  return t;
}

export interface BuyerCost {
  orders: number;
  requests: number;
}

/**
 * Cashman requests per drafted order, by buyer class. Requests are sequential, so the partner
 * requests (operation 9) before a draft belong to that draft's order, named in `egyeb`.
 */
export function cashmanPerBuyer(
  received: CashmanStandin['received'],
  classes: ReadonlyMap<string, BuyerClass>,
): Record<BuyerClass, BuyerCost> & { unattributed: number } {
  const result = { ...Object.fromEntries(BUYER_CLASSES.map((c) => [c, { orders: 0, requests: 0 }])), unattributed: 0 } as Record<
    BuyerClass,
    BuyerCost
  > & { unattributed: number };
  let partnerRequests = 0;
  for (const request of received) {
    if (request.operation === 9) {
      partnerRequests += 1;
      continue;
    }
    const orderNumber = /(\d+)\s*$/.exec(request.rows[0]?.['egyeb'] ?? '')?.[1];
    const kind = orderNumber === undefined ? undefined : classes.get(orderNumber);
    if (kind === undefined) {
      result.unattributed += partnerRequests + 1;
    } else {
      result[kind].orders += 1;
      result[kind].requests += partnerRequests + 1;
    }
    partnerRequests = 0;
  }
  result.unattributed += partnerRequests;
  return result;
}

/** Nearest-rank percentile of `values` (0 < p <= 100); NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

export const round = (value: number, digits = 0): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};
