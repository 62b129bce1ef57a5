/**
 * The small typed error family. Each error has a stable `code`; the sync layer decides
 * retry / quarantine / uncertain / abort from the class and code only (src/sync/classify.ts),
 * never from message text. Messages are one sentence naming what to fix, and never carry secrets.
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'USAGE'
  | 'SHOPRENTER_AUTH'
  | 'SHOPRENTER_HTTP'
  | 'SHOPRENTER_RATE_LIMITED'
  | 'SHOPRENTER_NETWORK'
  | 'SHOPRENTER_BAD_RESPONSE'
  | 'CASHMAN_LOGIN'
  | 'CASHMAN_REJECTED'
  | 'CASHMAN_NOT_SENT'
  | 'CASHMAN_OUTCOME_UNKNOWN'
  | 'MAPPING'
  | 'NOT_FOUND'
  | 'LEDGER_BUSY'
  | 'LEDGER_CONFLICT'
  | 'LEDGER_SYNC'
  | 'WRITER_LOST';

export abstract class AppError extends Error {
  abstract readonly code: ErrorCode;
  /** True when trying again later can succeed without a person changing anything. */
  abstract readonly temporary: boolean;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** config.yaml or the environment is wrong: exit code 2. */
export class ConfigError extends AppError {
  readonly code = 'CONFIG_INVALID' as const;
  readonly temporary = false;
}

/** Wrong command-line usage: exit code 2. */
export class UsageError extends AppError {
  readonly code = 'USAGE' as const;
  readonly temporary = false;
}

/** A Shoprenter call failed. Reads are safe to repeat, so most of these are temporary. */
export class ShoprenterError extends AppError {
  constructor(
    readonly code: 'SHOPRENTER_AUTH' | 'SHOPRENTER_HTTP' | 'SHOPRENTER_RATE_LIMITED' | 'SHOPRENTER_NETWORK' | 'SHOPRENTER_BAD_RESPONSE',
    message: string,
    readonly temporary: boolean,
    options?: { cause?: unknown; status?: number },
  ) {
    super(message, options);
    this.status = options?.status;
  }
  readonly status: number | undefined;
}

/**
 * A Cashman call failed. The code says what we know about the request:
 * CASHMAN_NOT_SENT = provably never reached the server (safe to retry);
 * CASHMAN_OUTCOME_UNKNOWN = may have been processed (never resend automatically);
 * CASHMAN_LOGIN = credentials refused (stop the cycle);
 * CASHMAN_REJECTED = a `HIBA:` answer about the data (quarantine with Cashman's message).
 */
export class CashmanError extends AppError {
  /**
   * Cashman itself is failing, whatever the request carried: it could not be reached (NOT_SENT), or
   * it answered with a server error (HTTP 5xx, 429) or gave no answer in time (timeout, connection
   * dropped). An outage, never the order's fault (issue 16 §10); the code still says whether the
   * request may have been processed.
   */
  readonly remoteFailing: boolean;
  /** Of those, an answer with a server error status (5xx, 429), rather than no answer at all. */
  readonly serverError: boolean;
  constructor(
    readonly code: 'CASHMAN_LOGIN' | 'CASHMAN_REJECTED' | 'CASHMAN_NOT_SENT' | 'CASHMAN_OUTCOME_UNKNOWN',
    message: string,
    options?: { cause?: unknown; remoteFailing?: boolean; serverError?: boolean },
  ) {
    super(message, options);
    this.serverError = options?.serverError === true;
    this.remoteFailing = code === 'CASHMAN_NOT_SENT' || this.serverError || options?.remoteFailing === true;
  }
  get temporary(): boolean {
    return this.code === 'CASHMAN_NOT_SENT';
  }
}

/** The order cannot be turned into a correct draft; the message is the quarantine reason. */
export class MappingError extends AppError {
  readonly code = 'MAPPING' as const;
  readonly temporary = false;
}

/** An order or resource asked for by a person does not exist. */
export class NotFoundError extends AppError {
  readonly code = 'NOT_FOUND' as const;
  readonly temporary = false;
}

/** Another process holds the ledger's writer lock (or took it over from this one): exit code 1. */
export class LedgerBusyError extends AppError {
  readonly code = 'LEDGER_BUSY' as const;
  readonly temporary = false;
}

/** A conditional ledger update found the order in another state than it expected (a race, not a misuse). */
export class LedgerConflictError extends AppError {
  readonly code = 'LEDGER_CONFLICT' as const;
  readonly temporary = false;
}

/**
 * The disk refused to make an intent durable (src/store/wal-sync.ts): the request it guards was
 * never sent. The cycle stops; the next one tries again.
 */
export class LedgerSyncError extends AppError {
  readonly code = 'LEDGER_SYNC' as const;
  readonly temporary = true;
}

/**
 * This process lost the ledger's writer lock (it stalled past the staleness limit and another
 * process took over): the failure is this process's, never an order's. Nothing more is written or
 * sent; the command stops and exits 1.
 */
export class WriterLostError extends AppError {
  readonly code = 'WRITER_LOST' as const;
  readonly temporary = false;
}
