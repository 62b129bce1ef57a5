import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Ledger } from '../store/ledger.js';

/**
 * The daemon reads config.yaml once, at start (SIGHUP stops it rather than reloading). It records
 * a fingerprint of the file it started with, so `retry` can say when the file was edited since:
 * otherwise a retry after a config fix is quarantined again by the old config, with no hint why.
 */
export function configFingerprint(path: string): string | null {
  try {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch {
    return null;
  }
}

export function recordConfigInUse(ledger: Ledger, path: string): void {
  const fingerprint = configFingerprint(path);
  if (fingerprint) ledger.setMeta('config_in_use', fingerprint);
}

export function configChangedNote(ledger: Ledger, path: string): string | null {
  const inUse = ledger.getMeta('config_in_use');
  const now = configFingerprint(path);
  if (!inUse || !now || inUse === now) return null;
  return `Note: ${path} changed since the daemon started; it still uses the old config, so restart it (e.g. "docker compose restart sync") for this retry to use the new one.`;
}
