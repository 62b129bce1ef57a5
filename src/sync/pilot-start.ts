import type { Logger } from '../log/logger.js';
import type { Ledger } from '../store/ledger.js';
import { initPilot, pilotDraftCount } from '../store/pilot-store.js';
import type { Alerter } from './alerts.js';
import { PilotGate } from './pilot.js';

/** Decides the pilot state of this ledger (once) and says it at start; null when there is no pilot to run. */
export function startPilot(ledger: Ledger, limit: number, logger: Logger, alerts: Alerter, now: () => Date): PilotGate | null {
  const state = initPilot(ledger, limit);
  switch (state) {
    case 'on':
    case 'ready':
      if (limit === 0) {
        logger.warn('pilot: sync.pilotOrders is 0, so the pilot is skipped; run "approve" to record that', { pilot: state });
        return null;
      }
      logger.info(
        state === 'on'
          ? `pilot: this ledger drafts ${limit} orders, then waits for "approve"`
          : 'pilot: the pilot drafts are made; no further draft until "approve"',
        { pilot: state, drafted: pilotDraftCount(ledger), pilotOrders: limit },
      );
      return new PilotGate(ledger, limit, logger, alerts, now);
    case 'existing':
    case 'approved':
    case 'off':
      return null;
  }
}
