import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoConfigYaml, startLocalShop, type LocalShop } from '../../src/standins/local-shop.js';
import { sampleShop, seededRandom } from '../../src/standins/shoprenter-fixtures.js';
import type { ListOrder } from '../../src/standins/shoprenter-standin-listing.js';
import { startAlertSink, type AlertSink } from './alert-sink.js';
import { startGate, type Gate } from './gate.js';

/** The four shapes a list's date bounds may have (issue 16 §1): inclusive or not, per side. */
export type ListBounds = '[]' | '()' | '[)' | '(]';

/** The unknowns of one world, drawn from its seed. */
export interface WorldDims {
  listOrder: ListOrder;
  pageCap: number | null;
  listBounds: ListBounds;
  /** False when the stand-in cannot serve this shape yet (it falls back to the nearest it has). */
  boundsServed: boolean;
  stornoBumps: boolean;
  logFormat: 'pretty' | 'json';
}

/** A drawn order that is not yet completed waits for a bulk status change (status 1 -> 5). */
export const DONE_STATUS = 5;

/**
 * The world that outlives the daemon's processes: both stand-ins in this process behind TCP gates
 * (so an outage is a refused connection, not a lost record), the alert endpoint, the ledger folder.
 */
export interface WorldShop {
  local: LocalShop;
  cashmanGate: Gate;
  shoprenterGate: Gate;
  sink: AlertSink;
  dir: string;
  dbPath: string;
  env: Record<string, string>;
  /** Secrets that must never show in any output, alert or the ledger. */
  secrets: string[];
  /** Order number -> status the world started with. */
  initialStatus: Map<string, number>;
  /** Drafts seen by the stand-in, with the wall time the request was processed. */
  draftTimes: number[];
  onDraft: (() => void) | null;
  close(): Promise<void>;
}

export function shopNow(): string {
  return new Date().toLocaleString('sv-SE', { timeZone: 'Europe/Budapest' }).replace(' ', 'T');
}

export async function startWorldShop(dims: WorldDims, orderCount: number, seed: number): Promise<WorldShop> {
  const draftTimes: number[] = [];
  const holder: { onDraft: (() => void) | null } = { onDraft: null };
  // The bounds option is added on another branch; passed untyped so this builds before it exists.
  const boundsOption: Record<string, unknown> = { listBounds: dims.listBounds };
  const local = await startLocalShop({
    shoprenter: { listOrder: dims.listOrder, pageCap: dims.pageCap ?? undefined, ...boundsOption },
    cashman: {
      latencyMs: 20,
      onProcessed: ({ operation }) => {
        if (operation !== 1 && operation !== 4) return;
        draftTimes.push(Date.now());
        holder.onDraft?.();
      },
    },
  });
  // The shape is the stand-in's `bounds` once the bounds branch is in; before, only `[]` or `()` exist.
  const listing = local.shoprenter.listing as unknown as Record<string, unknown>;
  if ('bounds' in listing) {
    listing['bounds'] = dims.listBounds;
    dims.boundsServed = true;
  } else {
    listing['exclusiveBounds'] = dims.listBounds === '()';
    dims.boundsServed = dims.listBounds === '[]' || dims.listBounds === '()';
  }
  const orders = sampleShop(orderCount, seed, { start: '2026-11-02T08:00:00' }).filter(draftable);
  const rnd = seededRandom(seed ^ 0x5eed);
  local.shoprenter.addOrders(orders);
  // About half are completed already; the rest wait in "pending" for a bulk status change.
  const initialStatus = new Map<string, number>();
  for (const order of orders) {
    const status = rnd() < 0.5 ? DONE_STATUS : 1;
    local.shoprenter.setOrderStatus(String(order['id']), status, String(order['dateUpdated']));
    initialStatus.set(String(order['innerId']), status);
  }

  const cashmanGate = await startGate(local.cashman.url);
  const shoprenterGate = await startGate(new URL(local.shoprenter.url).origin);
  const sink = await startAlertSink();
  const dir = mkdtempSync(join(tmpdir(), 'scs-world-'));
  // The storno check at every sweep (default: once a day), so a storno that leaves dateUpdated
  // alone is found within the world's settling (src/sync/storno-check.ts).
  const config = demoConfigYaml({ intervalSeconds: 5, productLookups: false, statuses: [String(DONE_STATUS)] });
  writeFileSync(join(dir, 'config.yaml'), config.replace('  overlapMinutes: 10\n', '  overlapMinutes: 10\n  stornoCheckHours: 0\n'));
  const gateOrigin = new URL(shoprenterGate.url).origin;
  const env = {
    ...local.env,
    SHOPRENTER_API_URL: `${gateOrigin}/api`,
    SHOPRENTER_TOKEN_URL: local.shoprenter.tokenUrl.replace(new URL(local.shoprenter.tokenUrl).origin, gateOrigin),
    CASHMAN_API_URL: cashmanGate.url,
    ALERT_WEBHOOK_URL: sink.url,
    CONFIG_PATH: join(dir, 'config.yaml'),
    DATABASE_PATH: join(dir, 'sync.db'),
    LOG_LEVEL: 'debug',
    LOG_FORMAT: dims.logFormat,
  };
  const shop: WorldShop = {
    local,
    cashmanGate,
    shoprenterGate,
    sink,
    dir,
    dbPath: env.DATABASE_PATH,
    env,
    secrets: [local.env.CASHMAN_PASSWORD ?? "", local.shoprenter.clientSecret, sink.token, sink.token.split('/').pop() ?? sink.token],
    draftTimes,
    initialStatus,
    get onDraft() {
      return holder.onDraft;
    },
    set onDraft(next) {
      holder.onDraft = next;
    },
    close: async () => {
      await Promise.all([cashmanGate.close(), shoprenterGate.close(), sink.close()]);
      await local.close();
    },
  };
  return shop;
}

/**
 * The sample shop now and then spends more loyalty points than a small basket is worth: that order
 * is quarantined for its own reason, rightly. The world is about the seams, so it leaves those out
 * and can then call every quarantine wrong.
 */
export function draftable(order: Record<string, unknown>): boolean {
  return !JSON.stringify(order).includes('LOYALTYPOINTS_TO_USE');
}
