import type { Ledger } from '../store/ledger.js';
import { approvePilot, pilotDraftCount, pilotRequests, pilotState, type PilotRequest } from '../store/pilot-store.js';
import { baseEnv, openExistingLedger, type CommandContext } from './context.js';

/** `approve`: ends the pilot with one conditional write, so it is safe while the daemon runs. */
export function approveCommand(ctx: CommandContext): number {
  const ledger = openExistingLedger(baseEnv(ctx));
  if (!ledger) {
    ctx.out('No ledger yet: the daemon has not run with this DATABASE_PATH, so there is no pilot to approve.');
    return 0;
  }
  try {
    const before = approvePilot(ledger, new Date().toISOString());
    if (before === null) {
      ctx.out(`There is no pilot to approve (pilot: ${describeState(pilotState(ledger))}).`);
      return 0;
    }
    ctx.out(
      before === 'ready'
        ? 'Pilot approved: the daemon sends the waiting orders from its next cycle on.'
        : 'Pilot approved before its drafts were all made: the daemon drafts every order from its next cycle on.',
    );
    return 0;
  } finally {
    ledger.close();
  }
}

export interface PilotReport {
  state: string;
  drafted: number;
  readyAt: string | null;
  approvedAt: string | null;
  requests: PilotRequest[];
}

export function pilotReport(ledger: Ledger): PilotReport | null {
  const state = pilotState(ledger);
  if (state === null || state === 'off' || state === 'existing') return state === null ? null : { state, drafted: 0, readyAt: null, approvedAt: null, requests: [] };
  return {
    state,
    drafted: pilotDraftCount(ledger),
    readyAt: ledger.getMeta('pilot_ready_at') ?? null,
    approvedAt: ledger.getMeta('pilot_approved_at') ?? null,
    requests: state === 'approved' ? [] : pilotRequests(ledger),
  };
}

/** The lines `status` prints about the pilot: what to look at in Cashman and what Cashman said. */
export function pilotLines(report: PilotReport | null): string[] {
  if (!report) return [];
  const lines = [`Pilot: ${describeState(report.state as never)}${report.state === 'on' || report.state === 'ready' ? ` (${report.drafted} drafted)` : ''}`];
  if (report.state === 'approved' && report.approvedAt) lines[0] += ` on ${report.approvedAt}`;
  if (report.requests.length > 0) {
    lines.push('  Pilot drafts to check in Cashman, with Cashman\'s raw answers:');
    for (const r of report.requests) {
      const answer = r.outcome === 'ok' ? `answered ${JSON.stringify(r.response ?? '')}` : `${r.outcome ?? 'no answer'}${r.error ? `: ${r.error}` : ''}`;
      lines.push(`    order ${r.orderNumber} (${r.state}) at ${r.at}: ${answer}`);
    }
  }
  if (report.state === 'ready') lines.push('  New orders wait (pending) until you run "approve".');
  return lines;
}

function describeState(state: ReturnType<typeof pilotState>): string {
  switch (state) {
    case 'on':
      return 'on, drafting the first orders';
    case 'ready':
      return 'waiting for "approve"';
    case 'approved':
      return 'approved';
    case 'off':
      return 'off (sync.pilotOrders was 0 when this ledger started)';
    case 'existing':
      return 'not used (this ledger held drafts before the pilot existed)';
    case null:
      return 'not started yet';
  }
}
