import { createClients } from '../runtime.js';
import { buildDraft } from '../domain/build-draft.js';
import { buildPartner } from '../domain/build-partner.js';
import { shopToday } from '../domain/shop-clock.js';
import type { InvoiceDraft } from '../domain/draft.js';
import { draftMoney, inDraftCurrency } from '../domain/draft-currency.js';
import { readTotals } from '../domain/draft-fees.js';
import { money, renderDraft } from './render-draft.js';
import { changedPartnerFields, formatPartnerCode, type PartnerData } from '../domain/partner.js';
import type { Order } from '../domain/order.js';
import { MappingError, NotFoundError, UsageError } from '../errors.js';
import { silentLogger } from '../log/logger.js';
import { Ledger } from '../store/ledger.js';
import { config, remoteEnv, type CommandContext } from './context.js';
import { existsSync } from 'node:fs';
import { previewVerdict } from './order-verdict.js';

/**
 * `preview <order>`: fetch one order and show the partner and the draft it would become. Writes
 * nothing: the ledger is opened read-only (only to show the partner code that would be used) and
 * Cashman is never called; `--json` prints the exact rows with the password masked.
 */
export async function previewCommand(ctx: CommandContext, ref: string | undefined, json: boolean): Promise<number> {
  if (!ref) throw new UsageError('preview needs an order number or API id, e.g. "preview 1234".');
  const env = remoteEnv(ctx);
  const cfg = config(env);
  const { shoprenter, cashman } = createClients(env, cfg, silentLogger);
  const sourced = await shoprenter.getOrder(ref);
  if (!sourced) throw new NotFoundError(`Shoprenter has no order "${ref}" (or it was cancelled); check the order number.`);
  if (!sourced.ok) {
    ctx.out(json ? JSON.stringify({ order: ref, quarantine: sourced.reason }, null, 2) : `Order ${ref} would be quarantined: ${sourced.reason}`);
    return 0;
  }
  let order = sourced.order;
  const verdict = json ? null : await previewVerdict(env, order, cfg, shoprenter);
  if (verdict) ctx.out(`Status in Shoprenter now: ${verdict.status}`);
  if (verdict && verdict.kind !== 'draft') { ctx.out(`What the daemon would do: ${verdict.text}.`); ctx.out(''); }
  const { productOptions } = cfg.invoice;
  const { fromProducts } = cfg.units;
  if (productOptions || fromProducts) {
    try {
      order = await shoprenter.enrichOrder(order, { options: productOptions, units: fromProducts });
    } catch (error) {
      if (!(error instanceof MappingError)) throw error;
      ctx.out(json ? JSON.stringify({ order: order.orderNumber, quarantine: error.message }, null, 2) : `Order ${order.orderNumber} would be quarantined: ${error.message}`);
      return 0;
    }
  }
  const partner = buildPartner(order);
  if ('reason' in partner) {
    ctx.out(json ? JSON.stringify({ order: order.orderNumber, quarantine: partner.reason }, null, 2) : `Order ${order.orderNumber} would be quarantined: ${partner.reason}`);
    return 0;
  }
  const known = lookupPartner(env.databasePath, partner, cfg.partners.codePrefix, cfg.partners.codeDigits);
  const result = buildDraft(order, partner, { ...cfg, timezone: cfg.sync.timezone }, shopToday(new Date(), cfg.sync.timezone));
  if (!result.ok) {
    ctx.out(json ? JSON.stringify({ order: order.orderNumber, quarantine: result.reason }, null, 2) : `Order ${order.orderNumber} would be quarantined: ${result.reason}`);
    return 0;
  }
  const draft = result.draft;
  const partnerRequest = { partner, partnerCode: known.code, partnerId: known.partnerId, paymentMethod: draft.paymentMethod, dueDays: cfg.invoice.dueDays };
  if (json) {
    ctx.out(
      JSON.stringify(
        {
          order: order.orderNumber,
          partnerCall: known.unchanged ? null : cashman.describePartnerRequest(partnerRequest),
          draft: cashman.describeDraftRequest(draft, known.code),
        },
        null,
        2,
      ),
    );
    return 0;
  }
  if (verdict?.kind === 'draft') { ctx.out(`What the daemon would do: ${verdict.text}.`); ctx.out(''); }
  ctx.out(renderPreview(order, draft, known));
  return 0;
}

interface KnownPartner {
  code: string;
  partnerId: string | null;
  unchanged: boolean;
  note: string;
}

function lookupPartner(path: string, partner: PartnerData, prefix: string, digits: number): KnownPartner {
  if (path === ':memory:' || !existsSync(path)) {
    return { code: formatPartnerCode(prefix, digits, 1), partnerId: null, unchanged: false, note: 'new partner (no ledger yet)' };
  }
  const ledger = Ledger.open(path, { readonly: true });
  try {
    const row = ledger.getPartner(partner.email);
    if (row?.stated && row.partnerId === null) {
      return { code: row.partnerCode, partnerId: null, unchanged: true, note: `confirmed by a person as this buyer (${row.stated}), Cashman id unknown, no partner call` };
    }
    if (row) {
      const changed = row.snapshot ? changedPartnerFields(row.snapshot, partner) : ['all'];
      const unchanged = row.partnerId !== null && changed.length === 0;
      const state = unchanged ? 'unchanged, no partner call' : `will be updated (${changed.join(', ')})`;
      return { code: row.partnerCode, partnerId: row.partnerId, unchanged, note: `known partner, Cashman id ${row.partnerId ?? 'not confirmed yet'}, ${state}` };
    }
    const next = Number(ledger.getMeta('partner_sequence') ?? '0') + 1;
    return { code: formatPartnerCode(prefix, digits, next), partnerId: null, unchanged: false, note: 'new partner (code assigned when it is synced)' };
  } finally {
    ledger.close();
  }
}

export function renderPreview(order: Order, draft: InvoiceDraft, partner: { code: string; note: string }): string {
  const b = draft.buyer;
  // The shop's TOTAL in the draft currency, read exactly as the mapping read it (it succeeded, so these cannot refuse).
  const shopTotal = inDraftCurrency(draftMoney(order), readTotals(order).total);
  const lines = [
    `Order ${order.orderNumber} (${order.id}), updated ${order.dateUpdated}`,
    '',
    `Partner ${partner.code}: ${partner.note}`,
    `  ${b.name}${b.taxNumber ? `, tax number ${b.taxNumber}` : ''}${b.euVatNumber ? `, EU VAT ${b.euVatNumber}` : ''}`,
    `  ${b.email}${b.phone ? `, ${b.phone}` : ''}`,
    `  ${[b.postcode, b.city, b.street, b.country].filter(Boolean).join(', ')}`,
    '',
    `Draft${draft.shipping ? `, ship to ${draft.shipping.name}, ${draft.shipping.postcode} ${draft.shipping.city}, ${draft.shipping.street}, ${draft.shipping.country}` : ' (ship to: same as billing)'}`,
    ...renderDraft(draft),
    '',
    `Shoprenter TOTAL ${money(shopTotal, draft.decimals)} ${draft.currency}: ${shopTotal === draft.totals.gross ? 'matches the draft to the last unit' : 'DOES NOT MATCH'}`,
  ];
  return lines.join('\n');
}
