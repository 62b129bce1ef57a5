import type { CycleSummary } from '../sync/cycle.js';

/** The `once` summary as one JSON line shaped like the logger's (level, message, timestamp in UTC). */
export function summaryJson(s: CycleSummary): string {
  return JSON.stringify({
    level: s.ok ? 'info' : 'error',
    message: !s.ok ? 'once: cycle failed' : s.interrupted ? 'once: cycle stopped by a signal after the order in hand' : 'once: cycle completed',
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
