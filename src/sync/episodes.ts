import type { Logger } from '../log/logger.js';
import type { Alerter, AlertKind } from './alerts.js';

/**
 * An episode is one stretch of time during which a remote keeps failing: it alerts once when it
 * has lasted past its grace period and once when it is over, however many cycles it spans. The
 * state lives in the ledger's meta table, so a restart (or a `once` from cron) neither forgets an
 * episode nor alerts it again.
 */
export type EpisodeName = 'shoprenter' | 'shoprenter-login' | 'cashman' | 'login' | 'sync';

interface EpisodeRule {
  failing: AlertKind;
  recovered: AlertKind;
  /** Alert only when this many cycles in a row failed ... */
  graceCycles: number;
  /** ... and the first of them is at least this long ago. */
  graceMs: number;
  label: string;
}

/**
 * A remote that is down or refuses the API client: at least 3 failed cycles in a row and at least
 * 2 minutes. A read already rides out short storms inside a cycle, and Shoprenter or a PHP host
 * restarting causes a failed cycle now and then; 2 minutes keeps a short interval from alerting on
 * a blip, 3 cycles keeps a single long failed cycle from counting as an outage.
 * A refused Cashman login alerts at once: it is confirmed by a login check and never heals alone.
 */
export const EPISODE_RULES: Record<EpisodeName, EpisodeRule> = {
  shoprenter: { failing: 'shoprenter-failing', recovered: 'shoprenter-recovered', graceCycles: 3, graceMs: 2 * 60_000, label: 'Shoprenter' },
  cashman: { failing: 'cashman-failing', recovered: 'cashman-recovered', graceCycles: 3, graceMs: 2 * 60_000, label: 'Cashman' },
  login: { failing: 'login-failed', recovered: 'login-recovered', graceCycles: 1, graceMs: 0, label: 'The Cashman login' },
  // A refused Shoprenter API client (401/403) is revoked or lacks a scope: it never heals alone, and
  // with `once` from cron a three-cycle grace could mean an hour (issue 16 §7).
  'shoprenter-login': {
    failing: 'shoprenter-login-failed',
    recovered: 'shoprenter-login-recovered',
    graceCycles: 1,
    graceMs: 0,
    label: 'The Shoprenter API client',
  },
  // This process's own failures (a full disk, a SQLite error, a bug): nothing heals them by waiting,
  // and no order moves meanwhile, so the first one alerts.
  sync: { failing: 'sync-failing', recovered: 'sync-recovered', graceCycles: 1, graceMs: 0, label: 'The sync' },
};

interface EpisodeState {
  since: string;
  failures: number;
  alerted: boolean;
  /** The last failure's sentence, for `status` and `health`. */
  reason?: string;
}

/** An episode that is open now, as `status`, `health` and `/healthz` show it. */
export interface OpenEpisode {
  name: EpisodeName;
  /** "Cashman", "The Shoprenter API client", ... */
  label: string;
  since: string;
  failures: number;
  reason: string | null;
  /** Past its grace period: alerted, and what makes `health` unhealthy. */
  pastGrace: boolean;
}

/** Every open episode, read from the ledger's meta table (no writes: `status` opens it read-only). */
export function openEpisodes(store: Pick<MetaStore, 'getMeta'>, now: Date): OpenEpisode[] {
  const open: OpenEpisode[] = [];
  for (const name of Object.keys(EPISODE_RULES) as EpisodeName[]) {
    const state = readState(store, name);
    if (!state) continue;
    const rule = EPISODE_RULES[name];
    const pastGrace = state.alerted || (state.failures >= rule.graceCycles && now.getTime() - Date.parse(state.since) >= rule.graceMs);
    open.push({ name, label: rule.label, since: state.since, failures: state.failures, reason: state.reason ?? null, pastGrace });
  }
  return open;
}

/** One line per open episode: "Cashman failing since … (UTC), 4 cycles: <reason>". */
export function episodeSentence(episode: OpenEpisode): string {
  const cycles = `${episode.failures} failed cycle${episode.failures === 1 ? '' : 's'}`;
  return `${episode.label} failing since ${episode.since} (UTC), ${cycles}${episode.reason ? `: ${episode.reason}` : ''}`;
}

export interface MetaStore {
  getMeta(key: string): string | undefined;
  setMeta(key: string, value: string): void;
}

export class Episodes {
  constructor(
    private readonly store: MetaStore,
    private readonly alerts: Alerter,
    private readonly logger: Logger,
    private readonly now: () => Date,
  ) {}

  isOpen(name: EpisodeName): boolean {
    return this.read(name) !== null;
  }

  /** One more failed cycle; alerts once the grace period is over. */
  async failed(name: EpisodeName, reason: string): Promise<void> {
    const rule = EPISODE_RULES[name];
    const at = this.now();
    const state = this.read(name) ?? { since: at.toISOString(), failures: 0, alerted: false };
    state.failures += 1;
    state.reason = reason;
    this.write(name, state);
    if (state.alerted || state.failures < rule.graceCycles || at.getTime() - Date.parse(state.since) < rule.graceMs) return;
    // Sent before it is marked as sent: a crash in between repeats the alert rather than losing it.
    await this.alerts.send({ kind: rule.failing, reason });
    this.write(name, { ...state, alerted: true });
    this.logger.error(`${rule.label} keeps failing; alerted`, { episode: name, since: state.since, cycles: state.failures });
  }

  /** The remote worked this cycle: the episode is over, with a recovery alert if it was alerted. */
  async recovered(name: EpisodeName): Promise<void> {
    const state = this.read(name);
    if (state === null) return;
    const rule = EPISODE_RULES[name];
    if (state.alerted) {
      const reason = `${rule.label} works again; it failed from ${state.since} (UTC) for ${state.failures} cycle${state.failures === 1 ? '' : 's'}.`;
      await this.alerts.send({ kind: rule.recovered, reason });
      this.logger.info(`${rule.label} works again`, { episode: name, since: state.since, cycles: state.failures });
    }
    this.store.setMeta(key(name), '');
  }

  private read(name: EpisodeName): EpisodeState | null {
    return readState(this.store, name);
  }

  private write(name: EpisodeName, state: EpisodeState): void {
    this.store.setMeta(key(name), JSON.stringify(state));
  }
}

function readState(store: Pick<MetaStore, 'getMeta'>, name: EpisodeName): EpisodeState | null {
  const raw = store.getMeta(key(name));
  if (!raw) return null;
  try {
    const parsed = JSON.parse(raw) as Partial<EpisodeState>;
    if (typeof parsed.since !== 'string' || typeof parsed.failures !== 'number') return null;
    return {
      since: parsed.since,
      failures: parsed.failures,
      alerted: parsed.alerted === true,
      ...(typeof parsed.reason === 'string' ? { reason: parsed.reason } : {}),
    };
  } catch {
    return null;
  }
}

function key(name: EpisodeName): string {
  return `episode.${name}`;
}
