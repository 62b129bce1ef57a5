import type { Logger } from '../log/logger.js';
import type { OpenedLedger } from '../store/ledger-file.js';

/**
 * Where the ledger is, said at every start; loudly when it was just created, because a wrong
 * DATABASE_PATH (a volume not mounted, a typo) looks exactly like a first start and would re-draft
 * every order since startFrom.
 */
export function logLedgerOpened(logger: Logger, opened: OpenedLedger, expectNew = false): void {
  if (opened.created && expectNew) {
    // `demo` makes its own throw-away ledger: a new file is exactly what it expects (issue 17).
    logger.info('ledger created for this demo', { ledger: opened.path });
  } else if (opened.created) {
    logger.warn(
      'NEW ledger created: if the daemon ran before, DATABASE_PATH points at the wrong file and orders since startFrom would be drafted again (the pilot stops after the first few)',
      { ledger: opened.path },
    );
  } else {
    logger.info('ledger opened', { ledger: opened.path });
  }
}
