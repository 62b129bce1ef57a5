import { NOT_QUALIFYING } from '../store/ledger-rows.js';
import { UsageError } from '../errors.js';
import type { OrderRow } from '../store/ledger.js';
import { configChangedNote } from './config-fingerprint.js';
import { baseEnv, openExistingLedger, type CommandContext } from './context.js';

/**
 * `retry --quarantined`: every quarantined order back in line at once, for what a person decided to
 * send again (issue 16 §10) — after fixing a mapping, or after orders were quarantined by an older
 * version for an outage. It shows each order's reason first, then what it did. Each order moves by
 * its own conditional UPDATE on `quarantined`, so it is safe while the daemon runs, and typing it
 * twice puts nothing in line twice: the second run finds nothing quarantined.
 */
export function retryQuarantinedCommand(ctx: CommandContext): number {
  const env = baseEnv(ctx);
  const ledger = openExistingLedger(env, 'write');
  if (!ledger) throw new UsageError('There is no ledger yet (the daemon has not run with this DATABASE_PATH); there is nothing to retry.');
  try {
    const quarantined = ledger.listNotDone().filter((row) => row.state === 'quarantined' && row.lastErrorCode !== NOT_QUALIFYING);
    if (quarantined.length === 0) {
      ctx.out('No order is quarantined; there is nothing to retry.');
      return 0;
    }
    ctx.out(`${quarantined.length} quarantined order${quarantined.length === 1 ? '' : 's'}, each with the reason it was stopped:`);
    for (const row of quarantined) ctx.out(`  ${row.orderNumber.padEnd(10)} ${row.lastError ?? '(no reason recorded)'}`);
    const moved: OrderRow[] = [];
    const left: string[] = [];
    for (const row of quarantined) {
      if (ledger.requeue(row.orderNumber, 'quarantined')) moved.push(row);
      else left.push(`${row.orderNumber} (now ${ledger.getOrder(row.orderNumber)?.state ?? 'gone'})`);
    }
    ctx.out('');
    if (moved.length > 0) {
      ctx.out(`Back in line: ${moved.map((row) => row.orderNumber).join(', ')}; the next cycle fetches each again from Shoprenter and drafts it if it qualifies.`);
    }
    // Moved by the daemon or another command between the list and the update: left as they are.
    if (left.length > 0) ctx.out(`Left as they are (changed meanwhile): ${left.join(', ')}.`);
    const note = configChangedNote(ledger, env.configPath);
    if (note) ctx.out(note);
    return 0;
  } finally {
    ledger.close();
  }
}
