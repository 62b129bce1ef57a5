import type { Logger } from '../log/logger.js';
import type { Ledger } from '../store/ledger.js';
import { markPilotReady, pilotDraftCount, pilotRequests, pilotState } from '../store/pilot-store.js';
import type { Alerter } from './alerts.js';
import type { OrderKey } from '../store/ledger.js';

/**
 * The go-live pilot (SPEC §1.8) as the pipeline sees it: asked before every draft it would send.
 * The state is re-read from the ledger each time, so an `approve` from another process takes effect
 * at the next order without a restart.
 */
export class PilotGate {
  constructor(
    private readonly ledger: Ledger,
    private readonly limit: number,
    private readonly logger: Logger,
    private readonly alerts: Alerter,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** True while no draft may be sent: the pilot drafts are made and nobody has approved them. */
  async holds(): Promise<boolean> {
    const state = pilotState(this.ledger);
    if (this.limit === 0 || (state !== 'on' && state !== 'ready')) return false;
    if (state === 'ready') return true;
    if (pilotDraftCount(this.ledger) < this.limit) return false;
    await this.becomeReady();
    return true;
  }

  /** After each draft: the last pilot draft ends the drafting at once, not when the next order comes. */
  async afterDraft(): Promise<void> {
    if (this.limit > 0 && pilotState(this.ledger) === 'on' && pilotDraftCount(this.ledger) >= this.limit) await this.becomeReady();
  }

  /**
   * Called at the start of each cycle: the first time this process finds the pilot approved (by
   * `approve`, from another process), it says so in its log with when and how many orders now go
   * out, so the log shows why drafting resumed (issue 17). Once per process.
   */
  noticeApproval(): void {
    if (this.approvalLogged || this.limit === 0 || pilotState(this.ledger) !== 'approved') return;
    this.approvalLogged = true;
    const waiting = this.ledger.counts().pending;
    this.logger.info('pilot approved ("approve"): drafting resumes with this cycle', { approvedAt: this.ledger.getMeta('pilot_approved_at') ?? '', waiting });
  }

  private approvalLogged = false;

  /** Held orders stay pending; re-fetching them every cycle would only spend Shoprenter requests. */
  holding(): boolean {
    return this.limit > 0 && pilotState(this.ledger) === 'ready';
  }

  private async becomeReady(): Promise<void> {
    if (!markPilotReady(this.ledger, this.now().toISOString())) return;
    const requests = pilotRequests(this.ledger);
    const orders = [...new Set(requests.map((r) => r.orderNumber))];
    const reason = `The first ${this.limit} drafts are in Cashman (orders ${orders.join(', ')}); check them there, then run "approve" to send the rest. Until then new orders are recorded and wait.`;
    this.logger.warn('pilot: drafts made; waiting for approve', {
      pilotOrders: orders.join(','),
      answers: requests.map((r) => `${r.orderNumber}: ${r.outcome ?? ''} ${r.response ?? ''}`.trim()).join('; '),
    });
    await this.alerts.send({ kind: 'pilot-ready', reason });
  }
}

/** A held order is recorded as pending (so the cursor may pass it) and drafted after `approve`. */
export function holdForPilot(deps: { ledger: Ledger; logger: Logger }, key: OrderKey, email: string): 'held' {
  const row = deps.ledger.getOrder(key.orderNumber);
  if (row?.state !== 'pending') {
    deps.ledger.markPending(key, email);
    deps.logger.info('order recorded; waiting for "approve" (pilot)', { orderNumber: key.orderNumber });
  }
  return 'held';
}
