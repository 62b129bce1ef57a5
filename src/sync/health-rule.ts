import { episodeSentence, type OpenEpisode } from './episodes.js';

/**
 * The one rule for "is the daemon healthy", shared by the `health` command (Docker HEALTHCHECK)
 * and `GET /healthz`: the last successful cycle is younger than ten intervals, and never less
 * than five minutes (a slow shop or a short outage must not restart the container). A cycle still
 * running counts too while it handled an order within that same window: a long first backfill has
 * no finished cycle for many minutes and must not be restarted for it.
 */

export interface HealthFacts {
  /** ISO time of the last successful cycle (ledger meta `last_success_at`), if any. */
  lastSuccessAt: string | undefined;
  intervalSeconds: number;
  now: Date;
  /** ISO time of the running cycle's last progress (meta `cycle_progress`), when a cycle runs. */
  progressAt?: string | undefined;
  /** Open episodes (src/sync/episodes.ts): one past its grace makes the daemon unhealthy. */
  episodes?: readonly OpenEpisode[];
}

export type HealthVerdict =
  | { healthy: true; ageMs: number | null; sentence: string }
  | { healthy: false; ageMs: number | null; sentence: string };

export function healthMaxAgeMs(intervalSeconds: number): number {
  return Math.max(intervalSeconds * 10, 300) * 1000;
}

export function judgeHealth(facts: HealthFacts): HealthVerdict {
  const last = facts.lastSuccessAt;
  // A remote down past its grace (or this process failing) is unhealthy however recent the last
  // good cycle: orders wait, and `health` says which part fails (issue 16 §10).
  const failing = (facts.episodes ?? []).filter((episode) => episode.pastGrace);
  if (failing.length > 0) {
    const ageMs = last ? facts.now.getTime() - Date.parse(last) : null;
    return { healthy: false, ageMs, sentence: `unhealthy: ${failing.map(episodeSentence).join('; ')}.` };
  }
  const maxAgeMs = healthMaxAgeMs(facts.intervalSeconds);
  const lastAgeMs = last ? facts.now.getTime() - Date.parse(last) : null;
  if (facts.progressAt && (lastAgeMs === null || lastAgeMs > maxAgeMs)) {
    const progressMs = facts.now.getTime() - Date.parse(facts.progressAt);
    if (progressMs <= maxAgeMs) {
      return { healthy: true, ageMs: lastAgeMs, sentence: `healthy: a cycle is in progress; its last order was handled ${Math.round(progressMs / 1000)} s ago.` };
    }
  }
  if (!last) return { healthy: false, ageMs: null, sentence: 'unhealthy: no successful cycle yet.' };
  const ageMs = lastAgeMs ?? 0;
  if (ageMs > maxAgeMs) {
    return { healthy: false, ageMs, sentence: `unhealthy: the last successful cycle was ${Math.round(ageMs / 1000)} s ago (${last}).` };
  }
  return { healthy: true, ageMs, sentence: `healthy: last successful cycle ${Math.round(ageMs / 1000)} s ago.` };
}
