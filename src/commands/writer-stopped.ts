import type { Logger } from '../log/logger.js';
import type { Runtime } from '../runtime.js';
import { STALE_AFTER_MS, currentHolder } from '../store/writer-lock.js';

/**
 * A `run` or `once` that lost the ledger stops (issue 16 §2, §7): it says so in the log and alerts,
 * naming the process that holds the ledger now. Nothing about orders is said: the new holder owns
 * them. The alert is the only thing this process still sends.
 */
export async function alertWriterStopped(runtime: Runtime, log: Logger, command: string): Promise<void> {
  const reason = writerStoppedReason(runtime, command);
  log.error('stopped: another process took over the ledger; nothing more was written or sent by this one', { command, pid: process.pid });
  await runtime.deps.alerts.send({ kind: 'writer-stopped', reason }).catch(() => undefined);
}

function writerStoppedReason(runtime: Runtime, command: string): string {
  let holder = 'another process';
  try {
    const now = currentHolder(runtime.ledger);
    if (now) holder = `"${now.command}" (pid ${now.pid} on host ${now.host}, since ${now.startedAt})`;
  } catch {
    // the ledger cannot be read: the sentence names no holder
  }
  return `"${command}" (pid ${process.pid}) was paused or stalled for longer than ${STALE_AFTER_MS / 1000} s, and ${holder} took the ledger over; this one stopped without writing or sending anything more. Nothing is lost: the new holder works the orders. If no other process should be running, check for a second daemon on this ledger.`;
}
