import type { CycleSummary } from '../sync/cycle.js';

/** The `once` summary as one JSON line shaped like the logger's (level, message, timestamp in UTC). */
export function summaryJson(s: CycleSummary): string {
  return JSON.stringify({
    level: s.ok ? 'info' : 'error',
    message: s.ok ? 'once: cycle completed' : 'once: cycle failed',
    ok: s.ok,
    error: s.error,
    interrupted: s.interrupted,
    listed: s.listed,
    ...s.outcomes,
    partnersCreated: s.partnersCreated,
    partnersUpdated: s.partnersUpdated,
    cursor: s.cursor,
    ms: s.durationMs,
    timestamp: new Date().toISOString(),
  });
}
