import type { InvoiceDraft } from '../domain/draft.js';
import { changedPartnerFields, type PartnerData } from '../domain/partner.js';
import type { OrderKey } from '../store/ledger.js';
import { errorCode, provablyNotProcessed } from './classify.js';
import { PartnerCodeInDoubt, codeTakenSuspected, createWithNextFreeCode } from './partner-code-skip.js';
import type { PartnerStats, PipelineDeps } from './pipeline-types.js';

/**
 * Creates or updates the Cashman partner only when needed; an unchanged buyer costs no call.
 * Returns the partner code the draft names. Intent first: the partner row says what is about to be
 * sent before the request leaves. Throws PartnerCodeInDoubt when a code is taken after a create
 * whose answer was lost (a person decides), and the request's own error otherwise.
 */
export async function ensurePartner(
  deps: Pick<PipelineDeps, 'ledger' | 'backend' | 'settings' | 'logger'>,
  stats: PartnerStats,
  partner: PartnerData,
  draft: InvoiceDraft,
  key: OrderKey,
): Promise<string> {
  const { ledger, backend, settings, logger } = deps;
  const existing = ledger.getPartner(partner.email) ?? ledger.allocatePartner(partner.email, settings.partnerCodePrefix, settings.partnerCodeDigits);
  const changed = existing.snapshot ? changedPartnerFields(existing.snapshot, partner) : [];
  if (existing.partnerId && existing.snapshot && changed.length === 0) return existing.partnerCode;
  if (existing.partnerId === null && existing.stated !== null) {
    // A person stated that Cashman's partner under this code is this buyer; its Cashman id is
    // unknown (no lookup exists), so it can be neither created nor updated from here.
    if (changed.length > 0) {
      logger.warn('buyer details changed, but the partner was confirmed by a person and its Cashman id is unknown; update it in Cashman by hand', {
        orderNumber: key.orderNumber,
        partner: existing.partnerCode,
        changed: changed.join(','),
      });
    }
    return existing.partnerCode;
  }
  // A create with this code left earlier and its answer never came back (crash, timeout): Cashman
  // may already hold the partner, and then refuses the same code again.
  const createInDoubt = existing.partnerId === null && existing.pending !== null;

  const request = {
    partner,
    partnerCode: existing.partnerCode,
    partnerId: existing.partnerId,
    paymentMethod: draft.paymentMethod,
    dueDays: settings.dueDays,
  };
  const { auditId, durable } = ledger.markPartnerSending(partner.email, partner, key, backend.describePartnerRequest(request));
  try {
    const { partnerId } = await backend.savePartner(request, durable);
    ledger.confirmPartner(partner.email, partnerId, partner, auditId);
  } catch (error) {
    ledger.setAuditOutcome(auditId, errorCode(error));
    if (!existing.partnerId && !createInDoubt && codeTakenSuspected(error, existing.partnerCode)) {
      ledger.clearPartnerPending(partner.email);
      const skipDeps = { ledger, backend, logger, prefix: settings.partnerCodePrefix, digits: settings.partnerCodeDigits };
      const code = await createWithNextFreeCode(skipDeps, request, partner, key);
      stats.created += 1;
      logger.info('partner created in Cashman', { orderNumber: key.orderNumber, partner: code });
      return code;
    }
    // Taken after a lost answer: ours, or another buyer's from a lost ledger; Cashman cannot say which.
    if (createInDoubt && codeTakenSuspected(error, existing.partnerCode)) throw new PartnerCodeInDoubt(existing.partnerCode);
    // Any other refusal says nothing about the earlier create: its doubt (the intent) stays.
    if (createInDoubt) throw error;
    if (provablyNotProcessed(error)) ledger.clearPartnerPending(partner.email);
    throw error;
  }
  if (existing.partnerId) {
    stats.updated += 1;
    logger.info('partner updated in Cashman', { orderNumber: key.orderNumber, partner: existing.partnerCode, changed: changed.join(',') });
  } else {
    stats.created += 1;
    logger.info('partner created in Cashman', { orderNumber: key.orderNumber, partner: existing.partnerCode });
  }
  return existing.partnerCode;
}
