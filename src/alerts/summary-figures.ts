/** What the morning summary says about one shop-local day, read from the ledger only. */
export interface DailySummary {
  /** The shop-local day the summary is about (YYYY-MM-DD). */
  day: string;
  /** Drafts Cashman accepted that day. Whether they were finalized since cannot be read without a request. */
  drafted: number;
  /** Their gross totals per currency, in whole units of the draft (forints for HUF), as decimal strings. */
  draftedGross: { currency: string; amount: string }[];
  /** Orders waiting for a person now: quarantined or uncertain, with the reason. */
  open: { orderNumber: string; state: 'quarantined' | 'uncertain'; reason: string }[];
  /** Orders cancelled or changed after their draft, not acknowledged yet. */
  reports: { orderNumber: string; kind: string; cashmanRef: string | null; reason: string }[];
  /** The go-live pilot made its drafts and waits for `approve`. */
  pilotWaiting: boolean;
  /** Remote outages that touched the day: which remote, from when, until when (null: still on). */
  outages: { system: string; from: string; to: string | null; minutes: number | null }[];
}

/** Nothing happened and nothing waits: the summary is one line. */
export function allQuiet(s: DailySummary): boolean {
  return s.drafted === 0 && s.open.length === 0 && s.reports.length === 0 && !s.pilotWaiting && s.outages.length === 0;
}
