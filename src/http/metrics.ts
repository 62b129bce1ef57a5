import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CashmanRequestInfo } from '../cashman/client.js';
import type { RequestInfo } from '../shoprenter/auth.js';
import { ORDER_STATES, type Ledger } from '../store/ledger.js';
import type { CycleSummary } from '../sync/cycle.js';
import { registerStockMetrics } from '../stock/stock-metrics.js';

export type DeliveryOutcome = 'accepted' | 'bad_secret' | 'malformed' | 'too_large' | 'wrong_method';

// Seconds; webhook-to-draft is meant to sit under 2 s, order-to-draft under the poll interval.
const LATENCY_BUCKETS = [0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600];

/**
 * Everything `GET /metrics` shows, on a registry of its own (no process-wide default), fed by
 * small hooks: the two HTTP clients' `onRequest`, the daemon's `onCycle`, the webhook route and
 * worker, and the invoice backend's successful drafts. Order counts and the last cycle's age are
 * read from the ledger at scrape time.
 */
export class SyncMetrics {
  readonly registry = new Registry();
  private readonly cycles = new Counter({ name: 'sync_cycles_total', help: 'Poll cycles by outcome (ok, failed, interrupted).', labelNames: ['outcome'], registers: [this.registry] });
  private readonly requests = new Counter({
    name: 'sync_remote_requests_total',
    help: 'Requests to Shoprenter and Cashman by outcome (HTTP status class, 429, network, or Cashman error code).',
    labelNames: ['system', 'outcome'],
    registers: [this.registry],
  });
  private readonly rateLimited = new Counter({ name: 'sync_shoprenter_429_total', help: 'Shoprenter answers 429 (rate limited).', registers: [this.registry] });
  private readonly deliveries = new Counter({ name: 'sync_webhook_deliveries_total', help: 'Webhook requests by outcome.', labelNames: ['outcome'], registers: [this.registry] });
  private readonly triggers = new Counter({
    name: 'sync_webhook_triggers_total',
    help: 'Orders named by accepted webhooks: queued, coalesced with one already waiting, or dropped (queue full; polling picks them up).',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  private readonly orderToDraft = new Histogram({
    name: 'sync_order_to_draft_seconds',
    help: "Order placed (its dateCreated, on the shop's clock) to draft created in Cashman, for every draft.",
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly webhookToDraft = new Histogram({
    name: 'sync_webhook_to_draft_seconds',
    help: 'First webhook naming an order received to its draft created, for drafts made by the webhook worker.',
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  private ledger: Ledger | null = null;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    const ledgerOf = () => this.ledger;
    new Gauge({
      name: 'sync_orders',
      help: 'Orders in the ledger by state.',
      labelNames: ['state'],
      registers: [this.registry],
      collect() {
        const ledger = ledgerOf();
        if (!ledger) return;
        const counts = ledger.counts();
        for (const state of ORDER_STATES) this.set({ state }, counts[state]);
      },
    });
    registerStockMetrics(this.registry, ledgerOf);
    new Gauge({
      name: 'sync_last_success_age_seconds',
      help: 'Seconds since the last successful cycle (-1 before the first).',
      registers: [this.registry],
      collect() {
        const last = ledgerOf()?.getMeta('last_success_at');
        this.set(last ? (Date.now() - Date.parse(last)) / 1000 : -1);
      },
    });
  }

  /** The ledger the scrape-time gauges read; the runtime opens it after the clients exist. */
  attachLedger(ledger: Ledger): void {
    this.ledger = ledger;
  }

  shoprenterRequest(info: RequestInfo): void {
    const outcome = info.status === 0 ? 'network' : info.status === 429 ? '429' : `${Math.floor(info.status / 100)}xx`;
    this.requests.inc({ system: 'shoprenter', outcome });
    if (info.status === 429) this.rateLimited.inc();
  }

  cashmanRequest(info: CashmanRequestInfo): void {
    this.requests.inc({ system: 'cashman', outcome: info.outcome });
  }

  cycle(summary: CycleSummary): void {
    this.cycles.inc({ outcome: !summary.ok ? 'failed' : summary.interrupted ? 'interrupted' : 'ok' });
  }

  delivery(outcome: DeliveryOutcome): void {
    this.deliveries.inc({ outcome });
  }

  trigger(outcome: 'queued' | 'coalesced' | 'dropped'): void {
    this.triggers.inc({ outcome });
  }

  drafted(orderToDraftSeconds: number | null): void {
    if (orderToDraftSeconds !== null && orderToDraftSeconds >= 0) this.orderToDraft.observe(orderToDraftSeconds);
  }

  webhookDrafted(seconds: number): void {
    this.webhookToDraft.observe(seconds);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
