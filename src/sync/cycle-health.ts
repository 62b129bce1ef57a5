import type { InvoiceDraft } from '../domain/draft.js';
import { CashmanError, ShoprenterError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { Alerter } from './alerts.js';
import { describeError } from './classify.js';
import { Episodes, openEpisodes, type MetaStore } from './episodes.js';
import type { InvoiceBackend, PartnerRequest, RequestRow } from './ports.js';

/**
 * What one cycle learned about each remote, turned into episodes (episodes.ts). Decided by error
 * class and code only: a ShoprenterError that ended the cycle is Shoprenter failing; a Cashman
 * request that met Cashman itself failing (CashmanError.remoteFailing: unreachable, 5xx, no answer)
 * as the cycle's last is Cashman down; a CASHMAN_LOGIN (already confirmed by the client's login
 * check) is a refused login.
 */

/**
 * Wraps the backend for one cycle and notes how its requests went. While a Cashman episode is open,
 * the first order request of the cycle is preceded by the read-only login check: a Cashman still
 * failing is then learned from a request that changes nothing, so an outage that answers 5xx or
 * hangs puts at most its first draft in doubt, not one per cycle.
 */
export class CashmanWatch implements InvoiceBackend {
  /** Some request got an answer in which Cashman accepted the login. */
  loginWorked = false;
  loginRefused: string | null = null;
  /** Cashman itself failed on the last request (unreachable, 5xx, no answer); null once it answered. */
  failing: string | null = null;
  /** The read-only check before the first order request succeeded this cycle. */
  private probed = false;

  constructor(
    private readonly inner: InvoiceBackend,
    private probeFirst = false,
  ) {}

  describePartnerRequest(request: PartnerRequest): RequestRow[] {
    return this.inner.describePartnerRequest(request);
  }

  describeDraftRequest(draft: InvoiceDraft, partnerCode: string): RequestRow[] {
    return this.inner.describeDraftRequest(draft, partnerCode);
  }

  async savePartner(request: PartnerRequest, sendAfter: Promise<void>): Promise<{ partnerId: string }> {
    await this.probe('partner');
    try {
      return await this.watch(() => this.inner.savePartner(request, sendAfter));
    } catch (error) {
      // Cashman answered the read-only check this cycle, yet answers this partner request with a
      // server error: most likely its PHP fails on this buyer's data. That is the order's own
      // failure (attempts, then quarantine with the message), or one such buyer would hold every
      // order behind it forever. A draft is never treated so: it may exist, and it stops the cycle.
      if (this.probed && error instanceof CashmanError && error.code === 'CASHMAN_OUTCOME_UNKNOWN' && error.serverError) {
        this.failing = null;
        throw new CashmanError('CASHMAN_OUTCOME_UNKNOWN', `${error.message} Cashman answered a read-only check just before, so this buyer's partner request is taken as the problem.`, { cause: error });
      }
      throw error;
    }
  }

  async createDraft(draft: InvoiceDraft, partnerCode: string, sendAfter: Promise<void>): Promise<{ reference: string | null }> {
    await this.probe('draft');
    return this.watch(() => this.inner.createDraft(draft, partnerCode, sendAfter));
  }

  checkLogin(): Promise<void> {
    return this.watch(() => this.inner.checkLogin());
  }

  get learnedSomething(): boolean {
    return this.loginWorked || this.loginRefused !== null || this.failing !== null;
  }

  /** The login check before the first order request, once, while an episode is open. */
  private async probe(what: string): Promise<void> {
    if (!this.probeFirst) return;
    try {
      await this.checkLogin();
      this.probeFirst = false;
      this.probed = true;
    } catch (error) {
      // A refused login is its own episode; an unreachable Cashman says so in its own words.
      if (error instanceof CashmanError && (error.code === 'CASHMAN_LOGIN' || error.code === 'CASHMAN_NOT_SENT')) throw error;
      // The order request itself never left: its order keeps its place, whatever the check met.
      const reason = `Cashman is still failing, so the ${what} request was not sent; a read-only check met: ${describeError(error)}`;
      this.failing = reason;
      throw new CashmanError('CASHMAN_NOT_SENT', reason, { cause: error });
    }
  }

  private async watch<T>(call: () => Promise<T>): Promise<T> {
    try {
      const result = await call();
      this.loginWorked = true;
      this.failing = null;
      return result;
    } catch (error) {
      if (error instanceof CashmanError) {
        if (error.code === 'CASHMAN_REJECTED') this.loginWorked = true;
        if (error.code === 'CASHMAN_LOGIN') this.loginRefused = error.message;
        this.failing = error.remoteFailing ? error.message : null;
      }
      throw error;
    }
  }
}

export interface CycleHealthDeps {
  ledger: MetaStore;
  alerts: Alerter;
  logger: Logger;
  now: () => Date;
}

export interface CycleEnd {
  /** What ended the cycle early (the cause of a CycleAbort included); null when it completed. */
  error: unknown;
  /** At least one page of the order list arrived, or the cycle completed. */
  shoprenterAnswered: boolean;
  /** The cycle ran to its end (not stopped by a signal, no error). */
  completed?: boolean;
}

/**
 * Whose failure ended the cycle: a remote's (its own episode) or this process's own (a full disk,
 * a SQLite error, a bug: the `sync` episode). A lost ledger never gets here (src/sync/cycle.ts).
 */
function isRemoteFailure(error: unknown): boolean {
  return error instanceof ShoprenterError || error instanceof CashmanError;
}

/** Moves the episodes by what this cycle learned; alerts go out from here only. */
export async function recordCycleHealth(deps: CycleHealthDeps, watch: CashmanWatch, end: CycleEnd): Promise<void> {
  const episodes = new Episodes(episodeStore(deps.ledger), deps.alerts, deps.logger, deps.now);
  if (end.error !== null && end.error !== undefined && !isRemoteFailure(end.error)) await episodes.failed('sync', describeError(end.error));
  // A remote's failure means this process did its own part (it got as far as asking).
  else if (end.completed || isRemoteFailure(end.error)) await episodes.recovered('sync');
  // A revoked API client (401/403 on the token endpoint or the API) never heals by itself: alerted
  // at once, apart from the network-and-server episode, which it does not end.
  if (end.error instanceof ShoprenterError && end.error.code === 'SHOPRENTER_AUTH') await episodes.failed('shoprenter-login', describeError(end.error));
  else if (end.error instanceof ShoprenterError) await episodes.failed('shoprenter', describeError(end.error));
  else if (end.shoprenterAnswered) {
    await episodes.recovered('shoprenter-login');
    await episodes.recovered('shoprenter');
  }

  // A quiet cycle says nothing about Cashman: while an episode is open, the login check asks.
  if (!watch.learnedSomething && (episodes.isOpen('cashman') || episodes.isOpen('login'))) {
    await watch.checkLogin().catch(() => undefined);
  }
  if (watch.loginRefused !== null) await episodes.failed('login', watch.loginRefused);
  else if (watch.loginWorked) await episodes.recovered('login');
  // The last word decides: a cycle that Cashman's failure ended counts toward the episode even if
  // earlier requests were answered (a Cashman failing now and then must not stay unseen).
  if (watch.failing !== null) await episodes.failed('cashman', watch.failing);
  else if (watch.loginWorked || watch.loginRefused !== null) await episodes.recovered('cashman');
}

/** A cycle that crashed before it could record itself: counts toward the `sync` episode. */
export async function recordCycleCrash(deps: CycleHealthDeps, error: unknown): Promise<void> {
  await new Episodes(episodeStore(deps.ledger), deps.alerts, deps.logger, deps.now).failed('sync', describeError(error));
}

/**
 * The episodes' state, kept in the ledger's meta table; when the ledger cannot be written (a full
 * disk, a read-only file) it is kept in memory for as long as the process lives, so a `run` still
 * alerts once and recovers once. One per ledger handle, so it outlives the cycle.
 */
class FallbackMeta implements MetaStore {
  private readonly memory = new Map<string, string>();
  constructor(private readonly inner: MetaStore) {}

  getMeta(key: string): string | undefined {
    if (this.memory.has(key)) return this.memory.get(key);
    try {
      return this.inner.getMeta(key);
    } catch {
      return undefined;
    }
  }

  setMeta(key: string, value: string): void {
    try {
      this.inner.setMeta(key, value);
      this.memory.delete(key);
    } catch {
      this.memory.set(key, value);
    }
  }
}

const stores = new WeakMap<MetaStore, FallbackMeta>();

/** Whether the `cashman` episode is open: the next cycle checks Cashman before it sends an order. */
export function cashmanFailing(ledger: MetaStore, now: Date): boolean {
  return openEpisodes(episodeStore(ledger), now).some((episode) => episode.name === 'cashman');
}

export function episodeStore(ledger: MetaStore): MetaStore {
  let store = stores.get(ledger);
  if (!store) {
    store = new FallbackMeta(ledger);
    stores.set(ledger, store);
  }
  return store;
}
