import type { DraftLine, InvoiceDraft } from '../src/domain/draft.js';
import type { PartnerData } from '../src/domain/partner.js';
import type { PartnerRequest } from '../src/sync/ports.js';

/** Shared fixtures of the Cashman tests: the worked example of reference/cashman-fx-api.md §6.5. */

export const LOGIN = { group: 'demo', user: 'api', password: 'S3cr3t-jelszó;"}' };

export const privateBuyer: PartnerData = {
  email: 'anna@example.hu',
  name: 'Kiss Anna',
  phone: '+36301234567',
  postcode: '1111',
  city: 'Budapest',
  street: 'Fő utca 1.',
  country: 'Magyarország',
  countryCode: 'HU',
  companyName: null,
  taxNumber: null,
  euVatNumber: null,
};

export const companyBuyer: PartnerData = {
  ...privateBuyer,
  email: 'iroda@arvizturo.hu',
  name: 'Őry Ödön',
  companyName: 'Árvíztűrő tükörfúrógép Kft.',
  taxNumber: '12345678-2-41',
  euVatNumber: 'HU12345678',
};

export function line(overrides: Partial<DraftLine> = {}): DraftLine {
  return {
    kind: 'product',
    name: 'Termék A',
    sku: 'SKU-1',
    note: null,
    quantity: '2',
    unitText: 'db',
    unitId: 19,
    vatRate: '27',
    vatId: 32,
    netUnitPrice: '3937.01',
    net: 7874n,
    vat: 2126n,
    gross: 10000n,
    ...overrides,
  };
}

export const shippingLine = line({
  kind: 'shipping',
  name: 'Szállítási díj',
  sku: null,
  quantity: '1',
  netUnitPrice: '1574.80',
  net: 1575n,
  vat: 425n,
  gross: 2000n,
});

export function sampleDraft(overrides: Partial<InvoiceDraft> = {}): InvoiceDraft {
  return {
    orderId: 'b3JkZXItb3JkZXJfaWQ9MTA0Mg==',
    orderNumber: '10042',
    buyer: privateBuyer,
    buyerKind: 'private',
    shipping: { name: 'Kiss Anna', postcode: '1111', city: 'Budapest', street: 'Fő utca 1.', country: 'Magyarország' },
    issueDate: '2026-11-02',
    fulfilmentDate: '2026-11-02',
    dueDate: '2026-11-10',
    currency: 'HUF',
    decimals: 0,
    paymentMethod: 'Bankkártya',
    orderNumberText: 'Shoprenter rendelés: 10042',
    note: null,
    lines: [line(), shippingLine],
    totals: { net: 9449n, vat: 2551n, gross: 12000n },
    ...overrides,
  };
}

/** A company draft full of text that breaks naive serializers. */
export function trickyDraft(): InvoiceDraft {
  const product = line({
    name: 'Ő "idézőjeles"; {kapcsos} termék ű 🚚',
    sku: 'ŰŐ-1;{}',
    note: 'Vonalkód: 5991234567890\nmásodik sor: "x";}',
    quantity: '1',
    netUnitPrice: '10000.00',
    net: 10000n,
    vat: 2700n,
    gross: 12700n,
  });
  return sampleDraft({
    buyer: companyBuyer,
    buyerKind: 'company',
    shipping: null,
    note: 'Megjegyzés: "a:1:{s:1:"x";}" \\ backslash; emoji 🎉',
    lines: [product],
    totals: { net: 10000n, vat: 2700n, gross: 12700n },
  });
}

export function partnerRequest(overrides: Partial<PartnerRequest> = {}): PartnerRequest {
  return { partner: privateBuyer, partnerCode: 'SR000042', partnerId: null, paymentMethod: 'Átutalás', dueDays: 8, ...overrides };
}

/**
 * A throwaway self-signed pair (CN=localhost, a CA of its own): untrusted, it proves certificate
 * checks stay on; given to a child process as NODE_EXTRA_CA_CERTS, it lets HTTPS be exercised.
 */
export const SELF_SIGNED_LOCALHOST = {
  key: `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg9ubUZPG4Ts9AccF1
2qZtvI0XXDgv2tiURLR0RNKeYFGhRANCAASmUhlyuNLe5RfKvXNhM0hUMqN3s587
ZD6NtMiKLPedSUsosaiu/fen823PmIjyXKNUEhhL7T22EP5Qw0Qsz83W
-----END PRIVATE KEY-----`,
  cert: `-----BEGIN CERTIFICATE-----
MIIBfjCCASWgAwIBAgIUI4NJM31aemMCvlneNUCOUmS74c4wCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyNjE5MzIxMloYDzIxMjYxMTAy
MTkzMjEyWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAASmUhlyuNLe5RfKvXNhM0hUMqN3s587ZD6NtMiKLPedSUsosaiu/fen
823PmIjyXKNUEhhL7T22EP5Qw0Qsz83Wo1MwUTAdBgNVHQ4EFgQUGw7CjRJNW509
gTUd1pIiQzy9gkswHwYDVR0jBBgwFoAUGw7CjRJNW509gTUd1pIiQzy9gkswDwYD
VR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNHADBEAiA3D2kxK6O/ViTSRTju1Ty9
be9nWN0OC0CUWtT1/RNqnwIgFknXfAynJOeA8KOiDD3Igg4QD3fieQIWvyPBW07t
xCY=
-----END CERTIFICATE-----`,
};
