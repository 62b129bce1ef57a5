import type { PartnerData } from '../domain/partner.js';
import { CashmanError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { Ledger, OrderKey } from '../store/ledger.js';
import { moveToNextPartnerCode } from '../store/partner-codes.js';
import { describeError, errorCode, provablyNotProcessed } from './classify.js';
import type { InvoiceBackend, PartnerRequest } from './ports.js';

/** How many codes a new buyer may skip: a lost ledger whose old partners fill more is for a person to see. */
export const MAX_CODE_SKIPS = 20;

/**
 * Cashman's only sign that a partner code is taken is the text of its refusal ("A partnerkód már
 * létezik: SR000001"). A refusal of a fresh create that names the very code we sent is therefore
 * only a suspicion; the next code is the probe that confirms it: if Cashman takes the same buyer
 * with the next code, the code was the problem, and if it refuses for another reason, that
 * refusal is what the order is quarantined with.
 */
export function codeTakenSuspected(error: unknown, code: string): boolean {
  return error instanceof CashmanError && error.code === 'CASHMAN_REJECTED' && error.message.includes(code);
}

export interface SkipDeps {
  ledger: Ledger;
  backend: InvoiceBackend;
  logger: Logger;
  prefix: string;
  digits: number;
}

/** Creates the partner under the next free codes (at most MAX_CODE_SKIPS); returns the code it got. */
export async function createWithNextFreeCode(deps: SkipDeps, request: PartnerRequest, partner: PartnerData, key: OrderKey): Promise<string> {
  const { ledger, backend, logger } = deps;
  const first = request.partnerCode;
  let taken = first;
  for (let skip = 1; skip <= MAX_CODE_SKIPS; skip += 1) {
    const code = moveToNextPartnerCode(ledger, partner.email, deps.prefix, deps.digits);
    logger.warn('partner code already taken in Cashman (is this the ledger the daemon used before?); trying the next one', {
      orderNumber: key.orderNumber,
      taken,
      next: code,
      skip,
    });
    const next = { ...request, partnerCode: code };
    const { auditId, durable } = ledger.markPartnerSending(partner.email, partner, key, backend.describePartnerRequest(next));
    try {
      const { partnerId } = await backend.savePartner(next, durable);
      ledger.confirmPartner(partner.email, partnerId, partner, auditId);
      return code;
    } catch (error) {
      ledger.setAuditOutcome(auditId, errorCode(error));
      if (!codeTakenSuspected(error, code)) {
        // A lost answer (timeout, reset) may hide a partner Cashman created under this code: the
        // intent stays, so the retry treats a "code taken" as that partner, not as a reason to move on.
        if (provablyNotProcessed(error)) ledger.clearPartnerPending(partner.email);
        throw error;
      }
      logger.debug('partner code refused as taken', { orderNumber: key.orderNumber, code, error: describeError(error) });
      ledger.clearPartnerPending(partner.email);
      taken = code;
    }
  }
  throw new CashmanError(
    'CASHMAN_REJECTED',
    `Cashman already holds every partner code from ${first} to ${taken}: this ledger is probably not the one the daemon used before; check DATABASE_PATH (or choose another partners.codePrefix), then run "retry ${key.orderNumber}".`,
  );
}

/**
 * A create whose answer was lost, then refused as "code taken": either that create went through
 * (the code is this buyer's) or Cashman held the code before it (another buyer's, from a lost
 * ledger). Cashman's refusal names only the code and no lookup exists, so the program cannot tell;
 * a draft under the code could invoice someone else, so none is sent and a person decides.
 */
export class PartnerCodeInDoubt extends Error {
  constructor(readonly partnerCode: string) {
    super(`partner code ${partnerCode} refused as taken after a create whose answer was lost`);
    this.name = 'PartnerCodeInDoubt';
  }
}

/** The shop owner's sentence: the code, the buyer, what to check in Cashman, and the two ways out. */
export function partnerCodeInDoubtReason(orderNumber: string, code: string, partner: PartnerData): string {
  const buyer = partner.companyName ? `${partner.companyName} (${partner.name}, ${partner.email})` : `${partner.name} (${partner.email})`;
  return (
    `No draft was sent for order ${orderNumber}: Cashman refused partner code ${code} for the buyer ${buyer} as already taken, after an earlier attempt to create that partner got no answer, ` +
    `so ${code} is either this buyer (the earlier attempt went through) or another partner; look up partner ${code} in Cashman, ` +
    `then run "retry ${orderNumber} --partner-code-is-theirs" if it is this buyer, or "retry ${orderNumber} --new-partner-code" if it is someone else.`
  );
}
