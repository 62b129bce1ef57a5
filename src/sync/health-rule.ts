/**
 * The one rule for "is the daemon healthy", shared by the `health` command (Docker HEALTHCHECK)
 * and `GET /healthz`: the last successful cycle is younger than ten intervals, and never less
 * than five minutes (a slow shop or a short outage must not restart the container).
 */

export interface HealthFacts {
  /** ISO time of the last successful cycle (ledger meta `last_success_at`), if any. */
  lastSuccessAt: string | undefined;
  intervalSeconds: number;
  now: Date;
}

export type HealthVerdict =
  | { healthy: true; ageMs: number; sentence: string }
  | { healthy: false; ageMs: number | null; sentence: string };

export function healthMaxAgeMs(intervalSeconds: number): number {
  return Math.max(intervalSeconds * 10, 300) * 1000;
}

export function judgeHealth(facts: HealthFacts): HealthVerdict {
  const last = facts.lastSuccessAt;
  if (!last) return { healthy: false, ageMs: null, sentence: 'unhealthy: no successful cycle yet.' };
  const ageMs = facts.now.getTime() - Date.parse(last);
  if (ageMs > healthMaxAgeMs(facts.intervalSeconds)) {
    return { healthy: false, ageMs, sentence: `unhealthy: the last successful cycle was ${Math.round(ageMs / 1000)} s ago (${last}).` };
  }
  return { healthy: true, ageMs, sentence: `healthy: last successful cycle ${Math.round(ageMs / 1000)} s ago.` };
}
