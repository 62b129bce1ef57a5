import type { InvoiceDraft } from '../domain/draft.js';
import { shopNow } from '../domain/shop-clock.js';
import type { InvoiceBackend, OrderSource, SourcedOrder } from './ports.js';

const REMEMBERED = 5000;

/**
 * Wraps the order source and the invoice backend so every draft reports how long after the order
 * was placed it was created. `dateCreated` is the shop's naive local time (reference §11), so the
 * present is read on the same clock (`shopNow` in the shop's time zone) and both are subtracted as
 * if they were UTC; only the hour around a DST switch can be off, by that hour.
 */
export function withDraftLatency(
  source: OrderSource,
  backend: InvoiceBackend,
  timezone: string,
  now: () => Date,
  onDrafted: (orderToDraftSeconds: number | null) => void,
): { source: OrderSource; backend: InvoiceBackend } {
  const created = new Map<string, string>();
  const remember = (sourced: SourcedOrder | null): void => {
    if (!sourced?.ok) return;
    created.delete(sourced.order.orderNumber);
    created.set(sourced.order.orderNumber, sourced.order.dateCreated);
    if (created.size > REMEMBERED) created.delete(created.keys().next().value as string);
  };
  const wrappedSource: OrderSource = {
    listChangedOrders: (updatedAtMin, onPage, present) =>
      source.listChangedOrders(
        updatedAtMin,
        (page) => {
          page.forEach(remember);
          return onPage(page);
        },
        present,
      ),
    getOrder: async (ref) => {
      const sourced = await source.getOrder(ref);
      remember(sourced);
      return sourced;
    },
  };
  const wrappedBackend: InvoiceBackend = {
    describePartnerRequest: (request) => backend.describePartnerRequest(request),
    describeDraftRequest: (draft, code) => backend.describeDraftRequest(draft, code),
    savePartner: (request, sendAfter) => backend.savePartner(request, sendAfter),
    checkLogin: () => backend.checkLogin(),
    createDraft: async (draft: InvoiceDraft, code: string, sendAfter: Promise<void>) => {
      const answer = await backend.createDraft(draft, code, sendAfter);
      const placed = created.get(draft.orderNumber);
      created.delete(draft.orderNumber);
      onDrafted(placed === undefined ? null : secondsBetween(placed, shopNow(now(), timezone)));
      return answer;
    },
  };
  return { source: wrappedSource, backend: wrappedBackend };
}

function secondsBetween(fromLocal: string, toLocal: string): number {
  return (Date.parse(`${toLocal}Z`) - Date.parse(`${fromLocal}Z`)) / 1000;
}
