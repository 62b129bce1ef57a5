import { UsageError } from '../errors.js';
import { PARTNER_CODE_IN_DOUBT, applyPartnerStatement, type PartnerStatement } from '../store/partner-codes.js';
import type { OrderRow } from '../store/ledger.js';
import { baseEnv, config, openExistingLedger, type CommandContext } from './context.js';

/**
 * `retry <order> --partner-code-is-theirs | --new-partner-code` (issue 16 §4): the person's answer to
 * an order held because Cashman refused its buyer's partner code as taken after a create whose answer
 * was lost. Cashman cannot say whose partner the code is; the person looked it up, and says so. One
 * transaction conditional on the state the person saw, recorded in the audit trail as their statement.
 */
export function partnerStatementCommand(ctx: CommandContext, ref: string | undefined, statement: PartnerStatement, otherFlags: boolean): number {
  const flag = statement === 'theirs' ? '--partner-code-is-theirs' : '--new-partner-code';
  if (!ref || otherFlags) throw new UsageError(`retry ${flag} takes one order number and no other option, e.g. "retry 1234 ${flag}".`);
  const env = baseEnv(ctx);
  // Only a new code needs the code settings; "it is theirs" reads no config.
  const { codePrefix, codeDigits } = statement === 'new-code' ? config(env).partners : { codePrefix: '', codeDigits: 0 };
  const ledger = openExistingLedger(env, 'write');
  if (!ledger) throw new UsageError(`Order ${ref} is not in the ledger; there is nothing to retry.`);
  try {
    const row = ledger.findOrder(ref);
    if (!row) throw new UsageError(`Order ${ref} is not in the ledger; there is nothing to retry.`);
    if (row.state !== 'uncertain' || row.lastErrorCode !== PARTNER_CODE_IN_DOUBT) throw new UsageError(notHeld(row, flag));
    const result = applyPartnerStatement(ledger, row.orderNumber, statement, new Date().toISOString(), codePrefix, codeDigits);
    if (!result.ok) {
      if (result.reason === 'order') {
        const now = ledger.getOrder(row.orderNumber)?.state ?? 'gone';
        // The same refusal as when it was seen so before: a second shell's command lost the race (exit 2 either way).
        throw new UsageError(`Order ${row.orderNumber} changed from uncertain to ${now} while this command ran; nothing was changed, look again with "status".`);
      }
      if (result.reason === 'contradicts') {
        throw new UsageError(
          `Partner ${result.partnerCode ?? ''} was already stated to be this buyer by an earlier "retry --partner-code-is-theirs" for another of their orders; nothing was changed. If it is this buyer, run "retry ${row.orderNumber} --partner-code-is-theirs"; if not, the drafts made under it need correcting in Cashman by hand.`,
        );
      }
      throw new UsageError(
        `The buyer of order ${row.orderNumber} already has a partner code settled another way (an earlier command for another of their orders); nothing was changed; run "retry ${row.orderNumber} --force" to draft with it.`,
      );
    }
    if (statement === 'theirs') {
      ctx.out(
        result.partnerTouched
          ? `Recorded your statement that partner ${result.partnerCode} in Cashman is this buyer; order ${row.orderNumber} is back in line and its draft will name ${result.partnerCode}.`
          : `Partner ${result.partnerCode} was already recorded as this buyer; order ${row.orderNumber} is back in line and its draft will name it.`,
      );
    } else {
      ctx.out(
        result.partnerTouched
          ? `Recorded your statement that the partner in Cashman is someone else; the buyer gets the next free code ${result.partnerCode} and order ${row.orderNumber} is back in line.`
          : `The buyer already has the new code ${result.partnerCode}; order ${row.orderNumber} is back in line.`,
      );
    }
    return 0;
  } finally {
    ledger.close();
  }
}

function notHeld(row: OrderRow, flag: string): string {
  const what = row.state === 'uncertain' ? 'uncertain because its draft may exist in Cashman, not because of its partner code' : row.state;
  return `Order ${row.orderNumber} is ${what}; ${flag} is only for an order held because Cashman refused its partner code as taken after a lost answer (see "status ${row.orderNumber}"); nothing was changed.`;
}
