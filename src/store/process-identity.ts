import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Who this process is, as far as another process on the same ledger can tell: its pid, host, kernel
 * boot and pid namespace. The writer lock (writer-lock.ts) and a redraft's owner
 * (after-draft-redrafts.ts) record it so a later process can judge whether the recorded one is gone.
 */
export interface Identity {
  pid: number;
  host: string;
  bootId: string | null;
  pidNs: string | null;
}

function readOrNull(read: () => string): string | null {
  try {
    return read().trim() || null;
  } catch {
    return null;
  }
}

export function ownIdentity(): Identity {
  return {
    pid: process.pid,
    host: hostname(),
    bootId: readOrNull(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8')),
    pidNs: readOrNull(() => readlinkSync('/proc/self/ns/pid')),
  };
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
