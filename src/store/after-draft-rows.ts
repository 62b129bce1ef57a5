import type { AfterDraftEventKind, DraftCondition } from '../domain/after-draft-judgement.js';
import type { Fingerprint } from '../domain/fingerprint.js';
import type { Identity } from './process-identity.js';

/** The after-draft tables' rows as the code sees them, and how raw SQLite rows become them. */
export interface WatchRow {
  orderNumber: string;
  fingerprint: Fingerprint;
  source: 'draft' | 'audit' | 'observed';
  seenUpdated: string | null;
  observed: Fingerprint | null;
  condition: DraftCondition;
  attention: boolean;
  redraftPid: number | null;
}

/** The process a `redraft` runs in, as recorded with its intent (judged by src/sync/after-draft-cycle.ts). */
export interface RedraftOwner extends Identity {
  startedAt: string;
}

export type EventKind = AfterDraftEventKind | 'acked' | 'redraft-started' | 'redrafted' | 'redraft-failed';

export interface AfterDraftEvent {
  id: number;
  at: string;
  orderNumber: string;
  kind: EventKind;
  version: string | null;
  reason: string;
  cashmanRef: string | null;
  alerted: boolean;
}

export interface RawWatch {
  order_number: string;
  fingerprint: string;
  source: WatchRow['source'];
  seen_updated: string | null;
  observed: string | null;
  condition: DraftCondition;
  attention: number;
  redraft_pid: number | null;
}

export interface RawEvent {
  id: number;
  at: string;
  order_number: string;
  kind: EventKind;
  version: string | null;
  reason: string;
  cashman_ref: string | null;
  alerted: number;
}

export const toWatch = (raw: RawWatch): WatchRow => ({
  orderNumber: raw.order_number,
  fingerprint: JSON.parse(raw.fingerprint) as Fingerprint,
  source: raw.source,
  seenUpdated: raw.seen_updated,
  observed: raw.observed === null ? null : (JSON.parse(raw.observed) as Fingerprint),
  condition: raw.condition,
  attention: raw.attention === 1,
  redraftPid: raw.redraft_pid,
});

export const toEvent = (raw: RawEvent): AfterDraftEvent => ({
  id: raw.id,
  at: raw.at,
  orderNumber: raw.order_number,
  kind: raw.kind,
  version: raw.version,
  reason: raw.reason,
  cashmanRef: raw.cashman_ref,
  alerted: raw.alerted === 1,
});

export interface NewEvent {
  kind: EventKind;
  version: string | null;
  reason: string;
  cashmanRef: string | null;
}
